/// Words not yet put into a language: a key of the message catalogs (ClassbookText) and the
/// values to put in, or a verbatim text that is data (a name, a number). What the domain
/// returns where people read words (a report's title, columns and notes), what the bot's
/// command table holds for usage and help; rendered for a reader by ClassbookText.
public struct Localized: Sendable, Hashable {
    public let key: String
    /// The values by name; a value may itself be words (`Localized`) or verbatim.
    public let arguments: [String: Localized]
    /// The text itself, for data.
    public let verbatim: String?

    public init(_ key: StaticString, _ arguments: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        self.key = key.description
        var values: [String: Localized] = [:]
        for (name, value) in arguments where values[name] == nil {
            values[name] = (value as? Localized) ?? .verbatim(value.description)
        }
        self.arguments = values
        self.verbatim = nil
    }

    private init(verbatim text: String) {
        key = ""
        arguments = [:]
        verbatim = text
    }

    /// Data shown as it is: a name, a number, a class.
    public static func verbatim(_ text: String) -> Localized { Localized(verbatim: text) }
}

extension Localized: CustomStringConvertible {
    /// For logs and test failures only, marked so that words put into a string by mistake show:
    /// people get `callAsFunction(language)` (ClassbookText).
    public var description: String { verbatim ?? "⟨\(key)⟩" }
}
