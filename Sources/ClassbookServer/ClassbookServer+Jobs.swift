import ClassbookDomain
import Foundation
import NIOCore

/// The server's jobs beside its listeners: the scheduled ones (notifications left undispatched,
/// the digest, held messages, summaries, email and SMS), the node's heartbeat, and the
/// measurement of its event loops.
extension ClassbookServer {
    /// Sends the weekly digest now if it is due and not yet sent (the scheduler calls this
    /// every `jobInterval`); returns how many people got one.
    @discardableResult
    public func runDueDigests() async throws -> Int {
        try await digests.runDue()
    }

    /// Dispatches the notifications of journal events saved and not yet dispatched: at start, those
    /// of events saved while no server ran or before one died, whether jobs are scheduled or not.
    func dispatchSavedEvents() async {
        await notifier.dispatchSaved()
    }

    /// Runs every scheduled job that is due: journal events not yet dispatched (saved by another
    /// process), the change feed's old entries, the digest, held messages whose quiet hours
    /// ended, daily summaries, email and SMS.
    public func runDueJobs() async throws {
        await notifier.dispatchSaved()
        // Every node has read an hour-old change long since.
        try await follower.feed.prune(before: Date().addingTimeInterval(-3600))
        try await digests.runDue()
        await context.outbox.deliverDue()
        try await notifier.runDueSummaries()
        try await sender.runDue()
    }

    /// Runs the due jobs every `interval` seconds until `stopped` says so or the task is
    /// cancelled; a job under way finishes first. 0 turns the schedule off (tests call
    /// `runDueJobs()` themselves).
    func runJobs(every interval: TimeInterval, stopped: @Sendable () -> Bool = { false }) async {
        guard interval > 0 else { return }
        while !Task.isCancelled && !stopped() {
            do {
                try await runDueJobs()
            } catch {
                context.logger.error("scheduled jobs failed: \(error)")
            }
            // Slept in slices, so that a stop does not wait for the next round.
            let next = ContinuousClock.now + .nanoseconds(Int64(interval * 1e9))
            while !Task.isCancelled && !stopped() && ContinuousClock.now < next {
                try? await Task.sleep(for: min(.milliseconds(100), next - ContinuousClock.now))
            }
        }
    }

    /// Tells the other nodes this one is alive, every `heartbeatInterval`; a node that stops
    /// (killed, its machine gone) is dead `deadAfter` later, and its sessions are forgotten.
    func beat() async {
        let nodes = context.nodes
        while !Task.isCancelled {
            do {
                try await nodes.heartbeat(at: Date())
            } catch {
                if Task.isCancelled || error is CancellationError { return }
                context.logger.error("cannot record this node's heartbeat: \(error)")
            }
            try? await Task.sleep(for: .seconds(type(of: nodes).heartbeatInterval))
        }
    }

    /// Once a second, how long a job queued to each event loop waits before it runs: what every
    /// connection's answers wait behind (the `classbook_event_loop_lag_seconds` histogram).
    func measureEventLoopLag() async {
        let lag = context.metrics.eventLoopLag
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            for loop in group.makeIterator() {
                let queued = NIODeadline.now()
                loop.execute { lag.recordNanoseconds((NIODeadline.now() - queued).nanoseconds) }
            }
        }
    }
}
