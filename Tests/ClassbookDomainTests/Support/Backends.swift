import ClassbookDomain
import ClassbookPostgres
import ClassbookStore
import ClassbookTestSupport
import Foundation
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
