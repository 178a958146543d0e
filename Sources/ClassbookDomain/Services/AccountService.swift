import Foundation

/// Logging in, creating accounts, personal settings.
public struct AccountService: Sendable {
    public let accounts: any AccountRepository
    public let hasher: PasswordHasher
    public let executor: any BlockingExecutor
    public let clock: any SchoolClock
    private let decoy: String

    public init(
        accounts: any AccountRepository, hasher: PasswordHasher = PasswordHasher(),
        executor: any BlockingExecutor, clock: any SchoolClock = SystemClock()
    ) {
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
        // A device token costs a hash and a look-up, not scrypt: a reconnect storm of remembered
        // devices does not queue on the hashing threads. It logs in only its own account.
        if DeviceToken.looksLikeToken(password) {
            guard
                let (stored, token) = try await accounts.useDeviceToken(
                    hash: Digest.sha256Hex(password), at: clock.now()),
                stored.account.login == normalized, !stored.account.isLocked, !token.isExpired(at: clock.now())
            else { return nil }
            return stored.account
        }
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

    public func createAccount(
        login: String, displayName: String, roles: Set<Role>, password: String,
        language: Language = .ru, context: AuditContext
    ) async throws -> Account {
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

    // MARK: Device tokens

    /// A new token for a device of the person's (`name`: "телефон", "WeeChat"), returned once:
    /// only its hash is kept.
    public func issueDeviceToken(named name: String, for principal: Principal) async throws -> (DeviceToken, String) {
        let token = "cbt-" + Digest.hex(try Digest.randomBytes(20))
        let trimmed = String(name.trimmingCharacters(in: .whitespaces).prefix(40))
        let stored = try await accounts.createDeviceToken(
            account: principal.account.id, name: trimmed.isEmpty ? "—" : trimmed,
            hash: Digest.sha256Hex(token), context: AuditContext(principal: principal, at: clock.now()))
        return (stored, token)
    }

    /// The person's tokens that still log in, oldest first.
    public func deviceTokens(for principal: Principal) async throws -> [DeviceToken] {
        let now = clock.now()
        return try await accounts.deviceTokens(of: principal.account.id).filter { !$0.isExpired(at: now) }
    }

    public func revokeDeviceToken(_ token: DeviceToken, for principal: Principal) async throws -> Bool {
        try await accounts.revokeDeviceToken(
            token.id, of: principal.account.id, context: AuditContext(principal: principal, at: clock.now()))
    }

    /// Revokes the token `value` when it is one of this person's (a device that logs out and
    /// forgets itself); false when it is not theirs or no longer logs in.
    public func revokeDeviceToken(value: String, for principal: Principal) async throws -> Bool {
        guard DeviceToken.looksLikeToken(value),
            let (stored, token) = try await accounts.useDeviceToken(hash: Digest.sha256Hex(value), at: clock.now()),
            stored.account.id == principal.account.id
        else { return false }
        return try await revokeDeviceToken(token, for: principal)
    }

    public func setLanguage(_ language: Language, for principal: Principal) async throws {
        try await accounts.setLanguage(
            language, for: principal.account.id, context: AuditContext(principal: principal, at: clock.now()))
    }
}
