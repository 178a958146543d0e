import ClassbookDomain
import ClassbookText

/// A report put into a language: what the renderers print.
public struct ReportText: Sendable, Equatable {
    public struct Table: Sendable, Equatable {
        public var caption: String?
        public var header: [String]
        public var rows: [[String]]
        public var widths: [Double]
    }

    public var title: String
    public var subtitle: String
    public var tables: [Table]
    public var notes: [String]
    public var landscape: Bool
    public var language: Language
}

extension Report {
    /// The report in `language`: printed reports are school documents in Russian; a chat reply
    /// is in its reader's language.
    public func text(_ language: Language) -> ReportText {
        ReportText(
            title: title(language), subtitle: subtitle(language),
            tables: tables.map { table in
                ReportText.Table(
                    caption: table.caption?(language), header: table.header.map { $0(language) },
                    rows: table.rows.map { $0.map { $0(language) } }, widths: table.widths)
            },
            notes: notes.map { $0(language) }, landscape: landscape, language: language)
    }
}

/// A report as text lines (chat, terminal), CSV (spreadsheets) or a printable document (PDF).
public enum ReportRenderer {
    /// `Header | …` lines, table after table, notes last.
    public static func lines(_ report: ReportText) -> [String] {
        var lines = ["\(report.title). \(report.subtitle)"]
        for table in report.tables {
            if let caption = table.caption { lines.append("— \(caption) —") }
            lines.append(table.header.joined(separator: " | "))
            lines += table.rows.map { $0.joined(separator: " | ") }
        }
        return lines + report.notes.map { report.language.t("report.noteLine", ["note": $0]) }
    }

    /// UTF-8 with a byte-order mark and `;` between fields, as Russian spreadsheets open it:
    /// one row per student (or line of the table) with the figures as columns. A report of
    /// several tables has them one after another, each with its header, a blank line between.
    public static func csv(_ report: ReportText) -> String {
        func field(_ text: String) -> String {
            text.contains(";") || text.contains("\"") || text.contains("\n")
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let tables = report.tables.map { table in
            ([table.header] + table.rows).map { $0.map(field).joined(separator: ";") }.joined(separator: "\r\n")
        }
        return "\u{FEFF}" + tables.joined(separator: "\r\n\r\n") + "\r\n"
    }

    public static func document(_ report: ReportText) -> PrintDocument {
        var blocks: [PrintDocument.Block] = [.heading(report.title), .paragraph(report.subtitle)]
        for table in report.tables {
            if let caption = table.caption { blocks.append(.paragraph(caption)) }
            blocks.append(.table(header: table.header, rows: table.rows, widths: table.widths))
        }
        blocks += report.notes.map { .note($0) }
        blocks += [.space(10), .signature(report.language.t("report.signature"))]
        return PrintDocument(title: report.title, blocks: blocks, landscape: report.landscape)
    }
}
