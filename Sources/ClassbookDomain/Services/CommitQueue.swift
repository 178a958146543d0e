import Synchronization

/// The writers waiting for the next shared commit (group commit), and whether a commit is
/// under way: the first writer to arrive when none is starts committing, and takes batch after
/// batch until nobody waits. The stores' group commits (SQLite's, PostgreSQL's) share it.
public final class CommitQueue<Request: Sendable>: Sendable {
    private struct State {
        var queue: [Request] = []
        var committing = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Adds a writer's request; true when the caller is to start committing (none was under way).
    public func submit(_ request: Request) -> Bool {
        state.withLock { state in
            state.queue.append(request)
            guard !state.committing else { return false }
            state.committing = true
            return true
        }
    }

    /// The requests that arrived since the last batch; empty when none did, and then the commit
    /// is over (the next writer starts one).
    public func nextBatch() -> [Request] {
        state.withLock { state in
            let batch = state.queue
            state.queue = []
            if batch.isEmpty { state.committing = false }
            return batch
        }
    }
}
