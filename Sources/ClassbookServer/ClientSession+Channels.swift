import ClassbookDomain
import ClassbookText
import Foundation
import IRC

/// A channel as IRC sees it: a board (membership is the school's) or a room (membership by
/// invitation, its creator the operator).
struct ChatChannel {
    enum Kind {
        case board(Board)
        case room(Room)
    }

    var kind: Kind

    var name: String {
        switch kind {
        case .board(let board): board.name
        case .room(let room): room.name
        }
    }

    var modes: String {
        switch kind {
        case .board: "+nt"
        case .room: "+int"
        }
    }

    var createdAt: Date? {
        if case .room(let room) = kind { return room.createdAt }
        return nil
    }
}

/// Boards and rooms as channels: JOIN (which opens a room on a free name), PART, TOPIC, NAMES,
/// INVITE, LIST, messages to a channel (stored as posts, a `+draft/reply` tag making a reply in a
/// thread) and `draft/chathistory`. Membership of what is joined is the account's: a JOIN or PART
/// on one device shows on all of them.
extension ClientSession {
    /// The board or room a channel name names, if the person is a member; answers the refusal otherwise.
    func memberChannel(_ name: String, refuse: Bool = true) async -> ChatChannel? {
        guard let principal else {
            if refuse { reply(.noSuchChannel, name, "No such channel") }
            return nil
        }
        if let board = try? await context.boards.board(named: name) {
            guard (try? await context.boards.isMember(principal, of: board)) == true else {
                if refuse {
                    reply(.inviteOnlyChannel, board.name, "Cannot join channel (+i) — not a member of this board")
                }
                return nil
            }
            return ChatChannel(kind: .board(board))
        }
        if let room = try? await context.conversations.room(named: name) {
            guard (try? await context.conversations.membership(of: principal, in: room)) != nil else {
                if refuse { reply(.inviteOnlyChannel, room.name, "Cannot join channel (+i) — you must be invited") }
                return nil
            }
            return ChatChannel(kind: .room(room))
        }
        if refuse { reply(.noSuchChannel, name, "No such channel") }
        return nil
    }

    /// The accounts shown with `@`: a room's operators.
    func channelOperators(_ channel: ChatChannel) async -> Set<AccountID> {
        guard case .room(let room) = channel.kind, let members = try? await context.conversations.members(of: room)
        else { return [] }
        return Set(members.filter(\.isOperator).map(\.account))
    }

    /// This device and the account's others.
    private var accountSessions: [SessionHandle] { [handle] + siblings }

    func handleJoin(_ message: IRCMessage) async {
        if message.parameters[0] == "0" {
            for channel in context.channels.channels(of: handle) { await leave(channel, reason: nil) }
            return
        }
        for name in message.parameters[0].split(separator: ",").map(String.init) {
            var channel = await memberChannel(name, refuse: false)
            if channel == nil {
                channel = await openRoom(name)
                if channel == nil { continue }
            }
            await join(channel!, sessions: accountSessions)
        }
    }

    /// `JOIN #name` on a name no board or room has: a new room, this person its operator.
    private func openRoom(_ name: String) async -> ChatChannel? {
        guard let principal else {
            reply(.noSuchChannel, name, "No such channel")
            return nil
        }
        let board = try? await context.boards.board(named: name)
        let room = try? await context.conversations.room(named: name)
        if board != nil || room != nil {
            _ = await memberChannel(name)  // answers 473
            return nil
        }
        do {
            return ChatChannel(kind: .room(try await context.conversations.createRoom(name, for: principal)))
        } catch ConversationService.RoomError.notAllowed {
            reply(.noSuchChannel, name, language.t("server.suchChannelSchoolDoes"))
        } catch {
            reply(.noSuchChannel, name, "No such channel")
        }
        return nil
    }

    /// Joins `sessions` (devices of one account) to a channel: each is sent the JOIN, topic,
    /// read marker and names; everyone else on the channel sees one JOIN, when the first joins.
    func join(_ channel: ChatChannel, sessions: [SessionHandle]) async {
        let name = channel.name
        let wasPresent = sessions.contains { context.channels.isJoined(name, $0) }
        let joined = sessions.filter { context.channels.join(name, $0) }
        guard !joined.isEmpty else { return }
        let source = userSource
        if !wasPresent {
            for member in context.channels.members(name) where !sessions.contains(where: { $0 === member }) {
                member.send(joinMessage(source: source, channel: name, for: member))
            }
        }
        let topic = try? await context.boards.boards.topic(board: name)
        let marker: Date?? =
            if let principal, sessions.contains(where: \.flags.readMarker) {
                try? await context.conversations.readMarker(of: principal, in: name)
            } else { nil }
        let operators = await channelOperators(channel)
        for session in joined {
            var messages = [joinMessage(source: source, channel: name, for: session)]
            if let topic {
                messages.append(context.numeric(.topic, session.target, name, topic.text))
                messages.append(
                    context.numeric(
                        .topicWhoTime, session.target, name, topic.setBy, String(Int(topic.at.timeIntervalSince1970))))
            }
            if session.flags.readMarker, let marker { messages.append(markRead(name, marker)) }
            messages += names(name, operators: operators, for: session)
            session.send(messages)
        }
    }

    /// JOIN as a member sees it: with the account and realname for `extended-join`.
    private func joinMessage(source: String, channel: String, for recipient: SessionHandle) -> IRCMessage {
        guard recipient.flags.extendedJoin else {
            return IRCMessage(source: source, command: "JOIN", parameters: [channel])
        }
        return IRCMessage(
            source: source, command: "JOIN", parameters: [channel, handle.login ?? "*", handle.device.realname])
    }

    /// At registration: a new device of an account joins what the account's other devices have
    /// joined, and the rooms the account is a member of.
    func joinAccountChannels() async {
        guard let principal else { return }
        var names = Set<String>()
        for sibling in siblings {
            for name in context.channels.channels(of: sibling) where names.insert(name).inserted {
                if let channel = await memberChannel(name, refuse: false) { await join(channel, sessions: [handle]) }
            }
        }
        for room in (try? await context.conversations.rooms(of: principal)) ?? [] where !names.contains(room.name) {
            await join(ChatChannel(kind: .room(room)), sessions: accountSessions)
        }
    }

    func handlePart(_ message: IRCMessage) async {
        for name in message.parameters[0].split(separator: ",").map(String.init) {
            let canonical = await memberChannel(name, refuse: false)?.name ?? name
            guard context.channels.isJoined(canonical, handle) else {
                reply(.notOnChannel, name, "You're not on that channel")
                continue
            }
            await leave(canonical, reason: message.parameters.dropFirst(1).first)
        }
    }

    /// Every device of the account leaves the channel; leaving a room ends the membership.
    private func leave(_ name: String, reason: String?) async {
        let part = IRCMessage(source: userSource, command: "PART", parameters: [name] + (reason.map { [$0] } ?? []))
        context.channels.broadcast(part, to: name)
        for session in accountSessions { _ = context.channels.part(name, session) }
        if let principal, let room = try? await context.conversations.room(named: name) {
            try? await context.conversations.leave(room, for: principal)
        }
    }

    /// 353 lines and 366: each nick once (an account's devices are one person), `@` for a room's
    /// operators, `nick!user@host` for clients that asked for `userhost-in-names`.
    private func names(_ channel: String, operators: Set<AccountID>, for recipient: SessionHandle) -> [IRCMessage] {
        var seen = Set<String>()
        var entries: [String] = []
        for member in context.channels.members(channel) {
            guard let nick = member.nick, seen.insert(SessionRegistry.fold(nick)).inserted else { continue }
            let prefix = member.account.map(operators.contains) == true ? "@" : ""
            entries.append(
                prefix
                    + (recipient.flags.userhostInNames
                        ? "\(nick)!\(member.device.username)@\(context.cloakedHost)" : nick))
        }
        var messages: [IRCMessage] = []
        for chunk in stride(from: 0, to: entries.count, by: 20) {
            messages.append(
                context.numeric(
                    .namesReply, recipient.target, "=", channel,
                    entries[chunk..<min(entries.count, chunk + 20)].joined(separator: " ")))
        }
        messages.append(context.numeric(.endOfNames, recipient.target, channel, "End of /NAMES list"))
        return messages
    }

    func handleNames(_ message: IRCMessage) async {
        for name in message.parameters[0].split(separator: ",").map(String.init) {
            // Only members see who is there; to others a channel looks empty.
            if let channel = await memberChannel(name, refuse: false) {
                send(names(channel.name, operators: await channelOperators(channel), for: handle))
            } else {
                reply(.endOfNames, name, "End of /NAMES list")
            }
        }
    }

    func handleTopic(_ message: IRCMessage) async {
        let name = message.parameters[0]
        guard let principal, let channel = await memberChannel(name, refuse: false) else {
            reply(.notOnChannel, name, "You're not on that channel")
            return
        }
        guard message.parameters.count >= 2 else {
            if let topic = try? await context.boards.boards.topic(board: channel.name) {
                reply(.topic, channel.name, topic.text)
                reply(.topicWhoTime, channel.name, topic.setBy, String(Int(topic.at.timeIntervalSince1970)))
            } else {
                reply(.noTopic, channel.name, "No topic is set")
            }
            return
        }
        let mayChange: Bool =
            switch channel.kind {
            case .board(let board): (try? await context.boards.mayModerate(principal, board)) == true
            case .room: await channelOperators(channel).contains(principal.account.id)
            }
        guard mayChange else {
            reply(.chanOpPrivilegesNeeded, channel.name, "You're not a moderator of this channel")
            return
        }
        let text = String(message.parameters[1].prefix(300))
        do {
            try await context.boards.boards.setTopic(
                board: channel.name, text: text, setBy: nick,
                context: AuditContext(principal: principal, at: context.boards.journal.clock.now()))
            let change = IRCMessage(source: userSource, command: "TOPIC", parameters: [channel.name, text])
            context.channels.broadcast(change, to: channel.name)
            if !context.channels.isJoined(channel.name, handle) { send(change) }
        } catch {
            context.logger.error("cannot set a topic: \(error)")
        }
    }

    /// `INVITE nick #room`: the room's operator adds a member, one they may write to (401 for
    /// anyone else, as for a nick that does not exist). 341 to the inviter, INVITE to every device
    /// of the invitee; an invitee who is offline finds the room joined at the next login.
    func handleInvite(_ message: IRCMessage) async {
        let (target, name) = (message.parameters[0], message.parameters[1])
        guard let principal, let channel = await memberChannel(name, refuse: false) else {
            reply(.notOnChannel, name, "You're not on that channel")
            return
        }
        guard case .room(let room) = channel.kind else {
            reply(.chanOpPrivilegesNeeded, channel.name, "Board membership is the school's: no one invites")
            return
        }
        guard let invitee = try? await accountNamed(target) else {
            reply(.noSuchNick, target, "No such nick/channel")
            return
        }
        do {
            try await context.conversations.invite(invitee, to: room, by: principal)
        } catch ConversationService.RoomError.notOperator {
            return reply(.chanOpPrivilegesNeeded, room.name, "You're not channel operator")
        } catch ConversationService.RoomError.alreadyMember {
            return reply(.userOnChannel, invitee.login, room.name, "is already on channel")
        } catch {
            return reply(.noSuchNick, target, "No such nick/channel")
        }
        reply(.inviting, invitee.login, room.name)
        let invitation = IRCMessage(source: userSource, command: "INVITE", parameters: [invitee.login, room.name])
        for session in context.registry.sessions(of: invitee.id) { session.send(invitation) }
    }

    /// The boards and rooms the person is a member of, with how many are there and the topic.
    func handleList(_ message: IRCMessage) async {
        guard let principal else { return reply(.listEnd, "End of /LIST") }
        var channels = ((try? await context.boards.boards(of: principal)) ?? []).map { ChatChannel(kind: .board($0)) }
        channels += ((try? await context.conversations.rooms(of: principal)) ?? []).map { ChatChannel(kind: .room($0)) }
        reply(.listStart, "Channel", "Users  Name")
        for channel in channels {
            let present = Set(context.channels.members(channel.name).compactMap(\.nick).map(SessionRegistry.fold)).count
            let topic = (try? await context.boards.boards.topic(board: channel.name))?.text ?? ""
            reply(.list, channel.name, String(present), topic)
        }
        reply(.listEnd, "End of /LIST")
    }

    func handleChannelMessage(_ message: IRCMessage, target: String, text: String, notice: Bool) async {
        guard let principal, let channel = await memberChannel(target, refuse: false) else {
            if !notice { reply(.cannotSendToChannel, target, "Cannot send to channel: not a member") }
            return
        }
        guard context.channels.isJoined(channel.name, handle) else {
            if !notice { reply(.cannotSendToChannel, channel.name, "Cannot send to channel: JOIN it first") }
            return
        }
        let reference: BoardPost? =
            if let msgid = message.tag("+draft/reply") { try? await context.boards.boards.post(msgid: msgid) } else {
                nil
            }
        let parent = reference?.board == channel.name ? reference : nil
        do {
            let post: BoardPost =
                switch channel.kind {
                case .board(let board):
                    try await context.boards.post(
                        text, on: board, replyTo: parent, title: nil, nick: nick, msgid: ServerContext.messageID(),
                        for: principal)
                case .room(let room):
                    try await context.conversations.post(
                        text, in: room, replyTo: parent, nick: nick, msgid: ServerContext.messageID(), for: principal)
                }
            announce(
                post, replyTo: parent?.msgid, command: message.command,
                clientTags: message.tags.filter { $0.key.hasPrefix("+") && $0.key != "+draft/reply" })
        } catch {
            reply(.cannotSendToChannel, channel.name, "Cannot send to channel")
        }
    }

    /// Relays a stored post to everyone on the channel (the author's device too with echo-message).
    func announce(_ post: BoardPost, replyTo: String?, command: String = "PRIVMSG", clientTags: [IRCTag] = []) {
        context.channels.announce(
            post, replyTo: replyTo, serverName: context.configuration.serverName, command: command,
            clientTags: clientTags, from: handle)
    }
}
