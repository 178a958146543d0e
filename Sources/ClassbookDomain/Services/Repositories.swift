import Foundation

/// Who changed something, from which session and when: written to the audit chain with
/// every change, in the same transaction.
public struct AuditContext: Sendable {
    /// nil for changes made by an operator from the command line.
    public var actor: AccountID?
    public var sessionID: String
    public var at: Date

    public init(actor: AccountID?, sessionID: String, at: Date) {
        self.actor = actor
        self.sessionID = sessionID
        self.at = at
    }

    public init(principal: Principal, at: Date) {
        self.init(actor: principal.account.id, sessionID: principal.sessionID, at: at)
    }
}

public struct NewAccount: Sendable {
    public var login: String
    public var displayName: String
    public var roles: Set<Role>
    public var passwordHash: String
    public var language: Language

    public init(login: String, displayName: String, roles: Set<Role>, passwordHash: String, language: Language = .ru) {
        self.login = login
        self.displayName = displayName
        self.roles = roles
        self.passwordHash = passwordHash
        self.language = language
    }
}

public enum RepositoryError: Error, Equatable, Sendable {
    case loginTaken(String)
    case notFound
}

/// Accounts and their credentials.
public protocol AccountRepository: Sendable {
    func credentials(login: String) async throws -> AccountCredentials?
    func account(id: AccountID) async throws -> Account?
    func createAccount(_ account: NewAccount, context: AuditContext) async throws -> Account
    func setLanguage(_ language: Language, for account: AccountID, context: AuditContext) async throws
    /// Replaces the password hash; throws `RepositoryError.notFound` for an unknown login.
    func setPasswordHash(_ hash: String, login: String, context: AuditContext) async throws
    /// Stores a device token's hash (audited, without the token).
    func createDeviceToken(account: AccountID, name: String, hash: String, context: AuditContext) async throws
        -> DeviceToken
    /// The account's tokens not revoked, oldest first (expired ones included: the domain decides).
    func deviceTokens(of account: AccountID) async throws -> [DeviceToken]
    /// The account and token a token's hash names, if not revoked; marks it used at `at`.
    func useDeviceToken(hash: String, at: Date) async throws -> (AccountCredentials, DeviceToken)?
    /// Revokes one of the account's tokens (audited); false when it was not one.
    func revokeDeviceToken(_ id: Int64, of account: AccountID, context: AuditContext) async throws -> Bool
}

/// What the diary shows and what guardians record about it.
public protocol DiaryRepository: Sendable {
    /// The students whose guardian this account is.
    func studentsInCare(of guardian: AccountID) async throws -> [Student]
    /// True when the account is one of the student's guardians (the access check of every
    /// diary read: one step down a primary key, where `studentsInCare` reads the family).
    func isGuardian(_ guardian: AccountID, of student: StudentID) async throws -> Bool
    /// The student record of a student's own account.
    func student(ownedBy account: AccountID) async throws -> Student?
    /// A student's own account, if they have one.
    func accountOf(student: StudentID) async throws -> Account?
    func accountExists(login: String) async throws -> Bool
    /// The reporting periods of a grade (quarters, trimesters or half-years) in the school year
    /// of the date, in order: the scheme that names the grade, else the school's default one.
    func periods(on date: SchoolDate, grade: Int) async throws -> [Period]
    func marks(of student: StudentID, from: SchoolDate, through: SchoolDate) async throws -> [MarkEntry]
    /// What a student's marks as `marks(of:)` reads them, and their finals, depend on: a
    /// report built while this stamp was the same still holds.
    func marksStamp(of student: StudentID) async throws -> MarksStamp
    func absences(of student: StudentID, from: SchoolDate, through: SchoolDate) async throws -> [AbsenceEntry]
    /// Records an acknowledgement covering every entry of the student's diary not yet
    /// acknowledged by this guardian; returns nil, and writes nothing, when there is none.
    func acknowledge(student: StudentID, guardian: AccountID, context: AuditContext) async throws -> Acknowledgement?
    func lastAcknowledgement(student: StudentID, guardian: AccountID) async throws -> Acknowledgement?
    func recordConsent(_ decision: ConsentDecision, guardian: AccountID, context: AuditContext) async throws
        -> ConsentRecord
    func latestConsent(guardian: AccountID) async throws -> ConsentRecord?
}

/// The greatest revision among a student's marks and finals, with the mark kinds' weights
/// the diary applies. Every change to a mark or a final (entered, corrected, deleted,
/// imported, voided) takes a new value of the diary's revision counter, which only grows, so
/// two equal stamps mean the same marks and finals.
public struct MarksStamp: Sendable, Equatable {
    public var revision: Int64
    public var weights: [String: Double]

    public init(revision: Int64, weights: [String: Double]) {
        self.revision = revision
        self.weights = weights
    }
}
