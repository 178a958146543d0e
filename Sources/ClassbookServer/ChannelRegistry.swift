import ClassbookDomain
import IRC
import NIOConcurrencyHelpers

/// Who has joined which board's channel, as IRC sees it. Membership itself is the school's
/// (`BoardService`); this is only who is present now.
final class ChannelRegistry: Sendable {
    private let joined = NIOLockedValueBox<[String: [SessionHandle]]>([:])

    /// Adds the session; false when it was there already.
    func join(_ channel: String, _ handle: SessionHandle) -> Bool {
        joined.withLockedValue { joined in
            if joined[channel, default: []].contains(where: { $0 === handle }) { return false }
            joined[channel, default: []].append(handle)
            return true
        }
    }

    func part(_ channel: String, _ handle: SessionHandle) -> Bool {
        joined.withLockedValue { joined in
            guard let index = joined[channel]?.firstIndex(where: { $0 === handle }) else { return false }
            joined[channel]!.remove(at: index)
            return true
        }
    }

    func members(_ channel: String) -> [SessionHandle] {
        joined.withLockedValue { $0[channel] ?? [] }
    }

    func isJoined(_ channel: String, _ handle: SessionHandle) -> Bool {
        members(channel).contains { $0 === handle }
    }

    /// The channels a session has joined.
    func channels(of handle: SessionHandle) -> [String] {
        joined.withLockedValue { joined in joined.filter { $0.value.contains { $0 === handle } }.map(\.key).sorted() }
    }

    /// True when the two sessions are on a channel together.
    func shareAChannel(_ a: SessionHandle, _ b: SessionHandle) -> Bool {
        joined.withLockedValue { joined in
            joined.values.contains { members in members.contains { $0 === a } && members.contains { $0 === b } }
        }
    }

    /// Everyone on a channel with `handle` (each session once, `handle` left out).
    func companions(of handle: SessionHandle) -> [SessionHandle] {
        joined.withLockedValue { joined in
            var seen = Set<ObjectIdentifier>([ObjectIdentifier(handle)])
            return joined.values.filter { $0.contains { $0 === handle } }.flatMap { $0 }.filter {
                seen.insert(ObjectIdentifier($0)).inserted
            }
        }
    }

    /// Channels someone is on (LUSERS).
    var count: Int { joined.withLockedValue { $0.values.filter { !$0.isEmpty }.count } }

    /// Removes a closing session everywhere; returns the channels it was in.
    func leaveAll(_ handle: SessionHandle) -> [String] {
        joined.withLockedValue { joined in
            var left: [String] = []
            for (channel, members) in joined where members.contains(where: { $0 === handle }) {
                joined[channel] = members.filter { $0 !== handle }
                left.append(channel)
            }
            return left
        }
    }

    /// A stored post as a channel message from its author, with its msgid and time and, in a
    /// thread, `+draft/reply`: what is relayed live and what `CHATHISTORY` replays.
    static func message(
        _ post: BoardPost, replyTo: String?, source: String, command: String = "PRIVMSG", clientTags: [IRCTag] = []
    ) -> IRCMessage {
        var tags = [IRCTag("msgid", post.msgid), IRCTag("time", UTCTimestamp.format(post.createdAt))] + clientTags
        if let replyTo { tags.append(IRCTag("+draft/reply", replyTo)) }
        return IRCMessage(tags: tags, source: source, command: command, parameters: [post.board, post.text])
    }

    /// Relays a stored post to everyone on its board; the author's own session (when it posted
    /// from a client) only with echo-message.
    func announce(
        _ post: BoardPost, replyTo: String?, serverName: String, command: String = "PRIVMSG", clientTags: [IRCTag] = [],
        from author: SessionHandle? = nil
    ) {
        let nick = author?.nick ?? post.authorNick
        let message = Self.message(
            post, replyTo: replyTo, source: "\(nick)!\(nick)@\(serverName)", command: command, clientTags: clientTags)
        for member in members(post.board) where member !== author || member.flags.echoMessage {
            member.send(message)
        }
    }

    /// Sends to everyone joined, but `except`.
    func broadcast(_ message: IRCMessage, to channel: String, except: SessionHandle? = nil) {
        for member in members(channel) where member !== except { member.send(message) }
    }
}
