import Foundation

/// A person who can log in.
public struct Account: Sendable, Equatable {
    public var id: AccountID
    public var login: String
    public var displayName: String
    public var roles: Set<Role>
    public var language: Language
    /// Logged in with a one-time password: nothing but `/passwd` until it is replaced.
    public var mustChangePassword: Bool
    /// Locked (a reported leak, too many failed logins): cannot log in until an administrator unlocks it.
    public var isLocked: Bool = false

    public init(id: AccountID, login: String, displayName: String, roles: Set<Role>, language: Language, mustChangePassword: Bool = false) {
        self.id = id
        self.login = login
        self.displayName = displayName
        self.roles = roles
        self.language = language
        self.mustChangePassword = mustChangePassword
    }
}

/// An account together with what is needed to check its password. Never leaves the domain.
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
        guard (2...32).contains(login.count), let first = login.first, first.isASCII, first.isLetter, first.isLowercase else {
            return false
        }
        return login.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
    }
}
