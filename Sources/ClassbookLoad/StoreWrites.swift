import ClassbookDomain
import ClassbookPostgres
import ClassbookStore
import Foundation
import Synchronization

/// `store-writes`: confirmed writes straight to a store, without the server: `--sessions`
/// writers, each with an account of its own, switch its language back and forth (one audited
/// write each, as `/lang` makes) for `--seconds`; a write counts when the call returns, that is
/// when it is committed. On the SQLite file of `--data` or on the PostgreSQL server of
/// `--database`, each through its group commit; the line ends with how many commits carried them.
enum StoreWrites {
    static func run(data: String?, database: String?, writers: Int, seconds: Double) async throws -> String {
        let accounts: any AccountRepository
        let name: String
        var close: () -> Void = {}
        // Commits and the writes they carried, counted from the start of the timed run.
        let commits = Mutex((counting: false, commits: 0, writes: 0))
        let count: @Sendable (Int, Duration) -> Void = { writes, _ in
            commits.withLock { if $0.counting { ($0.commits, $0.writes) = ($0.commits + 1, $0.writes + writes) } }
        }
        if let database {
            let store = try PostgresStore(url: database)
            try await store.migrate()
            store.observeCommits(count)
            accounts = store.accounts
            name = "PostgreSQL"
            close = { store.close() }
        } else if let data {
            let store = try ClassbookDatabase(directory: data)
            store.writer.observe(count)
            accounts = store.accounts
            name = "SQLite"
            close = { try? store.close() }
        } else {
            throw Failure(description: "store-writes needs --data DIR or --database postgresql://…")
        }
        defer { close() }
        let run = UUID().uuidString.prefix(6).lowercased()
        var ids: [AccountID] = []
        for index in 0..<writers {
            let account = try await accounts.createAccount(
                NewAccount(
                    login: "w\(run)x\(index)", displayName: "Writer \(index)", roles: [.guardian], passwordHash: "!"),
                context: AuditContext(actor: nil, sessionID: "bench", at: Date()))
            ids.append(account.id)
        }
        commits.withLock { $0.counting = true }
        let deadline = ContinuousClock.now + .nanoseconds(Int64(seconds * 1e9))
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for id in ids {
                group.addTask {
                    var latencies: [Double] = []
                    var english = true
                    while ContinuousClock.now < deadline {
                        let began = ContinuousClock.now
                        try await accounts.setLanguage(
                            english ? .en : .ru, for: id,
                            context: AuditContext(actor: id, sessionID: "bench", at: Date()))
                        let took = ContinuousClock.now - began
                        latencies.append(
                            Double(took.components.seconds) * 1000 + Double(took.components.attoseconds) / 1e15)
                        english.toggle()
                    }
                    return latencies
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        let elapsed = ContinuousClock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let (p50, p99, maximum) = percentiles(latencies)
        let counted = commits.withLock { $0 }
        return String(
            format: "store writes on %@ (%d writers, an audited language switch each): %d in %.1f s = %.0f/s; "
                + "latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d commits, %.1f writes each",
            name, writers, latencies.count, wall, Double(latencies.count) / wall, p50, p99, maximum,
            counted.commits, Double(counted.writes) / Double(max(1, counted.commits)))
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}
