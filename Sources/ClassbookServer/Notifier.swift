import ClassbookBot
import ClassbookDomain
import ClassbookText
import Foundation
import IRC
import Logging

/// Tells guardians of new and corrected marks, absences and remarks, the way each chose:
/// in chat, by email, by SMS; at once or in a daily summary; never during their quiet hours
/// (what comes then waits for their end).
struct Notifier: Sendable {
    let messaging: any MessagingRepository
    let accounts: any AccountRepository
    let outbox: Outbox
    let clock: any SchoolClock
    let timeZone: TimeZone
    let logger: Logger

    func journalChanged(_ events: [JournalEvent]) async {
        guard !events.isEmpty else { return }
        do {
            let byStudent = Dictionary(grouping: events, by: \.student.id)
            for studentID in byStudent.keys.sorted() {
                let list = byStudent[studentID]!
                for guardian in try await messaging.guardianAccounts(of: studentID) {
                    try await notify(guardian, list.map { NotificationRendering.line($0, guardian.language) })
                }
            }
        } catch {
            logger.error("cannot queue notifications: \(error)")
        }
    }

    private func notify(_ account: Account, _ lines: [String]) async throws {
        let prefs = try await messaging.prefs(of: account.id)
        let now = clock.now()
        if prefs.pace == .daily {
            for line in lines { try await messaging.queueForSummary(line, for: account.id, at: now) }
            return
        }
        try await send(
            lines, to: account, prefs: prefs,
            held: prefs.isQuiet(at: now, in: timeZone) ? prefs.nextQuietEnd(after: now, in: timeZone) : nil)
    }

    private func send(_ lines: [String], to account: Account, prefs: NotificationPrefs, held: Date?) async throws {
        let now = clock.now()
        if prefs.chat { try await outbox.send(lines, to: account.id, deliverAfter: held) }
        if let email = prefs.email {
            try await messaging.enqueueExternal(
                .email, account: account.id, address: email, subject: NotificationRendering.subject(account.language),
                body: lines.joined(separator: "\n"), notBefore: held ?? now, at: now)
        }
        if let phone = prefs.sms {
            try await messaging.enqueueExternal(
                .sms, account: account.id, address: phone, subject: "", body: lines.joined(separator: "; "),
                notBefore: held ?? now, at: now)
        }
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
            try await send(
                NotificationRendering.summary(due.map(\.text), person.language), to: person, prefs: prefs, held: nil)
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
    let clock: any SchoolClock

    func deliver(_ lines: [String], to account: AccountID) async throws {
        try await outbox.send(lines, to: account)
    }

    func closeSessions(of account: AccountID, except session: String?, reason: String) async {
        for handle in outbox.registry.sessions(of: account) where handle.id != session { handle.close(error: reason) }
    }

    func alert(_ lines: [String], to accounts: [Account]) async throws {
        for account in accounts {
            try await outbox.send(lines, to: account.id)
            if let email = try await messaging.prefs(of: account.id).email {
                try await messaging.enqueueExternal(
                    .email, account: account.id, address: email,
                    subject: account.language.t("server.securityEmailSubject"),
                    body: lines.joined(separator: "\n"), notBefore: clock.now(), at: clock.now())
            }
        }
    }

    func announce(_ post: BoardPost, replyTo: String?) async {
        channels.announce(post, replyTo: replyTo, serverName: serverName)
    }

    func devices(of account: AccountID) async -> [DeviceSession] {
        outbox.registry.sessions(of: account).map { handle in
            let device = handle.device
            let client = device.client ?? (device.realname.isEmpty ? "?" : device.realname)
            return DeviceSession(
                id: handle.id, client: client, address: Self.mask(device.host), since: device.connectedAt,
                lastActive: device.lastActive)
        }
    }

    func closeDevice(_ id: String, of account: AccountID, reason: String) async -> Bool {
        guard let handle = outbox.registry.sessions(of: account).first(where: { $0.id == id }) else { return false }
        handle.close(error: reason)
        return true
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
