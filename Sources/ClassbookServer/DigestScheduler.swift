import ClassbookBot
import ClassbookDomain
import Foundation
import Logging

/// Sends the weekly digest at the school's configured day and time (school time zone).
///
/// Each week's run has a key (`weekly:2026-11-20`) recorded in the same transaction as the
/// messages it queues, so it happens once even across restarts and several checks; people who
/// are offline get their digest from the outbox at their next login. A run missed by more than
/// a day (the server was down) is skipped rather than sent late with a stale week.
struct DigestScheduler: Sendable {
    let bot: DiaryBot
    let duties: any DutiesRepository
    /// Whose turn it is among the nodes: one composes the digest, the others do not.
    let nodes: any NodeDirectory
    let outbox: Outbox
    let clock: any SchoolClock
    let timeZone: TimeZone
    let logger: Logger

    static let lateness: TimeInterval = 24 * 3600

    /// Composes and sends the digest if one is due and not yet sent; returns how many people got one.
    @discardableResult
    func runDue() async throws -> Int {
        let now = clock.now()
        let schedule = try await duties.digestSchedule()
        let (instant, date) = schedule.latest(atOrBefore: now, in: timeZone)
        guard now.timeIntervalSince(instant) < Self.lateness else { return 0 }
        let key = "weekly:\(date.iso)"
        guard try await !duties.digestRunExists(key: key) else { return 0 }
        // One node composes it (the key above would keep a second from queueing it again, but not
        // from composing it): the lease is this node's for ten minutes, or another's.
        guard try await nodes.acquireLease("digest", until: Date().addingTimeInterval(600), at: Date()) else {
            return 0
        }
        let messages = try await DiaryBot.digests(
            for: try await duties.digestRecipients(), sessionID: "digest:\(date.iso)",
            duties: bot.duties, timeZone: timeZone)
        guard try await duties.recordDigestRun(key: key, messages: messages, at: now) else { return 0 }
        logger.info("weekly digest \(date.iso) queued for \(messages.count) people")
        for (account, _) in messages { await outbox.deliverPending(to: account) }
        return messages.count
    }
}
