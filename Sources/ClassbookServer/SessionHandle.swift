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
    /// `msgid` and client tags (`+…`) with message-tags, nothing otherwise. With `flush: false`
    /// they wait in the channel for the next flush (the session's own, at the end of a batch
    /// of lines, or anyone's: a flush sends everything written before it).
    func send(_ messages: [IRCMessage], flush: Bool = true) {
        guard !messages.isEmpty else { return }
        let capabilities = state.withLockedValue { $0.capabilities }
        let serverTime = capabilities.contains("server-time")
        let messageTags = capabilities.contains("message-tags")
        var stream = BufferStream(buffer: channel.allocator.buffer(capacity: messages.count * 128))
        for var message in messages {
            if !serverTime && !messageTags {
                if !message.tags.isEmpty { message.tags = [] }
            } else {
                message.tags = message.tags.filter { tag in
                    tag.key == "time" ? serverTime : messageTags
                }
            }
            if serverTime && message.tag("time") == nil {
                message.tags.insert(IRCTag("time", UTCTimestamp.now()), at: 0)
            }
            message.serialize(into: &stream)
            stream.write("\r\n")
        }
        let buffer = stream.buffer
        // A client that does not read: its queue passed the high-water mark.
        guard channel.isWritable else {
            close(error: "SendQ exceeded")
            return
        }
        if flush {
            channel.writeAndFlush(buffer, promise: nil)
        } else {
            channel.write(buffer, promise: nil)
        }
    }

    func send(_ message: IRCMessage) { send([message]) }

    /// Sends what was written without a flush.
    func flush() { channel.flush() }

    /// Sends ERROR and closes the connection once it is written.
    func close(error reason: String) {
        var buffer = channel.allocator.buffer(capacity: 64)
        buffer.writeString(IRCMessage(command: "ERROR", parameters: [reason]).serialized() + "\r\n")
        let channel = self.channel
        channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// A channel buffer as the target of `IRCMessage.serialize(into:)`.
private struct BufferStream: TextOutputStream {
    var buffer: ByteBuffer
    mutating func write(_ string: String) { buffer.writeString(string) }
}

/// Who is connected, by nick and by account. Nicks compare case-insensitively (ASCII casemapping).
public final class SessionRegistry: Sendable {
    private struct Sessions {
        var byNick: [String: SessionHandle] = [:]
        /// Registered sessions of each account: a person may be connected from several devices.
        var byAccount: [AccountID: [SessionHandle]] = [:]
    }

    private let sessions = NIOLockedValueBox(Sessions())

    public init() {}

    static func fold(_ nick: String) -> String { nick.lowercased() }

    /// Claims `nick` for `handle`, releasing its old nick; false when another session has it.
    func claim(_ nick: String, for handle: SessionHandle, reserved: Set<String>) -> Bool {
        let key = Self.fold(nick)
        if reserved.contains(key) { return false }
        return sessions.withLockedValue { sessions in
            if let holder = sessions.byNick[key], holder !== handle { return false }
            if let old = handle.nick { sessions.byNick.removeValue(forKey: Self.fold(old)) }
            sessions.byNick[key] = handle
            handle.setNick(nick)
            return true
        }
    }

    /// Records that `handle` is logged in as `account`, once it has registered.
    func attach(_ handle: SessionHandle, to account: AccountID) {
        sessions.withLockedValue { sessions in
            handle.setAccount(account)
            sessions.byAccount[account, default: []].append(handle)
        }
    }

    func release(_ handle: SessionHandle) {
        sessions.withLockedValue { sessions in
            if let nick = handle.nick, sessions.byNick[Self.fold(nick)] === handle {
                sessions.byNick.removeValue(forKey: Self.fold(nick))
            }
            if let account = handle.account {
                sessions.byAccount[account]?.removeAll { $0 === handle }
                if sessions.byAccount[account]?.isEmpty == true { sessions.byAccount[account] = nil }
            }
        }
    }

    func session(nick: String) -> SessionHandle? {
        sessions.withLockedValue { $0.byNick[Self.fold(nick)] }
    }

    func all() -> [SessionHandle] {
        sessions.withLockedValue { Array($0.byNick.values) }
    }

    /// Every registered session of an account.
    func sessions(of account: AccountID) -> [SessionHandle] {
        sessions.withLockedValue { $0.byAccount[account] ?? [] }
    }
}
