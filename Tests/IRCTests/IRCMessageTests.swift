import IRC
import Testing

@Suite("IRC message grammar")
struct IRCMessageTests {
    @Test("a full message parses into tags, source, verb and parameters")
    func parsesEverything() throws {
        let message = try IRCMessage(
            parsing: "@msgid=abc;+draft/reply=x\\sy :nick!user@host PRIVMSG diary :hello there")
        #expect(message.tags == [IRCTag("msgid", "abc"), IRCTag("+draft/reply", "x y")])
        #expect(message.source == "nick!user@host")
        #expect(message.command == "PRIVMSG")
        #expect(message.parameters == ["diary", "hello there"])
    }

    @Test("verbs are upper-cased and Cyrillic verbs are accepted for /команды")
    func verbs() throws {
        #expect(try IRCMessage(parsing: "privmsg a :b").command == "PRIVMSG")
        #expect(try IRCMessage(parsing: "оценки 7А").command == "ОЦЕНКИ")
        #expect(try IRCMessage(parsing: "001 nick :Welcome").command == "001")
    }

    @Test(
        "serializing and parsing again gives the same message",
        arguments: [
            IRCMessage(command: "PING", parameters: ["token"]),
            IRCMessage(source: "srv", command: "001", parameters: ["nick", "Welcome to the network"]),
            IRCMessage(source: "srv", command: "CAP", parameters: ["*", "LS", ""]),
            IRCMessage(command: "PRIVMSG", parameters: ["diary", ":starts with a colon"]),
            IRCMessage(
                tags: [IRCTag("time", "2026-11-23T10:00:00.000Z"), IRCTag("a", "semi;colon space\\back\r\n")],
                source: "n!u@h", command: "PRIVMSG", parameters: ["x", "Привет, мир"]),
            IRCMessage(tags: [IRCTag("flag")], command: "TAGMSG", parameters: ["x"])
        ])
    func roundTrip(_ message: IRCMessage) throws {
        #expect(try IRCMessage(parsing: message.serialized()) == message)
    }

    @Test("tag values are escaped as the message-tags specification says")
    func tagEscaping() {
        #expect(IRCTagValue.escape("a;b c\\d\re\nf") == "a\\:b\\sc\\\\d\\re\\nf")
        #expect(IRCTagValue.unescape("a\\:b\\sc\\\\d\\re\\nf") == "a;b c\\d\re\nf")
        // An unknown escape drops the backslash; a trailing backslash is dropped.
        #expect(IRCTagValue.unescape("\\x\\") == "x")
    }

    @Test("a duplicated tag key keeps the last value")
    func duplicateTags() throws {
        #expect(try IRCMessage(parsing: "@a=1;a=2 PING x").tags == [IRCTag("a", "2")])
    }

    @Test("a body over 512 bytes with CR LF is refused; 510 bytes is accepted")
    func bodyLimit() throws {
        let fits = "PRIVMSG x :" + String(repeating: "a", count: 510 - 11)
        #expect(throws: Never.self) { try IRCMessage(parsing: fits) }
        #expect(throws: IRCParseError.bodyTooLong) { try IRCMessage(parsing: fits + "a") }
    }

    @Test("a tags section over 8191 bytes is refused")
    func tagLimit() {
        let tags = "@a=" + String(repeating: "b", count: 8190)
        #expect(throws: IRCParseError.tagsTooLong) { try IRCMessage(parsing: tags + " PING x") }
    }

    @Test(
        "malformed lines are refused with a reason",
        arguments: [
            ("", IRCParseError.emptyLine),
            ("@a=b", IRCParseError.missingCommand),
            (":source", IRCParseError.missingCommand),
            ("PRIV-MSG x", IRCParseError.invalidCommand),
            ("12 x", IRCParseError.invalidCommand),
            ("@bad key=1 PING x", IRCParseError.invalidCommand),
            ("@=1 PING x", IRCParseError.invalidTag),
            ("PING a\u{0}b", IRCParseError.containsNUL),
            ("CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", IRCParseError.tooManyParameters)
        ])
    func refusals(_ line: String, _ error: IRCParseError) {
        #expect(throws: error) { try IRCMessage(parsing: line) }
    }

    @Test("extra spaces between parameters are ignored")
    func spaces() throws {
        #expect(try IRCMessage(parsing: "USER  a   0 *  :Real Name").parameters == ["a", "0", "*", "Real Name"])
    }

    @Test(
        """
        the separators are bytes: a space before a combining mark still separates, a colon before one still starts \
        the trailing parameter
        """
    )
    func byteSeparators() throws {
        // To Swift's String " \u{301}" is one Character, not a space.
        let message = try IRCMessage(parsing: "PRIVMSG a \u{301}b :\u{301}c d")
        #expect(message.parameters == ["a", "\u{301}b", "\u{301}c d"])
        #expect(try IRCMessage(parsing: ":ник\u{301} NOTICE б").source == "ник\u{301}")
        #expect(try IRCMessage(parsing: "NOTICE б").command == "NOTICE")
        #expect(throws: IRCParseError.invalidCommand) { try IRCMessage(parsing: "NO\u{301}TICE б") }
    }
}

@Suite("Splitting long text")
struct IRCTextSplitterTests {
    @Test("pieces fit the byte budget, break at spaces and never inside a Cyrillic letter")
    func split() {
        let text = String(repeating: "Оценки по алгебре ", count: 40)
        let pieces = IRCTextSplitter.split(text, maxBytes: 100)
        #expect(pieces.count > 1)
        #expect(pieces.allSatisfy { $0.utf8.count <= 100 })
        #expect(pieces.joined(separator: " ").split(separator: " ") == text.split(separator: " "))
    }

    @Test("a word longer than the budget is cut at a character boundary")
    func longWord() {
        let pieces = IRCTextSplitter.split(String(repeating: "ж", count: 30), maxBytes: 9)
        #expect(pieces.allSatisfy { $0.utf8.count <= 9 })
        #expect(pieces.joined() == String(repeating: "ж", count: 30))
    }

    @Test("CR LF and bare CR never reach a piece: lines split at LF, CR dropped")
    func lineEnds() {
        #expect(
            IRCTextSplitter.split("первая\r\nвторая\rтретья\n\nконец", maxBytes: 100) == [
                "первая", "вторая" + "третья", " ", "конец"
            ])
        #expect(IRCTextSplitter.split("a\r\n", maxBytes: 100) == ["a", " "])
    }

    @Test("a whole line is told apart from one to split in one pass, with whether it holds a space")
    func wholeLine() {
        #expect(IRCTextSplitter.wholeLine("Алгебра: 5 4", maxBytes: 100) == true)
        #expect(IRCTextSplitter.wholeLine("Алгебра:5", maxBytes: 100) == false)
        // Longer than a word of the scan, the byte in question last.
        #expect(IRCTextSplitter.wholeLine(String(repeating: "ж", count: 40) + " ", maxBytes: 100) == true)
        #expect(IRCTextSplitter.wholeLine(String(repeating: "ж", count: 40) + "\n", maxBytes: 100) == nil)
        #expect(IRCTextSplitter.wholeLine(String(repeating: "ж", count: 40) + "\r", maxBytes: 100) == nil)
        #expect(IRCTextSplitter.wholeLine("", maxBytes: 100) == nil)
        #expect(IRCTextSplitter.wholeLine("слишком длинно", maxBytes: 8) == nil)
        #expect(IRCTextSplitter.fitsOneLine("одна строка", maxBytes: 100))
        #expect(!IRCTextSplitter.fitsOneLine("две\nстроки", maxBytes: 100))
    }

    @Test("the word-at-a-time scan finds CR, LF and space at every position of every length")
    func wholeLineEveryPosition() {
        // Neighbours of the three bytes (CR ± 1, LF ± 1, space ± 1) and bytes with the high
        // bit set, where a borrow between a word's bytes would show.
        let filler: [UInt8] = [9, 11, 12, 14, 31, 33, 0x80, 0xD0, 0xFF, 0x61]
        for length in 1...40 {
            for position in 0..<length {
                for special: UInt8 in [13, 10, 32] {
                    var bytes = (0..<length).map { filler[($0 &* 7 &+ length) % filler.count] }
                    bytes[position] = special
                    let text = String(decoding: bytes, as: UTF8.self)
                    let utf8 = Array(text.utf8)
                    let expected: Bool? = utf8.contains(13) || utf8.contains(10) ? nil : utf8.contains(32)
                    #expect(
                        IRCTextSplitter.wholeLine(text, maxBytes: 1000) == expected,
                        "length \(length), byte \(special) at \(position)")
                }
            }
            let plain = String(decoding: (0..<length).map { filler[$0 % filler.count] }, as: UTF8.self)
            #expect(IRCTextSplitter.wholeLine(plain, maxBytes: 1000) == false)
        }
    }
}
