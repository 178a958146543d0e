import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// One simulated person: a TLS (or plaintext) IRC connection, or IRC over WebSocket on the web
/// listener, that logs in with SASL PLAIN and asks the bot, timing each answer from the question
/// to the PONG that follows the reply.
final class LoadClient: Sendable {
    let channel: any Channel
    private let state: NIOLockedValueBox<State>
    private let reader: NIOLoopBound<Reader>

    struct State {
        var waiters: [String: CheckedContinuation<Int, any Error>] = [:]
        var linesSinceMark = 0
        var closed = false
        var registered: CheckedContinuation<Void, any Error>?
        var isRegistered = false
        /// The app password of the last `CLASSBOOK TOKEN` answer.
        var token: String?
    }

    private init(channel: any Channel, state: NIOLockedValueBox<State>, reader: NIOLoopBound<Reader>) {
        self.channel = channel
        self.state = state
        self.reader = reader
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func connect(
        host: String, port: Int, tls: NIOSSLContext?, group: any EventLoopGroup,
        webSocket: Bool = false
    ) async throws -> LoadClient {
        let state = NIOLockedValueBox(State())
        // Completed on the channel's loop: by the upgrade, or by a close before it.
        let upgraded = NIOLockedValueBox<EventLoopPromise<Void>?>(nil)
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: "localhost"))
                    }
                    if webSocket {
                        let promise = channel.eventLoop.makePromise(of: Void.self)
                        upgraded.withLockedValue { $0 = promise }
                        channel.closeFuture.whenComplete { _ in
                            promise.fail(Failure(description: "closed before the WebSocket upgrade"))
                        }
                        // The upgrade of `/socket`; then one IRC line per text frame, as a browser sends.
                        let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 14) { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(WebSocketLines())
                                try channel.pipeline.syncOperations.addHandler(Reader(state: state))
                            }.map { promise.succeed() }
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers(
                            withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                    } else {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineSplitter()))
                        try channel.pipeline.syncOperations.addHandler(Reader(state: state))
                    }
                }
            }
            .connect(host: host, port: port).get()
        if let promise = upgraded.withLockedValue({ $0 }) {
            let headers = HTTPHeaders([
                ("Host", "\(host):\(port)"), ("Sec-WebSocket-Protocol", "text.ircv3.net"), ("Content-Length", "0")
            ])
            channel.write(
                HTTPClientRequestPart.head(
                    HTTPRequestHead(version: .http1_1, method: .GET, uri: "/socket", headers: headers)),
                promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            try await promise.futureResult.get()
        }
        let reader = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: Reader.self), eventLoop: channel.eventLoop)
        }.get()
        return LoadClient(channel: channel, state: state, reader: reader)
    }

    /// Asks `line(n)` and a PING, again and again, each as soon as the previous PONG arrives,
    /// until `seconds` have passed; returns each request's latency in milliseconds. The loop
    /// runs on the channel's event loop: the load generator shares the machine with the
    /// server, and a hop to a task and back for every request cost it more than the server's
    /// own work.
    ///
    /// With `every`, a person who works at a pace instead: request n is due `n × every` after
    /// the start and sent then, or as soon as the answer before it came if that was later; its
    /// latency counts from when it was due, so a slow answer also counts against the requests
    /// it held up (no coordinated omission).
    func run(seconds: Double, every pace: TimeAmount? = nil, line: @escaping @Sendable (Int) -> String) async
        -> [Double]
    {
        let deadline = NIODeadline.now() + .nanoseconds(Int64(seconds * 1e9))
        let reader = self.reader, channel = self.channel
        return await withCheckedContinuation { continuation in
            channel.eventLoop.execute {
                guard channel.isActive,
                    let context = try? channel.pipeline.syncOperations.context(handlerType: Reader.self)
                else {
                    continuation.resume(returning: [])
                    return
                }
                reader.value.start(
                    Reader.Loop(deadline: deadline, pace: pace, line: line, done: continuation), context: context)
            }
        }
    }

    /// Ends the loop of `run(seconds:every:line:)` at the answer now awaited (or, paced, when
    /// the next request falls due): `run` returns.
    func stop() {
        let reader = self.reader
        channel.eventLoop.execute { reader.value.loop?.deadline = .now() }
    }

    func send(_ text: String) {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        channel.writeAndFlush(buffer, promise: nil)
    }

    func login(_ login: String, password: String, nick: String, capabilities: String = "sasl") async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let done = state.withLockedValue { state -> Bool in
                if state.isRegistered { return true }
                state.registered = continuation
                return false
            }
            if done { continuation.resume() }
            // SASL PLAIN, pipelined: the server reads the lines in order, so the credentials
            // may follow AUTHENTICATE PLAIN before its "+" arrives.
            let plain = Data("\u{0}\(login)\u{0}\(password)".utf8).base64EncodedString()
            send(
                "CAP REQ :\(capabilities)\r\nNICK \(nick)\r\nUSER \(nick) 0 * :load\r\nAUTHENTICATE PLAIN\r\n"
                    + "AUTHENTICATE \(plain)\r\nCAP END\r\n")
        }
    }

    /// Sends `line` and a PING; returns the number of lines that came before the PONG.
    func ask(_ line: String, token: String) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let closed = state.withLockedValue { state -> Bool in
                if state.closed { return true }
                state.waiters[token] = continuation
                return false
            }
            if closed { continuation.resume(throwing: Failure(description: "closed")); return }
            send(line + "\r\nPING :\(token)\r\n")
        }
    }

    /// An app password for this account (`CLASSBOOK TOKEN`), for a storm of token logins.
    func issueToken(name: String) async throws -> String {
        _ = try await ask("CLASSBOOK TOKEN \(name)", token: "token")
        guard let token = state.withLockedValue({ $0.token }) else { throw Failure(description: "no token issued") }
        return token
    }

    func close() { channel.close(promise: nil) }

    /// IRC over WebSocket for the load: a frame in is a line (as the TLS path's splitter gives);
    /// the lines written (each ending in CR LF) go out one masked text frame each.
    final class WebSocketLines: ChannelDuplexHandler {
        typealias InboundIn = WebSocketFrame
        typealias InboundOut = ByteBuffer
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = WebSocketFrame

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            switch frame.opcode {
            case .text, .binary: context.fireChannelRead(wrapInboundOut(frame.unmaskedData))
            case .connectionClose: context.close(promise: nil)
            default: break
            }
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            var buffer = unwrapOutboundIn(data)
            var last: EventLoopFuture<Void>?
            while let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                var line = buffer.readSlice(length: end - buffer.readerIndex + 1)!
                line.moveWriterIndex(
                    to: line.writerIndex - (line.readableBytesView.dropLast().last == UInt8(ascii: "\r") ? 2 : 1))
                let key = WebSocketMaskingKey.random()
                last = context.write(
                    wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, maskKey: key, data: line)))
            }
            if let last { last.cascade(to: promise) } else { promise?.succeed() }
        }
    }

    /// Splits the stream into lines.
    struct LineSplitter: ByteToMessageDecoder {
        typealias InboundOut = ByteBuffer
        mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return .needMoreData }
            let line = buffer.readSlice(length: end - buffer.readerIndex + 1)!
            context.fireChannelRead(Self.wrapInboundOut(line))
            return .continue
        }
    }

    /// Reads the server's lines as bytes (a String is made only of a PONG's token), answers
    /// its PINGs, and runs the closed loop of `run(seconds:line:)` on the event loop.
    final class Reader: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let state: NIOLockedValueBox<State>
        /// The closed loop under way, if any; touched on the channel's event loop only.
        var loop: Loop?
        init(state: NIOLockedValueBox<State>) { self.state = state }

        /// Requests sent one after another, each as soon as the PONG after the previous one
        /// arrives (or, paced, when it is due): no task and no thread hop between a reply and
        /// the next request.
        struct Loop {
            var deadline: NIODeadline
            var pace: TimeAmount?
            var line: @Sendable (Int) -> String
            var n = 0
            /// When the request under way was due: its latency counts from here.
            var due = NIODeadline.now()
            var latencies: [Double] = []
            var done: CheckedContinuation<[Double], Never>
        }

        func start(_ loop: Loop, context: ChannelHandlerContext) {
            self.loop = loop
            guard let pace = loop.pace, pace.nanoseconds > 0 else { return sendNext(context: context) }
            // Paced people start at random points of their first interval, not all at once.
            let due = NIODeadline.now() + .nanoseconds(Int64.random(in: 0..<pace.nanoseconds))
            self.loop!.due = due
            context.eventLoop.assumeIsolated().scheduleTask(deadline: due) { self.sendNext(context: context) }
        }

        /// After an answer: the next request now, or when it is due; none after the deadline.
        private func answered(context: ChannelHandlerContext) {
            guard let loop else { return }
            let now = NIODeadline.now()
            guard now < loop.deadline else { return finishLoop() }
            guard let pace = loop.pace else {
                self.loop!.due = now
                return sendNext(context: context)
            }
            let due = loop.due + pace
            self.loop!.due = due
            if due <= now { return sendNext(context: context) }
            context.eventLoop.assumeIsolated().scheduleTask(deadline: due) {
                if let loop = self.loop, NIODeadline.now() >= loop.deadline { return self.finishLoop() }
                self.sendNext(context: context)
            }
        }

        private func sendNext(context: ChannelHandlerContext) {
            guard let loop else { return }
            let text = loop.line(loop.n) + "\r\nPING :t\r\n"
            var out = context.channel.allocator.buffer(capacity: text.utf8.count)
            out.writeString(text)
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        }

        private func finishLoop() {
            guard let loop else { return }
            self.loop = nil
            loop.done.resume(returning: loop.latencies)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let line = unwrapInboundIn(data)
            let view = line.readableBytesView
            // ":server PONG server :token": the verb after the source.
            if view.first == UInt8(ascii: ":"), let space = view.firstIndex(of: UInt8(ascii: " ")),
                view[(space + 1)...].starts(with: "PONG ".utf8)
            {
                if loop != nil {
                    loop!.latencies.append(Double((NIODeadline.now() - loop!.due).nanoseconds) / 1e6)
                    loop!.n += 1
                    answered(context: context)
                    return
                }
                // The last parameter, with or without its colon.
                var token = String(
                    decoding: view[(view.lastIndex(of: UInt8(ascii: " ")).map { $0 + 1 } ?? space)...], as: UTF8.self
                )
                .trimmingCharacters(in: .whitespacesAndNewlines)
                if token.hasPrefix(":") { token.removeFirst() }
                let (waiter, count) = state.withLockedValue { state in
                    defer { state.linesSinceMark = 0 }
                    return (state.waiters.removeValue(forKey: token), state.linesSinceMark)
                }
                waiter?.resume(returning: count)
                return
            }
            if view.starts(with: "PING".utf8) {
                var out = context.channel.allocator.buffer(capacity: view.count)
                out.writeString("PONG")
                out.writeBytes(view.dropFirst(4))
                context.writeAndFlush(wrapOutboundOut(out), promise: nil)
                return
            }
            if loop != nil { return }
            if let token = Self.issuedToken(view) {
                state.withLockedValue { $0.token = token }
            }
            if Self.isWelcome(view) {
                let waiter = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
                    state.isRegistered = true
                    defer { state.registered = nil }
                    return state.registered
                }
                waiter?.resume()
                return
            }
            state.withLockedValue { $0.linesSinceMark += 1 }
        }

        /// The token of ":server CLASSBOOK TOKEN cbt-… :name".
        static func issuedToken(_ view: ByteBufferView) -> String? {
            let line = String(decoding: view, as: UTF8.self)
            guard let range = line.range(of: " CLASSBOOK TOKEN ") else { return nil }
            return line[range.upperBound...].split(separator: " ").first.map(String.init)
        }

        /// ":server 001 nick :Welcome…".
        static func isWelcome(_ view: ByteBufferView) -> Bool {
            guard view.first == UInt8(ascii: ":"), let space = view.firstIndex(of: UInt8(ascii: " ")) else {
                return false
            }
            return view[(space + 1)...].starts(with: "001 ".utf8)
        }

        func channelInactive(context: ChannelHandlerContext) {
            finishLoop()
            let (waiters, registered) = state.withLockedValue { state in
                state.closed = true
                defer { state.waiters = [:]; state.registered = nil }
                return (Array(state.waiters.values), state.registered)
            }
            for waiter in waiters { waiter.resume(throwing: Failure(description: "closed")) }
            registered?.resume(throwing: Failure(description: "closed before registering"))
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }
}
