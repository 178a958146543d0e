import Foundation

/// One audited operation of an account, as a breach review lists it.
public struct AccountOperation: Sendable, Equatable {
    public var at: Date
    public var action: String
    public var entity: String
    public var entityID: String
    /// The record's value before and after, as the audit log has them (200 characters at most).
    public var oldValue: String?
    public var newValue: String?
    /// Made after the leak was reported (and voided where it was a journal entry).
    public var afterReport: Bool

    public init(
        at: Date, action: String, entity: String, entityID: String, oldValue: String?, newValue: String?,
        afterReport: Bool
    ) {
        self.at = at
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.oldValue = oldValue
        self.newValue = newValue
        self.afterReport = afterReport
    }
}

public protocol SecurityRepository: Sendable {
    func account(login: String) async throws -> Account?
    /// Locks the account now, and saves `alerts` (the administrators' notifications) in the same
    /// transaction; false, saving nothing, when it was locked already.
    func lock(_ account: AccountID, reason: String, context: AuditContext, alerts: [NotificationDelivery])
        async throws -> Bool
    /// Records a breach report, locks the account, and voids the account's marks and absences
    /// entered after the report time (soft-deleted, audited); saves the notifications `alerts`
    /// makes of what was voided in the same transaction; returns what was voided.
    func reportBreach(
        _ account: AccountID, at reportedAt: Date, context: AuditContext,
        alerts: @escaping @Sendable ([String]) -> [NotificationDelivery]
    ) async throws -> [String]
    func operations(of account: AccountID, from: Date, through: Date, reportedAt: Date?) async throws
        -> [AccountOperation]
    func latestBreach(of account: AccountID) async throws -> Date?
    /// Unlocks with a new one-time password (its hash).
    func unlock(_ account: AccountID, hash: String, context: AuditContext) async throws
    /// Administrators and the director: who is told of a leak or a locked account.
    func alertRecipients() async throws -> [Account]
}

extension SecurityRepository {
    /// Locks the account, telling nobody.
    public func lock(_ account: AccountID, reason: String, context: AuditContext) async throws -> Bool {
        try await lock(account, reason: reason, context: context, alerts: [])
    }

    /// Records a breach report, telling nobody.
    public func reportBreach(_ account: AccountID, at reportedAt: Date, context: AuditContext) async throws
        -> [String]
    {
        try await reportBreach(account, at: reportedAt, context: context, alerts: { _ in [] })
    }
}

/// The regulation's rule for a leaked password (001): report it, lock the account at once,
/// void what was done with it after the report, review what was done before, unlock anew.
public struct SecurityService: Sendable {
    public let security: any SecurityRepository
    public let duties: DutiesService

    public init(security: any SecurityRepository, duties: DutiesService) {
        self.security = security
        self.duties = duties
    }

    public var clock: any SchoolClock { duties.journal.clock }

    /// `/breach` about one's own account, or (an administrator) `/breach login`; `alerts` makes the
    /// administrators' notifications of the account and what was voided, saved with the report.
    public func report(
        login: String?, for principal: Principal,
        alerts: @escaping @Sendable (Account, [String]) -> [NotificationDelivery] = { _, _ in [] }
    ) async throws -> (Account, [String]) {
        let target: Account
        if let login, login.lowercased() != principal.account.login {
            guard AccessPolicy.allows(.reportBreach, for: principal.account.roles, relations: [.unrelated]) else {
                throw DiaryError.notAllowed
            }
            guard let account = try await security.account(login: login) else { throw JournalError.noSuchPerson(login) }
            target = account
        } else {
            guard AccessPolicy.allows(.reportBreach, for: principal.account.roles, relations: [.own]) else {
                throw DiaryError.notAllowed
            }
            target = principal.account
        }
        let voided = try await security.reportBreach(
            target.id, at: clock.now(), context: duties.journal.audit(principal), alerts: { alerts(target, $0) })
        return (target, voided)
    }

    /// `/breach review login`: the account's operations in the seven days before the report, and any after it.
    public func review(login: String, for principal: Principal) async throws -> (Account, Date?, [AccountOperation]) {
        guard AccessPolicy.allows(.reviewBreach, for: principal.account.roles, relations: [.unrelated]) else {
            throw DiaryError.notAllowed
        }
        guard let account = try await security.account(login: login) else { throw JournalError.noSuchPerson(login) }
        let reported = try await security.latestBreach(of: account.id)
        let end = clock.now()
        let start = (reported ?? end).addingTimeInterval(-7 * 86_400)
        return (
            account, reported,
            try await security.operations(of: account.id, from: start, through: .distantFuture, reportedAt: reported)
        )
    }

    /// `/breach unlock login`: a new one-time password, shown to the administrator once.
    public func unlock(login: String, for principal: Principal) async throws -> (Account, String) {
        guard AccessPolicy.allows(.reviewBreach, for: principal.account.roles, relations: [.unrelated]) else {
            throw DiaryError.notAllowed
        }
        guard let account = try await security.account(login: login) else { throw JournalError.noSuchPerson(login) }
        let password = try DutiesService.oneTimePassword()
        let hasher = duties.hasher
        let hash = try await duties.executor.run { try hasher.hash(password) }
        try await security.unlock(account.id, hash: hash, context: duties.journal.audit(principal))
        return (account, password)
    }
}
