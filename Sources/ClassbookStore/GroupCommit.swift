import ClassbookDomain
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
    private let queue = CommitQueue<Request>()

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
    /// `counts.commits` again, readable without a lock: the structure cache reads it on every
    /// diary command to tell whether anything has been written since it loaded an entry.
    private let commitCount = Atomic<Int>(0)

    public var statistics: Counts { counts.withLock { $0 } }

    /// Told of each commit: how many writes it carried and how long the transaction took
    /// (the server's metrics).
    private let observer = Mutex<(@Sendable (_ writes: Int, _ duration: Duration) -> Void)?>(nil)

    public func observe(_ handler: @escaping @Sendable (_ writes: Int, _ duration: Duration) -> Void) {
        observer.withLock { $0 = handler }
    }

    /// Transactions committed since the process started.
    public var commits: Int { commitCount.load(ordering: .acquiring) }

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
            if queue.submit(request) { Task { await self.drain() } }
        }
    }

    /// Runs one write in a savepoint of the shared transaction. The statements are prepared
    /// once (GRDB's `inSavepoint` parses SAVEPOINT and RELEASE again for every write). When
    /// the write cannot be undone alone, the whole transaction is rolled back, and the batch
    /// fails (`drain` checks that the transaction is still there before it commits).
    private static func inSavepoint<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        try db.cachedStatement(sql: "SAVEPOINT group_commit").execute()
        let result: T
        do {
            result = try body(db)
        } catch {
            do {
                try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT group_commit").execute()
                try db.cachedStatement(sql: "RELEASE SAVEPOINT group_commit").execute()
            } catch {
                if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
            }
            throw error
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT group_commit").execute()
        return result
    }

    /// Commits batches until no writer is waiting.
    private func drain() async {
        while true {
            let batch = queue.nextBatch()
            if batch.isEmpty { return }
            do {
                let start = ContinuousClock.now
                let answers = try await pool.write { db in
                    let answers = batch.map { $0.run(db) }
                    // SQLite (a full disk) or a write that could not be undone alone rolled
                    // the transaction back: what ran before it is gone, so nobody is told saved.
                    guard db.isInsideTransaction else { throw GroupCommitError.transactionLost }
                    return answers
                }
                counts.withLock {
                    $0.writes += batch.count; $0.commits += 1
                }
                commitCount.add(1, ordering: .releasing)
                observer.withLock { $0 }?(batch.count, ContinuousClock.now - start)
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
