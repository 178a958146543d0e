import ClassbookDomain
import ClassbookStore
import Foundation
import IRC
import Testing

/// Notifications, messages kept for the offline, and information letters, over TLS.
@Suite("Messages and notifications", .timeLimit(.minutes(2)))
struct MessagingTests {
    /// A Friday lesson of the class of a guardian's child (as in the journal tests).
    static func lesson(_ server: RunningServer) async throws -> (
        teacher: DemoSchoolGenerator.Credential, guardian: DemoSchoolGenerator.Credential,
        child: String, line: String, subject: String
    ) {
        let s = try await JournalTests.setting(server)
        let subjectWord = s.subject.split(separator: " ")[0].lowercased()
        return (
            s.teacher, s.guardian, s.child, "/mark \(s.className) \(subjectWord) 20.11 №\(s.number) \(s.child)",
            s.subject
        )
    }

    @Test("a new mark reaches the guardian at once; a guardian who is away gets it at login; corrections say so")
    func instant() async throws {
        try await withServer { server in
            let l = try await Self.lesson(server)
            let guardian = try await server.login(l.guardian)
            let teacher = try await server.login(l.teacher)
            _ = try await teacher.ask("\(l.line) 5 кр")
            let got = try await guardian.botMessages().map { $0.parameters[1] }
            #expect(got == ["\(l.child): 5 по предмету «\(l.subject)», контрольная работа, 20.11"], "\(got)")
            _ = try await teacher.ask("\(l.line) 4 кр")
            #expect(
                try await guardian.botMessages().map { $0.parameters[1] } == [
                    "\(l.child): 4 по предмету «\(l.subject)» (исправлено), контрольная работа, 20.11"
                ])
            // An unchanged mark is not news.
            _ = try await teacher.ask("\(l.line) 4 кр")
            #expect(try await guardian.botMessages().isEmpty)
            await guardian.close()
            _ = try await teacher.ask("\(l.line) 3")
            let back = try await server.login(l.guardian, capabilities: "sasl server-time")
            let waiting = try await back.botMessages()
            #expect(
                waiting.map { $0.parameters[1] } == ["\(l.child): 3 по предмету «\(l.subject)», 20.11"],
                "\(waiting.map { $0.parameters[1] })")
            #expect(waiting.first?.tag("time") == "2026-11-20T12:00:00.000Z")
            for c in [teacher, back] { await c.close() }
        }
    }

    @Test(
        """
        a mark saved by a process that died before telling anyone (its event saved, not dispatched) reaches the \
        guardian from the next server, once
        """
    )
    func eventOfADeadProcess() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let first = try await RunningServer.start(school)
        let s = try await JournalTests.setting(first)
        try await first.stop()

        // The journal written with no server's hook, as a process that died after the commit left it.
        let store = try school.open()
        let repositories = store.repositories
        let account = try #require(try await repositories.accounts.credentials(login: s.teacher.login)?.account)
        let journal = JournalService(journal: repositories.journal, diary: repositories.diary, clock: FixedClock())
        _ = try await journal.enterMarks(
            [.init(student: s.child, value: .grade(5), kind: "control", comment: nil)], className: s.className,
            subject: s.subject, date: FixedClock.day, number: s.number,
            for: Principal(account: account, sessionID: "died"))
        #expect(try await repositories.messaging.undispatchedEvents(limit: 10).count == 1)
        store.close()

        let server = try await RunningServer.start(school)
        // The start dispatches it (no schedule runs here, and nothing else is written).
        let deadline = ContinuousClock.now + .seconds(20)
        while try await JournalTests.count(server, "SELECT count(*) FROM journal_events WHERE dispatched_at IS NULL")
            > 0,
            ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(50))
        }
        let line = "\(s.child): 5 по предмету «\(s.subject)», контрольная работа, 20.11"
        let guardian = try await server.login(s.guardian)
        #expect(try await guardian.botMessages().map { $0.parameters[1] } == [line])
        // The scheduled run finds nothing more to dispatch: the notification was saved once.
        try await server.server.runDueJobs()
        #expect(
            try await JournalTests.count(server, "SELECT count(*) FROM journal_events WHERE dispatched_at IS NULL") == 0
        )
        let kept = try await server.store.int(
            "SELECT count(*) FROM bot_outbox WHERE text = ? AND account_id = (SELECT id FROM accounts WHERE login = ?)",
            [line, s.guardian.login])
        #expect(kept == 1)
        await guardian.close()
        try await server.stop()
    }

    @Test("quiet hours hold notifications until they end; a daily summary comes at the end of quiet hours")
    func quietAndDaily() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let clock = ManualClock(ManualClock.moscow(2026, 11, 20, 22, 30))
        let server = try await RunningServer.start(school, clock: clock)
        let l = try await Self.lesson(server)
        let guardian = try await server.login(l.guardian)
        let teacher = try await server.login(l.teacher)
        _ = try await teacher.ask("\(l.line) 5")
        #expect(try await guardian.botMessages().isEmpty, "nothing during quiet hours")
        clock.set(ManualClock.moscow(2026, 11, 21, 7, 1))
        try await server.server.runDueJobs()
        #expect(
            try await guardian.botMessages().map { $0.parameters[1] } == [
                "\(l.child): 5 по предмету «\(l.subject)», 20.11"
            ])

        // A daily summary instead: nothing at once, one message at 07:00 the next day.
        #expect(try await guardian.ask("/notify pace daily quiet 22:00-07:30").first == "Записано.")
        clock.set(ManualClock.moscow(2026, 11, 21, 10, 0))
        _ = try await teacher.ask("\(l.line) 4 ср")
        _ = try await teacher.ask("\(l.line) 3 тест")
        #expect(try await guardian.botMessages().isEmpty)
        try await server.server.runDueJobs()
        #expect(try await guardian.botMessages().isEmpty, "not before the end of the next quiet hours")
        clock.set(ManualClock.moscow(2026, 11, 22, 7, 31))
        try await server.server.runDueJobs()
        let summary = try await guardian.botMessages().map { $0.parameters[1] }
        #expect(summary.first == "Сводка за день — записей: 2." && summary.count == 3, "\(summary)")
        try await server.server.runDueJobs()
        #expect(try await guardian.botMessages().isEmpty, "a summary is sent once")
        for c in [guardian, teacher] { await c.close() }
        try await server.stop()
    }

    @Test("a message to someone who is away is kept and delivered at their login, in order, with its original time")
    func offlineMessages() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let clock = ManualClock(ManualClock.moscow(2026, 11, 20, 10, 0))
        let server = try await RunningServer.start(school, clock: clock)
        let teacher = try school.credential { $0.roles.contains(.classTeacher) }
        let parent = try school.guardianWithOneChild
        let sender = try await server.login(teacher)
        try await sender.send("PRIVMSG \(parent.login) :Добрый день! Зайдите, пожалуйста, в школу.")
        let away = try await sender.expectNumeric("301")
        #expect(away.parameters.last == "Не в сети: сообщение будет доставлено при следующем входе")
        clock.set(ManualClock.moscow(2026, 11, 20, 10, 5))
        try await sender.send("PRIVMSG \(parent.login) :Лучше во вторник.")
        _ = try await sender.expectNumeric("301")
        // Someone who is neither connected nor a login: 401 as before.
        try await sender.send("PRIVMSG nobody.at.all :привет")
        _ = try await sender.expectNumeric("401")

        let reader = try await server.login(parent, capabilities: "sasl server-time")
        let got = try await reader.botMessages(from: teacher.login)
        #expect(got.map { $0.parameters[1] } == ["Добрый день! Зайдите, пожалуйста, в школу.", "Лучше во вторник."])
        #expect(got.map { $0.tag("time") } == ["2026-11-20T07:00:00.000Z", "2026-11-20T07:05:00.000Z"])
        #expect(got.first?.source?.hasPrefix("\(teacher.login)!") == true)
        // Delivered once.
        let again = try await server.login(parent)
        #expect(try await again.botMessages(from: "teacher1").isEmpty)
        for c in [sender, reader, again] { await c.close() }
        try await server.stop()
    }

    @Test("an information letter reaches every guardian of the class; the class teacher sees who read it")
    func letters() async throws {
        try await withServer { server in
            let rows = try await server.store.rows(
                """
                SELECT c.name AS class, ct.login AS teacher, g.login AS guardian FROM classes c
                JOIN accounts ct ON ct.id = c.class_teacher_id
                JOIN students s ON s.class_id = c.id JOIN guardianships gs ON gs.student_id = s.id
                JOIN accounts g ON g.id = gs.guardian_id
                WHERE c.name = (SELECT min(name) FROM classes) ORDER BY g.login
                """)
            let className = rows[0][0] ?? ""
            let guardianLogins = Array(Set(rows.compactMap { $0[2] })).sorted()
            let classTeacher = try await server.login(try server.school.credential { $0.login == rows[0][1] })
            let online = try await server.login(try server.school.credential { $0.login == guardianLogins[0] })
            let sent = try await classTeacher.ask("/letter \(className) Собрание в четверг в 18:00, каб. 12")
            #expect(
                sent == [
                    "Письмо №1 отправлено родителям \(className): \(guardianLogins.count). Кто прочитал: /letters "
                        + "\(className)"
                ])
            let received = try await online.botMessages().map { $0.parameters[1] }
            #expect(
                received.first?.hasPrefix("Информационное письмо №1 (\(className), ") == true
                    && received.first?.hasSuffix("Собрание в четверг в 18:00, каб. 12") == true)
            #expect(received.last == "Подтвердите прочтение: /read 1")
            #expect(try await online.ask("/read 1") == ["Записано: вы прочитали письмо №1."])
            #expect(try await online.ask("/read 7") == ["Нет письма №7, адресованного вам."])
            let offline = try await server.login(try server.school.credential { $0.login == guardianLogins[1] })
            #expect(try await offline.botMessages().map { $0.parameters[1] }.last == "Подтвердите прочтение: /read 1")
            let status = try await classTeacher.ask("/letters \(className)")
            #expect(status.first?.contains("прочитали 1 из \(guardianLogins.count)") == true, "\(status)")
            // Another class's guardian cannot confirm it.
            let stranger = try server.school.credential {
                $0.roles == [.guardian] && !guardianLogins.contains($0.login)
            }
            let other = try await server.login(stranger)
            #expect(try await other.ask("/read 1") == ["Нет письма №1, адресованного вам."])
            for c in [classTeacher, online, offline, other] { await c.close() }
        }
    }
}
