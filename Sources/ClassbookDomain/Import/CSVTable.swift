import Foundation

/// A spreadsheet exported as CSV: UTF-8 (a byte-order mark is dropped), separated by `;` or
/// `,` (whichever the header uses more), fields optionally in double quotes with `""` for a quote.
public struct CSVTable: Sendable {
    public struct Row: Sendable {
        /// 1-based line in the file where the row starts.
        public var line: Int
        public var fields: [String: String]

        public subscript(_ column: String) -> String { fields[column] ?? "" }
    }

    public var file: String
    /// Canonical column names, in file order.
    public var columns: [String]
    /// Each canonical column's title as the file writes it, for messages.
    public var titles: [String: String]
    public var rows: [Row]

    public enum ParseError: Error {
        case notUTF8
        case empty
        case unterminatedQuote(line: Int)
        case fieldCount(line: Int, expected: Int, found: Int)
        case unknownColumn(String)
        case duplicateColumn(String)
    }

    /// Column names as schools write them, Russian or English, to one canonical name.
    static let aliases: [String: String] = [
        "login": "login", "логин": "login",
        "name": "name", "фио": "name", "ф.и.о.": "name",
        "roles": "roles", "роли": "roles", "роль": "roles",
        "class": "class", "класс": "class",
        "class_teacher": "class_teacher", "классный руководитель": "class_teacher",
        "классный_руководитель": "class_teacher",
        "last_name": "last_name", "фамилия": "last_name",
        "first_name": "first_name", "имя": "first_name",
        "middle_name": "middle_name", "отчество": "middle_name",
        "birth_date": "birth_date", "дата рождения": "birth_date", "дата_рождения": "birth_date",
        "student": "student", "ученик": "student", "обучающийся": "student",
        "subject": "subject", "предмет": "subject",
        "teacher": "teacher", "учитель": "teacher",
        "group": "group", "группа": "group",
        "weekday": "weekday", "день": "weekday", "день недели": "weekday",
        "number": "number", "урок": "number", "номер урока": "number",
        "period": "period", "период": "period",
        "grades": "grades", "классы": "grades", "параллели": "grades",
        "holiday": "holiday", "каникулы": "holiday",
        "start": "start", "начало": "start",
        "end": "end", "конец": "end", "окончание": "end",
        "phone": "phone", "телефон": "phone",
        "email": "email", "почта": "email", "e-mail": "email",
        "address": "address", "адрес": "address"
    ]

    public static func parse(file: String, data: Data) throws -> CSVTable {
        guard var text = String(data: data, encoding: .utf8) else { throw ParseError.notUTF8 }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let records = try records(text)
        guard let header = records.first, !header.fields.allSatisfy({ $0.isEmpty }) else { throw ParseError.empty }
        var columns: [String] = []
        var titles: [String: String] = [:]
        for raw in header.fields {
            let key = raw.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "ё", with: "е")
            guard let column = aliases[key] else { throw ParseError.unknownColumn(raw) }
            guard !columns.contains(column) else { throw ParseError.duplicateColumn(raw) }
            columns.append(column)
            titles[column] = raw.trimmingCharacters(in: .whitespaces)
        }
        var rows: [Row] = []
        for record in records.dropFirst()
        where !record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            guard record.fields.count == columns.count else {
                throw ParseError.fieldCount(line: record.line, expected: columns.count, found: record.fields.count)
            }
            var fields: [String: String] = [:]
            for (column, value) in zip(columns, record.fields) {
                fields[column] = value.trimmingCharacters(in: .whitespaces)
            }
            rows.append(Row(line: record.line, fields: fields))
        }
        return CSVTable(file: file, columns: columns, titles: titles, rows: rows)
    }

    private static func records(_ text: String) throws -> [(line: Int, fields: [String])] {
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r" }
        let separator: Character =
            firstLine.filter { $0 == ";" }.count >= firstLine.filter { $0 == "," }.count ? ";" : ","
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var recordLine = 1
        var characters = Array(text)
        if characters.last != "\n" { characters.append("\n") }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if quoted {
                if character == "\"" {
                    if index + 1 < characters.count && characters[index + 1] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if character == "\n" { line += 1 }
                    field.append(character)
                }
            } else if character == "\"" && field.isEmpty {
                quoted = true
            } else if character == separator {
                fields.append(field)
                field = ""
            } else if character == "\r" {
                // CRLF: the LF ends the record.
            } else if character == "\n" {
                fields.append(field)
                records.append((recordLine, fields))
                fields = []
                field = ""
                line += 1
                recordLine = line
            } else {
                field.append(character)
            }
            index += 1
        }
        if quoted { throw ParseError.unterminatedQuote(line: recordLine) }
        return records
    }
}
