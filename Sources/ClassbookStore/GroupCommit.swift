import GRDB
import Synchronization

/// Group commit: concurrent writes share one transaction and so one `fsync`.
///
/// Every confirmed write in Classbook is durable (`synchronous = FULL`), and on a disk the
/// commit's `fsync` costs far more than the statements. A writer that arrives while a commit
/// is under way waits for it and joins the next batch with everyone else who arrived
/// meanwhile; a writer that arrives when the database is idle commits at once, alone, so a
/// single write is never delayed by a timer.
///
/// Each write runs in its own savepoint: one that throws is rolled back and its caller gets
/// the error, while the rest of the batch commits. Every caller hears only after the shared
/// commit has returned, so "saved" still means on disk. If the commit itself fails, every
/// caller in the batch gets that error and nothing of the batch is written.
public final class GroupCommit: Sendable {
    private let pool: DatabasePool
    private let state = Mutex(State())

    private struct State {
        var queue: [Request] = []
        var committing = false
    }

    /// One caller's work: runs its body inside the shared transaction and returns how to
    /// answer the caller once the transaction has committed; `fail` answers it otherwise.
    private struct Request: Sendable {
        var run: @Sendable (Database) -> @Sendable () -> Void
        var fail: @Sendable (any Error) -> Void
    }

    /// Writes since the process started, and the transactions that carried them.
    public struct Counts: Sendable, Equatable {
        public var writes = 0
        public var commits = 0
    }

    private let counts = Mutex(Counts())

    public var statistics: Counts { counts.withLock { $0 } }

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `body` in a transaction shared with the writes that arrive meanwhile; returns
    /// its result once that transaction is on disk.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let request = Request(
                run: { db in
                    do {
                        guard db.isInsideTransaction else { throw GroupCommitError.transactionLost }
                        let result = try Self.inSavepoint(db, body)
                        return { continuation.resume(returning: result) }
                    } catch {
                        return { continuation.resume(throwing: error) }
                    }
                },
                fail: { error in continuation.resume(throwing: error) })
            let leads = state.withLock { state -> Bool in
                state.queue.append(request)
                guard !state.committing else { return false }
                state.committing = true
                return true
            }
            if leads { Task { await self.drain() } }
        }
    }

    private static func inSavepoint<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        var result: T?
        try db.inSavepoint {
            result = try body(db)
            return .commit
        }
        return result!
    }

    /// Commits batches until no writer is waiting.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Request] in
                let batch = state.queue
                state.queue = []
                if batch.isEmpty { state.committing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let answers = try await pool.write { db in batch.map { $0.run(db) } }
                counts.withLock { $0.writes += batch.count; $0.commits += 1 }
                for answer in answers { answer() }
            } catch {
                for request in batch { request.fail(error) }
            }
        }
    }
}

public enum GroupCommitError: Error, CustomStringConvertible {
    /// SQLite rolled the shared transaction back (a full disk, say) before this write ran.
    case transactionLost

    public var description: String { "the shared transaction was rolled back" }
}
