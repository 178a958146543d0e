import ClassbookDomain
import ClassbookStore
import Foundation
import IRC
import Testing

/// Leaked passwords, failed logins and password changes, over TLS.
@Suite("Security", .timeLimit(.minutes(2)))
struct SecurityTests {
    static func refused(_ server: RunningServer, _ credential: DemoSchoolGenerator.Credential, password: String? = nil)
        async throws -> Bool
    {
        let client = try await server.connect()
        defer { Task { await client.close() } }
        do {
            try await client.registerWithSASL(
                login: credential.login, password: password ?? credential.password,
                nick: "x\(UUID().uuidString.prefix(5))")
            return false
        } catch {
            return true
        }
    }

    @Test("a reported leak locks the account, closes its sessions, alerts the director and voids what raced the report")
    func breach() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let clock = ManualClock(ManualClock.moscow(2026, 11, 20, 15, 0))
        let server = try await RunningServer.start(school, clock: clock)
        let l = try await MessagingTests.lesson(server)
        let director = try await server.login(try school.credential { $0.roles == [.director] })
        let admin = try await server.login(try school.credential { $0.roles == [.admin] })
        let first = try await server.login(l.teacher)
        let second = try await server.login(l.teacher)
        _ = try await first.ask("\(l.line) 5")  // 15:00, before the report: kept
        clock.set(ManualClock.moscow(2026, 11, 20, 15, 11))
        _ = try await first.ask("\(l.line) 4 ср")  // 15:11: after the report below
        clock.set(ManualClock.moscow(2026, 11, 20, 15, 10))
        let reported = try await admin.ask("/breach \(l.teacher.login)")
        #expect(reported.last?.hasPrefix("Учётная запись \(l.teacher.login) заблокирована") == true, "\(reported)")
        for client in [first, second] {
            #expect(try await client.expectClosed(timeout: .seconds(1)) == "Account locked: password reported leaked")
        }
        let alert = try await director.botMessages().map { $0.parameters[1] }
        #expect(
            alert.first?.hasPrefix("Сообщение о утечке пароля: \(l.teacher.login)") == true
                && alert.first?.contains("аннулировано записей: 1") == true, "\(alert)")
        #expect(try await Self.refused(server, l.teacher))
        // The voided mark is deleted (and audited); the earlier one stays.
        let kinds = try await server.store.rows(
            """
            SELECT m.kind, CASE WHEN m.deleted_at IS NULL THEN 'false' ELSE 'true' END FROM marks m
            JOIN audit_log a ON a.entity = 'marks' AND a.entity_id = CAST(m.id AS TEXT)
            WHERE a.action = 'journal.mark.set' AND a.actor_id = (SELECT id FROM accounts WHERE login = ?)
            """, [l.teacher.login]
        ).map { "\($0[0] ?? ""):\($0[1] ?? "")" }
        #expect(Set(kinds) == ["oral:false", "independent:true"], "\(kinds)")
        let review = try await admin.ask("/breach review \(l.teacher.login)")
        #expect(review.first?.contains("утечка сообщена 20.11.2026 15:10") == true, "\(review)")
        #expect(review.contains { $0.contains("journal.mark.set") && $0.hasSuffix("[после сообщения: аннулировано]") })
        #expect(review.contains { $0.contains("journal.mark.set") && !$0.contains("[после сообщения") })
        // Unlocking gives a one-time password that works once and must be replaced.
        let unlocked = try await admin.ask("/breach unlock \(l.teacher.login)")
        let password = try #require(
            unlocked.first?.components(separatedBy: "(показан один раз): ").last?.components(separatedBy: ".").first)
        let back = try await server.connect()
        try await back.registerWithSASL(login: l.teacher.login, password: password, nick: "back1")
        #expect(try await back.ask("/journal").first?.hasPrefix("Вы вошли по временному паролю") == true)
        // Only an administrator may report someone else's leak or review it.
        let parent = try await server.login(l.guardian)
        let refusal = try await parent.ask("/breach \(l.teacher.login)")
        #expect(refusal.last == "Это действие вам недоступно.", "\(refusal)")
        #expect(try await parent.ask("/breach review \(l.teacher.login)") == ["Это действие вам недоступно."])
        for client in [director, admin, back, parent] { await client.close() }
        try await server.stop()
    }

    @Test("failed logins slow down and then lock the account; the administrators are told")
    func throttle() async throws {
        try await withServer({ configuration in
            configuration.loginThrottle.baseDelay = 0.05
            configuration.loginThrottle.lockAfter = 5
        }) { server in
            let admin = try await server.login(try server.school.credential { $0.roles == [.admin] })
            let victim = try server.school.guardianWithOneChild
            let started = ContinuousClock.now
            for _ in 0..<5 { #expect(try await Self.refused(server, victim, password: "wrong-password")) }
            // 3 free failures, then 0.05 s and 0.1 s of waiting.
            #expect(ContinuousClock.now - started >= .milliseconds(150))
            let alert = try await admin.botMessages().map { $0.parameters[1] }
            #expect(
                alert.first?.hasPrefix("Учётная запись \(victim.login) заблокирована после 5 неудачных попыток")
                    == true, "\(alert)")
            #expect(try await Self.refused(server, victim), "the right password no longer works")
            await admin.close()
        }
    }

    @Test("changing one's password logs out the account's other sessions, not this one")
    func passwordChangeClosesOthers() async throws {
        try await withServer { server in
            let guardian = try server.school.guardianWithOneChild
            let here = try await server.login(guardian)
            let elsewhere = try await server.login(guardian)
            #expect(
                try await here.ask("/passwd совсем-новый-пароль") == [
                    "Пароль изменён. Теперь доступны все ваши команды: /help"
                ])
            #expect(try await elsewhere.expectClosed(timeout: .seconds(2)) == "Password changed")
            #expect(try await here.ask("/lang ru") == ["Теперь я отвечаю по-русски."])
            await here.close()
        }
    }
}
