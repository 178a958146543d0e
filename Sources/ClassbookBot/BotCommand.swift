import ClassbookDomain
import ClassbookText

/// One command of the bot: a row of its table.
///
/// A command is tied to the access action it performs; the roles that may use it are the
/// roles `AccessPolicy` lets perform that action. The dispatcher checks them before calling
/// `run`; handlers never repeat it, and the services check ownership on the same table. A command
/// is matched by `name`, by any alias, with or without a leading `/`, and (for clients that
/// send unknown `/commands` to the server as verbs) by its name in upper case.
public struct BotCommand: Sendable {
    public var name: String
    public var aliases: [String]
    /// What it does in the access table's terms; empty for everyone, guests included (`/help`).
    /// A command with two forms (`/absences` of a child, `/absences 7А` of a class) names both.
    public let actions: [AccessPolicy.Action]
    /// Who may use it: the roles the access table allows one of its actions; nil for everyone.
    /// Worked out once from `actions`, not on every command.
    public let roles: Set<Role>?
    public var usage: Localized
    public var summary: Localized
    public var details: Localized
    /// What is typed and what is answered stay on the device that asked: not echoed to the
    /// account's other devices (a new password, an app password shown once).
    public var confidential = false
    public var run: @Sendable (BotInvocation) async throws -> BotReply

    public init(name: String, aliases: [String], action: AccessPolicy.Action?, usage: Localized, summary: Localized, details: Localized,
                run: @escaping @Sendable (BotInvocation) async throws -> BotReply) {
        self.init(name: name, aliases: aliases, actions: action.map { [$0] } ?? [], usage: usage, summary: summary, details: details, run: run)
    }

    public init(name: String, aliases: [String], actions: [AccessPolicy.Action], usage: Localized, summary: Localized, details: Localized,
                run: @escaping @Sendable (BotInvocation) async throws -> BotReply) {
        self.name = name
        self.aliases = aliases
        self.actions = actions
        self.roles = Self.roles(allowedTo: actions)
        self.usage = usage
        self.summary = summary
        self.details = details
        self.run = run
    }

    private static func roles(allowedTo actions: [AccessPolicy.Action]) -> Set<Role>? {
        actions.isEmpty ? nil : actions.reduce(into: Set<Role>()) { $0.formUnion(AccessPolicy.roles(allowedTo: $1)) }
    }

    /// This command, confidential (see `confidential`).
    public func asConfidential() -> BotCommand {
        var command = self
        command.confidential = true
        return command
    }

    public func isAllowed(for principal: Principal?) -> Bool {
        guard let roles else { return true }
        guard let principal else { return false }
        return !roles.isDisjoint(with: principal.account.roles)
    }
}

/// A command being run: who asked, in which language, with which arguments.
public struct BotInvocation: Sendable {
    /// nil for a guest.
    public var principal: Principal?
    public var language: Language
    public var arguments: [String]

    public init(principal: Principal?, language: Language, arguments: [String]) {
        self.principal = principal
        self.language = language
        self.arguments = arguments
    }

    /// The catalog's text of `key` in the person's language.
    public func t(_ key: StaticString, _ arguments: KeyValuePairs<String, any CustomStringConvertible> = [:]) -> String {
        Catalog.standard.text(key.description, language, arguments)
    }
}

/// What the bot answers: lines of text, and a language change to apply to the session.
public struct BotReply: Sendable, Equatable {
    public var lines: [String]
    public var newLanguage: Language?
    /// The person has replaced a one-time password: the session may do everything again.
    public var passwordChanged: Bool
    /// The command was refused (unknown, not allowed, malformed, about nothing of the person's):
    /// a client that asked for `standard-replies` gets it as `FAIL` on the raw-verb path.
    public var isRefusal: Bool
    /// The command failed on the server's side (an internal error), not for the person's input.
    public var isFailure: Bool
    /// The command's name (not an alias) when the words named one: what the metrics count.
    public var command: String?
    /// The command is confidential: the answer goes to the asking device only.
    public var confidential = false

    public init(lines: [String], newLanguage: Language? = nil, passwordChanged: Bool = false, isRefusal: Bool = false,
                isFailure: Bool = false) {
        self.lines = lines
        self.newLanguage = newLanguage
        self.passwordChanged = passwordChanged
        self.isRefusal = isRefusal
        self.isFailure = isFailure
    }

    public static func refusal(_ line: String) -> BotReply {
        BotReply(lines: [line], isRefusal: true)
    }

    public init(_ line: String) {
        self.init(lines: [line])
    }
}
