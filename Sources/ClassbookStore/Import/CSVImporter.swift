import ClassbookDomain
import Foundation
import GRDB

/// Imports a school from the CSV files schools export from spreadsheets (docs/import.md).
///
/// Each file's kind is told by its columns. Everything is checked and written in one
/// transaction; any error anywhere rolls it all back, and every error is reported with its
/// file and line. Imported accounts have no usable password until one is set. This is SQLite's
/// side: the files are told apart and ordered by `CSVImport`, their rows written by
/// `ImportWriter` (PostgreSQL's is `PostgresStore.importCSV`).
public struct CSVImporter: Sendable {
    public typealias Problem = CSVImport.Problem
    public typealias Failure = CSVImport.Failure
    public typealias Summary = CSVImport.Summary

    /// A placeholder that no password matches (`Account.noPassword`).
    public static let noPassword = Account.noPassword

    /// Imports commit through the group commit like every other write, so that caches of the
    /// school's structure see them at once.
    let writer: GroupCommit

    public init(database: ClassbookDatabase) {
        writer = database.writer
    }

    public func run(files: [(name: String, data: Data)], context: AuditContext) async throws -> Summary {
        let ordered = try CSVImport.tables(files)
        return try await writer.write { db in
            var writer = ImportWriter(db: db, context: context)
            for (kind, table) in ordered {
                for row in table.rows {
                    do {
                        try CSVImport.checkRequired(kind, row, titles: table.titles)
                        try writer.apply(kind, row)
                        writer.counts[kind.rawValue, default: 0] += 1
                    } catch let message as CSVImport.RowError {
                        writer.problems.append(Problem(file: table.file, line: row.line, message: message.text))
                    }
                }
            }
            if !writer.problems.isEmpty { throw Failure(problems: writer.problems) }
            let summary = Summary(counts: writer.counts)
            try AuditLog.append(
                db, context: context, action: "school.import.csv", entity: "school", entityID: "csv",
                new: summary.auditText)
            return summary
        }
    }
}
