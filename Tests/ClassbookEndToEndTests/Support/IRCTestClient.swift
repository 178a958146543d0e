import Foundation
import IRC
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A small IRC client over a real TLS (or plaintext) socket, for end-to-end tests.
/// Lines are collected as they arrive; `expect` waits for one matching a predicate.
final class IRCTestClient: Sendable {
    struct Inbox {
        var lines: [String] = []
        var closed = false
    }

    private let channel: any Channel
    private let inbox: NIOLockedValueBox<Inbox>
    private let cursor = NIOLockedValueBox(0)

    private init(channel: any Channel, inbox: NIOLockedValueBox<Inbox>) {
        self.channel = channel
        self.inbox = inbox
    }

    /// `prelude`: bytes sent before anything else, TLS included (a PROXY protocol header, as a
    /// load balancer sends).
    static func connect(port: Int, certificatePath: String?, group: any EventLoopGroup, prelude: [UInt8]? = nil)
        async throws -> IRCTestClient
    {
        let inbox = NIOLockedValueBox(Inbox())
        let sslContext: NIOSSLContext? = try certificatePath.map { path in
            var configuration = TLSConfiguration.makeClientConfiguration()
            // Verify the server against the certificate it made, by the name it carries.
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            configuration.certificateVerification = .fullVerification
            return try NIOSSLContext(configuration: configuration)
        }
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let prelude { try channel.pipeline.syncOperations.addHandler(PreludeWriter(bytes: prelude)) }
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: sslContext, serverHostname: "localhost"))
                    }
                    try channel.pipeline.syncOperations.addHandler(LineCollector(inbox: inbox))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return IRCTestClient(channel: channel, inbox: inbox)
    }

    func send(_ line: String) async throws {
        try await sendRaw(Array((line + "\r\n").utf8))
    }

    func sendRaw(_ bytes: [UInt8]) async throws {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        do {
            try await channel.writeAndFlush(buffer)
        } catch {
            throw TestFailure("write failed (\(error)); received:\n" + allLines.joined(separator: "\n"))
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        var waitingFor: String
        var seen: [String]
        var description: String { "timed out waiting for \(waitingFor); received:\n" + seen.joined(separator: "\n") }
    }

    /// Waits for the next line (after those already consumed) that matches, and consumes up to it.
    @discardableResult
    func expect(_ what: String, timeout: Duration = .seconds(10), _ predicate: (IRCMessage) -> Bool) async throws
        -> IRCMessage
    {
        try await consume(until: what, timeout: timeout, predicate).last!
    }

    /// Like `expect`, but returns every message consumed, the matching one last.
    func consume(until what: String, timeout: Duration = .seconds(10), _ predicate: (IRCMessage) -> Bool) async throws
        -> [IRCMessage]
    {
        let deadline = ContinuousClock.now + timeout
        var examined = cursor.withLockedValue { $0 }
        while true {
            let (lines, closed) = inbox.withLockedValue { ($0.lines, $0.closed) }
            var index = examined
            while index < lines.count {
                let line = lines[index]
                index += 1
                if let message = try? IRCMessage(parsing: line), predicate(message) {
                    let start = cursor.withLockedValue { old in
                        defer { old = index }
                        return old
                    }
                    return lines[start..<index].compactMap { try? IRCMessage(parsing: $0) }
                }
            }
            examined = index
            if closed || ContinuousClock.now > deadline {
                throw Timeout(waitingFor: what + (closed ? " (connection closed)" : ""), seen: lines)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @discardableResult
    func expectNumeric(_ numeric: String, timeout: Duration = .seconds(10)) async throws -> IRCMessage {
        try await expect("numeric \(numeric)", timeout: timeout) { $0.command == numeric }
    }

    /// Sends text to the bot and returns its reply lines. A PING sent after it marks the end:
    /// the server answers lines in order, so every reply line comes before the PONG.
    func ask(_ text: String, bot: String = "diary") async throws -> [String] {
        try await send("PRIVMSG \(bot) :\(text)")
        return try await repliesUntilPong(from: bot)
    }

    /// Sends a raw line and collects the bot's replies to it.
    func askRaw(_ line: String, bot: String = "diary") async throws -> [String] {
        try await send(line)
        return try await repliesUntilPong(from: bot)
    }

    private func repliesUntilPong(from bot: String) async throws -> [String] {
        try await botMessages(from: bot).map { $0.parameters[1] }
    }

    /// The nick the server registered this connection with (001's target): an account's login.
    var nick: String? {
        inbox.withLockedValue { $0.lines }.lazy.compactMap { try? IRCMessage(parsing: $0) }.first {
            $0.command == "001"
        }?.parameters.first
    }

    /// The bot's messages that arrived unasked (a digest, a delivery at login), up to now.
    func botMessages(from bot: String = "diary") async throws -> [IRCMessage] {
        let marker = "end-\(UUID().uuidString.prefix(8))"
        try await send("PING :\(marker)")
        let consumed = try await consume(until: "PONG \(marker)") {
            $0.command == "PONG" && $0.parameters.last == marker
        }
        // The CTCP VERSION the bot asks at registration is not a reply.
        return consumed.filter {
            $0.command == "PRIVMSG" && $0.source?.hasPrefix(bot + "!") == true
                && $0.parameters.last?.hasPrefix("\u{1}") != true
        }
    }

    /// Waits until the server closes the connection; returns the ERROR text if one came.
    func expectClosed(timeout: Duration = .seconds(10)) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if inbox.withLockedValue({ $0.closed }) {
                return inbox.withLockedValue { $0.lines }.compactMap { try? IRCMessage(parsing: $0) }
                    .last { $0.command == "ERROR" }?.parameters.first
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Timeout(waitingFor: "the connection to close", seen: inbox.withLockedValue { $0.lines })
    }

    var isClosed: Bool { inbox.withLockedValue { $0.closed } }

    /// Stops reading from the socket, as a phone gone idle does: what the server sends (its
    /// `ERROR`, TLS's close_notify) is left unread.
    func stopReading() async throws {
        try await channel.setOption(ChannelOptions.autoRead, value: false).get()
    }

    var allLines: [String] { inbox.withLockedValue { $0.lines } }

    func close() async {
        try? await channel.close()
    }

    // MARK: Registration helpers

    /// CAP negotiation with SASL PLAIN; returns when 001 and the MOTD's end arrive.
    func registerWithSASL(
        login: String, password: String, nick: String, capabilities: String = "sasl",
        realname: String = "Test"
    ) async throws {
        try await send("CAP LS 302")
        try await send("NICK \(nick)")
        try await send("USER \(nick) 0 * :\(realname)")
        try await send("CAP REQ :\(capabilities)")
        try await expect("CAP ACK") { $0.command == "CAP" && $0.parameters.dropFirst().first == "ACK" }
        try await send("AUTHENTICATE PLAIN")
        try await expect("AUTHENTICATE +") { $0.command == "AUTHENTICATE" && $0.parameters == ["+"] }
        try await send("AUTHENTICATE " + Data("\0\(login)\0\(password)".utf8).base64EncodedString())
        let result = try await expect("903 or 904") { ["903", "904"].contains($0.command) }
        try await send("CAP END")
        guard result.command == "903" else { throw Timeout(waitingFor: "SASL success", seen: allLines) }
        try await expectNumeric("001")
        try await expectNumeric("422")
        try await expectGreeting()
    }

    /// The bot greets everyone who logged in, right after the MOTD.
    func expectGreeting() async throws {
        try await expect("the bot's greeting") { $0.command == "PRIVMSG" && $0.source?.hasPrefix("diary!") == true }
    }

    func registerWithPass(login: String, password: String, nick: String) async throws {
        try await send("PASS \(login):\(password)")
        try await send("NICK \(nick)")
        try await send("USER \(nick) 0 * :Test")
        try await expectNumeric("001")
        try await expectNumeric("422")
        try await expectGreeting()
    }

}

/// Splits received bytes into lines and records them.
private final class LineCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let inbox: NIOLockedValueBox<IRCTestClient.Inbox>
    var pending: [UInt8] = []

    init(inbox: NIOLockedValueBox<IRCTestClient.Inbox>) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        var lines: [String] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            lines.append(String(decoding: line, as: UTF8.self))
        }
        if !lines.isEmpty { inbox.withLockedValue { $0.lines += lines } }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.withLockedValue { $0.closed = true }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Kept so that a failing test shows why the connection ended.
        inbox.withLockedValue { $0.lines.append("ERROR :client-side: \(error)") }
        context.close(promise: nil)
    }
}

/// Writes its bytes as the connection opens, before the handlers after it (TLS) start.
private final class PreludeWriter: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        context.fireChannelActive()
    }
}
