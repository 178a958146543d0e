import ClassbookDomain
import ClassbookText

/// One command of the bot: a row of its table.
///
/// A row holds everything about a command: its names, its usage and help (catalog keys), and
/// its forms. A form is an argument grammar (typed parts), the access actions it performs and
/// its handler. The roles that may use a form are the roles `AccessPolicy` lets perform one of
/// its actions, worked out once here. The dispatcher (`DiaryBot`) finds the command, keeps the
/// forms the person may use, parses the words by them, and calls the handler of the first form
/// that reads them with typed arguments and a non-optional principal; a line no form reads
/// gets one refusal that says what was expected, with an example. Handlers never parse words
/// or check roles; the services check ownership on the same access table.
///
/// A command is matched by `name`, by any alias, with or without a leading `/`, and (for
/// clients that send unknown `/commands` to the server as verbs) by its name in upper case.
public struct BotCommand: Sendable {
    public var name: String
    public var aliases: [String]
    public var forms: [Form]
    /// Every form's actions; empty for a command of everyone, guests included (`/help`).
    public let actions: [AccessPolicy.Action]
    /// Who may use it: the roles the access table allows one of its actions; nil for everyone.
    public let roles: Set<Role>?
    public var usage: Localized
    public var summary: Localized
    public var details: Localized
    /// What is typed and what is answered stay on the device that asked: not echoed to the
    /// account's other devices (a new password, an app password shown once).
    public var confidential = false

    /// What the grammar needs read before it parses: the person's children, the school's subjects.
    var readsChildren: Bool { forms.contains { $0.parts.contains { $0.kind == .child } } }
    var readsSubjects: Bool { forms.contains { $0.parts.contains { $0.kind == .subject && !$0.takesTheMiddle } } }

    /// One way to use a command: its parts, the actions it performs, its handler.
    public struct Form: Sendable {
        public var parts: [ArgumentPart]
        public let actions: [AccessPolicy.Action]
        public let roles: Set<Role>?
        let handler: Handler

        public init(
            _ parts: [ArgumentPart] = [], action: AccessPolicy.Action,
            run: @escaping @Sendable (BotRequest) async throws -> Reply
        ) {
            self.init(parts, actions: [action], run: run)
        }

        public init(
            _ parts: [ArgumentPart] = [], actions: [AccessPolicy.Action],
            run: @escaping @Sendable (BotRequest) async throws -> Reply
        ) {
            self.parts = parts
            self.actions = actions
            self.roles = BotCommand.roles(allowedTo: actions)
            self.handler = .member(run)
        }

        /// A form anyone may use, guests included.
        public static func anyone(
            _ parts: [ArgumentPart] = [],
            run: @escaping @Sendable (GuestRequest) async throws -> Reply
        ) -> Form {
            Form(parts: parts, handler: .anyone(run))
        }

        private init(parts: [ArgumentPart], handler: Handler) {
            self.parts = parts
            self.actions = []
            self.roles = nil
            self.handler = handler
        }

        public func isAllowed(for principal: Principal?) -> Bool {
            guard let roles else { return true }
            guard let principal else { return false }
            return !roles.isDisjoint(with: principal.account.roles)
        }
    }

    /// A form's handler: with a principal, or for anyone.
    enum Handler: Sendable {
        case member(@Sendable (BotRequest) async throws -> Reply)
        case anyone(@Sendable (GuestRequest) async throws -> Reply)
    }

    public init(
        name: String, aliases: [String], usage: Localized, summary: Localized, details: Localized, forms: [Form]
    ) {
        self.name = name
        self.aliases = aliases
        self.forms = forms
        var actions: [AccessPolicy.Action] = []
        for action in forms.flatMap(\.actions) where !actions.contains(action) { actions.append(action) }
        self.actions = actions
        self.roles = Self.roles(allowedTo: actions)
        self.usage = usage
        self.summary = summary
        self.details = details
    }

    /// A command of one form.
    public init(
        name: String, aliases: [String], action: AccessPolicy.Action, usage: Localized, summary: Localized,
        details: Localized, grammar: [ArgumentPart] = [], run: @escaping @Sendable (BotRequest) async throws -> Reply
    ) {
        self.init(
            name: name, aliases: aliases, usage: usage, summary: summary, details: details,
            forms: [Form(grammar, action: action, run: run)])
    }

    static func roles(allowedTo actions: [AccessPolicy.Action]) -> Set<Role>? {
        actions.isEmpty ? nil : actions.reduce(into: Set<Role>()) { $0.formUnion(AccessPolicy.roles(allowedTo: $1)) }
    }

    /// This command, confidential (see `confidential`).
    public func asConfidential() -> BotCommand {
        var command = self
        command.confidential = true
        return command
    }

    public func isAllowed(for principal: Principal?) -> Bool {
        forms.contains { $0.isAllowed(for: principal) }
    }
}

/// How a reply speaks: the person's language, and the catalog's text in it.
public protocol Wording: Sendable {
    var language: Language { get }
}

extension Wording {
    /// The catalog's text of `key` in the person's language.
    public func t(_ key: StaticString, _ arguments: KeyValuePairs<String, any CustomStringConvertible> = [:]) -> String
    {
        Catalog.standard.text(key.description, language, arguments)
    }
}

/// A command being run: who asked, in which language, with which words.
public struct BotInvocation: Wording {
    /// nil for a guest.
    public var principal: Principal?
    public var language: Language
    public var arguments: [String]

    public init(principal: Principal?, language: Language, arguments: [String]) {
        self.principal = principal
        self.language = language
        self.arguments = arguments
    }
}

/// What a handler of a logged-in person's command receives: the person, and the arguments
/// its form's grammar read. No language: a handler returns a `Reply`, which the dispatcher
/// puts into the person's language.
public struct BotRequest: Sendable {
    public let principal: Principal
    public let arguments: Arguments
}

/// What a handler of a command for anyone receives (`/help`).
public struct GuestRequest: Sendable {
    public let principal: Principal?
    public let arguments: Arguments
}

/// What a handler returns: its answer not yet in a language (words as catalog keys, or a
/// rendering of the domain's result by the area's renderer), whether it is a refusal, and its
/// session effects. `DiaryBot` puts it into the person's language, in one place.
public struct Reply: Sendable {
    /// The answer's lines in a language.
    let render: @Sendable (any Wording) -> [String]
    public var effects: [SessionEffect] = []
    public var isRefusal = false

    /// A rendering of the domain's result: `Reply { render.marks(report, $0) }`.
    public init(effects: [SessionEffect] = [], _ render: @escaping @Sendable (any Wording) -> [String]) {
        self.render = render
        self.effects = effects
    }

    /// Lines of the catalog.
    public init(lines: [Localized], effects: [SessionEffect] = []) {
        self.init(effects: effects) { wording in lines.map { $0(wording.language) } }
    }

    /// One line of the catalog.
    public init(_ line: Localized) {
        self.init(lines: [line])
    }

    /// A refusal of the catalog: a client that asked for `standard-replies` gets it as `FAIL`.
    public static func refusal(_ line: Localized) -> Reply {
        var reply = Reply(line)
        reply.isRefusal = true
        return reply
    }
}

/// What a command does to the person's session besides answering: the server carries it out.
public enum SessionEffect: Sendable, Equatable {
    /// The person chose another language: later replies and notices are in it.
    case switchLanguage(Language)
    /// The person replaced a one-time password: the session may do everything again.
    case passwordReplaced
    /// The account's other sessions are closed (a new password logs out the old one's devices).
    case closeOtherSessions(reason: String)
}

/// What the bot answers: lines of text, and what to do to the session.
public struct BotReply: Sendable, Equatable {
    public var lines: [String]
    public var effects: [SessionEffect]
    /// The command was refused (unknown, not allowed, malformed, about nothing of the person's):
    /// a client that asked for `standard-replies` gets it as `FAIL` on the raw-verb path.
    public var isRefusal: Bool
    /// The command failed on the server's side (an internal error), not for the person's input.
    public var isFailure: Bool
    /// The command's name (not an alias) when the words named one: what the metrics count.
    public var command: String?
    /// The command is confidential: the answer goes to the asking device only.
    public var confidential = false

    public init(lines: [String], effects: [SessionEffect] = [], isRefusal: Bool = false, isFailure: Bool = false) {
        self.lines = lines
        self.effects = effects
        self.isRefusal = isRefusal
        self.isFailure = isFailure
    }

    public static func refusal(_ line: String) -> BotReply {
        BotReply(lines: [line], isRefusal: true)
    }

    public init(_ line: String) {
        self.init(lines: [line])
    }

    /// The language the person switched to, if they did.
    public var newLanguage: Language? {
        for case .switchLanguage(let language) in effects { return language }
        return nil
    }

    /// Whether the person replaced a one-time password.
    public var passwordChanged: Bool { effects.contains(.passwordReplaced) }
}
