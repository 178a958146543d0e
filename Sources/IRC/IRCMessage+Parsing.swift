/// Why a line could not be read as an IRC message.
public enum IRCParseError: Error, Equatable, Sendable {
    case emptyLine
    case tagsTooLong
    case bodyTooLong
    case missingCommand
    case invalidCommand
    case invalidTag
    case tooManyParameters
    case containsNUL
}

extension IRCMessage {
    /// Parses one line without its CR LF.
    ///
    /// Refuses lines whose tags section or body exceed `IRCLimits`, NUL bytes,
    /// malformed tags and commands that are neither a word nor a three-digit numeric.
    public init(parsing line: Substring) throws(IRCParseError) {
        // Scanned as UTF-8 bytes: the separators are ASCII bytes (space, `@`, `:`), which are
        // always scalar boundaries, so the slices between them are valid text; scanning by
        // Character would break the line into grapheme clusters first (and take a space
        // followed by a combining mark for something other than a space).
        var rest = line[...]
        if rest.utf8.contains(0) { throw .containsNUL }
        var tags: [IRCTag] = []
        if rest.utf8.first == UInt8(ascii: "@") {
            guard let space = rest.utf8.firstIndex(of: UInt8(ascii: " ")) else { throw .missingCommand }
            let tagText = rest[rest.utf8.index(after: rest.startIndex)..<space]
            // '@' + tags + ' '
            if tagText.utf8.count + 2 > IRCLimits.tagBytes { throw .tagsTooLong }
            tags = try Self.parseTags(tagText)
            rest = Self.droppingSpaces(rest[space...])
        }
        // The body limit counts CR LF.
        if rest.utf8.count + 2 > IRCLimits.bodyBytes { throw .bodyTooLong }
        var source: String?
        if rest.utf8.first == UInt8(ascii: ":") {
            guard let space = rest.utf8.firstIndex(of: UInt8(ascii: " ")) else { throw .missingCommand }
            source = String(rest[rest.utf8.index(after: rest.startIndex)..<space])
            rest = Self.droppingSpaces(rest[space...])
        }
        let commandEnd = rest.utf8.firstIndex(of: UInt8(ascii: " ")) ?? rest.endIndex
        let command = rest[rest.startIndex..<commandEnd]
        if command.isEmpty { throw tags.isEmpty && source == nil ? .emptyLine : .missingCommand }
        let isNumeric = command.utf8.count == 3 && command.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
        // Letters of any script: clients pass unknown `/команды` to the server as verbs.
        // ASCII letters first, without a look-up of each scalar's properties.
        let isWord =
            command.utf8.allSatisfy { ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") }
            || command.unicodeScalars.allSatisfy { $0.properties.isAlphabetic }
        guard isNumeric || isWord else { throw .invalidCommand }
        rest = rest[commandEnd...]

        var parameters: [String] = []
        while !rest.isEmpty {
            rest = Self.droppingSpaces(rest)
            if rest.isEmpty { break }
            if rest.utf8.first == UInt8(ascii: ":") {
                parameters.append(String(rest[rest.utf8.index(after: rest.startIndex)...]))
                break
            }
            let end = rest.utf8.firstIndex(of: UInt8(ascii: " ")) ?? rest.endIndex
            parameters.append(String(rest[rest.startIndex..<end]))
            rest = rest[end...]
        }
        if parameters.count > IRCLimits.maxParameters { throw .tooManyParameters }
        self.init(tags: tags, source: source, command: command.uppercased(), parameters: parameters)
    }

    /// `text` without the spaces (bytes) it starts with.
    private static func droppingSpaces(_ text: Substring) -> Substring {
        var start = text.utf8.startIndex
        while start < text.utf8.endIndex, text.utf8[start] == UInt8(ascii: " ") { text.utf8.formIndex(after: &start) }
        return text[start...]
    }

    /// Parses one line without its CR LF.
    public init(parsing line: String) throws(IRCParseError) {
        try self.init(parsing: line[...])
    }

    private static func parseTags(_ text: Substring) throws(IRCParseError) -> [IRCTag] {
        var tags: [IRCTag] = []
        for item in text.split(separator: ";", omittingEmptySubsequences: true) {
            let key: Substring
            let value: Substring
            if let equals = item.firstIndex(of: "=") {
                key = item[item.startIndex..<equals]
                value = item[item.index(after: equals)...]
            } else {
                key = item
                value = ""
            }
            guard isValidTagKey(key) else { throw .invalidTag }
            let tag = IRCTag(String(key), IRCTagValue.unescape(value))
            // The last occurrence of a duplicated key wins.
            if let existing = tags.firstIndex(where: { $0.key == tag.key }) {
                tags[existing] = tag
            } else {
                tags.append(tag)
            }
        }
        return tags
    }

    /// `[ '+' ] [ vendor '/' ] name` where name is letters, digits and hyphens.
    private static func isValidTagKey(_ key: Substring) -> Bool {
        var name = key
        if name.first == "+" { name = name.dropFirst() }
        if let slash = name.lastIndex(of: "/") {
            let vendor = name[name.startIndex..<slash]
            guard !vendor.isEmpty,
                vendor.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
            else {
                return false
            }
            name = name[name.index(after: slash)...]
        }
        return !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}

/// Escaping of tag values (IRCv3 message-tags): `;` `\s` `\\` `\r` `\n`.
public enum IRCTagValue {
    public static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case ";": out += "\\:"
            case " ": out += "\\s"
            case "\\": out += "\\\\"
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    public static func unescape(_ value: Substring) -> String {
        var out = ""
        var escaping = false
        for scalar in value.unicodeScalars {
            if escaping {
                switch scalar {
                case ":": out += ";"
                case "s": out += " "
                case "\\": out += "\\"
                case "r": out += "\r"
                case "n": out += "\n"
                default: out.unicodeScalars.append(scalar)
                }
                escaping = false
            } else if scalar == "\\" {
                escaping = true
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        // A trailing lone backslash is dropped, as the specification says.
        return out
    }
}
