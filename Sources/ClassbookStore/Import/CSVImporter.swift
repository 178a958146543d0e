import ClassbookDomain
import Foundation
import GRDB

/// Imports a school from the CSV files schools export from spreadsheets (docs/import.md).
///
/// Each file's kind is told by its columns. Everything is checked and written in one
/// transaction; any error anywhere rolls it all back, and every error is reported with its
/// file and line. Imported accounts have no usable password until one is set.
public struct CSVImporter: Sendable {
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var message: String
        public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
    }

    public struct Failure: Error, Sendable {
        public var problems: [Problem]
    }

    public struct Summary: Sendable, Equatable {
        public var counts: [String: Int]
    }

    /// The kinds of file, in the order they are applied, with the columns each requires and allows.
    enum Kind: String, CaseIterable {
        case periods, holidays, staff, classes, students, guardians, timetable, assignments

        var required: Set<String> {
            switch self {
            case .periods: ["period", "start", "end"]
            case .holidays: ["holiday", "start", "end"]
            case .staff: ["login", "name", "roles"]
            case .classes: ["class", "class_teacher"]
            case .students: ["class", "last_name", "first_name"]
            case .guardians: ["login", "name", "class", "student"]
            case .timetable: ["class", "weekday", "number", "subject", "teacher"]
            case .assignments: ["class", "subject", "teacher"]
            }
        }

        var optional: Set<String> {
            switch self {
            case .periods: ["grades"]
            case .students: ["middle_name", "login", "birth_date", "phone", "email", "address"]
            case .guardians: ["phone", "email", "address"]
            case .timetable, .assignments: ["group"]
            default: []
            }
        }

        static func of(_ columns: [String]) -> Kind? {
            let set = Set(columns)
            return allCases.first { $0.required.isSubset(of: set) && set.isSubset(of: $0.required.union($0.optional)) }
        }
    }

    /// A placeholder that no password matches (`Account.noPassword`).
    public static let noPassword = Account.noPassword

    /// Imports commit through the group commit like every other write, so that caches of the
    /// school's structure see them at once.
    let writer: GroupCommit

    public init(database: ClassbookDatabase) {
        writer = database.writer
    }

    public func run(files: [(name: String, data: Data)], context: AuditContext) async throws -> Summary {
        var problems: [Problem] = []
        var tables: [(Kind, CSVTable)] = []
        for file in files {
            do {
                let table = try CSVTable.parse(file: file.name, data: file.data)
                guard let kind = Kind.of(table.columns) else {
                    problems.append(
                        Problem(
                            file: file.name, line: 1,
                            message: "cannot tell what this file holds from its columns ("
                                + table.columns.joined(separator: ", ") + "); see docs/import.md"))
                    continue
                }
                tables.append((kind, table))
            } catch let error as CSVTable.ParseError {
                problems.append(Self.problem(error, file: file.name))
            }
        }
        if !problems.isEmpty { throw Failure(problems: problems) }
        let ordered = tables.sorted { Kind.allCases.firstIndex(of: $0.0)! < Kind.allCases.firstIndex(of: $1.0)! }
        do {
            return try await writer.write { db in
                var writer = ImportWriter(db: db, context: context)
                for (kind, table) in ordered {
                    for row in table.rows {
                        do {
                            try writer.apply(kind, row, titles: table.titles)
                        } catch let message as ImportWriter.RowError {
                            writer.problems.append(Problem(file: table.file, line: row.line, message: message.text))
                        }
                    }
                }
                if !writer.problems.isEmpty { throw Failure(problems: writer.problems) }
                try AuditLog.append(
                    db, context: context, action: "school.import.csv", entity: "school", entityID: "csv",
                    new: writer.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                )
                return Summary(counts: writer.counts)
            }
        }
    }

    static func problem(_ error: CSVTable.ParseError, file: String) -> Problem {
        switch error {
        case .notUTF8: Problem(file: file, line: nil, message: "not UTF-8 text: save the spreadsheet as «CSV UTF-8»")
        case .empty: Problem(file: file, line: 1, message: "no header row")
        case .unterminatedQuote(let line): Problem(file: file, line: line, message: "a quoted field is not closed")
        case .fieldCount(let line, let expected, let found):
            Problem(file: file, line: line, message: "\(found) fields where the header has \(expected)")
        case .unknownColumn(let name):
            Problem(file: file, line: 1, message: "unknown column «\(name)»; see docs/import.md")
        case .duplicateColumn(let name): Problem(file: file, line: 1, message: "the column «\(name)» appears twice")
        }
    }
}
