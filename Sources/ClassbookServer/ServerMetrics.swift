import ClassbookDomain
import CoreMetrics
import Foundation
import NIOConcurrencyHelpers
import Prometheus

/// What an operator watches, as swift-metrics instruments over the server's own Prometheus
/// registry (`/metrics`, `MetricsService`). Each server has its own registry rather than the
/// process-wide bootstrap, so that several servers in one process (the tests) count apart.
///
/// Instruments are made once and kept: making one per event costs a registry look-up under a
/// lock, and the commands' counters are on the hot path.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    /// Registered sessions by transport (`tls`, `plaintext`).
    private let sessions: [String: CoreMetrics.Meter]
    let registrations: CoreMetrics.Counter
    let failedLogins: CoreMetrics.Counter
    let lockouts: CoreMetrics.Counter
    let loginsShed: CoreMetrics.Counter
    /// Commands by name and outcome (`ok`, `refused`, `failed`), and their latency.
    private let commands: NIOLockedValueBox<[String: Command]>
    /// Outbox depth and the age of the oldest entry, by queue; set when scraped.
    private let outboxDepth: [String: CoreMetrics.Meter]
    private let outboxOldestAge: [String: CoreMetrics.Meter]
    let storeWriteLatency: CoreMetrics.Timer
    let groupCommitSize: CoreMetrics.Recorder
    let groupCommitReruns: CoreMetrics.Counter
    let eventLoopLag: CoreMetrics.Timer

    struct Command {
        var ok: CoreMetrics.Counter
        var refused: CoreMetrics.Counter
        var failed: CoreMetrics.Counter
        var latency: CoreMetrics.Timer
    }

    enum Outcome { case ok, refused, failed }

    static let transports = ["tls", "plaintext", "websocket"]
    static let queues = ["chat", "email", "sms"]

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Commands answer in microseconds to a second (a report of a class): buckets to match.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5)
        ]
        factory.valueHistogramBuckets["classbook_group_commit_writes"] = [1, 2, 4, 8, 16, 32, 64, 128, 256]
        self.factory = factory
        sessions = Dictionary(
            uniqueKeysWithValues: Self.transports.map {
                ($0, CoreMetrics.Meter(label: "classbook_sessions", dimensions: [("transport", $0)], factory: factory))
            })
        registrations = CoreMetrics.Counter(label: "classbook_registrations_total", factory: factory)
        failedLogins = CoreMetrics.Counter(label: "classbook_failed_logins_total", factory: factory)
        lockouts = CoreMetrics.Counter(label: "classbook_lockouts_total", factory: factory)
        loginsShed = CoreMetrics.Counter(label: "classbook_logins_shed_total", factory: factory)
        commands = NIOLockedValueBox([:])
        outboxDepth = Dictionary(
            uniqueKeysWithValues: Self.queues.map {
                ($0, CoreMetrics.Meter(label: "classbook_outbox_depth", dimensions: [("queue", $0)], factory: factory))
            })
        outboxOldestAge = Dictionary(
            uniqueKeysWithValues: Self.queues.map {
                (
                    $0,
                    CoreMetrics.Meter(
                        label: "classbook_outbox_oldest_age_seconds", dimensions: [("queue", $0)], factory: factory)
                )
            })
        storeWriteLatency = CoreMetrics.Timer(label: "classbook_store_write_duration_seconds", factory: factory)
        groupCommitSize = CoreMetrics.Recorder(label: "classbook_group_commit_writes", factory: factory)
        groupCommitReruns = CoreMetrics.Counter(label: "classbook_group_commit_reruns_total", factory: factory)
        eventLoopLag = CoreMetrics.Timer(label: "classbook_event_loop_lag_seconds", factory: factory)
    }

    /// The counters and timer of a command (by its canonical name; `unknown` for words that are none).
    func command(_ name: String) -> Command {
        commands.withLockedValue { commands in
            if let command = commands[name] { return command }
            func counter(_ outcome: String) -> CoreMetrics.Counter {
                CoreMetrics.Counter(
                    label: "classbook_commands_total", dimensions: [("command", name), ("outcome", outcome)],
                    factory: factory)
            }
            let command = Command(
                ok: counter("ok"), refused: counter("refused"), failed: counter("failed"),
                latency: CoreMetrics.Timer(
                    label: "classbook_command_duration_seconds", dimensions: [("command", name)], factory: factory))
            commands[name] = command
            return command
        }
    }

    func recordCommand(_ name: String, outcome: Outcome, duration: Duration) {
        let command = command(name)
        switch outcome {
        case .ok: command.ok.increment()
        case .refused: command.refused.increment()
        case .failed: command.failed.increment()
        }
        command.latency.recordNanoseconds(duration.nanoseconds)
    }

    func sessionStarted(transport: String) { sessions[transport]?.increment() }

    func sessionEnded(transport: String) { sessions[transport]?.decrement() }

    /// Sets the outbox gauges from what the store says waits now.
    func outbox(_ backlog: [OutboxBacklog], now: Date) {
        for queue in backlog {
            outboxDepth[queue.queue]?.set(queue.count)
            outboxOldestAge[queue.queue]?.set(queue.oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
