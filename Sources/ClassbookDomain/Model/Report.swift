/// A report as tables of words and figures: what the chat, CSV and PDF renderers all print,
/// once put into a language (ClassbookText's catalogs). The domain returns words as keys
/// (`Localized`) and data (names, figures, dates) verbatim; printed reports are school
/// documents and are put into Russian, chat replies into the reader's language.
public struct Report: Sendable, Equatable {
    public struct Table: Sendable, Equatable {
        public var caption: Localized?
        public var header: [Localized]
        public var rows: [[Localized]]
        /// Relative column widths for print; the first column (names) is wider.
        public var widths: [Double]

        public init(caption: Localized? = nil, header: [Localized], rows: [[Localized]], widths: [Double]? = nil) {
            self.caption = caption
            self.header = header
            self.rows = rows
            self.widths = widths ?? [3] + Array(repeating: 1, count: max(0, header.count - 1))
        }
    }

    public var title: Localized
    public var subtitle: Localized
    public var tables: [Table]
    /// Definitions and remarks printed under the tables.
    public var notes: [Localized]
    /// Wide tables print on landscape pages.
    public var landscape: Bool

    public init(
        title: Localized, subtitle: Localized, tables: [Table], notes: [Localized] = [], landscape: Bool = false
    ) {
        self.title = title
        self.subtitle = subtitle
        self.tables = tables
        self.notes = notes
        self.landscape = landscape
    }
}

/// The class teacher's reports (regulation 001, item 2.43) and the analytical report.
public enum ReportKind: String, Sendable, CaseIterable {
    /// Отчёт о посещаемости класса (по месяцам).
    case attendance
    /// Предварительный отчёт классного руководителя за учебный период.
    case preliminary
    /// Отчёт классного руководителя за учебный период.
    case period
    /// Итоги успеваемости класса за учебный период.
    case results
    /// Сводная ведомость учёта успеваемости.
    case marks
    /// Сводная ведомость учёта посещаемости.
    case attendanceSheet = "attendance-sheet"
    /// Сводная ведомость учёта движения обучающихся.
    case movement
    /// Аналитический отчёт по классу и по ученику.
    case analytics

    /// Russian names people type in chat.
    public static func parse(_ word: String) -> ReportKind? {
        let key = word.lowercased()
        let names: [String: ReportKind] = [
            "посещаемость": .attendance, "предварительный": .preliminary, "период": .period, "итоги": .results,
            "успеваемость": .marks, "ведомость": .marks, "ведомость-посещаемости": .attendanceSheet,
            "движение": .movement,
            "анализ": .analytics, "аналитика": .analytics
        ]
        return ReportKind(rawValue: key) ?? names[key]
    }

    public var title: Localized {
        switch self {
        case .attendance: Localized("report.title.attendance")
        case .preliminary: Localized("report.title.preliminary")
        case .period: Localized("report.title.period")
        case .results: Localized("report.title.results")
        case .marks: Localized("report.title.marks")
        case .attendanceSheet: Localized("report.title.attendanceSheet")
        case .movement: Localized("report.title.movement")
        case .analytics: Localized("report.title.analytics")
        }
    }
}
