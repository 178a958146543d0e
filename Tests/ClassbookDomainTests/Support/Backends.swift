import ClassbookDomain
import ClassbookPostgres
import ClassbookStore
import ClassbookTestSupport
import Foundation
import GRDB
import PostgresNIO
import Testing

/// The stores the contract tests run against: the embedded SQLite file, and a PostgreSQL
/// server started throw-away for the test run (`ThrowawayPostgres`).
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgresql

    var testDescription: String { rawValue }

    /// What one node (process) of a store sees of what nodes share.
    struct Node: Sendable {
        var feed: any ChangeFeed
        var nodes: any NodeDirectory
        var accounts: any AccountRepository
        /// The audit chain's records if it is intact, else nil.
        var verifiedAuditRecords: @Sendable () async throws -> Int?
    }

    /// Two nodes of one new, empty store, each with its own connections and name; `close` ends them.
    func twoNodes() async throws -> (a: Node, b: Node, close: @Sendable () -> Void) {
        switch self {
        case .sqlite:
            let directory = NSTemporaryDirectory() + "classbook-contract-" + UUID().uuidString
            let a = try ClassbookDatabase(directory: directory)
            let b = try ClassbookDatabase(directory: directory)
            let node = { (database: ClassbookDatabase) in
                Node(
                    feed: database.feed, nodes: database.nodes, accounts: database.accounts,
                    verifiedAuditRecords: {
                        guard case .intact(let records) = try await AuditVerifier(database: database).verify() else {
                            return nil
                        }
                        return records
                    })
            }
            return (
                node(a), node(b),
                {
                    try? a.close()
                    try? b.close()
                    try? FileManager.default.removeItem(atPath: directory)
                }
            )
        case .postgresql:
            let url = try await ThrowawayPostgres.server().newDatabase()
            let a = try PostgresStore(url: url)
            let b = try PostgresStore(url: url)
            // Both at once, as nodes starting together: the migrations' lock lets one apply them.
            async let first: Void = a.migrate()
            async let second: Void = b.migrate()
            _ = try await (first, second)
            let node = { (store: PostgresStore) in
                Node(
                    feed: store.feed, nodes: store.nodes, accounts: store.accounts,
                    verifiedAuditRecords: {
                        let (records, failure) = try await store.verifyAuditChain()
                        return failure == nil ? records : nil
                    })
            }
            return (
                node(a), node(b),
                {
                    a.close()
                    b.close()
                }
            )
        }
    }
}

/// One school in a new store of a backend: the demo school imported, its repositories, and what
/// the contract tests read of the store underneath.
struct SchoolStore: Sendable {
    var diary: any DiaryRepository
    var journal: any JournalRepository
    var duties: any DutiesRepository
    var messaging: any MessagingRepository
    var boards: any BoardRepository
    var security: any SecurityRepository
    var feed: any ChangeFeed
    var importCSV: @Sendable ([(name: String, data: Data)], AuditContext) async throws -> CSVImport.Summary
    var verifyAudit: @Sendable () async throws -> AuditChain.Outcome
    /// The first column, as text, of every row a query returns.
    var texts: @Sendable (String) async throws -> [String]
    /// Runs a statement behind the application's back (a tampering).
    var tamper: @Sendable (String) async throws -> Void
    /// Another process (node) on the same store, with its own connections and name.
    var another: @Sendable () throws -> SchoolStore
    var close: @Sendable () -> Void

    /// `entity entity_id new_value` of every audit record of the audited tables, in order.
    func auditedTexts() async throws -> [String] { try await texts(Self.auditedTextsSQL) }

    static let auditedTextsSQL = """
        SELECT entity || ' ' || entity_id || ' ' || coalesce(new_value, '∅') FROM audit_log
        WHERE entity IN (\(AuditedTable.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")))
            AND action <> 'audit.baseline'
        ORDER BY id
        """

    /// The store of a SQLite file; `remove` deletes the directory when closed.
    static func sqlite(_ directory: String, remove: Bool) throws -> SchoolStore {
        let database = try ClassbookDatabase(directory: directory)
        return SchoolStore(
            diary: database.diary, journal: database.journal, duties: database.duties,
            messaging: database.messaging, boards: database.boards, security: database.security, feed: database.feed,
            importCSV: { try await CSVImporter(database: database).run(files: $0, context: $1) },
            verifyAudit: { try await AuditVerifier(database: database).verify() },
            texts: { query in try await database.pool.read { try String.fetchAll($0, sql: query) } },
            tamper: { statement in try await database.pool.write { try $0.execute(sql: statement) } },
            another: { try sqlite(directory, remove: false) },
            close: {
                try? database.close()
                if remove { try? FileManager.default.removeItem(atPath: directory) }
            })
    }

    /// The store of a PostgreSQL database.
    static func postgresql(_ url: String) throws -> SchoolStore {
        let store = try PostgresStore(url: url)
        return SchoolStore(
            diary: store.diary, journal: store.journal, duties: store.duties, messaging: store.messaging,
            boards: store.boards, security: store.security, feed: store.feed,
            importCSV: { try await store.importCSV(files: $0, context: $1) },
            verifyAudit: { try await store.verifyAudit() },
            texts: { query in
                var texts: [String] = []
                for try await text in try await store.client.query(PostgresQuery(unsafeSQL: query)).decode(String.self)
                {
                    texts.append(text)
                }
                return texts
            },
            tamper: { statement in try await store.client.query(PostgresQuery(unsafeSQL: statement)) },
            another: { try postgresql(url) },
            close: { store.close() })
    }
}

extension Backend {
    /// A new, empty store of this backend (its migrations applied).
    func emptySchool() async throws -> SchoolStore {
        switch self {
        case .sqlite:
            return try SchoolStore.sqlite(
                NSTemporaryDirectory() + "classbook-contract-" + UUID().uuidString, remove: true)
        case .postgresql:
            let url = try await ThrowawayPostgres.server().newDatabase()
            let store = try PostgresStore(url: url)
            try await store.migrate()
            store.close()
            return try SchoolStore.postgresql(url)
        }
    }

    /// A new store of this backend holding `snapshot`, imported as `context`.
    func school(_ snapshot: SchoolSnapshot, context: AuditContext) async throws -> SchoolStore {
        switch self {
        case .sqlite:
            let directory = NSTemporaryDirectory() + "classbook-contract-" + UUID().uuidString
            let database = try ClassbookDatabase(directory: directory)
            try await SchoolImporter(database: database).write(snapshot, context: context)
            try database.close()
            return try SchoolStore.sqlite(directory, remove: true)
        case .postgresql:
            let url = try await ThrowawayPostgres.server().newDatabase()
            let store = try PostgresStore(url: url)
            try await store.migrate()
            try await store.importSchool(snapshot, context: context)
            store.close()
            return try SchoolStore.postgresql(url)
        }
    }
}

extension SchoolStore {
    /// Each later store's transcript against the first's (SQLite's), line by line, and (with
    /// `auditedTexts`) its audited rows' audit texts against the first's.
    static func expectSame(_ transcripts: [[String]], _ stores: [SchoolStore], auditedTexts: Bool = true)
        async throws
    {
        for (store, transcript) in zip(stores, transcripts).dropFirst() {
            for (line, expected) in zip(transcript, transcripts[0]) where line != expected {
                Issue.record("differs:\n  \(line)\nSQLite:\n  \(expected)")
            }
            #expect(transcript.count == transcripts[0].count)
            if auditedTexts { #expect(try await store.auditedTexts() == stores[0].auditedTexts()) }
        }
    }

    /// Every store's audit chain and audited rows verify.
    static func expectVerified(_ stores: [SchoolStore]) async throws {
        for store in stores {
            guard case .intact = try await store.verifyAudit() else {
                Issue.record("the audit does not verify")
                continue
            }
        }
    }
}
