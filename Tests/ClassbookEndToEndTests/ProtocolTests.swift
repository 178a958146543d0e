import Foundation
import IRC
import Testing

@Suite("IRC protocol over TLS", .timeLimit(.minutes(2)))
struct ProtocolTests {
    @Test("registration answers 001-005 with ISUPPORT BOT, and 422 without a MOTD")
    func welcomeBurst() async throws {
        try await withServer { server in
            let school = server.school
            let client = try await server.connect()
            let guardian = try school.guardianWithOneChild
            try await client.send("PASS \(guardian.login):\(guardian.password)")
            try await client.send("NICK burst")
            try await client.send("USER burst 0 * :x")
            for numeric in ["001", "002", "003", "004"] { try await client.expectNumeric(numeric) }
            let isupport = try await client.expectNumeric("005")
            #expect(isupport.parameters.contains("BOT=B"))
            try await client.expectNumeric("422")
            await client.close()
        }
    }

    @Test("numerics before and after registration: 451, 421, 461, 433")
    func refusals() async throws {
        try await withServer { server in
            let school = server.school
            let first = try await server.login(try school.guardianWithOneChild)
            let client = try await server.connect()
            try await client.send("PRIVMSG diary :marks")
            try await client.expectNumeric("451")
            try await client.send("MARKS")
            try await client.expectNumeric("451")
            try await client.send("NICK diary")
            try await client.expectNumeric("433")
            try await client.send("NICK 9bad")
            try await client.expectNumeric("432")
            try await client.send("USER onlyone")
            let missing = try await client.expectNumeric("461")
            #expect(missing.parameters[1] == "USER")
            try await first.send("FROBNICATE now")
            let unknown = try await first.expectNumeric("421")
            #expect(unknown.parameters[1] == "FROBNICATE")
            await first.close()
            await client.close()
        }
    }

    @Test("an over-long line gets 417 and the connection stays open")
    func overLongLine() async throws {
        try await withServer { server in
            let school = server.school
            let client = try await server.login(try school.guardianWithOneChild)
            try await client.send("PRIVMSG diary :" + String(repeating: "a", count: 600))
            try await client.expectNumeric("417")
            try await client.send("PRIVMSG diary :" + String(repeating: "b", count: 10_000))
            try await client.expectNumeric("417")
            // Still served.
            let help = try await client.ask("help")
            #expect(!help.isEmpty)
            await client.close()
        }
    }

    @Test("16 KiB without a line end closes the connection")
    func unterminatedFlood() async throws {
        try await withServer { server in
            let client = try await server.connect()
            try await client.sendRaw(Array(repeating: UInt8(ascii: "x"), count: 17 * 1024))
            let error = try await client.expectClosed()
            #expect(error?.contains("too long") == true)
        }
    }

    @Test("invalid UTF-8 is refused with FAIL INVALID_UTF8 and nothing else happens")
    func invalidUTF8() async throws {
        try await withServer { server in
            let school = server.school
            let client = try await server.login(try school.guardianWithOneChild)
            try await client.sendRaw(Array("PRIVMSG diary :ack ".utf8) + [0xFF, 0xFE] + Array("\r\n".utf8))
            let fail = try await client.expect("FAIL") { $0.command == "FAIL" }
            #expect(fail.parameters.prefix(2) == ["*", "INVALID_UTF8"])
            let count = try await server.store.int("SELECT count(*) FROM acknowledgements")
            #expect(count == 0)
            await client.close()
        }
    }

    @Test("PRIVMSG between people carries msgid and server-time; echo-message echoes it with the same msgid")
    func directMessages() async throws {
        try await withServer { server in
            let school = server.school
            let guardians = school.credentials.filter { $0.roles == [.guardian] }
            // Staff may write to anyone (the who-may-write rule has its own tests).
            let teacher = try school.credential { $0.roles.contains(.teacher) }
            let alice = try await server.login(teacher, capabilities: "sasl message-tags server-time echo-message")
            let bob = try await server.login(guardians[1], capabilities: "sasl message-tags server-time")
            try await alice.send("@+draft/reply=abc PRIVMSG \(guardians[1].login) :Здравствуйте! Собрание в 18:00")
            let fromAlice = "\(teacher.login)!"
            let received = try await bob.expect("PRIVMSG from alice") {
                $0.command == "PRIVMSG" && $0.source?.hasPrefix(fromAlice) == true
            }
            #expect(received.parameters == [guardians[1].login, "Здравствуйте! Собрание в 18:00"])
            let msgid = try #require(received.tag("msgid"))
            #expect(received.tag("time") != nil)
            #expect(received.tag("+draft/reply") == "abc")
            let echo = try await alice.expect("echo") {
                $0.command == "PRIVMSG" && $0.parameters.first == guardians[1].login
            }
            #expect(echo.tag("msgid") == msgid)
            // NOTICE to a missing nick is silent; PRIVMSG gets 401.
            try await alice.send("NOTICE nobody :hi")
            try await alice.send("PRIVMSG nobody :hi")
            let missing = try await alice.expectNumeric("401")
            #expect(missing.parameters[1] == "nobody")
            // A client without message-tags gets no tags at all.
            let carol = try await server.login(guardians[2])
            try await alice.send("PRIVMSG \(guardians[2].login) :plain")
            let plain = try await carol.expect("PRIVMSG from alice") {
                $0.command == "PRIVMSG" && $0.source?.hasPrefix(fromAlice) == true
            }
            #expect(plain.tags.isEmpty)
            for client in [alice, bob, carol] { await client.close() }
        }
    }

    @Test("bot replies fit 512 bytes per line")
    func repliesFit() async throws {
        try await withServer { server in
            let school = server.school
            let client = try await server.login(try school.guardianWithOneChild)
            _ = try await client.ask("help consent")
            _ = try await client.ask("marks 1")
            #expect(
                client.allLines.allSatisfy { line in
                    var message = try! IRCMessage(parsing: line)
                    message.tags = []
                    return message.serialized().utf8.count + 2 <= 512
                })
            await client.close()
        }
    }

    @Test("QUIT is answered with ERROR and the connection closes")
    func quit() async throws {
        try await withServer { server in
            let school = server.school
            let client = try await server.login(try school.guardianWithOneChild)
            try await client.send("QUIT :bye")
            let error = try await client.expectClosed()
            #expect(error == "Quit: bye")
        }
    }
}
