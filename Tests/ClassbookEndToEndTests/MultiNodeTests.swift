import ClassbookDomain
import ClassbookStore
import Foundation
import IRC
import Testing

/// Two servers (nodes) on one store, each with its own connections to it, as two processes
/// behind a load balancer: what one node saves for a person reaches their sessions on the
/// other live, and a leaked password closes the account's sessions on both.
@Suite("Several nodes on one store", .timeLimit(.minutes(2)))
struct MultiNodeTests {
    /// The bot's (or a person's) messages the client receives within `timeout`, once any came.
    static func messages(_ client: IRCTestClient, from source: String = "diary", timeout: Duration = .seconds(2))
        async throws -> [String]
    {
        let deadline = ContinuousClock.now + timeout
        var got: [String] = []
        while got.isEmpty && ContinuousClock.now < deadline {
            got = try await client.botMessages(from: source).map { $0.parameters[1] }
            if got.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        return got
    }

    @Test(
        """
        a mark entered on one node is told to the guardian connected to the other at once, and a teacher's \
        message reaches them there too
        """
    )
    func messagesAcrossNodes() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let a = try await RunningServer.start(school)
        let b = try await RunningServer.start(school)
        #expect(a.store.node != b.store.node)
        let l = try await MessagingTests.lesson(a)
        let guardian = try await b.login(l.guardian)
        let teacher = try await a.login(l.teacher)
        _ = try await teacher.ask("\(l.line) 5 кр")
        #expect(
            try await Self.messages(guardian) == ["\(l.child): 5 по предмету «\(l.subject)», контрольная работа, 20.11"]
        )
        // Delivered once: the node that made it had no session of the guardian's, this one marked it
        // (once the message is sent: its mark may follow the message by a commit).
        let undelivered = """
            SELECT count(*) FROM bot_outbox WHERE delivered_at IS NULL AND account_id = (
                SELECT id FROM accounts WHERE login = '\(l.guardian.login)')
            """
        let deadline = ContinuousClock.now + .seconds(5)
        while try await JournalTests.count(a, undelivered) > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await JournalTests.count(a, undelivered) == 0)

        try await teacher.send("PRIVMSG \(l.guardian.login) :Добрый день! Петя забыл тетрадь.")
        #expect(try await Self.messages(guardian, from: l.teacher.login) == ["Добрый день! Петя забыл тетрадь."])
        // Relayed from the history, not kept for a later login as for someone away (who would get it twice).
        #expect(try await JournalTests.count(a, "SELECT count(*) FROM bot_outbox WHERE source IS NOT NULL") == 0)
        for client in [guardian, teacher] { await client.close() }
        try await b.stop()
        try await a.stop()
    }

    @Test("a leaked password reported on one node closes the account's sessions on both within a second")
    func breachAcrossNodes() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let a = try await RunningServer.start(school)
        let b = try await RunningServer.start(school)
        let l = try await MessagingTests.lesson(a)
        let admin = try await a.login(try school.credential { $0.roles == [.admin] })
        let onA = try await a.login(l.teacher)
        let onB = [try await b.login(l.teacher), try await b.login(l.teacher)]
        let reported = try await admin.ask("/breach \(l.teacher.login)")
        #expect(reported.last?.hasPrefix("Учётная запись \(l.teacher.login) заблокирована") == true, "\(reported)")
        for client in [onA] + onB {
            #expect(try await client.expectClosed(timeout: .seconds(1)) == "Account locked: password reported leaked")
        }
        await admin.close()
        try await b.stop()
        try await a.stop()
    }

    @Test(
        """
        the device limit counts the sessions on both nodes; /sessions on one node lists the other's and closes \
        one of them
        """
    )
    func devicesAcrossNodes() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let a = try await RunningServer.start(school)
        let b = try await RunningServer.start(school)
        let guardian = try school.guardianWithOneChild
        var devices: [IRCTestClient] = []
        for index in 0..<5 {
            let client = try await (index < 3 ? a : b).connect()
            try await client.registerWithSASL(
                login: guardian.login, password: guardian.password, nick: "d\(index)", realname: "Device \(index)")
            devices.append(client)
        }
        let sixth = try await a.connect()
        do {
            try await sixth.registerWithSASL(login: guardian.login, password: guardian.password, nick: "d5")
            Issue.record("a sixth session registered")
        } catch {}
        #expect(try await sixth.expectClosed()?.contains("5") == true)

        let list = try await devices[0].ask("/sessions")
        #expect(list.first == "Открытые сеансы: 5.", "\(list)")
        #expect(list.count > 5 && list[4].hasPrefix("4. Device 3 — адрес 127.0.*.* — с "), "\(list)")
        #expect(try await devices[0].ask("/sessions close 4") == ["Сеанс 4 (Device 3) закрыт."])
        #expect(try await devices[3].expectClosed(timeout: .seconds(1)) == "Сеанс закрыт с другого устройства")
        #expect(!devices[4].isClosed)
        for client in devices { await client.close() }
        try await b.stop()
        try await a.stop()
    }

    @Test("a post on a board made on one node reaches the members connected to the other, replies included")
    func postsAcrossNodes() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let a = try await RunningServer.start(school)
        let b = try await RunningServer.start(school)
        let c = try await BoardTests.cast(a)
        let onA = try await a.login(c.guardians[0], nick: "parentA", capabilities: "sasl message-tags")
        let onB = try await b.login(c.guardians[1], nick: "parentB", capabilities: "sasl message-tags")
        for client in [onA, onB] {
            try await client.send("JOIN \(c.board)")
            _ = try await client.expectNumeric("366")
        }
        let started = try await onA.ask("/thread new \(c.board) Экскурсия в музей")
        #expect(started.first?.hasPrefix("Тема №1 «Экскурсия в музей» открыта") == true, "\(started)")
        let announced = try await onB.expect("the thread") { $0.command == "PRIVMSG" && $0.parameters.first == c.board }
        #expect(announced.parameters[1] == "Экскурсия в музей")
        let root = try #require(announced.tag("msgid"))
        try await onB.send("@+draft/reply=\(root) PRIVMSG \(c.board) :Мы поедем!")
        let reply = try await onA.expect("the reply") {
            $0.command == "PRIVMSG" && $0.parameters == [c.board, "Мы поедем!"]
        }
        #expect(reply.tag("+draft/reply") == root && reply.source?.hasPrefix("\(c.guardians[1].login)!") == true)
        for client in [onA, onB] { await client.close() }
        try await b.stop()
        try await a.stop()
    }
}
