import ClassbookDomain
import Foundation
import Logging

/// Acts here on what other processes serving the same store publish in its change feed: a
/// message saved for an account reaches the account's sessions on this node; a request to
/// close an account's sessions closes those on this node. The feed is read every `interval`
/// (a tenth of a second: a leaked password's sessions close on every node well within a
/// second); this process's own changes were acted on when it made them.
struct FeedFollower: Sendable {
    let feed: any ChangeFeed
    let outbox: Outbox
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
                logger.error("cannot read the change feed: \(error)")
            }
            try? await Task.sleep(for: interval)
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
        }
    }
}
