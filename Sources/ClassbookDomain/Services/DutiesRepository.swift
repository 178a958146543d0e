import Foundation

/// What the class teacher's duties read and record. Writes are durable and audited.
public protocol DutiesRepository: Sendable {
    func riskRules() async throws -> RiskRules
    func digestSchedule() async throws -> DigestSchedule

    // MARK: Activity
    func recordLogin(_ account: AccountID, at: Date) async throws
    /// What waits in the outboxes (for operators' metrics): chat messages not yet delivered
    /// (their recipients away, or in quiet hours) and email and SMS not yet sent, each with its
    /// count and the moment the oldest was queued.
    func outboxBacklog() async throws -> [OutboxBacklog]
    /// Counts a guardian's or student's view of a child's diary on a day.
    func recordDiaryView(account: AccountID, student: StudentID, day: SchoolDate, at: Date) async throws
    /// The class's guardians (of students there on the date), each with their children in it.
    func guardians(ofClass: ClassID, on date: SchoolDate) async throws -> [ClassGuardian]
    func latestConsents(of guardians: [AccountID]) async throws -> [AccountID: ConsentRecord]
    /// Logins and diary views in `[from, through]` (days in the school's calendar), acknowledgements in the same span.
    func activity(of guardians: [AccountID], from: Date, through: Date, days: ClosedRange<SchoolDate>) async throws
        -> [AccountID: GuardianActivity]

    // MARK: Absences
    func unexcusedAbsences(ofClass: ClassID, from: SchoolDate, through: SchoolDate) async throws -> [UnexcusedAbsence]
    func addAbsenceNote(
        student: StudentID, guardian: AccountID, dates: [SchoolDate], reason: String, context: AuditContext
    ) async throws -> Int64
    func absenceNotes(ofClass: ClassID, pendingOnly: Bool) async throws -> [AbsenceNote]
    func absenceNote(id: Int64) async throws -> (note: AbsenceNote, classID: ClassID)?
    /// Accepting excuses the student's unexcused absences on the note's dates, in the same transaction.
    func decideAbsenceNote(id: Int64, accept: Bool, note: String?, context: AuditContext) async throws -> (
        AbsenceNote, excused: Int
    )

    // MARK: Personal data
    func markDataChecked(student: StudentID, on date: SchoolDate, context: AuditContext) async throws
    /// Students of the class whose data was last checked before `since`, or never.
    func dataCheckDue(ofClass: ClassID, since: SchoolDate, on date: SchoolDate) async throws -> [Student]

    // MARK: Credentials
    /// Accounts of the class's students and guardians that cannot log in yet (no password set), and
    /// students who have no account at all.
    /// With `includePending`, also accounts whose one-time password was issued but not yet replaced.
    func credentialsDue(ofClass: ClassID, on date: SchoolDate, includePending: Bool) async throws -> (
        accounts: [Account], studentsWithoutAccount: [Student]
    )
    /// Stores the hash of a one-time password; the account must change it at its next login.
    func setOneTimePassword(account: AccountID, hash: String, context: AuditContext) async throws
    /// Creates a student's own account with a one-time password.
    func createStudentAccount(
        student: StudentID, login: String, displayName: String, hash: String, context: AuditContext
    ) async throws -> Account
    func mustChangePassword(_ account: AccountID) async throws -> Bool
    /// Sets a password chosen by its owner and lifts the must-change mark.
    func changeOwnPassword(account: AccountID, hash: String, context: AuditContext) async throws

    // MARK: Paper extracts
    /// Records that the week's extract (the week's Monday) was handed over; false when it was already.
    func recordExtractHandover(student: StudentID, week: SchoolDate, context: AuditContext) async throws -> Bool
    func extractHandovers(ofClass: ClassID, week: SchoolDate) async throws -> [StudentID: Date]

    // MARK: The outbox and digests
    /// Accounts that get a weekly digest: teachers, class teachers, the deputy and the director.
    func digestRecipients() async throws -> [Account]
    func digestRunExists(key: String) async throws -> Bool
    /// Records a digest run and queues its messages in one transaction; false, writing nothing,
    /// when a run with this key exists already.
    func recordDigestRun(key: String, messages: [(AccountID, [String])], at: Date) async throws -> Bool
    /// Stores a message for an account: from the bot (`source` nil) or a person (`nick!user@host`),
    /// held until `deliverAfter` when given (quiet hours). `msgid`: the id the message carries
    /// wherever it is seen (a person's message as its sender's other devices saw it); nil for
    /// one derived from the row (`OutboxMessage.msgid`).
    func enqueue(
        _ lines: [String], for account: AccountID, at: Date, source: String?, deliverAfter: Date?, msgid: String?)
        async throws
    /// What waits for the account and may be delivered at `now`, in order.
    func pendingMessages(for account: AccountID, at now: Date) async throws -> [OutboxMessage]
    /// One message of the account's, if it may be delivered at `now` (delivered already or not:
    /// another process may have delivered it to its own sessions of the account).
    func message(_ id: Int64, for account: AccountID, at now: Date) async throws -> OutboxMessage?
    /// What the bot sent the account unasked (notifications, letters, digests) in `window`, at
    /// most `limit`, oldest first; nothing still held for later than `now`.
    func botHistory(for account: AccountID, _ window: HistoryWindow, limit: Int, now: Date) async throws
        -> [OutboxMessage]
    /// Accounts with held messages whose moment has come by `now`.
    func accountsWithDueMessages(at now: Date) async throws -> [AccountID]
    func markDelivered(_ ids: [Int64], at: Date) async throws
}
