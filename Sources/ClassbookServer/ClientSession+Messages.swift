import ClassbookBot
import ClassbookDomain
import ClassbookText
import Foundation
import IRC

/// PRIVMSG and NOTICE between people, to the bot and to channels; read markers.
///
/// A message to a nick reaches every session of its account; what a session sends is echoed to
/// the account's other sessions (and to itself with echo-message), so each device shows the
/// whole conversation. Who may write to whom is the access table's (`writeTo`): a target one may
/// not write to is answered as a nick that does not exist.
extension ClientSession {
    func handleMessage(_ message: IRCMessage, notice: Bool) async {
        guard let target = message.parameters.first else {
            if !notice { reply(.noRecipient, "No recipient given (\(message.command))") }
            return
        }
        guard message.parameters.count >= 2, !message.parameters[1].isEmpty else {
            if !notice { reply(.noTextToSend, "No text to send") }
            return
        }
        let text = message.parameters[1]
        // The message as others (and an echo) see it; built only when someone will.
        func relay() -> IRCMessage {
            var tags = [IRCTag("msgid", ServerContext.messageID()), IRCTag("time", UTCTimestamp.now())]
            if let login = handle.login { tags.append(IRCTag("account", login)) }
            tags += message.tags.filter { $0.key.hasPrefix("+") }
            return IRCMessage(tags: tags, source: userSource, command: message.command, parameters: [target, text])
        }

        if notice, text.hasPrefix("\u{1}VERSION "), target == context.configuration.serverName {
            // The client's answer to the CTCP VERSION asked at registration.
            let version = text.dropFirst(9).prefix { $0 != "\u{1}" }
            handle.updateDevice { $0.client = String(version.prefix(80)) }
            return
        }
        if SessionRegistry.sameNick(target, context.configuration.botNick) {
            // A new password or an app password stays on the device that typed it.
            if !notice && !text.hasPrefix("\u{1}") && !context.bot.isConfidential(text) { echo(relay()) }
            // Never answer a NOTICE, nor a CTCP request.
            guard !notice, !text.hasPrefix("\u{1}") else { return }
            deliverBotReply(await measured { await context.bot.respond(to: text, from: principal) })
            return
        }
        if target.hasPrefix("#") {
            await handleChannelMessage(message, target: target, text: text, notice: notice)
            return
        }
        let recipients = context.registry.sessions(nick: target)
        guard await mayWrite(toNick: target, recipients: recipients) else {
            if !notice { reply(.noSuchNick, target, "No such nick/channel") }
            return
        }
        guard !recipients.isEmpty else {
            await keepForLater(text, to: target, relayed: relay(), notice: notice)
            return
        }
        let relayed = relay()
        if let account = recipients[0].account, let login = recipients[0].login {
            await keepInHistory(relayed, to: account, login: login)
        }
        for recipient in recipients where recipient !== handle { recipient.send(relayed) }
        // To one's own nick the other devices were recipients already.
        if recipients.contains(where: { $0 === handle }) {
            if handle.flags.echoMessage { send(relayed) }
        } else {
            echo(relayed)
        }
        if !notice, let away = recipients.awayText { reply(.away, recipients[0].target, away) }
    }

    /// Runs a bot command and counts it (`classbook_commands_total` by name and outcome, and its
    /// latency) under the name the bot found, or `unknown`.
    func measured(_ run: () async -> BotReply) async -> BotReply {
        let start = ContinuousClock.now
        let answer = await run()
        let outcome: ServerMetrics.Outcome = answer.isFailure ? .failed : answer.isRefusal ? .refused : .ok
        context.metrics.recordCommand(
            answer.command ?? "unknown", outcome: outcome, duration: ContinuousClock.now - start)
        return answer
    }

    /// What this session sent, for the account's other devices, and for itself with echo-message;
    /// built only when someone will see it (most messages to the bot: no one).
    func echo(_ message: @autoclosure () -> IRCMessage) {
        let siblings = self.siblings
        let echoes = handle.flags.echoMessage
        guard echoes || !siblings.isEmpty else { return }
        let message = message()
        if echoes { send(message) }
        for sibling in siblings { sibling.send(message) }
    }

    /// The who-may-write rule for a nick: guests write only to the bot; a person to whom the
    /// account may write (a connected guest is reachable by staff only).
    func mayWrite(toNick target: String, recipients: [SessionHandle]) async -> Bool {
        guard let principal else { return false }
        var account = recipients.first?.account
        if account == nil, recipients.isEmpty { account = (try? await accountNamed(target))?.id }
        if let account {
            // To one's own nick (one's other devices): no one else's account to read.
            if account == principal.account.id { return true }
            guard let person = try? await context.accounts.accounts.account(id: account) else { return false }
            return (try? await context.conversations.mayWrite(principal, to: person)) == true
        }
        return !recipients.isEmpty && AccessPolicy.allows(.writeTo, for: principal.account.roles, relations: [])
    }

    /// The account whose nick (login) this is, if any.
    func accountNamed(_ nick: String) async throws -> Account? {
        let login = nick.lowercased()
        guard LoginRules.isValid(login) else { return nil }
        return try await context.messaging.account(login: login)
    }

    /// A message to an account none of whose devices is connected here: on another node it is
    /// kept in the history, which that node relays live (`FeedFollower`); else it is kept and
    /// delivered at its next login (the sender is told with 301).
    private func keepForLater(_ text: String, to target: String, relayed: IRCMessage, notice: Bool) async {
        guard let account = try? await accountNamed(target) else {
            if !notice { reply(.noSuchNick, target, "No such nick/channel") }
            return
        }
        if await remoteSessionCount(account) > 0 {
            await keepInHistory(relayed, to: account.id, login: account.login)
            echo(relayed)
            return
        }
        guard !notice else { return }
        do {
            await keepInHistory(relayed, to: account.id, login: account.login)
            try await context.outbox.send([text], to: account.id, source: userSource, msgid: relayed.tag("msgid"))
            echo(relayed)
            if context.registry.sessions(of: account.id).isEmpty {
                reply(.away, account.login, language.t("server.offlineMessageWillDelivered"))
            }
        } catch {
            context.logger.error("cannot keep a message: \(error)")
            reply(.noSuchNick, target, "No such nick/channel")
        }
    }

    /// Keeps a message between two people (not to oneself, not a guest's) with the id and time
    /// its devices see, for each device to fetch what it missed (`CHATHISTORY` of a nick). A
    /// failure is logged: the message still goes out.
    private func keepInHistory(_ relayed: IRCMessage, to account: AccountID, login: String) async {
        guard let principal, account != principal.account.id, let msgid = relayed.tag("msgid") else { return }
        let sentAt = relayed.tag("time").flatMap(UTCTimestamp.parse) ?? Date()
        do {
            try await context.messaging.recordDirect(
                DirectMessage(
                    msgid: msgid, sender: principal.account.id, senderLogin: principal.account.login,
                    recipient: account, recipientLogin: login,
                    command: relayed.command, text: relayed.parameters[1], sentAt: sentAt))
        } catch {
            context.logger.error("cannot keep a message in history: \(error)", metadata: ["session": "\(handle.id)"])
        }
    }

    // MARK: Read markers

    /// `MARKREAD target [timestamp=…]`: sets (only forward) or asks how far the account has read
    /// a conversation; every device of the account that asked for `draft/read-marker` is told.
    func handleMarkRead(_ message: IRCMessage) async {
        let target = message.parameters[0]
        guard let principal else { return fail("MARKREAD", "ACCOUNT_REQUIRED", target, "Log in to keep read markers") }
        do {
            guard message.parameters.count > 1 else {
                let marker = try await context.conversations.readMarker(of: principal, in: target)
                send(markRead(target, marker))
                return
            }
            let argument = message.parameters[1]
            guard argument.hasPrefix("timestamp="), let date = UTCTimestamp.parse(String(argument.dropFirst(10))) else {
                return fail("MARKREAD", "INVALID_PARAMS", target, "Give timestamp=YYYY-MM-DDThh:mm:ss.sssZ")
            }
            let marker = try await context.conversations.markRead(target, at: date, for: principal)
            for session in [handle] + siblings where session.flags.readMarker { session.send(markRead(target, marker)) }
        } catch {
            context.logger.error("cannot keep a read marker: \(error)")
            fail("MARKREAD", "INTERNAL_ERROR", target, "Cannot keep the read marker now")
        }
    }

    func markRead(_ target: String, _ marker: Date?) -> IRCMessage {
        IRCMessage(
            source: context.configuration.serverName, command: "MARKREAD",
            parameters: [target, marker.map { "timestamp=" + UTCTimestamp.format($0) } ?? "*"])
    }
}

extension [SessionHandle] {
    /// The away text of a nick: its account is away when every one of its sessions is.
    var awayText: String? {
        let texts = map(\.away)
        guard !texts.isEmpty, texts.allSatisfy({ $0 != nil }) else { return nil }
        return texts.last!
    }
}
