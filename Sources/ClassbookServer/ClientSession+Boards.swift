import ClassbookDomain
import Foundation
import IRC

/// Boards as channels: JOIN, PART, TOPIC, NAMES, messages to a board (stored as posts, a
/// `+draft/reply` tag making a reply in a thread) and `draft/chathistory`.
extension ClientSession {
    /// The board a channel name names, if the person is a member; answers the refusal otherwise.
    private func memberBoard(_ name: String, refuse: Bool = true) async -> Board? {
        guard let principal, let board = try? await context.boards.board(named: name) else {
            if refuse { reply(.noSuchChannel, name, "No such channel") }
            return nil
        }
        guard (try? await context.boards.isMember(principal, of: board)) == true else {
            if refuse { reply(.inviteOnlyChannel, board.name, "Cannot join channel (+i) — not a member of this board") }
            return nil
        }
        return board
    }

    func handleJoin(_ message: IRCMessage) async {
        if message.parameters[0] == "0" {
            for channel in context.channels.leaveAll(handle) {
                context.channels.broadcast(IRCMessage(source: userSource, command: "PART", parameters: [channel]), to: channel)
                send(IRCMessage(source: userSource, command: "PART", parameters: [channel]))
            }
            return
        }
        for name in message.parameters[0].split(separator: ",").map(String.init) {
            guard let board = await memberBoard(name) else { continue }
            guard context.channels.join(board.name, handle) else { continue }
            context.channels.broadcast(IRCMessage(source: userSource, command: "JOIN", parameters: [board.name]), to: board.name)
            if let topic = try? await context.boards.boards.topic(board: board.name) {
                reply(.topic, board.name, topic.text)
                reply(.topicWhoTime, board.name, topic.setBy, String(Int(topic.at.timeIntervalSince1970)))
            }
            sendNames(board.name)
        }
    }

    func handlePart(_ message: IRCMessage) async {
        for name in message.parameters[0].split(separator: ",").map(String.init) {
            let canonical = (try? await context.boards.board(named: name))?.name ?? name
            let part = IRCMessage(source: userSource, command: "PART", parameters: [canonical] + message.parameters.dropFirst(1).prefix(1))
            guard context.channels.isJoined(canonical, handle) else {
                reply(.notOnChannel, name, "You're not on that channel")
                continue
            }
            context.channels.broadcast(part, to: canonical)
            _ = context.channels.part(canonical, handle)
        }
    }

    private func sendNames(_ channel: String) {
        let nicks = context.channels.members(channel).compactMap(\.nick)
        for chunk in stride(from: 0, to: nicks.count, by: 30) {
            reply(.namesReply, "=", channel, nicks[chunk..<min(nicks.count, chunk + 30)].joined(separator: " "))
        }
        reply(.endOfNames, channel, "End of /NAMES list")
    }

    func handleNames(_ message: IRCMessage) async {
        for name in message.parameters[0].split(separator: ",").map(String.init) {
            // Only members see who is there; to others a board looks empty.
            if let board = await memberBoard(name, refuse: false) {
                sendNames(board.name)
            } else {
                reply(.endOfNames, name, "End of /NAMES list")
            }
        }
    }

    func handleTopic(_ message: IRCMessage) async {
        let name = message.parameters[0]
        guard let principal, let board = await memberBoard(name, refuse: false) else {
            reply(.notOnChannel, name, "You're not on that channel")
            return
        }
        guard message.parameters.count >= 2 else {
            if let topic = try? await context.boards.boards.topic(board: board.name) {
                reply(.topic, board.name, topic.text)
                reply(.topicWhoTime, board.name, topic.setBy, String(Int(topic.at.timeIntervalSince1970)))
            } else {
                reply(.noTopic, board.name, "No topic is set")
            }
            return
        }
        guard (try? await context.boards.mayModerate(principal, board)) == true else {
            reply(.chanOpPrivilegesNeeded, board.name, "You're not a moderator of this board")
            return
        }
        let text = String(message.parameters[1].prefix(300))
        do {
            try await context.boards.boards.setTopic(board: board.name, text: text, setBy: nick,
                                                     context: AuditContext(principal: principal, at: context.boards.journal.clock.now()))
            context.channels.broadcast(IRCMessage(source: userSource, command: "TOPIC", parameters: [board.name, text]), to: board.name)
            if !context.channels.isJoined(board.name, handle) {
                send(IRCMessage(source: userSource, command: "TOPIC", parameters: [board.name, text]))
            }
        } catch {
            context.logger.error("cannot set a topic: \(error)")
        }
    }

    func handleChannelMessage(_ message: IRCMessage, target: String, text: String, notice: Bool) async {
        guard let principal, let board = await memberBoard(target, refuse: false) else {
            if !notice { reply(.cannotSendToChannel, target, "Cannot send to channel: not a member of this board") }
            return
        }
        guard context.channels.isJoined(board.name, handle) else {
            if !notice { reply(.cannotSendToChannel, board.name, "Cannot send to channel: JOIN it first") }
            return
        }
        let parent: BoardPost? = if let reference = message.tag("+draft/reply") { try? await context.boards.boards.post(msgid: reference) } else { nil }
        do {
            let post = try await context.boards.post(text, on: board, replyTo: parent?.board == board.name ? parent : nil, title: nil, nick: nick,
                                                     msgid: ServerContext.messageID(), for: principal)
            announce(post, replyTo: parent?.board == board.name ? parent?.msgid : nil, command: message.command,
                     clientTags: message.tags.filter { $0.key.hasPrefix("+") && $0.key != "+draft/reply" })
        } catch {
            reply(.cannotSendToChannel, board.name, "Cannot send to channel")
        }
    }

    /// Relays a stored post to everyone on the board (the author too with echo-message).
    func announce(_ post: BoardPost, replyTo: String?, command: String = "PRIVMSG", clientTags: [IRCTag] = []) {
        context.channels.announce(post, replyTo: replyTo, serverName: context.configuration.serverName, command: command,
                                  clientTags: clientTags, from: handle)
    }

    func handleChatHistory(_ message: IRCMessage) async {
        let subcommand = message.parameters[0].uppercased()
        let target = message.parameters[1]
        func fail(_ code: String, _ text: String) {
            send(IRCMessage(source: context.configuration.serverName, command: "FAIL",
                                   parameters: ["CHATHISTORY", code, subcommand, target, text]))
        }
        guard ["LATEST", "BEFORE", "AFTER"].contains(subcommand) else { return fail("INVALID_PARAMS", "Unsupported subcommand") }
        guard let board = await memberBoard(target, refuse: false) else { return fail("INVALID_TARGET", "Not a board of yours") }
        let limit = min(100, max(1, Int(message.parameters.count > 3 ? message.parameters[3] : "50") ?? 50))
        let reference = message.parameters[2]
        var anchor: Int64?
        if reference != "*" {
            guard reference.hasPrefix("msgid="), let post = try? await context.boards.boards.post(msgid: String(reference.dropFirst(6))),
                  post.board == board.name else { return fail("INVALID_MSGREFTYPE", "Give * or msgid=…") }
            anchor = post.id
        } else if subcommand != "LATEST" {
            return fail("INVALID_PARAMS", "BEFORE and AFTER need msgid=…")
        }
        do {
            let posts = try await context.boards.boards.history(board: board.name, before: subcommand == "AFTER" ? nil : anchor,
                                                                after: subcommand == "AFTER" ? anchor : nil, limit: limit)
            var messages: [IRCMessage] = []
            for post in posts {
                let root: BoardPost? = if let thread = post.threadID { try await context.boards.boards.post(id: thread) } else { nil }
                messages.append(ChannelRegistry.message(post, replyTo: root?.msgid,
                                                        source: "\(post.authorNick)!\(post.authorNick)@\(context.configuration.serverName)"))
            }
            if handle.has("batch") {
                let reference = String(ServerContext.messageID().prefix(10))
                messages = [IRCMessage(source: context.configuration.serverName, command: "BATCH", parameters: ["+" + reference, "chathistory", board.name])]
                    + messages.map { var m = $0; m.tags.insert(IRCTag("batch", reference), at: 0); return m }
                    + [IRCMessage(source: context.configuration.serverName, command: "BATCH", parameters: ["-" + reference])]
            }
            send(messages)
        } catch {
            fail("MESSAGE_ERROR", "Cannot read the history")
        }
    }
}
