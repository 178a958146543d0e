import ServiceLifecycle
import Synchronization

/// The server's long-running parts as swift-service-lifecycle services, for one `ServiceGroup`
/// with the process's other parts (`classbook serve` adds the store, stopped last).
extension ClassbookServer {
    /// In start order; a `ServiceGroup` stops them in reverse: first the listeners (no new
    /// connections, every client told, every confirmed write finished), then `/metrics` (so a
    /// stop can be watched to its end), then the scheduled jobs. Call after `bind()`.
    public var services: [any Service] {
        [JobService(server: self)] + (metricsChannel.map { [MetricsService(channel: $0)] } ?? []) + [
            ListenerService(server: self)
        ]
    }
}

/// The TLS (and plaintext) listeners and their connections. On graceful shutdown: stop accepting,
/// tell every session, let what is under way finish; `run()` returns when every connection ended.
struct ListenerService: Service {
    let server: ClassbookServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serveConnections()
        } onGracefulShutdown: {
            server.beginShutdown()
        }
    }
}

/// The scheduled jobs, after the dispatch of notifications a previous process left: the weekly
/// digest, messages held for quiet hours, daily summaries, email and SMS. On graceful shutdown
/// the job under way finishes and the loop ends.
struct JobService: Service {
    let server: ClassbookServer

    func run() async throws {
        await server.dispatchSavedEvents()
        let interval = server.context.configuration.jobInterval
        guard interval > 0 else {
            // No schedule: nothing to do but wait for the stop (returning would end the group).
            try? await gracefulShutdown()
            return
        }
        // Its own flag: the listeners stop first, and the jobs must go on until their own turn
        // (a service that returns before it is told to stop ends the whole group).
        let stopped = Atomic<Bool>(false)
        await withGracefulShutdownHandler {
            await server.runJobs(every: interval) { stopped.load(ordering: .relaxed) }
        } onGracefulShutdown: {
            stopped.store(true, ordering: .relaxed)
        }
    }
}
