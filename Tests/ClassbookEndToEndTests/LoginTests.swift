import ClassbookDomain
import ClassbookServer
import ClassbookStore
import Foundation
import Testing

@Suite("Logging in over TLS", .timeLimit(.minutes(2)))
struct LoginTests {
    @Test("a demo guardian logs in with SASL PLAIN and is greeted by the bot")
    func saslLogin() async throws {
        try await withServer { server in
            let school = server.school
            let guardian = try school.guardianWithOneChild
            let client = try await server.connect()
            try await client.send("CAP LS 302")
            try await client.send("NICK mama")
            try await client.send("USER mama 0 * :x")
            try await client.send("CAP REQ :sasl")
            try await client.send("AUTHENTICATE PLAIN")
            try await client.expect("AUTHENTICATE +") { $0.command == "AUTHENTICATE" }
            try await client.send(
                "AUTHENTICATE " + Data("\0\(guardian.login)\0\(guardian.password)".utf8).base64EncodedString())
            let loggedIn = try await client.expectNumeric("900")
            #expect(loggedIn.parameters[2] == guardian.login)
            try await client.expectNumeric("903")
            // Registration waits for CAP END.
            #expect(!client.allLines.contains { $0.contains(" 001 ") })
            try await client.send("CAP END")
            try await client.expectNumeric("001")
            let greeting = try await client.expect("the bot's greeting") {
                $0.command == "PRIVMSG" && $0.source?.hasPrefix("diary!") == true
            }
            #expect(greeting.parameters[1].contains(guardian.name))
            await client.close()
        }
    }

    @Test("PASS login:password logs in as well")
    func passLogin() async throws {
        try await withServer { server in
            let school = server.school
            let client = try await server.connect()
            let guardian = try school.guardianWithOneChild
            try await client.registerWithPass(login: guardian.login, password: guardian.password, nick: "papa")
            let reply = try await client.ask("/help")
            #expect(reply.contains { $0.hasPrefix("/marks") })
            await client.close()
        }
    }

    @Test("a wrong password and an unknown login get the same SASL refusal")
    func wrongPassword() async throws {
        try await withServer { server in
            let school = server.school
            let guardian = try school.guardianWithOneChild
            var refusals: [[String]] = []
            for (login, password) in [(guardian.login, guardian.password + "x"), ("nobody.here", guardian.password)] {
                let client = try await server.connect()
                try await client.send("CAP LS 302")
                try await client.send("NICK someone")
                try await client.send("USER someone 0 * :x")
                try await client.send("CAP REQ :sasl")
                try await client.send("AUTHENTICATE PLAIN")
                try await client.expect("AUTHENTICATE +") { $0.command == "AUTHENTICATE" }
                try await client.send("AUTHENTICATE " + Data("\0\(login)\0\(password)".utf8).base64EncodedString())
                let refusal = try await client.expectNumeric("904")
                refusals.append(Array(refusal.parameters.dropFirst()))
                // Without a login the connection is not let in.
                try await client.send("CAP END")
                let error = try await client.expectClosed()
                #expect(error?.contains("log in") == true)
                #expect(!client.allLines.contains { $0.contains(" 001 ") })
            }
            #expect(refusals[0] == refusals[1])
        }
    }

    @Test("a wrong PASS gets 464 and the connection is closed")
    func wrongPass() async throws {
        try await withServer { server in
            let school = server.school
            let client = try await server.connect()
            let guardian = try school.guardianWithOneChild
            try await client.send("PASS \(guardian.login):wrong-password")
            try await client.send("NICK x1")
            try await client.send("USER x1 0 * :x")
            try await client.expectNumeric("464")
            _ = try await client.expectClosed()
        }
    }

    @Test("a connection that never registers is closed after the registration timeout")
    func registrationTimeout() async throws {
        try await withServer({ $0.registrationTimeout = 0.5 }) { server in
            let client = try await server.connect()
            try await client.send("NICK lurker")
            let error = try await client.expectClosed(timeout: .seconds(5))
            #expect(error == "Registration timeout")
        }
    }

    @Test("an idle client is pinged and closed when it does not answer")
    func pingTimeout() async throws {
        // The first PING comes after the login has certainly finished (on a loaded machine a login
        // against PostgreSQL took longer than 0.4 s, and its PING was read as part of the login).
        try await withServer({
            $0.pingInterval = 1.5
            $0.pingTimeout = 0.5
        }) { server in
            let school = server.school
            let client = try await server.login(try school.guardianWithOneChild)
            try await client.expect("PING", timeout: .seconds(10)) { $0.command == "PING" }
            let error = try await client.expectClosed(timeout: .seconds(10))
            #expect(error?.hasPrefix("Ping timeout") == true)
        }
    }

    @Test("with guests allowed, a guest registers and sees /help only")
    func guests() async throws {
        try await withServer({ $0.allowGuests = true }) { server in
            let client = try await server.connect()
            try await client.send("NICK guest1")
            try await client.send("USER guest1 0 * :x")
            try await client.expectNumeric("001")
            let help = try await client.ask("help")
            #expect(help.contains { $0.hasPrefix("/help") })
            #expect(!help.contains { $0.hasPrefix("/marks") })
            let refusal = try await client.ask("marks")
            #expect(refusal == ["Команда /marks вам недоступна. Список ваших команд: /help"])
            await client.close()
        }
    }

    @Test("an account added while the server runs can log in at once")
    func accountAddedWhileRunning() async throws {
        try await withServer { server in
            let school = server.school
            // A second connection to the same file, as `classbook account add` opens.
            let other = try school.open()
            defer { other.close() }
            let service = AccountService(accounts: other.repositories.accounts, executor: DetachedThreadExecutor())
            _ = try await service.createAccount(
                login: "new.parent", displayName: "Новикова Анна Петровна", roles: [.guardian],
                password: "long enough password", context: AuditContext(actor: nil, sessionID: "cli", at: Date()))
            let client = try await server.connect()
            try await client.registerWithSASL(login: "new.parent", password: "long enough password", nick: "anna")
            let reply = try await client.ask("marks")
            #expect(
                reply == [
                    "К вашей учётной записи не привязан ни один обучающийся. Обратитесь к классному руководителю."
                ])
            await client.close()
        }
    }

    @Test("a password login beyond the hashing queue is refused at once as 'server busy'; an app password never waits")
    func hashingQueueIsBounded() async throws {
        try await withServer({ $0.maxPendingLogins = 1 }) { server in
            let people = server.school.credentials.filter { $0.roles == [.guardian] }.prefix(12)
            // Twelve password logins at once against a queue of one: some are shed, at once. All
            // connect and send PASS first; their NICKs (which start the hashing) then go together.
            var clients: [IRCTestClient] = []
            for person in people {
                let client = try await server.connect()
                try await client.send("PASS \(person.login):\(person.password)")
                clients.append(client)
            }
            for client in clients {
                try await client.send("NICK x")
                try await client.send("USER x 0 * :Test")
            }
            var outcomes: [String] = []
            for client in clients {
                let end = try await client.expect("001 or ERROR") { $0.command == "001" || $0.command == "ERROR" }
                outcomes.append(end.command == "001" ? "in" : end.parameters.last ?? "")
                await client.close()
            }
            #expect(outcomes.contains("in"), "\(outcomes)")
            #expect(outcomes.contains { $0.contains("Сервер перегружен входами") }, "\(outcomes)")
            #expect(outcomes.allSatisfy { $0 == "in" || $0.contains("Сервер перегружен входами") }, "\(outcomes)")
            // An app password is a hash look-up, not a queued hash.
            let guardian = try server.school.guardianWithOneChild
            let phone = try await server.login(guardian)
            let token = try DeviceTokenTests.token(try await phone.ask("/sessions token телефон"))
            #expect(try await DeviceTokenTests.logsIn(server, guardian.login, token))
            await phone.close()
        }
    }

    @Test("over max-registering connections between accept and registration, the listener waits until one is through")
    func admission() async throws {
        // Places held up to 30 s here, so that a loaded machine's pauses do not free them first.
        try await withServer({
            $0.maxRegistering = 2; $0.registeringHold = 30
        }) { server in
            let people = server.school.credentials.filter { $0.roles == [.guardian] }
            // Two connections hold the two places: accepted, not registered.
            let first = try await server.connect()
            let second = try await server.connect()
            try await Task.sleep(for: .milliseconds(100))
            // A third waits in the kernel's queue: not even its TLS handshake is answered.
            let third = try await server.connect()
            let waiting = Task {
                try await third.registerWithSASL(login: people[2].login, password: people[2].password, nick: "c")
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(third.allLines.isEmpty, "served while two were registering: \(third.allLines)")
            // The first one's registration frees a place: the third is served.
            try await first.registerWithSASL(login: people[0].login, password: people[0].password, nick: "a")
            try await waiting.value
            #expect(third.nick == people[2].login)
            // A connection that closes before registering frees its place too.
            await second.close()
            let fourth = try await server.login(people[3])
            #expect(fourth.nick == people[3].login)
            for client in [first, third, fourth] { await client.close() }
        }
    }

    @Test("idle connections stop holding admission places after a second: they cannot keep others out")
    func idleConnectionsDoNotHoldPlaces() async throws {
        try await withServer({ $0.maxRegistering = 2 }) { server in
            let people = server.school.credentials.filter { $0.roles == [.guardian] }
            // Two connections that never register; were their places held until the
            // registration timeout (60 s), the login below would time out.
            let idle = [try await server.connect(), try await server.connect()]
            try await Task.sleep(for: .milliseconds(100))
            let person = try await server.login(people[0])
            #expect(person.nick == people[0].login)
            #expect(idle.allSatisfy { !$0.isClosed }, "the idle ones go on")
            for client in idle + [person] { await client.close() }
        }
    }

    @Test("a plaintext listener is refused on any address that is not loopback")
    func plaintextLoopbackOnly() throws {
        var configuration = ServerConfiguration(certificatePath: "c", privateKeyPath: "k")
        configuration.plaintextListen = .init(host: "0.0.0.0", port: 6667)
        #expect(throws: ServerConfiguration.ValidationError.plaintextNotLoopback("0.0.0.0:6667")) {
            try configuration.validate()
        }
        configuration.plaintextListen = .init(host: "192.168.1.5", port: 6667)
        #expect(throws: ServerConfiguration.ValidationError.self) { try configuration.validate() }
        configuration.plaintextListen = .init(host: "127.0.0.1", port: 6667)
        #expect(throws: Never.self) { try configuration.validate() }
        configuration.plaintextListen = .init(host: "::1", port: 6667)
        #expect(throws: Never.self) { try configuration.validate() }
    }
}
