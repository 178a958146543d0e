import Foundation

/// Logging in, creating accounts, personal settings.
public struct AccountService: Sendable {
    public let accounts: any AccountRepository
    public let hasher: PasswordHasher
    public let executor: any BlockingExecutor
    public let clock: any SchoolClock
    private let decoy: String

    public init(accounts: any AccountRepository, hasher: PasswordHasher = PasswordHasher(),
                executor: any BlockingExecutor, clock: any SchoolClock = SystemClock()) {
        self.accounts = accounts
        self.hasher = hasher
        self.executor = executor
        self.clock = clock
        self.decoy = hasher.decoyHash()
    }

    /// The account when `login` exists and `password` is its password, nil otherwise.
    /// An unknown login costs the same hashing work as a wrong password, so that the two
    /// cannot be told apart by timing either.
    public func authenticate(login: String, password: String) async throws -> Account? {
        let normalized = login.lowercased()
        let stored = LoginRules.isValid(normalized) ? try await accounts.credentials(login: normalized) : nil
        let hash = stored?.passwordHash ?? decoy
        let hasher = self.hasher
        let matches = try await executor.run { hasher.verify(password, against: hash) }
        // A locked account is refused exactly like a wrong password.
        guard matches, let stored, !stored.account.isLocked else { return nil }
        return stored.account
    }

    public enum CreationError: Error, Equatable, Sendable {
        case invalidLogin(String)
        case loginTaken(String)
        case emptyName
        case noRoles
        case weakPassword
    }

    public static let minimumPasswordLength = 8

    public func createAccount(login: String, displayName: String, roles: Set<Role>, password: String,
                              language: Language = .ru, context: AuditContext) async throws -> Account {
        let normalized = login.lowercased()
        guard LoginRules.isValid(normalized) else { throw CreationError.invalidLogin(login) }
        let name = displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw CreationError.emptyName }
        guard !roles.isEmpty else { throw CreationError.noRoles }
        guard password.count >= Self.minimumPasswordLength else { throw CreationError.weakPassword }
        let hasher = self.hasher
        let hash = try await executor.run { try hasher.hash(password) }
        do {
            return try await accounts.createAccount(
                NewAccount(login: normalized, displayName: name, roles: roles, passwordHash: hash, language: language),
                context: context)
        } catch RepositoryError.loginTaken {
            throw CreationError.loginTaken(normalized)
        }
    }

    /// Sets a new password for an account (by an operator); the hash is stored, never the password.
    public func setPassword(login: String, password: String, context: AuditContext) async throws {
        guard password.count >= Self.minimumPasswordLength else { throw CreationError.weakPassword }
        let hasher = self.hasher
        let hash = try await executor.run { try hasher.hash(password) }
        try await accounts.setPasswordHash(hash, login: login.lowercased(), context: context)
    }

    public func setLanguage(_ language: Language, for principal: Principal) async throws {
        try await accounts.setLanguage(language, for: principal.account.id, context: AuditContext(principal: principal, at: clock.now()))
    }
}
