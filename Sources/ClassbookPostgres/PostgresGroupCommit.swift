import ClassbookDomain
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Group commit on PostgreSQL, as `GroupCommit` on SQLite: audited writes that arrive while a
/// batch commits wait for it and then share one transaction and one WAL flush. Every caller
/// hears only after the shared commit, so "saved" still means durable.
///
/// Unlike SQLite's file, the server takes several writers at once: up to `committers` batches
/// a node, each on a connection of its own, run their writes at the same time (and so do other
/// nodes'). They wait for each other only where they must:
/// - at the end, to append to the audit chain and commit (`AuditAppender.flush`, the chain's
///   lock, held for two statements and the commit);
/// - a batch that holds a `.serial` write takes the store's write lock first, so that writes
///   that decide from what they read (is there a mark already, which entries are new since the
///   last acknowledgement) run one batch at a time across all nodes, as every write did when
///   batches committed one after another; `.concurrent` writes do not wait for it;
/// - a batch then locks the `WriteKey`s its concurrent writes name (the rows they change that
///   others may change too), all at once in one order;
/// - on the rows they change (the server's row locks), and on the change feed's lock from a
///   batch's first published change to its commit.
/// The locks are taken in that order (write lock, keys, rows, feed, chain), so two batches wait
/// for each other in a circle only on rows a serial write changes without a key; the server
/// then cancels one (a deadlock, after a second) and its writes run again alone.
///
/// A round trip to the server costs far more than the statement (about 0.25 ms on the
/// benchmark machine), so a batch spends as few as it can: no savepoint a write (optimistic:
/// when a write throws, the batch is rolled back and each of its writes runs again alone, so
/// one that throws is undone alone and the others are written), the node's name set once a
/// connection (the feed's origin), the chain's lock and last record taken in one statement, and
/// the batch's audit records inserted in one statement at its end.
final class PostgresGroupCommit: Sendable {
    private struct Request: Sendable {
        var isolation: WriteIsolation
        /// Runs the write in the batch's transaction; throws its error, else returns how to
        /// answer the caller once the transaction has committed.
        var run: @Sendable (PostgresConnection, AuditAppender) async throws -> @Sendable () -> Void
        var fail: @Sendable (any Error) -> Void
    }

    /// How many batches of a node commit at once, each from a queue of its own on a connection of
    /// its own: on the benchmark machine (two cores for PostgreSQL, the node and the load) four
    /// gave the most confirmed writes a second, two and eight fewer (docs/benchmarks.md).
    static let committers = 4
    /// The store's write lock, which batches with a `.serial` write take first.
    static let serialLock: Int64 = 0x636c_6173_7377_7269
    /// A write goes to the queue of the first row it locks (`WriteKey`), so that the writes of
    /// one account meet in one batch rather than making two batches wait for each other; serial
    /// writes to the first queue (they wait for each other anyway); the rest by turns.
    private let queues = (0..<committers).map { _ in CommitQueue<Request>() }
    private let turn = Atomic<Int>(0)
    /// Told of each commit: how many writes it carried and how long it took (the metrics).
    private let observer = Mutex<(@Sendable (_ writes: Int, _ duration: Duration) -> Void)?>(nil)

    func observe(_ handler: @escaping @Sendable (_ writes: Int, _ duration: Duration) -> Void) {
        observer.withLock { $0 = handler }
    }

    /// Told of each batch that failed and ran again write by write: how many writes it carried.
    private let rerunObserver = Mutex<(@Sendable (_ writes: Int) -> Void)?>(nil)

    func observeReruns(_ handler: @escaping @Sendable (_ writes: Int) -> Void) {
        rerunObserver.withLock { $0 = handler }
    }
    private let client: PostgresClient
    private let logger: Logger

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    func write<T: Sendable>(
        _ isolation: WriteIsolation = .serial,
        _ body: @escaping @Sendable (PostgresConnection, AuditAppender) async throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let request = Request(
                isolation: isolation,
                run: { connection, audit in
                    let result = try await body(connection, audit)
                    return { continuation.resume(returning: result) }
                },
                fail: { continuation.resume(throwing: $0) })
            let queue = queues[queue(of: isolation)]
            if queue.submit(request) { Task { await self.drain(queue) } }
        }
    }

    private func queue(of isolation: WriteIsolation) -> Int {
        switch isolation {
        case .serial: 0
        case .concurrent(let keys):
            if let first = keys.first {
                Int(UInt32(bitPattern: first.hash) % UInt32(Self.committers))
            } else {
                Int(UInt(bitPattern: turn.wrappingAdd(1, ordering: .relaxed).newValue) % UInt(Self.committers))
            }
        }
    }

    private func drain(_ queue: CommitQueue<Request>) async {
        while true {
            let batch = queue.nextBatch()
            if batch.isEmpty { return }
            do {
                for answer in try await commit(batch) { answer() }
            } catch {
                guard batch.count > 1 else {
                    batch[0].fail(error)
                    continue
                }
                // One of them threw (or the commit failed): each alone, so that only its own fails.
                // A write refused is the application's everyday; a deadlock is not (two batches
                // changed rows without keys in opposite orders) and is worth an operator's look.
                let deadlock = (error as? PSQLError)?.serverInfo?[.sqlState] == "40P01"
                logger.log(
                    level: deadlock ? .warning : .debug,
                    "a batch of \(batch.count) writes failed; each runs again alone: \(String(reflecting: error))")
                rerunObserver.withLock { $0 }?(batch.count)
                for request in batch {
                    do {
                        for answer in try await commit([request]) { answer() }
                    } catch {
                        request.fail(error)
                    }
                }
            }
        }
    }

    /// Runs the requests in one transaction; their answers once it has committed.
    private func commit(_ batch: [Request]) async throws -> [@Sendable () -> Void] {
        let start = ContinuousClock.now
        let answers = try await transaction(batch)
        observer.withLock { $0 }?(batch.count, ContinuousClock.now - start)
        return answers
    }

    private func transaction(_ batch: [Request]) async throws -> [@Sendable () -> Void] {
        try await client.transaction(logger: logger) { [logger] connection in
            if batch.contains(where: { $0.isolation == .serial }) {
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.serialLock))", logger: logger)
            }
            let keys = Set(
                batch.flatMap { request -> [Int32] in
                    guard case .concurrent(let keys) = request.isolation else { return [] }
                    return keys.map(\.hash)
                }
            ).sorted()
            if !keys.isEmpty {
                // One after another in the order of the sorted list (each batch the same order).
                try await connection.query(
                    """
                    SELECT count(pg_advisory_xact_lock(\(WriteKey.space), k))
                    FROM (SELECT k FROM unnest(\(keys)::int4[]) WITH ORDINALITY AS u(k, n) ORDER BY n) s
                    """, logger: logger)
            }
            let audit = AuditAppender()
            var answers: [@Sendable () -> Void] = []
            for request in batch { answers.append(try await request.run(connection, audit)) }
            try await audit.flush(connection, logger: logger)
            return answers
        }
    }
}

/// How a write runs beside the writes of other batches, which PostgreSQL runs at the same time.
enum WriteIsolation: Sendable, Equatable {
    /// It decides from what it reads (whether a row is there already, what changed since, the
    /// value to audit as the old one) and so runs while no other serial write does, under the
    /// store's write lock. Every write is serial unless it says otherwise.
    case serial
    /// It reads nothing it decides from: its statements change rows by their keys, insert, or
    /// upsert, and each locks what it changes (an old value it audits is read `FOR UPDATE` in the
    /// statement that changes it). It runs beside any other write. `locking` names the rows it
    /// changes that another write may change at the same time (an account's, an outbox row);
    /// none for a write that only inserts.
    case concurrent(locking: [WriteKey])
}

/// Rows that concurrent writes may change at the same time. A batch locks the keys of all its
/// writes before the first of them runs, every batch in the same order (by hash), so two batches
/// that change the same rows wait for each other at the start instead of each holding a row the
/// other waits for (a deadlock, which the server breaks only after a second). Keys are hashed to
/// 32 bits in a key space of their own (`pg_advisory_xact_lock(int, int)`): two keys with one
/// hash only make their writes wait for each other.
struct WriteKey: Hashable, Sendable {
    let hash: Int32

    init(_ text: String) {
        // FNV-1a: stable across processes and nodes, unlike Swift's seeded Hasher.
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        self.hash = Int32(bitPattern: hash)
    }

    /// The account's own rows (its language, tokens, settings, markers, views).
    static func account(_ id: AccountID) -> WriteKey { WriteKey("account:\(id.rawValue)") }
    /// The account a login names, before it has an id.
    static func login(_ login: String) -> WriteKey { WriteKey("login:\(login)") }
    /// One row of a table.
    static func row(_ table: String, _ id: Int64) -> WriteKey { WriteKey("\(table):\(id)") }
    /// The key space of `WriteKey` locks (the first of the two keys).
    static let space: Int32 = 0x636c_6b79
}

/// The audit chain within one batch: the records its writes append, chained and inserted at
/// `flush`, which takes the chain's lock (once a transaction) and reads its last record then.
/// Until the first flush the batch holds no lock on the chain, so batches on other connections
/// (and other nodes) write at the same time and wait for each other only while they append and
/// commit.
final class AuditAppender: @unchecked Sendable {
    // Used by one batch's writes one after another (never at once): no lock needed.
    private struct Entry {
        var context: AuditContext
        var action: String
        var entity: String
        var entityID: String
        var old: String?
        var new: String?
    }

    /// The chain's last record, once this transaction holds its lock (after the first flush).
    private var tail: (id: Int64, hash: String)??
    private var pending: [Entry] = []
    /// The new value of the latest pending record of each entity and id: what the audit last
    /// recorded of a row changed earlier in the batch, not yet in the table.
    private var latest: [String: String?] = [:]

    init() {}

    /// For a transaction that holds the chain's lock already and has read its last record (the
    /// migrations, which run before `classbook_audit_tail` exists).
    init(chainingAfter tail: (id: Int64, hash: String)?) {
        self.tail = .some(tail)
    }

    func append(
        context: AuditContext, action: String, entity: String, entityID: String, old: String? = nil,
        new: String? = nil
    ) {
        pending.append(
            Entry(context: context, action: action, entity: entity, entityID: entityID, old: old, new: new))
        latest[Self.key(entity, entityID)] = .some(new)
    }

    /// The new value of the batch's latest record of the entity and id, if the batch has one
    /// (`.some(nil)`: recorded as removed).
    func pendingValue(entity: String, entityID: String) -> String?? {
        latest[Self.key(entity, entityID)]
    }

    private static func key(_ entity: String, _ entityID: String) -> String { entity + "\u{1F}" + entityID }

    /// Takes the chain's lock and reads its last record (one call, the first time in this
    /// transaction), then inserts the batch's records after it in one statement. The lock is held
    /// until the transaction ends: the next writer reads these records as the chain's last only
    /// once they are committed (or finds them gone, rolled back).
    func flush(_ connection: any SQLRunner, logger: Logger) async throws {
        guard !pending.isEmpty else { return }
        var last: (id: Int64, hash: String)?
        if let tail {
            last = tail
        } else {
            for try await (id, hash) in try await connection.run(
                "SELECT id, hash FROM classbook_audit_tail()", logger: logger
            ).decode((Int64, String).self) {
                last = (id, hash)
            }
        }
        var records: [AuditRecord] = []
        records.reserveCapacity(pending.count)
        for entry in pending {
            let record = AuditChain.record(
                after: last, context: entry.context, action: entry.action, entity: entry.entity,
                entityID: entry.entityID, old: entry.old, new: entry.new)
            records.append(record)
            last = (record.id, record.hash)
        }
        tail = .some(last)
        pending = []
        latest = [:]
        _ = try await connection.run(
            """
            INSERT INTO audit_log (id, at, actor_id, session_id, action, entity, entity_id, old_value, new_value,
                prev_hash, hash)
            SELECT id, at, CASE WHEN actor < 0 THEN NULL ELSE actor END, session, action, entity, entity_id,
                CASE WHEN has_old THEN old ELSE NULL END, CASE WHEN has_new THEN new ELSE NULL END, prev, hash
            FROM unnest(\(records.map(\.id)), \(records.map(\.at)), \(records.map { $0.actor ?? -1 }),
                \(records.map(\.session)), \(records.map(\.action)), \(records.map(\.entity)),
                \(records.map(\.entityID)), \(records.map { $0.old ?? "" }), \(records.map { $0.old != nil }),
                \(records.map { $0.new ?? "" }), \(records.map { $0.new != nil }), \(records.map(\.previous)),
                \(records.map(\.hash)))
                AS r(id, at, actor, session, action, entity, entity_id, old, has_old, new, has_new, prev, hash)
            """, logger: logger)
    }
}
