import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// One simulated person: a TLS (or plaintext) IRC connection that logs in with SASL PLAIN and asks
/// the bot, timing each answer from the question to the PONG that follows the reply.
final class LoadClient: Sendable {
    let channel: any Channel
    private let state: NIOLockedValueBox<State>

    struct State {
        var waiters: [String: CheckedContinuation<Int, any Error>] = [:]
        var linesSinceMark = 0
        var closed = false
        var registered: CheckedContinuation<Void, any Error>?
        var isRegistered = false
    }

    private init(channel: any Channel, state: NIOLockedValueBox<State>) {
        self.channel = channel
        self.state = state
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func connect(host: String, port: Int, tls: NIOSSLContext?, group: any EventLoopGroup) async throws -> LoadClient {
        let state = NIOLockedValueBox(State())
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: "localhost")) }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineSplitter()))
                    try channel.pipeline.syncOperations.addHandler(Reader(state: state))
                }
            }
            .connect(host: host, port: port).get()
        return LoadClient(channel: channel, state: state)
    }

    func send(_ text: String) {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        channel.writeAndFlush(buffer, promise: nil)
    }

    func login(_ login: String, password: String, nick: String) async throws {
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
            send("CAP REQ :sasl\r\nNICK \(nick)\r\nUSER \(nick) 0 * :load\r\nAUTHENTICATE PLAIN\r\n"
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

    func close() { channel.close(promise: nil) }

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

    final class Reader: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let state: NIOLockedValueBox<State>
        init(state: NIOLockedValueBox<State>) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let line = buffer.readString(length: buffer.readableBytes) ?? ""
            if line.hasPrefix(":") && line.contains(" PONG ") {
                // The last parameter, with or without its colon.
                var token = line.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
                if token.hasPrefix(":") { token.removeFirst() }
                let (waiter, count) = state.withLockedValue { state in
                    defer { state.linesSinceMark = 0 }
                    return (state.waiters.removeValue(forKey: token), state.linesSinceMark)
                }
                waiter?.resume(returning: count)
                return
            }
            if line.contains(" 001 ") {
                let waiter = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
                    state.isRegistered = true
                    defer { state.registered = nil }
                    return state.registered
                }
                waiter?.resume()
                return
            }
            if line.hasPrefix("PING") {
                var out = context.channel.allocator.buffer(capacity: 64)
                out.writeString("PONG" + line.dropFirst(4))
                context.writeAndFlush(NIOAny(out), promise: nil)
                return
            }
            state.withLockedValue { $0.linesSinceMark += 1 }
        }

        func channelInactive(context: ChannelHandlerContext) {
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
