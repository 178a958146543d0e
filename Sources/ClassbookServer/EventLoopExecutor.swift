import NIOCore

/// Runs a connection's Swift tasks on that connection's own event loop.
///
/// A session task preferring this executor reads its lines, runs the bot and writes the
/// answer all on the thread that owns the socket: no hop to the cooperative pool and back
/// for every line, and a write is a direct call rather than a job queued to the loop. The
/// work a command does there must stay short: point reads of SQLite run in place (they
/// take microseconds), while anything long (password hashing, reports scanning the school,
/// writes waiting for their commit) awaits another thread and leaves the loop free.
final class EventLoopExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `loop` is immutable and an EventLoop is itself Sendable.
    private let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
