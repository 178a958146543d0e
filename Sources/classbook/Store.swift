import ArgumentParser
import ClassbookDomain
import ClassbookPostgres
import ClassbookServer
import ClassbookStore
import Foundation
import Logging

/// The store a command works on: the SQLite file in the data directory (the default), or a
/// PostgreSQL database several nodes share (`--database postgresql://…`, `CLASSBOOK_DATABASE`,
/// or `database:` in the config file). Everything above it sees the same repositories, change
/// feed and node directory whichever it is.
enum Store: Sendable {
    case sqlite(ClassbookDatabase)
    case postgresql(PostgresStore, url: String)

    /// Opens the store: PostgreSQL when `url` is given (migrated, one node at a time), else the
    /// SQLite file in `data` (made when `create`, else it must exist).
    static func open(data: String, url: String?, create: Bool, logger: Logger? = nil) async throws -> Store {
        if let url {
            let store: PostgresStore
            do {
                store = try PostgresStore(url: url, logger: logger ?? Logger(label: "classbook.postgres"))
            } catch let error as PostgresStore.BadURL {
                throw ValidationError("\(error)")
            }
            do {
                try await store.checkConnection()
                try await store.migrate()
            } catch {
                store.close()
                throw ValidationError("cannot open the database \(PostgresStore.redacted(url)): \(error)")
            }
            return .postgresql(store, url: url)
        }
        guard create || ClassbookDatabase.exists(in: data) else {
            throw ValidationError("no database in \(data); run 'classbook init --data \(data)' first")
        }
        return .sqlite(try ClassbookDatabase(directory: data))
    }

    /// Where it is, for messages: the file's path, or the URL without its password.
    var location: String {
        switch self {
        case .sqlite(let database): database.path
        case .postgresql(_, let url): PostgresStore.redacted(url)
        }
    }

    var repositories: SchoolServices.Repositories {
        switch self {
        case .sqlite(let database): database.repositories
        case .postgresql(let store, _): store.repositories
        }
    }

    var feed: any ChangeFeed {
        switch self {
        case .sqlite(let database): database.feed
        case .postgresql(let store, _): store.feed
        }
    }

    var nodes: any NodeDirectory {
        switch self {
        case .sqlite(let database): database.nodes
        case .postgresql(let store, _): store.nodes
        }
    }

    /// Writes a whole school in one transaction (`init --demo`).
    func importSchool(_ snapshot: SchoolSnapshot, context: AuditContext) async throws {
        switch self {
        case .sqlite(let database): try await SchoolImporter(database: database).write(snapshot, context: context)
        case .postgresql(let store, _): try await store.importSchool(snapshot, context: context)
        }
    }

    /// Imports CSV files (docs/import.md), all or nothing.
    func importCSV(_ files: [(name: String, data: Data)], context: AuditContext) async throws -> CSVImport.Summary {
        switch self {
        case .sqlite(let database): try await CSVImporter(database: database).run(files: files, context: context)
        case .postgresql(let store, _): try await store.importCSV(files: files, context: context)
        }
    }

    /// `audit verify`: the chain, then every audited row.
    func verifyAudit() async throws -> AuditChain.Outcome {
        switch self {
        case .sqlite(let database): try await AuditVerifier(database: database).verify()
        case .postgresql(let store, _): try await store.verifyAudit()
        }
    }

    /// Told of each commit: how many writes it carried and how long it took (the metrics).
    func observeCommits(_ handler: @escaping @Sendable (_ writes: Int, _ duration: Duration) -> Void) {
        switch self {
        case .sqlite(let database): database.writer.observe(handler)
        case .postgresql(let store, _): store.observeCommits(handler)
        }
    }

    /// Told of each batch of writes that failed and ran again write by write (the metrics). Only
    /// PostgreSQL's batches do: SQLite's group commit gives each write a savepoint of its own.
    func observeReruns(_ handler: @escaping @Sendable (_ writes: Int) -> Void) {
        if case .postgresql(let store, _) = self { store.observeReruns(handler) }
    }

    /// Closes it: SQLite folds its write-ahead log into the file; PostgreSQL's connections close.
    func close() throws {
        switch self {
        case .sqlite(let database): try database.close()
        case .postgresql(let store, _): store.close()
        }
    }
}
