import ClassbookDomain
import Foundation
import IRC
import Logging

/// Messages from the bot that must reach a person whether or not they are connected: they are
/// stored first (durably), then sent to every session of the account; what finds no session
/// waits for the next login and is delivered then, in order, with its original time.
struct Outbox: Sendable {
    let duties: any DutiesRepository
    let registry: SessionRegistry
    let clock: any SchoolClock
    let botSource: String
    let logger: Logger

    func recordLogin(_ account: AccountID) async {
        do {
            try await duties.recordLogin(account, at: clock.now())
        } catch {
            logger.error("cannot record a login: \(error)")
        }
    }

    /// Stores lines for an account and delivers them now if the person is connected (and the
    /// message is not held until `deliverAfter`). `source` is a person's `nick!user@host`; nil for the bot.
    func send(
        _ lines: [String], to account: AccountID, source: String? = nil, deliverAfter: Date? = nil, msgid: String? = nil
    ) async throws {
        try await duties.enqueue(
            lines, for: account, at: clock.now(), source: source, deliverAfter: deliverAfter, msgid: msgid)
        if deliverAfter == nil { await deliverPending(to: account) }
    }

    /// Delivers held messages whose moment has come to whoever of their recipients is connected.
    func deliverDue() async {
        do {
            for account in try await duties.accountsWithDueMessages(at: clock.now()) {
                await deliverPending(to: account)
            }
        } catch {
            logger.error("cannot deliver held messages: \(error)")
        }
    }

    /// Sends what waits for the account to its sessions and marks it delivered.
    func deliverPending(to account: AccountID) async {
        let sessions = registry.sessions(of: account)
        guard !sessions.isEmpty else { return }
        do {
            let pending = try await duties.pendingMessages(for: account, at: clock.now())
            guard !pending.isEmpty else { return }
            for session in sessions {
                session.send(pending.flatMap { messages($0, to: session.target) })
            }
            try await duties.markDelivered(pending.map(\.id), at: clock.now())
        } catch {
            logger.error("cannot deliver pending messages: \(error)")
        }
    }
}

extension Outbox {
    /// A kept message as the lines a session is sent, live or from history (`CHATHISTORY`): the
    /// same ids either way (the message's own, then `.1`, `.2` for the lines it is split into),
    /// so a device that fetches what it missed can tell what it already has.
    func messages(_ message: OutboxMessage, to target: String) -> [IRCMessage] {
        var messages: [IRCMessage] = []
        for line in message.text.split(separator: "\n", omittingEmptySubsequences: false) {
            messages += BotText.messages(
                String(line), from: message.source ?? botSource, to: target, time: message.createdAt, ids: false)
        }
        for index in messages.indices {
            messages[index].tags.insert(
                IRCTag("msgid", index == 0 ? message.msgid : "\(message.msgid).\(index)"), at: 0)
        }
        return messages
    }
}

/// Bot text as PRIVMSGs, split so that every line fits IRC's 512 bytes.
enum BotText {
    /// `ids: false` for a client that did not negotiate message-tags, which would be sent none.
    static func messages(_ text: String, from source: String, to target: String, time: Date? = nil, ids: Bool = true)
        -> [IRCMessage]
    {
        IRCTextSplitter.split(text, maxBytes: budget(from: source, to: target)).map { piece in
            var tags: [IRCTag] = []
            if ids { tags.append(IRCTag("msgid", ServerContext.messageID())) }
            if let time { tags.append(IRCTag("time", UTCTimestamp.format(time))) }
            return IRCMessage(tags: tags, source: source, command: "PRIVMSG", parameters: [target, piece])
        }
    }

    /// The bytes of text one line holds: 512 less ":source PRIVMSG target :" and CR LF.
    static func budget(from source: String, to target: String) -> Int {
        IRCLimits.bodyBytes - 2 - (source.utf8.count + target.utf8.count + 12)
    }
}
