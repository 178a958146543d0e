import ClassbookDomain

/// A report as text lines (chat, terminal), CSV (spreadsheets) or a printable document (PDF).
public enum ReportRenderer {
    /// `Header | …` lines, table after table, notes last.
    public static func lines(_ report: Report) -> [String] {
        var lines = ["\(report.title). \(report.subtitle)"]
        for table in report.tables {
            if let caption = table.caption { lines.append("— \(caption) —") }
            lines.append(table.header.joined(separator: " | "))
            lines += table.rows.map { $0.joined(separator: " | ") }
        }
        return lines + report.notes.map { "Примечание: \($0)" }
    }

    /// UTF-8 with a byte-order mark and `;` between fields, as Russian spreadsheets open it:
    /// one row per student (or line of the table) with the figures as columns. A report of
    /// several tables has them one after another, each with its header, a blank line between.
    public static func csv(_ report: Report) -> String {
        func field(_ text: String) -> String {
            text.contains(";") || text.contains("\"") || text.contains("\n")
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let tables = report.tables.map { table in
            ([table.header] + table.rows).map { $0.map(field).joined(separator: ";") }.joined(separator: "\r\n")
        }
        return "\u{FEFF}" + tables.joined(separator: "\r\n\r\n") + "\r\n"
    }

    public static func document(_ report: Report) -> PrintDocument {
        var blocks: [PrintDocument.Block] = [.heading(report.title), .paragraph(report.subtitle)]
        for table in report.tables {
            if let caption = table.caption { blocks.append(.paragraph(caption)) }
            blocks.append(.table(header: table.header, rows: table.rows, widths: table.widths))
        }
        blocks += report.notes.map { .note($0) }
        blocks += [.space(10), .signature("Классный руководитель (подпись, расшифровка)")]
        return PrintDocument(title: report.title, blocks: blocks, landscape: report.landscape)
    }
}
