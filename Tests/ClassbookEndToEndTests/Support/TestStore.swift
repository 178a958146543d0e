import ClassbookDomain
import ClassbookPostgres
import ClassbookServer
import ClassbookStore
import Foundation
import GRDB

/// The store the end-to-end tests run on: the SQLite file (the default), or a throw-away
/// PostgreSQL server's database when `CLASSBOOK_TEST_DATABASE=postgresql` (`commands/test` runs
/// the suite both ways).
enum TestDatabase {
    static let isPostgreSQL = ProcessInfo.processInfo.environment["CLASSBOOK_TEST_DATABASE"] == "postgresql"
}

/// One test's connection to its school's store, whichever it is: the repositories a server is
/// built on, and what a test reads or changes behind the server's back (`rows`, `execute`),
/// statements written in SQLite's form (`?` placeholders) that both stores run.
enum TestStore: Sendable {
    case sqlite(ClassbookDatabase)
    case postgresql(PostgresStore)

    static func open(_ school: TestSchool) throws -> TestStore {
        if let url = school.database { return .postgresql(try PostgresStore(url: url)) }
        return .sqlite(try ClassbookDatabase(directory: school.directory))
    }

    var services: (SchoolServices.Repositories, any ChangeFeed, any NodeDirectory) {
        switch self {
        case .sqlite(let database): (database.repositories, database.feed, database.nodes)
        case .postgresql(let store): (store.repositories, store.feed, store.nodes)
        }
    }

    var repositories: SchoolServices.Repositories { services.0 }

    /// The process's name in the change feed and the node directory.
    var node: String {
        switch self {
        case .sqlite(let database): database.node
        case .postgresql(let store): store.node
        }
    }

    func observeCommits(_ handler: @escaping @Sendable (Int, Duration) -> Void) {
        switch self {
        case .sqlite(let database): database.writer.observe(handler)
        case .postgresql(let store): store.observeCommits(handler)
        }
    }

    /// `audit verify`: the chain, then every audited row.
    func verifyAudit() async throws -> AuditChain.Outcome {
        switch self {
        case .sqlite(let database): try await AuditVerifier(database: database).verify()
        case .postgresql(let store): try await store.verifyAudit()
        }
    }

    /// Every row of a query, each column as text (nil for NULL).
    func rows(_ sql: String, _ arguments: [any SQLArgument] = []) async throws -> [[String?]] {
        switch self {
        case .sqlite(let database):
            let values = StatementArguments(arguments.map { Self.databaseValue($0.sqlValue) })
            return try await database.pool.read { db in
                try Row.fetchAll(db, sql: sql, arguments: values).map { row in
                    row.databaseValues.map { value in
                        switch value.storage {
                        case .null: nil
                        case .int64(let number): String(number)
                        case .double(let number): String(number)
                        case .string(let text): text
                        case .blob(let data): data.base64EncodedString()
                        }
                    }
                }
            }
        case .postgresql(let store):
            return try await store.query(sql, arguments.map(\.sqlValue)).map { row in
                row.values.map { value -> String? in
                    // Instants as SQLite keeps them, so a test compares one text.
                    if case .date(let date) = value { return StoredTimestamp.format(date) }
                    return value.optionalString
                }
            }
        }
    }

    /// The first column of the first row, as text.
    func value(_ sql: String, _ arguments: [any SQLArgument] = []) async throws -> String? {
        try await rows(sql, arguments).first?.first ?? nil
    }

    func int(_ sql: String, _ arguments: [any SQLArgument] = []) async throws -> Int? {
        try await value(sql, arguments).flatMap { Int($0) }
    }

    /// The first column of every row.
    func strings(_ sql: String, _ arguments: [any SQLArgument] = []) async throws -> [String] {
        try await rows(sql, arguments).compactMap { $0.first ?? nil }
    }

    /// A change behind the application's back.
    func execute(_ sql: String, _ arguments: [any SQLArgument] = []) async throws {
        switch self {
        case .sqlite(let database):
            let values = StatementArguments(arguments.map { Self.databaseValue($0.sqlValue) })
            try await database.pool.write { try $0.execute(sql: sql, arguments: values) }
        case .postgresql(let store):
            _ = try await store.query(sql, arguments.map(\.sqlValue))
        }
    }

    private static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .int(let number): number.databaseValue
        case .double(let number): number.databaseValue
        case .text(let text): text.databaseValue
        case .date(let date): date.databaseValue
        }
    }

    func close() {
        switch self {
        case .sqlite(let database): try? database.close()
        case .postgresql(let store): store.close()
        }
    }
}
