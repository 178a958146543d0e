import DequeModule
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to send email: an SMTP server, with STARTTLS, TLS from the start, or (on a
/// loopback relay only) plain; credentials for AUTH PLAIN when given.
public struct SMTPConfiguration: Sendable, Equatable {
    public enum Security: String, Sendable, Equatable {
        case starttls
        case tls
        case none
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    public var from: String
    /// PEM file of a trust root for the server's certificate (a school's own CA); the system's otherwise.
    public var trustRoot: String?
    /// How long to wait for the connection, for each reply, and for the whole message: a mail
    /// server that stalls costs at most `timeout`, and the message is retried later.
    public var connectTimeout: Duration = .seconds(10)
    public var replyTimeout: Duration = .seconds(30)
    public var timeout: Duration = .seconds(120)

    public init(
        host: String, port: Int, security: Security, username: String? = nil, password: String? = nil, from: String,
        trustRoot: String? = nil
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.from = from
        self.trustRoot = trustRoot
    }
}

/// A minimal SMTP client (RFC 5321) over NIO: one message per connection.
struct SMTPClient: Sendable {
    let configuration: SMTPConfiguration
    let group: any EventLoopGroup

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func send(to recipient: String, subject: String, body: String, date: Date) async throws {
        let replies = ReplyQueue()
        let tlsContext = try makeTLSContext()
        // SNI and the name check need a host name; an IP address is checked by the chain only.
        let host: String? = configuration.host.contains(where: \.isLetter) ? configuration.host : nil
        let tlsFromStart = configuration.security == .tls
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if tlsFromStart {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tlsContext, serverHostname: host))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler(queue: replies))
                }
            }
            .connect(host: configuration.host, port: configuration.port).get()
        defer { channel.close(promise: nil) }
        // The whole exchange is bounded: at the deadline the connection is closed, which fails a
        // write under way (a NIO future does not heed task cancellation) and the reply awaited.
        let overall = configuration.timeout
        let deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(overall.nanoseconds)) {
            replies.fail(Failure(description: "no answer within \(overall)"))
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        let replyTimeout = configuration.replyTimeout
        func command(_ line: String?, expect codes: Set<Int>) async throws -> String {
            if let line {
                var buffer = channel.allocator.buffer(capacity: line.utf8.count + 2)
                buffer.writeString(line + "\r\n")
                try await channel.writeAndFlush(buffer)
            }
            let (code, text) = try await replies.next(timeout: replyTimeout)
            guard codes.contains(code) else {
                let shown = line.map { $0.hasPrefix("AUTH") ? "AUTH PLAIN …" : $0 } ?? "greeting"
                throw Failure(description: "\(shown): \(code) \(text)")
            }
            return text
        }
        _ = try await command(nil, expect: [220])
        let me = "classbook.local"
        var features = try await command("EHLO \(me)", expect: [250])
        if configuration.security == .starttls {
            guard features.uppercased().contains("STARTTLS") else {
                throw Failure(description: "the server does not offer STARTTLS")
            }
            _ = try await command("STARTTLS", expect: [220])
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    try NIOSSLClientHandler(context: tlsContext, serverHostname: host), position: .first)
            }.get()
            features = try await command("EHLO \(me)", expect: [250])
        }
        if let username = configuration.username, let password = configuration.password {
            let token = Data("\0\(username)\0\(password)".utf8).base64EncodedString()
            _ = try await command("AUTH PLAIN \(token)", expect: [235])
        }
        _ = features
        _ = try await command("MAIL FROM:<\(configuration.from)>", expect: [250])
        _ = try await command("RCPT TO:<\(recipient)>", expect: [250, 251])
        _ = try await command("DATA", expect: [354])
        _ = try await command(
            Self.message(from: configuration.from, to: recipient, subject: subject, body: body, date: date) + "\r\n.",
            expect: [250])
        _ = try? await command("QUIT", expect: [221])
    }

    private func makeTLSContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let root = configuration.trustRoot {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(root))
        }
        return try NIOSSLContext(configuration: tls)
    }

    /// The message with its headers: UTF-8 text, the subject encoded as RFC 2047, lines dot-stuffed.
    static func message(from: String, to: String, subject: String, body: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let encodedSubject = "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let headers = [
            "From: \(from)", "To: \(to)", "Subject: \(encodedSubject)", "Date: \(formatter.string(from: date))",
            "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"
        ]
        // Base64 keeps Cyrillic intact through any relay; 76-character lines.
        let encoded = Data(body.utf8).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed
        ])
        return (headers + ["", encoded]).joined(separator: "\r\n")
    }
}

/// SMTP replies in arrival order (`250-…` lines continue, `250 …` ends one), and those waiting
/// for the next. A wait ends with a reply, with the connection's end, or at its timeout: the
/// waiter is cancellation-aware, so the timeout's task does win the race (before, the waiting
/// task ignored cancellation, and its task group waited for it for ever).
final class ReplyQueue: Sendable {
    private struct State {
        var replies = Deque<(Int, String)>()
        var waiters = Deque<(id: Int, continuation: CheckedContinuation<(Int, String), any Error>)>()
        var nextID = 0
        var failure: (any Error)?
    }

    private let state = NIOLockedValueBox(State())

    func push(_ reply: (Int, String)) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<(Int, String), any Error>? in
            if state.waiters.isEmpty { state.replies.append(reply); return nil }
            return state.waiters.removeFirst().continuation
        }
        waiter?.resume(returning: reply)
    }

    /// The connection ended.
    func close() { fail(SMTPClient.Failure(description: "the connection closed")) }

    /// Every wait, now and later, ends with `error` (the first reason given stays).
    func fail(_ error: any Error) {
        let (waiters, reason) = state.withLockedValue {
            state -> ([CheckedContinuation<(Int, String), any Error>], any Error) in
            let reason = state.failure ?? error
            state.failure = reason
            defer { state.waiters = [] }
            return (state.waiters.map(\.continuation), reason)
        }
        for waiter in waiters { waiter.resume(throwing: reason) }
    }

    func next(timeout: Duration) async throws -> (Int, String) {
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            group.addTask { try await self.next() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw SMTPClient.Failure(description: "no reply within \(timeout)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// The next reply; a cancelled wait is withdrawn and throws `CancellationError`.
    private func next() async throws -> (Int, String) {
        let id = state.withLockedValue { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready: Result<(Int, String), any Error>? = state.withLockedValue { state in
                    if !state.replies.isEmpty { return .success(state.replies.removeFirst()) }
                    if let failure = state.failure { return .failure(failure) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> CheckedContinuation<(Int, String), any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

/// Reads SMTP reply lines into the queue.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let queue: ReplyQueue
    private var pending = ""
    private var lines: [String] = []

    init(queue: ReplyQueue) { self.queue = queue }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readString(length: buffer.readableBytes) ?? ""
        while let end = pending.range(of: "\r\n") ?? pending.range(of: "\n") {
            let line = String(pending[..<end.lowerBound])
            pending.removeSubrange(..<end.upperBound)
            lines.append(line)
            let characters = Array(line)
            if characters.count >= 3, let code = Int(String(characters[0..<3])),
                characters.count == 3 || characters[3] == " "
            {
                queue.push((code, lines.map { String($0.dropFirst(4)) }.joined(separator: " ")))
                lines = []
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        queue.close()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        queue.close()
        context.close(promise: nil)
    }
}
