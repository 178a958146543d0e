import ClassbookDomain
import Foundation
import IRC

/// `CHATHISTORY` (IRCv3 draft/chathistory): what a device missed, with the ids and times the
/// other devices saw.
///
/// - A board or room (`#…`): its posts, by `msgid=` reference.
/// - A person's nick: the messages between the two of them (`direct_messages`), by `timestamp=`.
/// - The bot: what it sent unasked — notifications, letters, digests (the outbox), by `timestamp=`.
///   Its answers to commands are not kept: they are asked again.
/// - `TARGETS timestamp=… timestamp=… N`: the people (and the bot) one exchanged messages with
///   between the two moments, newest first.
///
/// At most 100 a request; in a `chathistory` batch for clients that asked for `batch`.
extension ClientSession {
    func handleChatHistory(_ message: IRCMessage) async {
        let subcommand = message.parameters[0].uppercased()
        let target = message.parameters[1]
        func fail(_ code: String, _ text: String) {
            self.fail("CHATHISTORY", code, subcommand, target, text)
        }
        if subcommand == "TARGETS" { return await historyTargets(message) }
        guard ["LATEST", "BEFORE", "AFTER"].contains(subcommand) else {
            return fail("INVALID_PARAMS", "Unsupported subcommand")
        }
        let limit = Self.historyLimit(message)
        let reference = message.parameters[2]
        guard target.hasPrefix("#") else {
            return await directHistory(subcommand, target: target, reference: reference, limit: limit, fail: fail)
        }
        guard let channel = await memberChannel(target, refuse: false) else {
            return fail("INVALID_TARGET", "Not a channel of yours")
        }
        var anchor: Int64?
        if reference != "*" {
            guard reference.hasPrefix("msgid="),
                let post = try? await context.boards.boards.post(msgid: String(reference.dropFirst(6))),
                post.board == channel.name
            else { return fail("INVALID_MSGREFTYPE", "Give * or msgid=…") }
            anchor = post.id
        } else if subcommand != "LATEST" {
            return fail("INVALID_PARAMS", "BEFORE and AFTER need msgid=…")
        }
        do {
            let posts = try await context.boards.boards.history(
                board: channel.name, before: subcommand == "AFTER" ? nil : anchor,
                after: subcommand == "AFTER" ? anchor : nil, limit: limit)
            var messages: [IRCMessage] = []
            for post in posts {
                let root: BoardPost? =
                    if let thread = post.threadID { try await context.boards.boards.post(id: thread) } else { nil }
                messages.append(
                    ChannelRegistry.message(
                        post, replyTo: root?.msgid,
                        source: "\(post.authorNick)!\(post.authorNick)@\(context.configuration.serverName)"))
            }
            sendHistory(messages, of: channel.name)
        } catch {
            fail("MESSAGE_ERROR", "Cannot read the history")
        }
    }

    /// The history of a conversation with a person or the bot, by `timestamp=` (or `*`).
    private func directHistory(
        _ subcommand: String, target: String, reference: String, limit: Int,
        fail: (String, String) -> Void
    ) async {
        guard let principal else { return fail("INVALID_TARGET", "Log in to read your conversations") }
        var moment: Date?
        if reference != "*" {
            guard reference.hasPrefix("timestamp="), let date = UTCTimestamp.parse(String(reference.dropFirst(10)))
            else {
                return fail("INVALID_MSGREFTYPE", "Give * or timestamp=…")
            }
            moment = date
        } else if subcommand != "LATEST" {
            return fail("INVALID_PARAMS", "BEFORE and AFTER need timestamp=…")
        }
        // LATEST after a moment: the newest since then (what a device that was away missed).
        let window: HistoryWindow =
            switch (subcommand, moment) {
            case ("BEFORE", let moment?): .latest(before: moment)
            case (_, let moment?): .after(moment)
            default: .latest(before: nil)
            }
        do {
            if SessionRegistry.sameNick(target, context.configuration.botNick) {
                let kept = try await context.outbox.duties.botHistory(
                    for: principal.account.id, window, limit: limit, now: context.outbox.clock.now())
                return sendHistory(
                    kept.flatMap { context.outbox.messages($0, to: nick) }, of: context.configuration.botNick)
            }
            guard let other = try await accountNamed(target) else { return fail("INVALID_TARGET", "No such person") }
            let kept = try await context.messaging.directHistory(
                between: principal.account.id, and: other.id, window, limit: limit)
            sendHistory(
                kept.map { message in
                    IRCMessage(
                        tags: [IRCTag("msgid", message.msgid), IRCTag("time", UTCTimestamp.format(message.sentAt))],
                        source: "\(message.senderLogin)!\(message.senderLogin)@\(context.cloakedHost)",
                        command: message.command,
                        parameters: [message.recipientLogin, message.text])
                }, of: other.login)
        } catch {
            fail("MESSAGE_ERROR", "Cannot read the history")
        }
    }

    /// `CHATHISTORY TARGETS timestamp=A timestamp=B N`: whom one exchanged messages with between
    /// A and B (the bot for what it sent unasked), each with its latest message's time.
    private func historyTargets(_ message: IRCMessage) async {
        func fail(_ code: String, _ text: String) {
            self.fail("CHATHISTORY", code, "TARGETS", text)
        }
        guard let principal else { return fail("INVALID_TARGET", "Log in to read your conversations") }
        let bounds = message.parameters.dropFirst().prefix(2).map {
            $0.hasPrefix("timestamp=") ? UTCTimestamp.parse(String($0.dropFirst(10))) : nil
        }
        guard bounds.count == 2, let first = bounds[0], let second = bounds[1] else {
            return fail("INVALID_PARAMS", "Give timestamp=… timestamp=…")
        }
        let (from, to) = (min(first, second), max(first, second))
        let limit = Self.historyLimit(message)
        do {
            var targets = try await context.messaging.directPartners(
                of: principal.account.id, from: from, to: to, limit: limit)
            if let latest = try await context.outbox.duties.botHistory(
                for: principal.account.id, .latest(before: to), limit: 1, now: context.outbox.clock.now()
            ).last,
                latest.createdAt > from
            {
                targets.append((context.configuration.botNick, latest.createdAt))
                targets.sort { $0.latest > $1.latest }
            }
            let server = context.configuration.serverName
            sendHistory(
                targets.prefix(limit).map {
                    IRCMessage(
                        source: server, command: "CHATHISTORY",
                        parameters: ["TARGETS", $0.login, "timestamp=" + UTCTimestamp.format($0.latest)])
                }, of: nil)
        } catch {
            fail("MESSAGE_ERROR", "Cannot read the history")
        }
    }

    /// The N of a CHATHISTORY request (its fourth parameter): 1 to 100, 50 when absent or not a number.
    private static func historyLimit(_ message: IRCMessage) -> Int {
        min(100, max(1, Int(message.parameters.count > 3 ? message.parameters[3] : "50") ?? 50))
    }

    /// History lines, in a batch (`chathistory` of `target`, or `draft/chathistory-targets`) for
    /// clients that asked for `batch`.
    private func sendHistory(_ messages: [IRCMessage], of target: String?) {
        guard handle.has("batch") else { return send(messages) }
        let server = context.configuration.serverName
        let reference = String(ServerContext.messageID().prefix(10))
        let open = target.map { ["+" + reference, "chathistory", $0] } ?? ["+" + reference, "draft/chathistory-targets"]
        send(
            [IRCMessage(source: server, command: "BATCH", parameters: open)]
                + messages.map {
                    var message = $0; message.tags.insert(IRCTag("batch", reference), at: 0); return message
                }
                + [IRCMessage(source: server, command: "BATCH", parameters: ["-" + reference])])
    }
}
