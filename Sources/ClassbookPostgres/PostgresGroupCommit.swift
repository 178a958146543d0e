import ClassbookDomain
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Group commit on PostgreSQL, as `GroupCommit` on SQLite: audited writes that arrive while a
/// batch commits wait for it and then share one transaction, one WAL flush and one hold of the
/// audit chain's lock. Every caller hears only after the shared commit, so "saved" still means
/// durable.
///
/// A round trip to the server costs far more than the statement (about 0.25 ms on the
/// benchmark machine), so a batch spends as few as it can: no savepoint a write (optimistic:
/// when a write throws, the batch is rolled back and each of its writes runs again alone, so
/// one that throws is undone alone and the others are written), the chain's last record read
/// once a batch and kept in memory (`AuditAppender`; within the batch nobody else can append,
/// the lock), and the batch's audit records inserted in one statement at its end.
final class PostgresGroupCommit: Sendable {
    private struct Request: Sendable {
        /// Runs the write in the batch's transaction; throws its error, else returns how to
        /// answer the caller once the transaction has committed.
        var run: @Sendable (PostgresConnection, AuditAppender) async throws -> @Sendable () -> Void
        var fail: @Sendable (any Error) -> Void
    }

    private let queue = CommitQueue<Request>()
    /// Told of each commit: how many writes it carried and how long it took (the metrics).
    private let observer = Mutex<(@Sendable (_ writes: Int, _ duration: Duration) -> Void)?>(nil)

    func observe(_ handler: @escaping @Sendable (_ writes: Int, _ duration: Duration) -> Void) {
        observer.withLock { $0 = handler }
    }
    private let client: PostgresClient
    private let logger: Logger
    /// The node's name, which the change feed's triggers write as the origin of what a batch saves.
    private let node: String

    init(client: PostgresClient, node: String, logger: Logger) {
        self.client = client
        self.node = node
        self.logger = logger
    }

    func write<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, AuditAppender) async throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let request = Request(
                run: { connection, audit in
                    let result = try await body(connection, audit)
                    return { continuation.resume(returning: result) }
                },
                fail: { continuation.resume(throwing: $0) })
            if queue.submit(request) { Task { await self.drain() } }
        }
    }

    private func drain() async {
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
        try await client.transaction(logger: logger) { [logger, node] connection in
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(PostgresAudit.lock)), set_config('classbook.node', \(node), true)",
                logger: logger)
            let audit = AuditAppender(tail: try await PostgresAudit.last(connection, logger: logger))
            var answers: [@Sendable () -> Void] = []
            for request in batch { answers.append(try await request.run(connection, audit)) }
            try await audit.flush(connection, logger: logger)
            return answers
        }
    }
}

/// The audit chain within one batch: its last record, advanced by each append, and the records
/// to insert at the batch's end.
final class AuditAppender: @unchecked Sendable {
    // Used by one batch's writes one after another (never at once): no lock needed.
    private(set) var tail: (id: Int64, hash: String)?
    private var pending: [AuditRecord] = []
    /// The new value of the latest pending record of each entity and id: what the audit last
    /// recorded of a row changed earlier in the batch, not yet in the table.
    private var latest: [String: String?] = [:]

    init(tail: (id: Int64, hash: String)?) {
        self.tail = tail
    }

    func append(
        context: AuditContext, action: String, entity: String, entityID: String, old: String? = nil,
        new: String? = nil
    ) {
        let record = AuditChain.record(
            after: tail, context: context, action: action, entity: entity, entityID: entityID, old: old, new: new)
        pending.append(record)
        latest[Self.key(entity, entityID)] = .some(new)
        tail = (record.id, record.hash)
    }

    /// The new value of the batch's latest record of the entity and id, if the batch has one
    /// (`.some(nil)`: recorded as removed).
    func pendingValue(entity: String, entityID: String) -> String?? {
        latest[Self.key(entity, entityID)]
    }

    private static func key(_ entity: String, _ entityID: String) -> String { entity + "\u{1F}" + entityID }

    /// Inserts the batch's records, all in one statement.
    func flush(_ connection: any SQLRunner, logger: Logger) async throws {
        guard !pending.isEmpty else { return }
        let records = pending
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
