import ClassbookDomain
import ClassbookServer
import ClassbookStore
import ClassbookTestSupport
import Foundation
import Testing

/// Email through a real SMTP server and SMS through a real HTTP gateway, both started here.
@Suite("Email and SMS", .timeLimit(.minutes(2)), .serialized)
struct ExternalNotificationTests {
    /// The decoded body of a maildir message (base64 text).
    static func body(_ raw: String) -> String {
        let parts = raw.components(separatedBy: "\n\n")
        let encoded = parts.dropFirst().joined(separator: "\n").replacingOccurrences(of: "\r", with: "")
            .replacingOccurrences(of: "\n", with: "")
        return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    @Test("a guardian who chose email gets the mark by mail over STARTTLS, with a Cyrillic subject")
    func email() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let port = try LocalPorts.free()
        let smtp = try await ExternalServer.smtp(
            port: port, directory: school.directory,
            certificate: (school.certificatePath, school.privateKeyPath))
        defer { smtp.stop() }
        let server = try await RunningServer.start(school) { configuration in
            configuration.smtp = SMTPConfiguration(
                host: "localhost", port: port, security: .starttls, from: "diary@classbook.test",
                trustRoot: school.certificatePath)
        }
        let l = try await MessagingTests.lesson(server)
        let guardian = try await server.login(l.guardian)
        #expect(try await guardian.ask("/notify email parent@example.org chat off").first == "Записано.")
        let teacher = try await server.login(l.teacher)
        _ = try await teacher.ask("\(l.line) 5 кр")
        #expect(try await guardian.botMessages().isEmpty, "chat is off")
        try await server.server.runDueJobs()
        let mail = smtp.mail
        #expect(mail.count == 1)
        let message = try #require(mail.first)
        #expect(message.contains("To: parent@example.org") && message.contains("From: diary@classbook.test"))
        #expect(
            message.contains(
                "Subject: =?UTF-8?B?\(Data("Электронный дневник: новые записи".utf8).base64EncodedString())?="))
        #expect(
            Self.body(message) == "\(l.child): 5 по предмету «\(l.subject)», контрольная работа, 20.11", "\(message)")
        for c in [guardian, teacher] { await c.close() }
        try await server.stop()
    }

    @Test("the outbox survives a restart while the mail server is down, and sends once it is back")
    func outboxSurvivesRestart() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let port = try LocalPorts.free()
        let clock = ManualClock(ManualClock.moscow(2026, 11, 20, 15, 0))
        let configure: (inout ServerConfiguration) -> Void = {
            $0.smtp = SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, from: "diary@classbook.test")
        }
        var server = try await RunningServer.start(school, clock: clock, configure: configure)
        let l = try await MessagingTests.lesson(server)
        let guardian = try await server.login(l.guardian)
        _ = try await guardian.ask("/notify email parent@example.org")
        let teacher = try await server.login(l.teacher)
        _ = try await teacher.ask("\(l.line) 4")
        try await server.server.runDueJobs()  // nobody listens: the attempt fails and is kept
        let failed = try await server.store.rows("SELECT attempts, sent_at, last_error FROM external_outbox").first
        #expect(failed?[0] == "1" && failed?[1] == nil && failed?[2] != nil)
        for c in [guardian, teacher] { await c.close() }
        try await server.stop()

        let smtp = try await ExternalServer.smtp(port: port, directory: school.directory)
        defer { smtp.stop() }
        server = try await RunningServer.start(school, clock: clock, configure: configure)
        try await server.server.runDueJobs()
        #expect(smtp.mail.isEmpty, "not before the retry delay")
        clock.set(ManualClock.moscow(2026, 11, 20, 15, 2))
        try await server.server.runDueJobs()
        #expect(smtp.mail.count == 1 && Self.body(smtp.mail[0]).hasPrefix("\(l.child): 4 по предмету"))
        try await server.server.runDueJobs()
        #expect(smtp.mail.count == 1, "sent once")
        let sent = try await server.store.rows("SELECT attempts, sent_at FROM external_outbox").first
        #expect(sent?[0] == "2" && sent?[1] != nil)
        try await server.stop()
    }

    @Test(
        """
        a mail server that accepts the connection and then stalls: the timeout fires, the message stays in the \
        outbox and goes out on a retry
        """
    )
    func stalledMailServer() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let port = try LocalPorts.free()
        let stalled = try await ExternalServer.stalledSMTP(port: port, directory: school.directory)
        defer { stalled.stop() }
        let clock = ManualClock(ManualClock.moscow(2026, 11, 20, 15, 0))
        let server = try await RunningServer.start(school, clock: clock) {
            var smtp = SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, from: "diary@classbook.test")
            smtp.replyTimeout = .seconds(1)
            smtp.timeout = .seconds(5)
            $0.smtp = smtp
        }
        let l = try await MessagingTests.lesson(server)
        let guardian = try await server.login(l.guardian)
        _ = try await guardian.ask("/notify email parent@example.org")
        let teacher = try await server.login(l.teacher)
        _ = try await teacher.ask("\(l.line) 4")
        // Before, the reply's wait ignored its timeout and this never returned.
        let start = ContinuousClock.now
        let attempt = Task { try await server.server.runDueJobs() }
        while ContinuousClock.now - start < .seconds(20),
            try await server.store.int("SELECT attempts FROM external_outbox") == 0
        {
            try await Task.sleep(for: .milliseconds(50))
        }
        let took = ContinuousClock.now - start
        #expect(took < .seconds(5), "the attempt took \(took)")
        // A hung attempt is not awaited: the test fails rather than hangs.
        guard took < .seconds(20) else { return }
        try await attempt.value
        let failed = try await server.store.rows("SELECT attempts, sent_at, last_error FROM external_outbox").first
        #expect(failed?[0] == "1" && failed?[1] == nil)
        #expect((failed?[2] ?? nil)?.contains("no reply within") == true, "\(String(describing: failed))")
        // The mail server comes back working; after the retry delay the message goes out once.
        stalled.stop()
        let smtp = try await ExternalServer.smtp(port: port, directory: school.directory)
        defer { smtp.stop() }
        clock.set(ManualClock.moscow(2026, 11, 20, 15, 2))
        try await server.server.runDueJobs()
        #expect(smtp.mail.count == 1 && Self.body(smtp.mail[0]).hasPrefix("\(l.child): 4 по предмету"))
        for c in [guardian, teacher] { await c.close() }
        try await server.stop()
    }

    @Test("an HTTPS gateway's certificate is verified: refused (and kept) without its trust root, sent with it")
    func smsOverVerifiedTLS() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let port = try LocalPorts.free()
        let gateway = try await ExternalServer.smsGateway(
            port: port, directory: school.directory,
            certificate: (school.certificatePath, school.privateKeyPath))
        defer { gateway.stop() }
        let clock = ManualClock(ManualClock.moscow(2026, 11, 20, 15, 0))
        let url = "https://localhost:\(port)/send?to={to}&text={text}"
        // The server's certificate is self-signed: not trusted by the system's roots.
        var server = try await RunningServer.start(school, clock: clock) { $0.sms = SMSConfiguration(url: url) }
        let l = try await MessagingTests.lesson(server)
        let guardian = try await server.login(l.guardian)
        #expect(try await guardian.ask("/notify sms +7 900 123-45-67").first == "Записано.")
        let teacher = try await server.login(l.teacher)
        _ = try await teacher.ask("\(l.line) 5")
        _ = try await teacher.ask("\(l.line) 4")  // a correction: a second message
        try await server.server.runDueJobs()
        #expect(gateway.smsLog.isEmpty, "an unverified gateway got a message")
        // One attempt in the run: after a failure the channel's other messages wait for the next.
        let attempts = try await server.store.strings("SELECT attempts FROM external_outbox ORDER BY id").compactMap {
            Int($0)
        }
        #expect(attempts == [1, 0], "\(attempts)")
        let failed = try await server.store.rows(
            "SELECT attempts, sent_at, last_error FROM external_outbox ORDER BY id"
        ).first
        #expect(failed?[0] == "1" && failed?[1] == nil, "\(String(describing: failed))")
        #expect((failed?[2] ?? nil)?.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(String(describing: failed))")
        for c in [guardian, teacher] { await c.close() }
        try await server.stop()
        // With the school's CA as the trust root: both sent, once each, on the retry.
        server = try await RunningServer.start(school, clock: clock) {
            $0.sms = SMSConfiguration(url: url, trustRoot: school.certificatePath)
        }
        clock.set(ManualClock.moscow(2026, 11, 20, 15, 2))
        try await server.server.runDueJobs()
        #expect(
            gateway.smsLog.count == 2 && gateway.smsLog[0].hasPrefix("/send?to=%2B79001234567&text="),
            "\(gateway.smsLog)")
        try await server.stop()
    }

    @Test("a guardian who chose SMS gets it through the HTTP gateway, with its credentials")
    func sms() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let port = try LocalPorts.free()
        let gateway = try await ExternalServer.smsGateway(port: port, directory: school.directory)
        defer { gateway.stop() }
        let server = try await RunningServer.start(school) {
            $0.sms = SMSConfiguration(
                url: "http://127.0.0.1:\(port)/send?to={to}&text={text}", username: "school", password: "secret")
        }
        let l = try await MessagingTests.lesson(server)
        let guardian = try await server.login(l.guardian)
        #expect(try await guardian.ask("/notify sms +7 (900) 123-45-67").first == "Записано.")
        let teacher = try await server.login(l.teacher)
        _ = try await teacher.ask("\(l.line) 5")
        try await server.server.runDueJobs()
        let log = gateway.smsLog
        #expect(log.count == 1)
        let fields = try #require(log.first).components(separatedBy: "\t")
        let query = URLComponents(string: "http://x" + fields[0])?.queryItems ?? []
        #expect(query.first { $0.name == "to" }?.value == "+79001234567")
        #expect(query.first { $0.name == "text" }?.value == "\(l.child): 5 по предмету «\(l.subject)», 20.11")
        #expect(fields.last == "Basic " + Data("school:secret".utf8).base64EncodedString())
        for c in [guardian, teacher] { await c.close() }
        try await server.stop()
    }
}
