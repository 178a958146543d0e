import Foundation

/// A person who can log in.
public struct Account: Sendable, Equatable {
    /// The password hash of an account that exists but cannot log in yet (imported, no
    /// credentials issued): a placeholder no password matches.
    public static let noPassword = "!"

    public var id: AccountID
    public var login: String
    public var displayName: String
    public var roles: Set<Role>
    public var language: Language
    /// Logged in with a one-time password: nothing but `/passwd` until it is replaced.
    public var mustChangePassword: Bool
    /// Locked (a reported leak, too many failed logins): cannot log in until an administrator unlocks it.
    public var isLocked: Bool = false

    public init(
        id: AccountID, login: String, displayName: String, roles: Set<Role>, language: Language,
        mustChangePassword: Bool = false
    ) {
        self.id = id
        self.login = login
        self.displayName = displayName
        self.roles = roles
        self.language = language
        self.mustChangePassword = mustChangePassword
    }
}

/// An account together with what is needed to check its password. Never leaves the domain.
/// A device's remembered login (the web page's "remember this device") or an app password for an
/// IRC client: a random token shown once, stored only as its SHA-256. It expires after
/// `DeviceToken.lifetime` unused, and is void after a password change or a reported breach.
public struct DeviceToken: Sendable, Equatable {
    public var id: Int64
    public var account: AccountID
    public var name: String
    public var createdAt: Date
    public var lastUsedAt: Date?

    public init(id: Int64, account: AccountID, name: String, createdAt: Date, lastUsedAt: Date?) {
        self.id = id
        self.account = account
        self.name = name
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }

    /// Unused this long, a token no longer logs in.
    public static let lifetime: TimeInterval = 90 * 86_400

    public func isExpired(at now: Date) -> Bool {
        now.timeIntervalSince(lastUsedAt ?? createdAt) > Self.lifetime
    }

    /// `cbt-` and 40 hex digits (160 random bits): told apart from a password by its form.
    public static func looksLikeToken(_ text: String) -> Bool {
        text.hasPrefix("cbt-") && text.utf8.count == 44
            && text.utf8.dropFirst(4).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

public struct AccountCredentials: Sendable {
    public var account: Account
    public var passwordHash: String

    public init(account: Account, passwordHash: String) {
        self.account = account
        self.passwordHash = passwordHash
    }
}

/// Who is asking: the logged-in account and the session it acts through.
/// Services take a principal and ask `AccessPolicy` what it may do.
public struct Principal: Sendable, Equatable {
    public var account: Account
    /// An opaque identifier of the connection, kept in audit records.
    public var sessionID: String

    public init(account: Account, sessionID: String) {
        self.account = account
        self.sessionID = sessionID
    }

    public func has(_ role: Role) -> Bool { account.roles.contains(role) }
}

/// Rules for logins: lower-case Latin letters, digits, `.`, `_` and `-`, 2 to 32 characters,
/// starting with a letter, so that a login is also a valid IRC account name.
public enum LoginRules {
    public static func isValid(_ login: String) -> Bool {
        guard (2...32).contains(login.count), let first = login.first, first.isASCII, first.isLetter, first.isLowercase
        else {
            return false
        }
        return login.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
    }
}
