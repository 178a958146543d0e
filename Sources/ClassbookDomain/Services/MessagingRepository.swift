import Foundation

/// Notifications, letters and the email/SMS outbox. Writes are durable and audited where they
/// are a record (letters, preferences).
public protocol MessagingRepository: Sendable {
    func prefs(of account: AccountID) async throws -> NotificationPrefs
    func setPrefs(_ prefs: NotificationPrefs, of account: AccountID, context: AuditContext) async throws
    /// The guardians' accounts of a student (with their languages).
    func guardianAccounts(of student: StudentID) async throws -> [Account]
    func account(login: String) async throws -> Account?

    // MARK: The journal's events (transactional outbox)
    /// Events saved by journal writes and not yet dispatched, oldest first.
    func undispatchedEvents(limit: Int) async throws -> [PendingJournalEvent]
    /// Saves each event's notifications and marks the event dispatched, in one transaction; an
    /// event already dispatched (by another run, process or node) is left alone, its
    /// notifications not saved again. Returns the ids this call dispatched.
    func dispatchEvents(_ batch: [(event: Int64, deliveries: [NotificationDelivery])], at: Date) async throws
        -> Set<Int64>

    // MARK: Daily summaries
    func queueForSummary(_ text: String, for account: AccountID, at: Date) async throws
    /// Accounts with notifications waiting for a summary, and those notifications in order.
    func pendingSummaries() async throws -> [AccountID: [(id: Int64, text: String, createdAt: Date)]]
    func markSummarized(_ ids: [Int64], at: Date) async throws

    // MARK: Email and SMS
    func enqueueExternal(
        _ channel: ExternalMessage.Channel, account: AccountID?, address: String, subject: String, body: String,
        notBefore: Date, at: Date) async throws
    func dueExternal(at: Date, limit: Int) async throws -> [ExternalMessage]
    func markExternalSent(_ id: Int64, at: Date) async throws
    func markExternalFailed(_ id: Int64, error: String, retryAt: Date) async throws

    // MARK: Letters
    func createLetter(classID: ClassID, text: String, recipients: [AccountID], context: AuditContext) async throws
        -> Int64
    func letters(ofClass: ClassID) async throws -> [Letter]
    func letter(id: Int64) async throws -> (Letter, ClassID)?
    /// Records that a guardian read a letter sent to them; false when it was not sent to them.
    func markLetterRead(_ id: Int64, context: AuditContext) async throws -> Bool

    // MARK: Direct messages
    func recordDirect(_ message: DirectMessage) async throws
    /// One kept message by its row (the change feed names it so).
    func directMessage(id: Int64) async throws -> DirectMessage?
    /// The messages between two accounts in `window`, at most `limit`, oldest first.
    func directHistory(between a: AccountID, and b: AccountID, _ window: HistoryWindow, limit: Int) async throws
        -> [DirectMessage]
    /// The people an account exchanged messages with between two moments, with the latest
    /// message's time, newest first.
    func directPartners(of account: AccountID, from: Date, to: Date, limit: Int) async throws -> [(
        login: String, latest: Date
    )]
}

extension DutiesRepository {
    /// Stores lines for an account in the outbox.
    public func enqueue(_ lines: [String], for account: AccountID, at: Date) async throws {
        try await enqueue(lines, for: account, at: at, source: nil, deliverAfter: nil, msgid: nil)
    }
}
