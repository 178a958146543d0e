/// A report as tables of text: what the chat, CSV and PDF renderers all print.
/// Reports are school documents and are written in Russian whatever the reader's language.
public struct Report: Sendable, Equatable {
    public struct Table: Sendable, Equatable {
        public var caption: String?
        public var header: [String]
        public var rows: [[String]]
        /// Relative column widths for print; the first column (names) is wider.
        public var widths: [Double]

        public init(caption: String? = nil, header: [String], rows: [[String]], widths: [Double]? = nil) {
            self.caption = caption
            self.header = header
            self.rows = rows
            self.widths = widths ?? [3] + Array(repeating: 1, count: max(0, header.count - 1))
        }
    }

    public var title: String
    public var subtitle: String
    public var tables: [Table]
    /// Definitions and remarks printed under the tables.
    public var notes: [String]
    /// Wide tables print on landscape pages.
    public var landscape: Bool

    public init(title: String, subtitle: String, tables: [Table], notes: [String] = [], landscape: Bool = false) {
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

    public var title: String {
        switch self {
        case .attendance: "Отчёт о посещаемости класса"
        case .preliminary: "Предварительный отчёт классного руководителя"
        case .period: "Отчёт классного руководителя за учебный период"
        case .results: "Итоги успеваемости класса"
        case .marks: "Сводная ведомость учёта успеваемости"
        case .attendanceSheet: "Сводная ведомость учёта посещаемости"
        case .movement: "Сводная ведомость учёта движения обучающихся"
        case .analytics: "Аналитический отчёт"
        }
    }
}
