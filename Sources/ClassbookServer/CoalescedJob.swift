import Synchronization

/// A job that runs one at a time and is shared by whoever asks while it waits: a caller
/// returns once a run that began after its call has ended, and every caller that arrives
/// during a run is served by the one next run. A burst of a thousand writes asking to
/// dispatch their notifications makes two runs, not a thousand.
final class CoalescedJob: Sendable {
    private struct State {
        var running = false
        /// Runs begun since the job was made.
        var begun = 0
        /// Callers, each with the run it waits for.
        var waiters: [(run: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    func run(_ body: @escaping @Sendable () async -> Void) async {
        await withCheckedContinuation { continuation in
            let leads = state.withLock { state -> Bool in
                state.waiters.append((state.begun + 1, continuation))
                guard !state.running else { return false }
                state.running = true
                return true
            }
            if leads { Task { await self.drain(body) } }
        }
    }

    /// Runs the body until nobody waits for another run.
    private func drain(_ body: @Sendable () async -> Void) async {
        while true {
            let run = state.withLock { state in
                state.begun += 1
                return state.begun
            }
            await body()
            let (served, done) = state.withLock { state in
                let served = state.waiters.filter { $0.run <= run }.map(\.continuation)
                state.waiters.removeAll { $0.run <= run }
                // Decided under the lock: a caller after this starts a drain of its own.
                if state.waiters.isEmpty { state.running = false }
                return (served, !state.running)
            }
            for continuation in served { continuation.resume() }
            if done { return }
        }
    }
}
