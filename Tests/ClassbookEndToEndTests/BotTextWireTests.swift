@testable import ClassbookServer
import IRC
import NIOCore
import Testing

/// The bot's replies are written straight into the channel's buffer (`SessionHandle.writeText`);
/// these check that the bytes are the ones the general path writes for the same text as
/// `IRCMessage`s (`BotText.messages`, then `SessionHandle.write`), for every combination of
/// the tags a client may have negotiated.
@Suite("Bot text on the wire")
struct BotTextWireTests {
    static let source = "diary!diary@classbook.local"
    static let texts: [String] = [
        "Алгебра: 5 4 4 (кр) 3 — средний 4,00, итог за четверть: 4",
        "one",
        ":starts with a colon",
        "",
        "first line\nsecond line\r\n\nafter an empty one",
        String(repeating: "Русский текст с пробелами ", count: 40),
        String(repeating: "ж", count: 700),
        "ends with a space "
    ]
    static let flagSets: [SessionHandle.CapabilityFlags] = [(false, false), (true, false), (false, true), (true, true)]
        .map { time, tags in
            var flags = SessionHandle.CapabilityFlags()
            flags.serverTime = time
            flags.messageTags = tags
            return flags
        }

    /// Tag values differ from call to call (a timestamp, a counter): compared as placeholders.
    static func masked(_ wire: String) throws -> String {
        wire.replacing(try Regex("time=[^; ]+"), with: "time=T").replacing(try Regex("msgid=[^; ]+"), with: "msgid=M")
    }

    @Test("the same bytes as the bot's lines sent as messages", arguments: flagSets)
    func sameBytes(flags: SessionHandle.CapabilityFlags) throws {
        for nick in ["ivanova.mp", "*"] {
            var expected = ""
            var buffer = ByteBufferAllocator().buffer(capacity: 64)
            for text in Self.texts {
                for message in BotText.messages(text, from: Self.source, to: nick, ids: flags.messageTags) {
                    SessionHandle.write(message, flags: flags, into: &expected)
                }
            }
            SessionHandle.writeText(Self.texts, from: Self.source, to: nick, flags: flags, into: &buffer)
            let written = buffer.readString(length: buffer.readableBytes) ?? ""
            #expect(try Self.masked(written) == Self.masked(expected))
            // Every line fits IRC's limit without its tags, and each piece has its own msgid.
            for line in written.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast() {
                let body = line.hasPrefix("@") ? line[line.index(after: line.firstIndex(of: " ")!)...] : line
                #expect(body.utf8.count + 2 <= IRCLimits.bodyBytes)
                #expect(try IRCMessage(parsing: String(line)).command == "PRIVMSG")
            }
            if flags.messageTags {
                let ids = written.split(separator: "\r\n").map { $0.split(separator: " ")[0] }
                #expect(Set(ids).count == ids.count)
            }
        }
    }

    @Test("nicks compare as IRC's ASCII case mapping folds them")
    func sameNick() {
        #expect(SessionRegistry.sameNick("diary", "DIARY"))
        #expect(SessionRegistry.sameNick("Diary", "diary"))
        #expect(!SessionRegistry.sameNick("diary", "diarx"))
        #expect(!SessionRegistry.sameNick("diary", "diary2"))
        #expect(!SessionRegistry.sameNick("[x]", "{x}"))  // ASCII casemapping: brackets are not letters
        #expect(!SessionRegistry.sameNick("a@", "a`"))
        #expect(SessionRegistry.sameNick("Дневник", "дневник"))  // beyond ASCII, as `fold` does
    }
}
