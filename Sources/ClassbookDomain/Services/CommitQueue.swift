import Synchronization

/// The writers waiting for the next shared commit (group commit), and how many committers are
/// at work: a writer that arrives when fewer than `committers` are starts one, which takes batch
/// after batch until nobody waits. SQLite's group commit has one committer (one writer at a time
/// is all the file allows); PostgreSQL's several, each on a connection of its own. The stores'
/// group commits share it, and so does `CoalescedJob`.
public final class CommitQueue<Request: Sendable>: Sendable {
    private struct State {
        var queue: [Request] = []
        var committing = 0
    }

    private let state = Mutex(State())
    private let committers: Int

    /// `committers`: how many batches may commit at once (at least one).
    public init(committers: Int = 1) {
        self.committers = max(1, committers)
    }

    /// Adds a writer's request; true when the caller is to start committing (fewer committers than
    /// allowed were at work).
    public func submit(_ request: Request) -> Bool {
        state.withLock { state in
            state.queue.append(request)
            guard state.committing < committers else { return false }
            state.committing += 1
            return true
        }
    }

    /// The requests that arrived since the last batch was taken; empty when none did, and then
    /// this committer's work is over (a later writer starts one).
    public func nextBatch() -> [Request] {
        state.withLock { state in
            let batch = state.queue
            state.queue = []
            if batch.isEmpty { state.committing -= 1 }
            return batch
        }
    }
}
