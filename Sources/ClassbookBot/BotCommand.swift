import ClassbookDomain

/// Text in both languages of the bot.
public struct Localized: Sendable {
    public var ru: String
    public var en: String

    public init(ru: String, en: String) {
        self.ru = ru
        self.en = en
    }

    public func callAsFunction(_ language: Language) -> String {
        language == .ru ? ru : en
    }
}

/// One command of the bot: a row of its table.
///
/// The dispatcher checks `roles` before calling `run`; handlers never repeat it. A command
/// is matched by `name`, by any alias, with or without a leading `/`, and (for clients that
/// send unknown `/commands` to the server as verbs) by its name in upper case.
public struct BotCommand: Sendable {
    public var name: String
    public var aliases: [String]
    /// Who may use it; nil for everyone, guests included.
    public var roles: Set<Role>?
    public var usage: Localized
    public var summary: Localized
    public var details: Localized
    public var run: @Sendable (BotInvocation) async throws -> BotReply

    public init(name: String, aliases: [String], roles: Set<Role>?, usage: Localized, summary: Localized, details: Localized,
                run: @escaping @Sendable (BotInvocation) async throws -> BotReply) {
        self.name = name
        self.aliases = aliases
        self.roles = roles
        self.usage = usage
        self.summary = summary
        self.details = details
        self.run = run
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

    public func t(_ ru: String, _ en: String) -> String {
        language == .ru ? ru : en
    }
}

/// What the bot answers: lines of text, and a language change to apply to the session.
public struct BotReply: Sendable, Equatable {
    public var lines: [String]
    public var newLanguage: Language?

    public init(lines: [String], newLanguage: Language? = nil) {
        self.lines = lines
        self.newLanguage = newLanguage
    }

    public init(_ line: String) {
        self.init(lines: [line])
    }
}
