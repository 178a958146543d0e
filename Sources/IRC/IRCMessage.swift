/// One IRC message: optional IRCv3 tags, optional source, a verb and parameters.
///
/// The grammar is the one modern.ircdocs.horse documents:
/// `['@' tags SPACE] [':' source SPACE] command *(SPACE param) [SPACE ':' trailing] CRLF`.
/// Values here are already unescaped; `serialized()` escapes them again.
public struct IRCMessage: Sendable, Equatable {
    /// Tags in the order they should be written. A tag without a value has an empty value.
    public var tags: [IRCTag]
    public var source: String?
    /// The verb, upper-cased, or a three-digit numeric.
    public var command: String
    public var parameters: [String]

    public init(tags: [IRCTag] = [], source: String? = nil, command: String, parameters: [String] = []) {
        self.tags = tags
        self.source = source
        self.command = command
        self.parameters = parameters
    }

    /// The value of the tag `key`, `""` for a tag present without a value, `nil` when absent.
    public func tag(_ key: String) -> String? {
        tags.first(where: { $0.key == key })?.value
    }
}

/// One IRCv3 message tag. An empty value and a missing value are the same thing.
public struct IRCTag: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String = "") {
        self.key = key
        self.value = value
    }
}

/// The sizes IRC allows for one line.
public enum IRCLimits {
    /// The message without tags, including the final CRLF.
    public static let bodyBytes = 512
    /// The tags section a server accepts from a client, including '@' and the trailing space
    /// (4094 bytes of client tags plus room for the server's own).
    public static let tagBytes = 8191
    /// The longest line a server accepts: tags plus body.
    public static let lineBytes = tagBytes + bodyBytes
    /// Parameters beyond this number are refused (modern IRC allows 15).
    public static let maxParameters = 15
}
