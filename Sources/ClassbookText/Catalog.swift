import ClassbookDomain

/// Every word Classbook says to people, one catalog a language (`Catalogs/ru.catalog`,
/// `Catalogs/en.catalog`), looked up by key.
///
/// Code names a key and the values to put in (`{name}` in the text); it never holds the text.
/// Keys are written as string literals at the call (`t("bot.unknownCommand", …)`,
/// `Localized("cmd.marks.usage")`) so the completeness test can find every key code uses;
/// it fails when a key is missing in either language, when a catalog has a key no code uses,
/// or when the two languages' texts put in different values.
public struct Catalog: Sendable {
    /// Each language's texts by key.
    public let texts: [Language: [String: String]]

    /// The catalogs compiled into the binary.
    /// A catalog that does not parse is a fault of the build, stopped at the first word said
    /// (and by the catalog tests before any release).
    public static let standard = Catalog(texts: [
        .ru: compiled(PackageResources.ru_catalog, "ru.catalog"),
        .en: compiled(PackageResources.en_catalog, "en.catalog")
    ])

    private static func compiled(_ bytes: [UInt8], _ name: String) -> [String: String] {
        do {
            return try parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            preconditionFailure("\(name): \(error)")
        }
    }

    public init(texts: [Language: [String: String]]) {
        self.texts = texts
    }

    /// The text of `key` in `language` with `arguments` put in. A key missing from the catalog
    /// (which the completeness test rules out) shows as itself rather than as nothing.
    public func text(
        _ key: String, _ language: Language,
        _ arguments: KeyValuePairs<String, any CustomStringConvertible> = [:]
    ) -> String {
        guard let template = template(key, language) else { return key }
        return Self.fill(template) { name in arguments.first(where: { $0.key == name })?.value.description }
    }

    /// The text of `key` in `language`, or in Russian where English lacks it.
    func template(_ key: String, _ language: Language) -> String? {
        texts[language]?[key] ?? texts[.ru]?[key]
    }

    /// `{name}` replaced by the argument of that name; `{{` and `}}` are braces.
    static func fill(_ template: String, _ value: (Substring) -> String?) -> String {
        guard template.contains("{") || template.contains("}") else { return template }
        var result = ""
        result.reserveCapacity(template.utf8.count + 16)
        var index = template.startIndex
        while index < template.endIndex {
            let character = template[index]
            let next = template.index(after: index)
            if character == "{", next < template.endIndex, template[next] == "{" {
                result.append("{")
                index = template.index(after: next)
            } else if character == "}", next < template.endIndex, template[next] == "}" {
                result.append("}")
                index = template.index(after: next)
            } else if character == "{", let close = template[next...].firstIndex(of: "}") {
                let name = template[next..<close]
                if let value = value(name) {
                    result.append(value)
                } else {
                    result.append(contentsOf: template[index...close])
                }
                index = template.index(after: close)
            } else {
                result.append(character)
                index = next
            }
        }
        return result
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "catalog line \(line): \(reason)" }
    }

    /// Reads a catalog: `key = text` lines; a line starting with a space or tab continues the
    /// text before it (joined by one space); `#` starts a comment line; a text in double
    /// quotes keeps the spaces at its ends. A key given twice is an error.
    public static func parse(_ source: String) throws -> [String: String] {
        var texts: [String: String] = [:]
        var lastKey: String?
        for (offset, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.trimmingSpaces()
            if trimmed.isEmpty || trimmed.hasPrefix("#") {
                lastKey = nil
                continue
            }
            if line.first == " " || line.first == "\t" {
                guard let key = lastKey else {
                    throw ParseError(line: offset + 1, reason: "a continuation with nothing to continue")
                }
                texts[key, default: ""] += " " + trimmed
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { throw ParseError(line: offset + 1, reason: "no \"=\"") }
            let key = String(line[..<equals].trimmingSpaces())
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") })
            else {
                throw ParseError(line: offset + 1, reason: "a key is ASCII letters, digits, dots and underscores")
            }
            guard texts[key] == nil else { throw ParseError(line: offset + 1, reason: "\(key) given twice") }
            var value = line[line.index(after: equals)...].trimmingSpaces()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
            texts[key] = String(value)
            lastKey = key
        }
        return texts
    }

    /// The names a text puts in (`{name}`), for the completeness test.
    public static func placeholders(_ template: String) -> Set<String> {
        var names: Set<String> = []
        var rest = Substring(template.replacing("{{", with: "").replacing("}}", with: ""))
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.insert(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}

extension Localized {
    /// The text in `language`: the catalog's text of the key with the values put in (each
    /// value itself in `language`), or the verbatim text.
    public func callAsFunction(_ language: Language, catalog: Catalog = .standard) -> String {
        if let text = verbatim { return text }
        guard let template = catalog.template(key, language) else { return key }
        return Catalog.fill(template) { arguments[String($0)]?(language, catalog: catalog) }
    }
}

extension Language {
    /// `text` in this language: `language.t("server.welcome", ["name": name])`.
    public func t(_ key: StaticString, _ arguments: KeyValuePairs<String, any CustomStringConvertible> = [:]) -> String
    {
        Catalog.standard.text(key.description, self, arguments)
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
