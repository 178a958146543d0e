import ClassbookBot
import ClassbookDomain
import ClassbookText
import Foundation
import IRC
import Logging

/// Tells guardians of new and corrected marks, absences and remarks, the way each chose:
/// in chat, by email, by SMS; at once or in a daily summary; never during their quiet hours
/// (what comes then waits for their end).
///
/// The journal saves its events in the transaction of the write (`journal_events`); the
/// notifier dispatches them: each event's notifications are saved, and the event marked
/// dispatched, in one transaction. Events a process left undispatched when it died are
/// dispatched by the next start (or by any other process serving the same store).
struct Notifier: Sendable {
    let messaging: any MessagingRepository
    let accounts: any AccountRepository
    let outbox: Outbox
    let clock: any SchoolClock
    let timeZone: TimeZone
    let logger: Logger
    /// One dispatch at a time in this process; callers during a run share the next one.
    let runs = CoalescedJob()

    /// Dispatches every saved event; returns once a dispatch that began after the call has ended
    /// (a teacher's write is confirmed after its notifications are queued, as before the outbox).
    func dispatchSaved() async {
        await runs.run { await dispatchPending() }
    }

    private static let batchSize = 256

    private func dispatchPending() async {
        do {
            while true {
                let pending = try await messaging.undispatchedEvents(limit: Self.batchSize)
                if pending.isEmpty { return }
                var batch: [(event: Int64, deliveries: [NotificationDelivery])] = []
                for item in pending {
                    // An event this version cannot read is logged and set aside, not retried forever.
                    guard let event = item.event else {
                        logger.error("journal event #\(item.id) cannot be read; not notified")
                        batch.append((item.id, []))
                        continue
                    }
                    batch.append((item.id, try await deliveries(of: event)))
                }
                let dispatched = try await messaging.dispatchEvents(batch, at: clock.now())
                var live: Set<AccountID> = []
                for (event, deliveries) in batch where dispatched.contains(event) {
                    for case .chat(let account, _, nil) in deliveries { live.insert(account) }
                }
                for account in live.sorted() { await outbox.deliverPending(to: account) }
                if pending.count < Self.batchSize { return }
            }
        } catch {
            logger.error("cannot dispatch notifications: \(error)")
        }
    }

    /// What an event becomes for each guardian of its student, in their language and the way they chose.
    private func deliveries(of event: JournalEvent) async throws -> [NotificationDelivery] {
        var deliveries: [NotificationDelivery] = []
        let now = clock.now()
        for guardian in try await messaging.guardianAccounts(of: event.student.id) {
            let line = NotificationRendering.line(event, guardian.language)
            let prefs = try await messaging.prefs(of: guardian.id)
            if prefs.pace == .daily {
                deliveries.append(.summary(guardian.id, text: line))
            } else {
                let held = prefs.isQuiet(at: now, in: timeZone) ? prefs.nextQuietEnd(after: now, in: timeZone) : nil
                deliveries += Self.deliveries([line], to: guardian, prefs: prefs, held: held, now: now)
            }
        }
        return deliveries
    }

    /// Lines for a person by every way they chose: chat, email, SMS.
    private static func deliveries(
        _ lines: [String], to account: Account, prefs: NotificationPrefs, held: Date?, now: Date
    ) -> [NotificationDelivery] {
        var deliveries: [NotificationDelivery] = []
        if prefs.chat { deliveries.append(.chat(account.id, lines: lines, deliverAfter: held)) }
        if let email = prefs.email {
            deliveries.append(
                .external(
                    .email, account: account.id, address: email,
                    subject: NotificationRendering.subject(account.language),
                    body: lines.joined(separator: "\n"), notBefore: held ?? now))
        }
        if let phone = prefs.sms {
            deliveries.append(
                .external(
                    .sms, account: account.id, address: phone, subject: "", body: lines.joined(separator: "; "),
                    notBefore: held ?? now))
        }
        return deliveries
    }

    /// Composes the daily summaries that are due: each person's, at the end of their quiet
    /// hours, of what was queued before it.
    func runDueSummaries() async throws {
        let now = clock.now()
        for (account, items) in try await messaging.pendingSummaries() {
            let prefs = try await messaging.prefs(of: account)
            let lastEnd = prefs.nextQuietEnd(after: now.addingTimeInterval(-86_400), in: timeZone)
            guard lastEnd <= now else { continue }
            let due = items.filter { $0.createdAt < lastEnd }
            guard !due.isEmpty, let person = try await accounts.account(id: account) else { continue }
            let lines = NotificationRendering.summary(due.map(\.text), person.language)
            for delivery in Self.deliveries(lines, to: person, prefs: prefs, held: nil, now: now) {
                switch delivery {
                case .chat(let account, let lines, _):
                    try await outbox.send(lines, to: account)
                case .external(let channel, let account, let address, let subject, let body, let notBefore):
                    try await messaging.enqueueExternal(
                        channel, account: account, address: address, subject: subject, body: body,
                        notBefore: notBefore, at: now)
                case .summary:
                    break
                }
            }
            try await messaging.markSummarized(due.map(\.id), at: now)
        }
    }
}

/// The bot's letters go through the outbox; posts it makes for people reach the board's channel.
struct ServerDelivery: BotDelivery {
    let outbox: Outbox
    let channels: ChannelRegistry
    let serverName: String
    let messaging: any MessagingRepository
    let feed: any ChangeFeed
    let nodes: any NodeDirectory
    let clock: any SchoolClock
    let logger: Logger

    func deliver(_ lines: [String], to account: AccountID) async throws {
        try await outbox.send(lines, to: account)
    }

    /// Closes the account's sessions here, and tells the other processes serving the store to
    /// close theirs (`FeedFollower`).
    func closeSessions(of account: AccountID, except session: String?, reason: String) async {
        outbox.registry.close(account, except: session, reason: reason)
        do {
            try await feed.publish(.closeSessions(account: account, except: session, reason: reason))
        } catch {
            logger.error("cannot tell other nodes to close \(account)'s sessions: \(error)")
        }
    }

    func alerts(to accounts: [Account]) async throws -> @Sendable ([String]) -> [NotificationDelivery] {
        var targets: [(account: Account, email: String?)] = []
        for account in accounts { targets.append((account, try await messaging.prefs(of: account.id).email)) }
        let now = clock.now()
        return { [targets] lines in
            targets.flatMap { target -> [NotificationDelivery] in
                [.chat(target.account.id, lines: lines, deliverAfter: nil)]
                    + (target.email.map {
                        [
                            .external(
                                .email, account: target.account.id, address: $0,
                                subject: target.account.language.t("server.securityEmailSubject"),
                                body: lines.joined(separator: "\n"), notBefore: now)
                        ]
                    } ?? [])
            }
        }
    }

    func deliverSaved(to accounts: [AccountID]) async {
        for account in accounts { await outbox.deliverPending(to: account) }
    }

    func announce(_ post: BoardPost, replyTo: String?) async {
        channels.announce(post, replyTo: replyTo, serverName: serverName)
    }

    /// The account's sessions on this node and on the other nodes alive (those with the time
    /// they connected as their last activity: only their own node knows more).
    func devices(of account: AccountID) async -> [DeviceSession] {
        let local = outbox.registry.sessions(of: account).map { handle in
            let device = handle.device
            return DeviceSession(
                id: handle.id, client: Self.client(device), address: Self.mask(device.host),
                since: device.connectedAt, lastActive: device.lastActive)
        }
        return local
            + (await nodes.remoteSessions(of: account, logger: logger)).map {
                DeviceSession(
                    id: $0.id, client: $0.client, address: $0.address, since: $0.connectedAt, lastActive: $0.connectedAt
                )
            }
    }

    func closeDevice(_ id: String, of account: AccountID, reason: String) async -> Bool {
        if let handle = outbox.registry.sessions(of: account).first(where: { $0.id == id }) {
            handle.close(error: reason)
            return true
        }
        guard await nodes.remoteSessions(of: account, logger: logger).contains(where: { $0.id == id }) else {
            return false
        }
        do {
            try await feed.publish(.closeSession(account: account, session: id, reason: reason))
            return true
        } catch {
            logger.error("cannot tell another node to close session \(id): \(error)")
            return false
        }
    }

    /// The client's name and version (CTCP VERSION), else what it gave as its real name.
    static func client(_ device: SessionHandle.Device) -> String {
        device.client ?? (device.realname.isEmpty ? "?" : device.realname)
    }

    /// An address with its host part hidden: `192.168.*.*`, `2001:db8:…`.
    static func mask(_ address: String) -> String {
        let quads = address.split(separator: ".")
        if quads.count == 4 { return "\(quads[0]).\(quads[1]).*.*" }
        let groups = address.split(separator: ":", omittingEmptySubsequences: false)
        if groups.count > 2 { return groups.prefix(2).joined(separator: ":") + ":…" }
        return "*"
    }
}
