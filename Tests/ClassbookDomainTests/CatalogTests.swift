import ClassbookDomain
import ClassbookText
import Foundation
import Testing

/// The message catalogs are complete: every key code names is in both languages, no catalog
/// has a key no code names, and both languages put in the same values.
@Suite("Message catalogs")
struct CatalogTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// One place code names a key: the file, and the names of the values it puts in when
    /// they are written at the call (nil when they come in a variable).
    struct Use {
        var file: String
        var arguments: Set<String>?
    }

    /// Every key named in the sources: the first argument of `t(…)` and `Localized(…)`, a
    /// string literal by the API's `StaticString`, with the value names of the literal that follows.
    static func keysInCode() throws -> [String: [Use]] {
        let pattern = try Regex(#"(?:\.t|\bLocalized)\(\s*"([A-Za-z0-9_.]+)"(\s*,\s*\[)?"#)
        var keys: [String: [Use]] = [:]
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            // Comments may show an example call; only code counts.
            let code = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces).hasPrefix("//") ? "" : String($0) }.joined(
                    separator: "\n")
            for match in code.matches(of: pattern) {
                var arguments: Set<String>? = []
                if match.output[2].substring != nil {
                    arguments = Self.labels(code[match.range.upperBound...])
                } else if code[match.range.upperBound...].drop(while: \.isWhitespace).first == "," {
                    arguments = nil
                }
                keys[String(match.output[1].substring!), default: []].append(
                    Use(file: file.lastPathComponent, arguments: arguments))
            }
        }
        return keys
    }

    /// The `"name":` labels of a dictionary literal up to its closing bracket (nested brackets,
    /// parentheses and string literals skipped).
    static func labels(_ text: Substring) -> Set<String> {
        var labels: Set<String> = []
        var depth = 0
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\"" {
                let close = text[text.index(after: index)...].firstIndex(of: "\"") ?? text.endIndex
                let after = close < text.endIndex ? text.index(after: close) : close
                if depth == 0, after < text.endIndex, text[after] == ":" {
                    labels.insert(String(text[text.index(after: index)..<close]))
                }
                index = after
                continue
            }
            if character == "[" || character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == "]" {
                if depth == 0 { break }
                depth -= 1
            }
            index = text.index(after: index)
        }
        return labels
    }

    @Test func everyKeyInBothLanguagesAndUsed() throws {
        let used = try Self.keysInCode()
        #expect(used.count > 400)
        let catalog = Catalog.standard
        let ru = catalog.texts[.ru]!, en = catalog.texts[.en]!
        for (key, uses) in used.sorted(by: { $0.key < $1.key }) {
            guard let russian = ru[key], let english = en[key] else {
                Issue.record("\(key) (\(uses[0].file)) is missing in \(ru[key] == nil ? "ru" : "en").catalog")
                continue
            }
            let needed = Catalog.placeholders(russian).union(Catalog.placeholders(english))
            for use in uses {
                guard let given = use.arguments else { continue }
                let missing = needed.subtracting(given).sorted(), unused = given.subtracting(needed).sorted()
                if !missing.isEmpty {
                    Issue.record("\(key) (\(use.file)): the text puts in \(missing), the code does not give them")
                }
                if !unused.isEmpty {
                    Issue.record("\(key) (\(use.file)): the code gives \(unused), no text puts them in")
                }
            }
        }
        for key in Set(ru.keys).union(en.keys).sorted() {
            if used[key] == nil { Issue.record("\(key) is in a catalog but no code names it") }
            if ru[key] == nil || en[key] == nil { Issue.record("\(key) is in one language only") }
        }
    }

    /// A value put in is put in by both languages, unless it is the kind of value one language
    /// words differently by design: then the code gives both (checked above).
    @Test func bothLanguagesTextsAreThere() throws {
        let catalog = Catalog.standard
        for (key, russian) in catalog.texts[.ru]! {
            let english = catalog.texts[.en]![key] ?? ""
            #expect(!russian.isEmpty && !english.isEmpty, "\(key) is empty")
        }
    }

    @Test func theFormat() throws {
        let parsed = try Catalog.parse(
            """
            # a comment
            a.b = Hello, {name}!
            long.text = the first half
                and the second
            spaced = " keeps its spaces "

            braces = {{literal}} {x}
            """)
        #expect(
            parsed == [
                "a.b": "Hello, {name}!", "long.text": "the first half and the second",
                "spaced": " keeps its spaces ", "braces": "{{literal}} {x}"
            ])
        let catalog = Catalog(texts: [.ru: parsed, .en: [:]])
        #expect(catalog.text("a.b", .en, ["name": "Пётр"]) == "Hello, Пётр!")
        #expect(catalog.text("braces", .ru, ["x": 5]) == "{literal} 5")
        #expect(catalog.text("missing.key", .ru) == "missing.key")
        #expect(throws: Catalog.ParseError.self) { try Catalog.parse("a = 1\na = 2") }
        #expect(throws: Catalog.ParseError.self) { try Catalog.parse("    orphan continuation") }
        #expect(throws: Catalog.ParseError.self) { try Catalog.parse("no equals sign") }
    }

    /// What the catalogs compiled in parse to: nothing silently lost to a format error.
    @Test func theCompiledCatalogsParse() throws {
        #expect(Catalog.standard.texts[.ru]!.count == Catalog.standard.texts[.en]!.count)
        #expect(Catalog.standard.texts[.ru]!.count > 400)
    }
}
