import ClassbookBot
import ClassbookDomain
import AsyncHTTPClient
import CClassbookCrypto
import Foundation
import IRC
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket
import NIOHTTP1

/// The line server: a TLS listener (and optionally a plaintext one on loopback) speaking IRC.
///
/// `bind()` opens the listeners and reports their ports; `run()` serves connections until
/// the task is cancelled or `shutdown()` is called. Each connection is driven by its channel
/// pipeline (`SessionDriver`).
public final class ClassbookServer: Sendable {
    public static let version = "classbook-0.1"

    /// Internal for tests (`@testable`), which look a connected session up in its registry.
    let context: ServerContext
    let group: MultiThreadedEventLoopGroup
    private let hashingPool: NIOThreadPool
    private let listeners = NIOLockedValueBox<[any Channel]>([])
    /// Every accepted connection until it ended, for the shutdown to close and wait for.
    private let connections = NIOLockedValueBox<[ObjectIdentifier: Connection]>([:])
    private let sslContext: NIOSSLContext
    private let perAddress = NIOLockedValueBox<[String: Int]>([:])
    private let watched = NIOLockedValueBox<[ObjectIdentifier: Watched]>([:])
    /// Connections between accept and registration, at most `max-registering` at once.
    private let admission: AdmissionGate
    let digests: DigestScheduler
    private let duties: any DutiesRepository
    private let metricsListener = NIOLockedValueBox<(any Channel)?>(nil)
    let notifier: Notifier
    /// What other processes serving the store publish, acted on here.
    let follower: FeedFollower
    let sender: ExternalSender
    private let http: HTTPClient?

    /// What the server is built from: one store's repositories and change feed, a clock and the
    /// password hasher.
    public struct Services: Sendable {
        public var repositories: SchoolServices.Repositories
        /// What other processes serving the store publish, and where this one publishes.
        public var feed: any ChangeFeed
        /// The nodes serving the store and their sessions (the device limit across nodes, leases).
        public var nodes: any NodeDirectory
        public var clock: any SchoolClock
        public var hasher: PasswordHasher

        public init(
            accounts: any AccountRepository, diary: any DiaryRepository, journal: any JournalRepository,
            duties: any DutiesRepository, messaging: any MessagingRepository, boards: any BoardRepository,
            security: any SecurityRepository, feed: any ChangeFeed, nodes: any NodeDirectory,
            clock: any SchoolClock = SystemClock(),
            hasher: PasswordHasher = PasswordHasher()
        ) {
            self.init(
                repositories: .init(
                    accounts: accounts, diary: diary, journal: journal, duties: duties, messaging: messaging,
                    boards: boards, security: security),
                feed: feed, nodes: nodes, clock: clock, hasher: hasher)
        }

        public init(
            repositories: SchoolServices.Repositories, feed: any ChangeFeed, nodes: any NodeDirectory,
            clock: any SchoolClock = SystemClock(), hasher: PasswordHasher = PasswordHasher()
        ) {
            self.repositories = repositories
            self.feed = feed
            self.nodes = nodes
            self.clock = clock
            self.hasher = hasher
        }
    }

    public init(configuration: ServerConfiguration, services: Services, logger: Logger = Logger(label: "classbook"))
        throws
    {
        try configuration.validate()
        sslContext = try TLSCertificate.serverContext(
            certificatePath: configuration.certificatePath,
            privateKeyPath: configuration.privateKeyPath)
        group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        admission = AdmissionGate(
            limit: configuration.maxRegistering,
            longestHold: .nanoseconds(Int64(configuration.registeringHold * 1e9)))
        // Password hashing runs here, never on an event loop.
        hashingPool = NIOThreadPool(numberOfThreads: max(1, System.coreCount))
        hashingPool.start()
        let executor = ThreadPoolExecutor(pool: hashingPool, limit: configuration.maxPendingLogins)
        let metrics = ServerMetrics()
        let views = DiaryViewRecorder(
            duties: services.repositories.duties, clock: services.clock, timeZone: configuration.timeZone,
            logger: logger)
        let registry = SessionRegistry()
        let botSource = "\(configuration.botNick)!\(configuration.botNick)@\(configuration.serverName)"
        let outbox = Outbox(
            duties: services.repositories.duties, registry: registry, clock: services.clock, botSource: botSource,
            logger: logger)
        let notifier = Notifier(
            messaging: services.repositories.messaging, accounts: services.repositories.accounts, outbox: outbox,
            clock: services.clock, timeZone: configuration.timeZone, logger: logger)
        // The school's services, composed as every CLI command composes them, with the server's hooks.
        let school = SchoolServices(
            repositories: services.repositories,
            clock: services.clock, timeZone: configuration.timeZone, roomCreation: configuration.rooms,
            hasher: services.hasher, executor: executor,
            hooks: .init(
                onDiaryView: { account, student in await views.record(account: account, student: student) },
                onJournalEvents: { await notifier.dispatchSaved() }))
        let accounts = school.accounts
        let channels = ChannelRegistry()
        let delivery = ServerDelivery(
            outbox: outbox, channels: channels, serverName: configuration.serverName,
            messaging: services.repositories.messaging, feed: services.feed, nodes: services.nodes,
            clock: services.clock, logger: logger)
        let throttle = configuration.loginThrottle
        let loginGuard = LoginGuard(
            settings: .init(
                freeFailures: throttle.freeFailures, baseDelay: throttle.baseDelay, maxDelay: throttle.maxDelay,
                lockAfter: throttle.lockAfter),
            security: services.repositories.security, delivery: delivery, clock: services.clock, logger: logger,
            metrics: metrics)
        let bot = DiaryBot(
            accounts: accounts, diary: school.diary, journal: school.journal, duties: school.duties,
            messaging: school.messaging,
            boards: school.boards, security: school.security, delivery: delivery)
        self.notifier = notifier
        follower = FeedFollower(
            feed: services.feed, outbox: outbox, messaging: services.repositories.messaging,
            boards: services.repositories.boards, channels: channels, serverName: configuration.serverName,
            clock: services.clock, logger: logger)
        // Only with a gateway: a client must be shut down (`close()`), and most schools have none.
        let http = try configuration.sms.map { [group] in try SMSGateway.client($0, group: group) }
        self.http = http
        sender = ExternalSender(
            messaging: services.repositories.messaging, smtp: configuration.smtp, sms: configuration.sms, group: group,
            http: http,
            clock: services.clock, logger: logger)
        digests = DigestScheduler(
            bot: bot, duties: services.repositories.duties, nodes: services.nodes, outbox: outbox,
            clock: services.clock, timeZone: configuration.timeZone, logger: logger)
        context = ServerContext(
            configuration: configuration, registry: registry, bot: bot, accounts: accounts, outbox: outbox,
            messaging: services.repositories.messaging, boards: school.boards, conversations: school.conversations,
            channels: channels, loginGuard: loginGuard, nodes: services.nodes,
            metrics: metrics, logger: logger, createdAt: Date())
        duties = services.repositories.duties
    }

    /// The ports actually bound (useful with port 0).
    public struct BoundPorts: Sendable {
        public var tls: Int
        public var plaintext: Int?
        /// `/metrics`, when on.
        public var metrics: Int?
        /// The web listener (HTTPS, IRC over WebSocket), when on.
        public var web: Int?
        /// The TLS listener behind a balancer (PROXY protocol), when on.
        public var proxy: Int?
    }

    public func bind() async throws -> BoundPorts {
        let configuration = context.configuration
        let tls = try await bindListener(configuration.tlsListen, tls: true)
        var channels = [tls]
        var plaintextPort: Int?
        if let plaintext = configuration.plaintextListen {
            let channel = try await bindListener(plaintext, tls: false)
            channels.append(channel)
            plaintextPort = channel.localAddress?.port
        }
        var proxyPort: Int?
        if let endpoint = configuration.proxyListen {
            let channel = try await bindListener(endpoint, tls: true, proxied: true)
            channels.append(channel)
            proxyPort = channel.localAddress?.port
        }
        listeners.withLockedValue { $0 = channels }
        for channel in channels {
            context.logger.info("listening on \(channel.localAddress.map { "\($0)" } ?? "?")")
        }
        var webPort: Int?
        if let endpoint = configuration.webListen {
            let channel = try await bindWebListener(endpoint)
            channels.append(channel)
            listeners.withLockedValue { $0 = channels }
            webPort = channel.localAddress?.port
            let address = "https://\(endpoint.host):\(webPort ?? endpoint.port)\(WebSocketTransport.path)"
            context.logger.info("web (IRC over WebSocket) on \(address)")
        }
        var metricsPort: Int?
        if let endpoint = configuration.metricsListen {
            let metrics = context.metrics
            let duties = self.duties
            let logger = context.logger
            let channel = try await MetricsService.bind(endpoint, group: group) {
                // Figures that live in the store are read when scraped.
                do { metrics.outbox(try await duties.outboxBacklog(), now: Date()) } catch {
                    logger.error("cannot read the outbox: \(error)")
                }
                return metrics.registry.emitToBuffer()
            }
            metricsListener.withLockedValue { $0 = channel }
            metricsPort = channel.localAddress?.port
            context.logger.info("metrics on http://\(endpoint.host):\(metricsPort ?? endpoint.port)/metrics")
        }
        // This machine and the addresses bound: a node that had them is gone.
        let identity =
            ([ProcessInfo.processInfo.hostName] + channels.map { $0.localAddress.map { "\($0)" } ?? "?" }.sorted())
            .joined(separator: " ")
        try await context.nodes.claim(identity: identity, at: Date())
        return BoundPorts(
            tls: tls.localAddress?.port ?? configuration.tlsListen.port, plaintext: plaintextPort, metrics: metricsPort,
            web: webPort,
            proxy: proxyPort)
    }

    /// A line listener: TLS or plaintext IRC; `proxied`, behind a balancer that starts each
    /// connection with a PROXY protocol header naming the client (`proxy-listen`).
    private func bindListener(_ endpoint: ServerConfiguration.Endpoint, tls: Bool, proxied: Bool = false) async throws
        -> any Channel
    {
        let sslContext = self.sslContext
        let maxSendQueue = context.configuration.maxSendQueue
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: maxSendQueue / 2, high: maxSendQueue))
            // Each connection keeps its receive buffer between reads: chat lines are short, so
            // it starts at 512 bytes rather than NIO's 2 KiB (grown on demand, up to a TLS
            // record), which is most of a kibibyte and a half less per idle session.
            .childChannelOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 16384)
            )
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ticket = self.admission.enter(channel)
                    let setUp = { (channel: any Channel, host: String?) throws in
                        if tls {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                        }
                        try self.accept(channel, transport: tls ? "tls" : "plaintext", ticket: ticket, host: host)
                    }
                    if proxied {
                        try channel.pipeline.syncOperations.addHandler(
                            ProxyHeaderHandler { channel, host in try setUp(channel, host) })
                    } else {
                        try setUp(channel, nil)
                    }
                }
            }
            .bind(host: endpoint.host, port: endpoint.port)
            .get()
    }

    /// The web listener: TLS, then HTTP/1 with the WebSocket upgrade of `/socket` for the origins
    /// allowed; an upgraded connection gets the frame adapter and then everything a TLS IRC
    /// connection gets (`accept`).
    private func bindWebListener(_ endpoint: ServerConfiguration.Endpoint) async throws -> any Channel {
        let sslContext = self.sslContext
        let configuration = context.configuration
        let maxSendQueue = configuration.maxSendQueue
        let port = NIOLockedValueBox(endpoint.port)
        let page = WebPage(hsts: TLSCertificate.isSelfSigned(path: configuration.certificatePath) == false)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: maxSendQueue / 2, high: maxSendQueue))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ticket = self.admission.enter(channel)
                    let http = OneRequestHandler { context, request in page.answer(context, request) }
                    let upgrader = NIOWebSocketServerUpgrader(
                        maxFrameSize: IRCLimits.lineBytes,
                        shouldUpgrade: { channel, head in
                            let allowed =
                                head.uri == WebSocketTransport.path
                                && WebSocketTransport.allows(
                                    head, allowed: configuration.webAllowedOrigins,
                                    serverName: configuration.serverName,
                                    port: port.withLockedValue { $0 })
                            guard allowed else { return channel.eventLoop.makeSucceededFuture(nil) }
                            var headers = HTTPHeaders()
                            if let subprotocol = WebSocketTransport.subprotocol(head) {
                                headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol)
                            }
                            return channel.eventLoop.makeSucceededFuture(headers)
                        },
                        upgradePipelineHandler: { channel, head in
                            channel.eventLoop.makeCompletedFuture {
                                let binary = WebSocketTransport.subprotocol(head) == WebSocketTransport.binary
                                let tls = try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
                                try channel.pipeline.syncOperations.addHandler(WriteCoalescer(), position: .after(tls))
                                try channel.pipeline.syncOperations.addHandler(WebSocketLineHandler(binary: binary))
                                try self.accept(channel, transport: "websocket", decodesLines: false, ticket: ticket)
                            }
                        })
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (
                            upgraders: [upgrader],
                            completionHandler: { context in
                                context.pipeline.syncOperations.removeHandler(http, promise: nil)
                            }
                        ))
                    try channel.pipeline.syncOperations.addHandler(http)
                }
            }
            .bind(host: endpoint.host, port: endpoint.port)
            .get()
        port.withLockedValue { $0 = channel.localAddress?.port ?? endpoint.port }
        return channel
    }

    /// Sets up an accepted connection, on its event loop: a session driven by its pipeline
    /// (`SessionDriver`), or a refusal when its address has too many already.
    /// `host`: the client's address when a PROXY header named it, else the connection's peer.
    private func accept(
        _ channel: any Channel, transport: String, decodesLines: Bool = true, ticket: AdmissionGate.Ticket,
        host: String? = nil
    ) throws {
        let host = host ?? channel.remoteAddress?.ipAddress ?? "unknown"
        let key = ObjectIdentifier(channel)
        let done = channel.eventLoop.makePromise(of: Void.self)
        connections.withLockedValue { $0[key] = Connection(channel: channel, ended: done.futureResult) }
        guard admit(host) else {
            channel.closeFuture.whenComplete { _ in
                _ = self.connections.withLockedValue { $0.removeValue(forKey: key) }
                done.succeed()
            }
            try channel.pipeline.syncOperations.addHandler(
                RefusalHandler(reason: "Too many connections from your address"))
            return
        }
        let handle = SessionHandle(id: ServerContext.messageID(), channel: channel, host: host, transport: transport)
        let session = ClientSession(context: context, handle: handle, host: host)
        session.onRegistered = { ticket.release() }
        watched.withLockedValue { $0[key] = Watched(activity: session.activity, handle: handle, connectedAt: .now()) }
        let driver = SessionDriver(session: session, executor: EventLoopExecutor(channel.eventLoop)) {
            self.ended(handle, host: host)
            self.watched.withLockedValue { _ = $0.removeValue(forKey: key) }
            self.connections.withLockedValue { _ = $0.removeValue(forKey: key) }
            done.succeed()
        }
        // Over TLS and plaintext the byte stream is split into lines here; over WebSocket the
        // frame adapter before this has done it.
        if decodesLines { try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(IRCLineDecoder())) }
        try channel.pipeline.syncOperations.addHandler(driver)
    }

    /// A session's end: its nick is free again once the account's last device has gone, and
    /// then whoever shared a channel with the person sees them leave.
    private func ended(_ handle: SessionHandle, host: String) {
        release(host)
        if handle.nick != nil { context.metrics.sessionEnded(transport: handle.transport) }
        let last = context.registry.release(handle)
        if handle.account != nil {
            Task { [nodes = context.nodes, logger = context.logger, id = handle.id] in
                do {
                    try await nodes.sessionClosed(id)
                } catch {
                    logger.error("cannot forget session \(id) in the node directory: \(error)")
                }
            }
        }
        let left = context.channels.leaveAll(handle)
        if last, let nick = handle.nick {
            let quit = IRCMessage(
                source: "\(nick)!\(handle.device.username)@\(context.cloakedHost)", command: "QUIT",
                parameters: ["Connection closed"])
            for channel in left { context.channels.broadcast(quit, to: channel) }
        }
    }

    /// Serves every listener until cancelled or shut down, with the digest scheduler beside them;
    /// returns when all connections ended. (`classbook serve` runs the same two parts as services
    /// of a `ServiceGroup` instead: `services`.)
    public func run() async throws {
        let interval = context.configuration.jobInterval
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await self.dispatchSavedEvents()
                await self.runJobs(every: interval)
            }
            try await self.serveConnections()
            // The listeners' end ends the scheduler.
            group.cancelAll()
        }
    }

    /// The listeners and the watchdog of their connections, until the listeners close and every
    /// connection has ended.
    func serveConnections() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.watchConnections() }
            group.addTask { await self.measureEventLoopLag() }
            group.addTask { await self.follower.run() }
            group.addTask { await self.beat() }
            try await self.serveListeners()
            group.cancelAll()
        }
    }

    var metricsChannel: (any Channel)? { metricsListener.withLockedValue { $0 } }

    /// A commit of the store's group commit (`GroupCommit.observe`): its writes and its time.
    public func recordCommit(writes: Int, duration: Duration) {
        context.metrics.groupCommitSize.record(writes)
        context.metrics.storeWriteLatency.recordNanoseconds(duration.nanoseconds)
    }

    /// A batch of the store's group commit that failed and ran again write by write.
    public func recordRerun() {
        context.metrics.groupCommitReruns.increment()
    }

    /// Waits for the listeners to close (`shutdown()`, or the task's cancellation closes
    /// them), then closes the connections still open and waits for each to end.
    private func serveListeners() async throws {
        let channels = listeners.withLockedValue { $0 }
        await withTaskCancellationHandler {
            for listener in channels { try? await listener.closeFuture.get() }
        } onCancel: {
            for listener in channels { listener.close(promise: nil) }
        }
        let open = connections.withLockedValue { Array($0.values) }
        for connection in open { connection.channel.close(promise: nil) }
        for connection in open { try? await connection.ended.get() }
    }

    /// Stops gracefully: sessions stop answering what waits and flood control stops waiting, every
    /// client is told (`ERROR :Server shutting down`), the listeners close, and connections close
    /// once that is written. Writes already under way finish in their transactions; `run()` (or the
    /// listener service) then returns, and the caller closes the database.
    public func shutdown() async {
        beginShutdown()
        // Under `run()` (the tests) no metrics service closes the endpoint; under a ServiceGroup
        // the metrics service closes it in its own turn, after the listeners.
        metricsListener.withLockedValue { $0 }?.close(promise: nil)
        for listener in listeners.withLockedValue({ $0 }) { try? await listener.closeFuture.get() }
    }

    /// `shutdown()` without waiting: what a graceful-shutdown handler may call.
    func beginShutdown() {
        // Sessions stop answering what waits (a flood's backlog) and flood control stops waiting.
        context.stopping.store(true, ordering: .relaxed)
        // Clients are told first: closing a listener cancels its connections' tasks, and a
        // connection closed that way before its ERROR was queued would end without a word.
        for session in context.registry.all() { session.close(error: "Server shutting down") }
        for listener in listeners.withLockedValue({ $0 }) { listener.close(promise: nil) }
    }

    /// Releases the event loops and the hashing threads; call after `run()` has returned.
    public func close() async throws {
        try await http?.shutdown()
        try await hashingPool.shutdownGracefully()
        try await group.shutdownGracefully()
    }

    /// Counts a connection from `host`; false when it is over the per-address limit.
    private func admit(_ host: String) -> Bool {
        let configuration = context.configuration
        let loopback = host.hasPrefix("127.") || host == "::1"
        return perAddress.withLockedValue { counts in
            let limited = configuration.maxConnectionsPerAddress > 0 && (!loopback || configuration.limitLoopback)
            if limited && counts[host, default: 0] >= configuration.maxConnectionsPerAddress { return false }
            counts[host, default: 0] += 1
            return true
        }
    }

    private func release(_ host: String) {
        perAddress.withLockedValue { counts in
            counts[host, default: 1] -= 1
            if counts[host] == 0 { counts[host] = nil }
        }
    }

    private struct Connection {
        var channel: any Channel
        var ended: EventLoopFuture<Void>
    }

    /// A connection as the watchdog sees it.
    private struct Watched {
        var activity: NIOLockedValueBox<ClientSession.Activity>
        var handle: SessionHandle
        var connectedAt: NIODeadline
    }

    /// One watchdog for every connection, rather than a task beside each (a task costs a few
    /// KiB, and idle sessions are what a school has most of): closes connections that do not
    /// register in time, pings idle ones and closes those that do not answer.
    private func watchConnections() async {
        let configuration = context.configuration
        let shortest = min(configuration.registrationTimeout, configuration.pingInterval, configuration.pingTimeout)
        let tick = UInt64(min(5, max(0.02, shortest / 4)) * 1e9)
        func amount(_ seconds: TimeInterval) -> TimeAmount { .nanoseconds(Int64(seconds * 1e9)) }
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: tick)
            if Task.isCancelled { return }
            let now = NIODeadline.now()
            for connection in watched.withLockedValue({ Array($0.values) }) {
                let state = connection.activity.withLockedValue { $0 }
                if !state.registered {
                    if now - connection.connectedAt > amount(configuration.registrationTimeout) {
                        connection.handle.close(error: "Registration timeout")
                    }
                } else if let pingSentAt = state.pingSentAt {
                    if now - pingSentAt > amount(configuration.pingTimeout) {
                        connection.handle.close(error: "Ping timeout: \(Int(configuration.pingTimeout)) seconds")
                    }
                } else if now - state.lastLine > amount(configuration.pingInterval) {
                    connection.activity.withLockedValue { $0.pingSentAt = now }
                    connection.handle.send(IRCMessage(command: "PING", parameters: [configuration.serverName]))
                }
            }
        }
    }
}

/// Runs blocking work (password hashing) on a NIO thread pool whose threads run at a lower
/// priority than the event loops: a login storm then takes the CPU the connected users leave
/// idle, and their commands are not queued behind scrypt.
///
/// The queue is bounded: with `limit` hashes waiting or running, another login is refused at
/// once (`Busy`: the session says so and closes) instead of waiting behind a queue that would
/// outlast the registration timeout, holding its connection and memory meanwhile.
struct ThreadPoolExecutor: BlockingExecutor {
    let pool: NIOThreadPool
    let limit: Int
    let pending = NIOLockedValueBox(0)

    struct Busy: Error {}

    /// nice 10: the scheduler gives the event loops (nice 0) most of a contended core.
    static let hashingNice: Int32 = 10

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let admitted = pending.withLockedValue { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else { throw Busy() }
        defer { pending.withLockedValue { $0 -= 1 } }
        return try await pool.runIfActive {
            // A system call next to tens of milliseconds of hashing; idempotent per thread.
            _ = cb_lower_thread_priority(Self.hashingNice)
            return try work()
        }
    }
}
