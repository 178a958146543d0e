import ClassbookDomain

/// A job that runs one at a time and is shared by whoever asks while it waits: a caller
/// returns once a run that began after its call has ended, and every caller that arrives
/// during a run is served by the one next run. A burst of a thousand writes asking to
/// dispatch their notifications makes two runs, not a thousand.
///
/// The callers wait in a `CommitQueue`, as writers for a group commit do: each batch taken
/// from it is served by one run, which begins after every caller in the batch has called.
final class CoalescedJob: Sendable {
    private let waiting = CommitQueue<CheckedContinuation<Void, Never>>()

    func run(_ body: @escaping @Sendable () async -> Void) async {
        await withCheckedContinuation { continuation in
            if waiting.submit(continuation) { Task { await self.drain(body) } }
        }
    }

    /// Runs the body for each batch of callers until nobody waits for another run.
    private func drain(_ body: @Sendable () async -> Void) async {
        while true {
            let batch = waiting.nextBatch()
            if batch.isEmpty { return }
            await body()
            for continuation in batch { continuation.resume() }
        }
    }
}
