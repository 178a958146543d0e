import ClassbookDomain
import Foundation
import IRC
import Testing

/// `CHATHISTORY` of people and of the bot: a device that was away fetches what its account's
/// other devices received meanwhile, with the same ids and times. Real TLS sockets.
@Suite("Conversation history", .timeLimit(.minutes(2)))
struct HistoryTests {
    static let caps = "sasl message-tags server-time batch draft/chathistory"

    /// The history lines `request` answers with (inside its batch).
    static func history(_ client: IRCTestClient, _ request: String) async throws -> [IRCMessage] {
        try await client.send(request)
        let start = try await client.expect("BATCH +") {
            $0.command == "BATCH" && $0.parameters.first?.hasPrefix("+") == true
        }
        let reference = String(start.parameters[0].dropFirst())
        let lines = try await client.consume(until: "BATCH -") {
            $0.command == "BATCH" && $0.parameters.first == "-" + reference
        }
        return lines.dropLast().filter { $0.tag("batch") == reference }
    }

    @Test(
        """
        a device fetches the messages between two people that another device of the account received, with the same \
        ids; no one else can
        """
    )
    func directHistory() async throws {
        try await withServer { server in
            let s = try await JournalTests.setting(server)
            let phone = try await server.login(s.guardian, capabilities: Self.caps)
            let teacher = try await server.login(s.teacher, capabilities: Self.caps)
            try await teacher.send("PRIVMSG \(s.guardian.login) :Завтра контрольная.")
            let live = try await phone.expect("the message") {
                $0.command == "PRIVMSG" && $0.parameters.last == "Завтра контрольная."
            }
            let id = try #require(live.tag("msgid"))
            let time = try #require(live.tag("time"))

            // A laptop that was not connected then.
            let laptop = try await server.login(s.guardian, capabilities: Self.caps)
            let fetched = try await Self.history(laptop, "CHATHISTORY LATEST \(s.teacher.login) * 10")
            #expect(fetched.map { $0.parameters } == [[s.guardian.login, "Завтра контрольная."]])
            #expect(fetched.first?.tag("msgid") == id && fetched.first?.tag("time") == time)
            #expect(fetched.first?.source?.hasPrefix("\(s.teacher.login)!") == true)

            // What came after a moment; one's own messages too, as sent.
            try await teacher.send("PRIVMSG \(s.guardian.login) :Не забудьте тетрадь.")
            _ = try await phone.expect("the second") { $0.parameters.last == "Не забудьте тетрадь." }
            try await laptop.send("PRIVMSG \(s.teacher.login) :Спасибо!")
            _ = try await teacher.expect("the reply") { $0.parameters.last == "Спасибо!" }
            let after = try await Self.history(laptop, "CHATHISTORY AFTER \(s.teacher.login) timestamp=\(time) 10")
            #expect(after.map { $0.parameters.last } == ["Не забудьте тетрадь.", "Спасибо!"], "\(after)")
            #expect(after.last?.source?.hasPrefix("\(s.guardian.login)!") == true)
            let targets = try await Self.history(
                laptop, "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10")
            #expect(targets.contains { $0.parameters.prefix(2) == ["TARGETS", s.teacher.login] }, "\(targets)")

            // Another family reads nothing of it.
            let other = try await server.login(try server.school.guardianWithTwoChildren, capabilities: Self.caps)
            #expect(try await Self.history(other, "CHATHISTORY LATEST \(s.teacher.login) * 10").isEmpty)
            try await other.send("CHATHISTORY LATEST \(s.teacher.login) msgid=\(id) 10")
            #expect(
                try await other.expect("FAIL") { $0.command == "FAIL" }.parameters.prefix(2) == [
                    "CHATHISTORY", "INVALID_MSGREFTYPE"
                ])
            for client in [phone, teacher, laptop, other] { await client.close() }
        }
    }

    @Test(
        """
        a message kept for an account with no device carries the same id when delivered and in history; the bot's \
        notifications are history too
        """
    )
    func keptAndBot() async throws {
        try await withServer { server in
            let s = try await JournalTests.setting(server)
            let teacher = try await server.login(s.teacher, capabilities: Self.caps)
            try await teacher.send("PRIVMSG \(s.guardian.login) :Пока вас не было.")
            let echoed = try await teacher.expect("301") { $0.command == "301" }
            #expect(echoed.parameters[1] == s.guardian.login)
            let phone = try await server.login(s.guardian, capabilities: Self.caps)
            let delivered = try await phone.expect("the kept message") { $0.parameters.last == "Пока вас не было." }
            let fetched = try await Self.history(phone, "CHATHISTORY LATEST \(s.teacher.login) * 10")
            #expect(fetched.map { $0.tag("msgid") } == [delivered.tag("msgid")])

            // A mark's notification reaches the phone; a laptop finds it in the bot's history.
            let subject = s.subject.split(separator: " ")[0].lowercased()
            _ = try await teacher.ask("/mark \(s.className) \(subject) 20.11 №\(s.number) \(s.child) 5 кр")
            let notice = try await phone.expect("the notification") {
                $0.source?.hasPrefix("diary!") == true && $0.parameters.last?.hasPrefix("\(s.child): 5") == true
            }
            let laptop = try await server.login(s.guardian, capabilities: Self.caps)
            let bot = try await Self.history(laptop, "CHATHISTORY LATEST diary * 10")
            #expect(
                bot.contains { $0.tag("msgid") == notice.tag("msgid") && $0.parameters.last == notice.parameters.last },
                "\(bot)")
            #expect(bot.allSatisfy { $0.parameters.first == s.guardian.login })
            for client in [teacher, phone, laptop] { await client.close() }
        }
    }
}
