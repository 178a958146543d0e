import ClassbookDomain
import Foundation
import IRC
import NIOConcurrencyHelpers
import NIOCore

/// The part of a connection other tasks may touch: its nick, its negotiated capabilities,
/// and a way to send it lines. Writes go straight to the NIO channel, which is safe from
/// any thread and keeps them in order.
public final class SessionHandle: Sendable {
    public let id: String
    let channel: any Channel
    private let state: NIOLockedValueBox<State>

    struct State {
        var nick: String?
        var capabilities: Set<String> = []
        /// The account logged in on this connection, once it has registered.
        var account: AccountID?
    }

    init(id: String, channel: any Channel) {
        self.id = id
        self.channel = channel
        self.state = NIOLockedValueBox(State())
    }

    var nick: String? { state.withLockedValue { $0.nick } }

    /// The nick for numerics addressed to this client: `*` before it has one.
    var target: String { nick ?? "*" }

    func setNick(_ nick: String?) { state.withLockedValue { $0.nick = nick } }

    func setCapabilities(_ capabilities: Set<String>) { state.withLockedValue { $0.capabilities = capabilities } }

    var account: AccountID? { state.withLockedValue { $0.account } }

    func setAccount(_ account: AccountID?) { state.withLockedValue { $0.account = account } }

    func has(_ capability: String) -> Bool { state.withLockedValue { $0.capabilities.contains(capability) } }

    /// Sends messages in order, with the tags this client negotiated: `time` with server-time,
    /// `msgid` and client tags (`+…`) with message-tags, nothing otherwise.
    func send(_ messages: [IRCMessage]) {
        guard !messages.isEmpty else { return }
        let capabilities = state.withLockedValue { $0.capabilities }
        let serverTime = capabilities.contains("server-time")
        let messageTags = capabilities.contains("message-tags")
        var buffer = channel.allocator.buffer(capacity: messages.count * 128)
        for var message in messages {
            message.tags = message.tags.filter { tag in
                tag.key == "time" ? serverTime : messageTags
            }
            if serverTime && message.tag("time") == nil {
                message.tags.insert(IRCTag("time", ServerTime.now()), at: 0)
            }
            buffer.writeString(message.serialized())
            buffer.writeString("\r\n")
        }
        // A client that does not read: its queue passed the high-water mark.
        guard channel.isWritable else {
            close(error: "SendQ exceeded")
            return
        }
        channel.writeAndFlush(buffer, promise: nil)
    }

    func send(_ message: IRCMessage) { send([message]) }

    /// Sends ERROR and closes the connection once it is written.
    func close(error reason: String) {
        var buffer = channel.allocator.buffer(capacity: 64)
        buffer.writeString(IRCMessage(command: "ERROR", parameters: [reason]).serialized() + "\r\n")
        let channel = self.channel
        channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// `2026-11-23T14:05:00.123Z`, as server-time and the `time` tag want it.
enum ServerTime {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)

    static func format(_ date: Date) -> String { style.format(date) }

    static func now() -> String { format(Date()) }
}

/// Who is connected, by nick. Nicks compare case-insensitively (ASCII casemapping).
public final class SessionRegistry: Sendable {
    private let sessions = NIOLockedValueBox<[String: SessionHandle]>([:])

    public init() {}

    static func fold(_ nick: String) -> String { nick.lowercased() }

    /// Claims `nick` for `handle`, releasing its old nick; false when another session has it.
    func claim(_ nick: String, for handle: SessionHandle, reserved: Set<String>) -> Bool {
        let key = Self.fold(nick)
        if reserved.contains(key) { return false }
        return sessions.withLockedValue { sessions in
            if let holder = sessions[key], holder !== handle { return false }
            if let old = handle.nick { sessions.removeValue(forKey: Self.fold(old)) }
            sessions[key] = handle
            handle.setNick(nick)
            return true
        }
    }

    func release(_ handle: SessionHandle) {
        guard let nick = handle.nick else { return }
        sessions.withLockedValue { sessions in
            if sessions[Self.fold(nick)] === handle { sessions.removeValue(forKey: Self.fold(nick)) }
        }
    }

    func session(nick: String) -> SessionHandle? {
        sessions.withLockedValue { $0[Self.fold(nick)] }
    }

    func all() -> [SessionHandle] {
        sessions.withLockedValue { Array($0.values) }
    }

    /// Every registered session of an account (a person may be connected from several devices).
    func sessions(of account: AccountID) -> [SessionHandle] {
        sessions.withLockedValue { Array($0.values) }.filter { $0.account == account }
    }
}
