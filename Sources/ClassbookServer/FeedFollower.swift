import ClassbookDomain
import Foundation
import IRC
import Logging

/// Acts here on what other processes serving the same store publish in its change feed: a
/// message saved for an account (from the bot, or between two people) reaches the account's
/// sessions on this node, a post reaches its channel's members on this node, and a request to
/// close sessions closes those on this node. The feed is read every `interval`
/// (a tenth of a second: a leaked password's sessions close on every node well within a
/// second); this process's own changes were acted on when it made them.
struct FeedFollower: Sendable {
    let feed: any ChangeFeed
    let outbox: Outbox
    let messaging: any MessagingRepository
    let boards: any BoardRepository
    let channels: ChannelRegistry
    let serverName: String
    let clock: any SchoolClock
    let logger: Logger
    var interval: Duration = .milliseconds(100)

    /// Follows the feed from its present end until the task is cancelled.
    func run() async {
        var last: Int64?
        while !Task.isCancelled {
            do {
                if last == nil { last = try await feed.latestSequence() }
                while let after = last {
                    let entries = try await feed.changes(after: after, limit: 500)
                    for entry in entries where entry.origin != feed.node { await apply(entry.change) }
                    last = entries.last?.sequence ?? after
                    if entries.count < 500 { break }
                }
            } catch {
                // Cancelled: the server is stopping.
                if Task.isCancelled || error is CancellationError { return }
                logger.error("cannot read the change feed: \(error)")
            }
            await feed.wait(upTo: interval)
        }
    }

    func apply(_ change: StoreChange) async {
        switch change {
        case .botMessage(let account, let id):
            let sessions = outbox.registry.sessions(of: account)
            guard !sessions.isEmpty else { return }
            do {
                // Held for quiet hours: the job that delivers held messages sends it when due.
                guard let message = try await outbox.duties.message(id, for: account, at: clock.now()) else { return }
                for session in sessions { session.send(outbox.messages(message, to: session.target)) }
                try await outbox.duties.markDelivered([id], at: clock.now())
            } catch {
                logger.error("cannot deliver message #\(id) published by another node: \(error)")
            }
        case .closeSessions(let account, let except, let reason):
            outbox.registry.close(account, except: except, reason: reason)
        case .closeSession(let account, let session, let reason):
            outbox.registry.sessions(of: account).first { $0.id == session }?.close(error: reason)
        case .directMessage(let recipient, let id):
            await relay(id, to: recipient)
        case .post(_, let msgid, let replyTo):
            do {
                guard let post = try await boards.post(msgid: msgid) else { return }
                channels.announce(post, replyTo: replyTo, serverName: serverName)
            } catch {
                logger.error("cannot read post \(msgid) published by another node: \(error)")
            }
        case .structure:
            break  // the store's own memory, dropped as its feed is read (PostgresStructureMemo)
        }
    }

    /// A message between two people sent on another node: to the recipient's sessions here, and
    /// to the sender's (their other devices show the whole conversation).
    private func relay(_ id: Int64, to recipient: AccountID) async {
        let recipients = outbox.registry.sessions(of: recipient)
        do {
            guard let message = try await messaging.directMessage(id: id) else { return }
            let senders = outbox.registry.sessions(of: message.sender)
            guard !recipients.isEmpty || !senders.isEmpty else { return }
            let relayed = IRCMessage(
                tags: [
                    IRCTag("msgid", message.msgid), IRCTag("time", UTCTimestamp.format(message.sentAt)),
                    IRCTag("account", message.senderLogin)
                ],
                source: "\(message.senderLogin)!\(message.senderLogin)@\(serverName)", command: message.command,
                parameters: [message.recipientLogin, message.text])
            for session in recipients + senders { session.send(relayed) }
        } catch {
            logger.error("cannot relay message #\(id) published by another node: \(error)")
        }
    }
}

extension NodeDirectory {
    /// The account's sessions on the other nodes alive now; none when the directory cannot be
    /// read (logged): then each node's own limit and list still hold.
    func remoteSessions(of account: AccountID, logger: Logger) async -> [NodeSession] {
        do {
            return try await remoteSessions(of: account, at: Date())
        } catch {
            logger.error("cannot read \(account)'s sessions on other nodes: \(error)")
            return []
        }
    }
}
