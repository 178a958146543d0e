import ClassbookDomain
import Foundation
import IRC
import NIOConcurrencyHelpers
import NIOCore

/// The part of a connection other tasks may touch: its nick, its negotiated capabilities,
/// and a way to send it lines. Writes go straight to the NIO channel, which is safe from
/// any thread and keeps them in order, except while the connection's own session holds
/// them (`hold()` … `release()`, while it answers a batch of lines): then everything sent to
/// the connection, by the session or anyone else, is gathered in one buffer, in order, and
/// goes out as one write and one flush. A command and the PING after it then cost one trip
/// down the pipeline, one `SSL_write` and one TLS record instead of two.
public final class SessionHandle: Sendable {
    public let id: String
    let channel: any Channel
    /// `tls` or `plaintext` (the metrics' sessions by transport).
    let transport: String
    private let state: NIOLockedValueBox<State>

    struct State {
        var nick: String?
        var capabilities: Set<String> = []
        /// What every send asks of `capabilities`, as flags: no string hashing per message.
        var flags = CapabilityFlags()
        /// The account logged in on this connection, once it has registered, and its login.
        var account: AccountID?
        var login: String?
        var device: Device
        /// `AWAY :text`; nil when present.
        var away: String?
        /// Sends wait in `held` instead of going to the channel.
        var holding = false
        var held: ByteBuffer?
    }

    /// What `/sessions` and WHOIS tell of a connection.
    struct Device: Sendable {
        var username = "user"
        var realname = ""
        /// The client's own name and version, from its answer to CTCP VERSION.
        var client: String?
        /// The connecting address: shown only to the person themself and to administrators.
        var host: String
        var connectedAt = Date()
        var lastActive = Date()
    }

    /// The capabilities that decide how each message is written, kept beside the set.
    struct CapabilityFlags: Sendable, Equatable {
        var serverTime = false
        var messageTags = false
        var echoMessage = false
        var accountTag = false
        var extendedJoin = false
        var awayNotify = false
        var userhostInNames = false
        var readMarker = false
        var standardReplies = false

        init() {}

        init(_ capabilities: Set<String>) {
            serverTime = capabilities.contains("server-time")
            messageTags = capabilities.contains("message-tags")
            echoMessage = capabilities.contains("echo-message")
            accountTag = capabilities.contains("account-tag")
            extendedJoin = capabilities.contains("extended-join")
            awayNotify = capabilities.contains("away-notify")
            userhostInNames = capabilities.contains("userhost-in-names")
            readMarker = capabilities.contains("draft/read-marker")
            standardReplies = capabilities.contains("standard-replies")
        }
    }

    init(id: String, channel: any Channel, host: String = "unknown", transport: String = "tls") {
        self.id = id
        self.channel = channel
        self.transport = transport
        self.state = NIOLockedValueBox(State(device: Device(host: host)))
    }

    var nick: String? { state.withLockedValue { $0.nick } }

    /// The nick for numerics addressed to this client: `*` before it has one.
    var target: String { nick ?? "*" }

    func setNick(_ nick: String?) { state.withLockedValue { $0.nick = nick } }

    func setCapabilities(_ capabilities: Set<String>) {
        state.withLockedValue {
            $0.capabilities = capabilities
            $0.flags = CapabilityFlags(capabilities)
        }
    }

    var flags: CapabilityFlags { state.withLockedValue { $0.flags } }

    var account: AccountID? { state.withLockedValue { $0.account } }

    func setAccount(_ account: AccountID?) { state.withLockedValue { $0.account = account } }

    var login: String? { state.withLockedValue { $0.login } }

    func setLogin(_ login: String?) { state.withLockedValue { $0.login = login } }

    var device: Device { state.withLockedValue { $0.device } }

    func updateDevice(_ change: (inout Device) -> Void) { state.withLockedValue { change(&$0.device) } }

    var away: String? { state.withLockedValue { $0.away } }

    func setAway(_ text: String?) { state.withLockedValue { $0.away = text } }

    func has(_ capability: String) -> Bool { state.withLockedValue { $0.capabilities.contains(capability) } }

    /// Sends messages in order, with the tags this client negotiated: `time` with server-time,
    /// `msgid` and client tags (`+…`) with message-tags, nothing otherwise.
    func send(_ messages: [IRCMessage]) {
        guard !messages.isEmpty else { return }
        let flags = self.flags
        var stream = BufferStream(buffer: channel.allocator.buffer(capacity: messages.count * 128))
        for message in messages {
            Self.write(message, flags: flags, into: &stream)
        }
        write(stream.buffer)
    }

    /// Sends the bot's text as PRIVMSGs from `source` to this client, each line split so that
    /// it fits IRC's 512 bytes: the bytes `send(_:)` writes for `BotText.messages` of each
    /// line, written straight into the channel's buffer without an `IRCMessage` a line.
    func sendText(_ lines: [String], from source: String) {
        guard !lines.isEmpty else { return }
        let (nick, flags) = state.withLockedValue { ($0.nick, $0.flags) }
        var buffer = channel.allocator.buffer(
            capacity: Self.textCapacity(lines, source: source, target: nick ?? "*", flags: flags))
        Self.writeText(lines, from: source, to: nick ?? "*", flags: flags, into: &buffer)
        write(buffer)
    }

    private func write(_ buffer: ByteBuffer) {
        let kept = state.withLockedValue { state -> Bool in
            guard state.holding else { return false }
            if state.held == nil {
                state.held = buffer
            } else {
                state.held!.writeImmutableBuffer(buffer)
            }
            return true
        }
        if !kept { writeAndFlush(buffer) }
    }

    private func writeAndFlush(_ buffer: ByteBuffer) {
        // A client that does not read: its queue passed the high-water mark.
        guard channel.isWritable else {
            close(error: "SendQ exceeded")
            return
        }
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// From now on what is sent to this connection is gathered until `release()`. Called by
    /// the connection's own session, on the channel's event loop.
    func hold() { state.withLockedValue { $0.holding = true } }

    /// Writes what was gathered in one write and one flush, and goes on gathering (before the
    /// session waits for something other than its own work: flood control's delay).
    func sendHeld() {
        if let held = takeHeld(stopHolding: false) { writeAndFlush(held) }
    }

    /// Writes what was gathered in one write and one flush, and stops gathering. Called on
    /// the channel's event loop, so that the write goes before any write another thread
    /// makes after this (those hop to the loop).
    func release() {
        if let held = takeHeld(stopHolding: true) { writeAndFlush(held) }
    }

    private func takeHeld(stopHolding: Bool) -> ByteBuffer? {
        state.withLockedValue { state in
            if stopHolding { state.holding = false }
            defer { state.held = nil }
            return state.held
        }
    }

    /// One message with CR LF, its tags filtered to what the client negotiated.
    static func write(_ message: IRCMessage, flags: CapabilityFlags, into stream: inout some TextOutputStream) {
        var message = message
        if !flags.serverTime && !flags.messageTags && !flags.accountTag {
            if !message.tags.isEmpty { message.tags = [] }
        } else {
            message.tags = message.tags.filter { tag in
                switch tag.key {
                case "time": flags.serverTime
                case "account": flags.accountTag || flags.messageTags
                default: flags.messageTags
                }
            }
        }
        if flags.serverTime && message.tag("time") == nil {
            message.tags.insert(IRCTag("time", UTCTimestamp.now()), at: 0)
        }
        message.serialize(into: &stream)
        stream.write("\r\n")
    }

    /// Bot text as the wire lines `write(_:flags:into:)` makes of `BotText.messages`:
    /// `@time=…;msgid=… :source PRIVMSG target :piece` CR LF for each piece, with the tags
    /// the client negotiated (a new msgid for each piece, as the bot's live replies get).
    static func writeText(
        _ lines: [String], from source: String, to target: String, flags: CapabilityFlags,
        into buffer: inout ByteBuffer
    ) {
        let budget = BotText.budget(from: source, to: target)
        for line in lines {
            if let hasSpace = IRCTextSplitter.wholeLine(line, maxBytes: budget) {
                writePiece(line, hasSpace: hasSpace, from: source, to: target, flags: flags, into: &buffer)
            } else {
                for piece in IRCTextSplitter.split(line, maxBytes: budget) {
                    writePiece(
                        piece, hasSpace: IRCMessage.hasByte(32, in: piece), from: source, to: target, flags: flags,
                        into: &buffer)
                }
            }
        }
    }

    private static func writePiece(
        _ piece: String, hasSpace: Bool, from source: String, to target: String, flags: CapabilityFlags,
        into buffer: inout ByteBuffer
    ) {
        // Tag values here (a timestamp, a hex id) have nothing to escape.
        if flags.serverTime || flags.messageTags {
            buffer.writeStaticString("@")
            if flags.serverTime {
                buffer.writeStaticString("time=")
                buffer.writeString(UTCTimestamp.now())
                if flags.messageTags { buffer.writeStaticString(";") }
            }
            if flags.messageTags {
                buffer.writeStaticString("msgid=")
                buffer.writeString(ServerContext.messageID())
            }
            buffer.writeStaticString(" ")
        }
        buffer.writeStaticString(":")
        buffer.writeString(source)
        buffer.writeStaticString(" PRIVMSG ")
        buffer.writeString(target)
        // The trailing parameter as `IRCMessage.serialize` writes it: with `:` when it is
        // empty, holds a space or starts with `:`.
        if piece.isEmpty || hasSpace || piece.utf8.first == 58 {
            buffer.writeStaticString(" :")
        } else {
            buffer.writeStaticString(" ")
        }
        buffer.writeString(piece)
        buffer.writeStaticString("\r\n")
    }

    /// Room for the lines written by `writeText`, so that the buffer is allocated once.
    private static func textCapacity(_ lines: [String], source: String, target: String, flags: CapabilityFlags) -> Int {
        let perLine =
            source.utf8.count + target.utf8.count + 16 + (flags.serverTime ? 30 : 0) + (flags.messageTags ? 40 : 0)
        return lines.reduce(0) { $0 + $1.utf8.count + perLine }
    }

    func send(_ message: IRCMessage) { send([message]) }

    /// Sends ERROR, after anything gathered, and closes the connection once it is written.
    func close(error reason: String) {
        var buffer = takeHeld(stopHolding: true) ?? channel.allocator.buffer(capacity: 64)
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
