import ClassbookDomain
import Foundation
import Testing

/// The messaging repository and what it publishes on the change feed, the same on every
/// backend: one script of every call (preferences, the journal's events and their dispatch,
/// summaries, email and SMS, letters, messages between people) against the same demo school in
/// a new store of each, what each returned compared between them.
@Suite("Messaging contract")
struct MessagingContractTests {
    typealias Transcript = JournalContractTests.Transcript
    static func at(_ minute: Int) -> Date { JournalContractTests.at(minute) }

    static func script(_ store: SchoolStore, snapshot: SchoolSnapshot) async throws -> [String] {
        let messaging = store.messaging
        var t = Transcript()
        let teacher = try #require(try await store.journal.staff(login: snapshot.lessons[0].teacherLogin))
        let schoolClass = try #require(try await store.journal.classes().first)
        let family = try #require(
            try await store.duties.guardians(ofClass: schoolClass.id, on: SchoolDate(year: 2026, month: 11, day: 20))
                .first)
        let child = family.children[0]
        func context(_ minute: Int, _ actor: AccountID? = nil) -> AuditContext {
            AuditContext(actor: actor ?? teacher.id, sessionID: "s", at: at(minute))
        }
        t.note("prefs", try await messaging.prefs(of: family.account))
        var prefs = NotificationPrefs.standard
        prefs.email = "mama@example.org"
        prefs.pace = .daily
        try await messaging.setPrefs(prefs, of: family.account, context: context(1, family.account))
        prefs.sms = "+79000000000"
        try await messaging.setPrefs(prefs, of: family.account, context: context(2, family.account))
        t.note("prefs after", try await messaging.prefs(of: family.account))
        t.note("guardian accounts", try await messaging.guardianAccounts(of: child.id).map(\.login))
        t.note("account", try await messaging.account(login: family.login.uppercased()) as Any)
        t.note("no account", try await messaging.account(login: "nobody") as Any)

        // The journal's events: saved by a write, dispatched once into the three outboxes.
        let lesson = try await store.journal.lesson(
            classID: schoolClass.id, group: nil, subject: try #require(try await store.journal.subjects().first).id,
            teacher: teacher.id, date: SchoolDate(year: 2026, month: 11, day: 23), number: 8, context: context(3))
        let student = try #require(try await store.journal.student(id: child.id))
        _ = try await store.journal.writeMarks(
            [MarkWrite(student: child.id, value: .grade(5), kind: "oral", comment: nil)], lesson: lesson.id,
            context: context(4),
            events: { _ in [.remark(student: student, kind: .remark, text: "5", author: teacher.displayName)] })
        let events = try await messaging.undispatchedEvents(limit: 10)
        t.note("events", events)
        let deliveries: [NotificationDelivery] = [
            .chat(family.account, lines: ["Оценка 5"], deliverAfter: nil),
            .external(
                .email, account: family.account, address: "mama@example.org", subject: "Оценка", body: "5",
                notBefore: at(4)),
            .summary(family.account, text: "5 по алгебре")
        ]
        let batch = events.map { (event: $0.id, deliveries: deliveries) }
        t.note("dispatched", try await messaging.dispatchEvents(batch, at: at(5)).sorted())
        t.note("dispatched again", try await messaging.dispatchEvents(batch, at: at(6)).sorted())
        t.note("events after", try await messaging.undispatchedEvents(limit: 10).count)
        t.note("bot messages", try await store.duties.pendingMessages(for: family.account, at: at(7)).map(\.text))

        // Summaries, email and SMS.
        try await messaging.queueForSummary("Замечание", for: family.account, at: at(8))
        let summaries = try await messaging.pendingSummaries()
        t.note("summaries", summaries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" })
        try await messaging.markSummarized(summaries.values.flatMap { $0.map(\.id) }, at: at(9))
        try await messaging.markSummarized([], at: at(9))
        t.note("summaries after", try await messaging.pendingSummaries().count)
        try await messaging.enqueueExternal(
            .sms, account: nil, address: "+79000000000", subject: "", body: "Код", notBefore: at(20), at: at(10))
        let due = try await messaging.dueExternal(at: at(11), limit: 10)
        t.note("due", due)
        t.note("due later", try await messaging.dueExternal(at: at(21), limit: 10).map(\.channel))
        try await messaging.markExternalFailed(
            due[0].id, error: String(repeating: "ошибка ", count: 100), retryAt: at(30))
        t.note("after failure", try await messaging.dueExternal(at: at(21), limit: 10).map(\.channel))
        try await messaging.markExternalSent(due[0].id, at: at(31))
        t.note("after sending", try await messaging.dueExternal(at: at(40), limit: 10))

        // Letters.
        let letter = try await messaging.createLetter(
            classID: schoolClass.id, text: "Собрание в пятницу", recipients: [family.account, family.account],
            context: context(12))
        t.note("letters", try await messaging.letters(ofClass: schoolClass.id))
        t.note("letter", try await messaging.letter(id: letter).map { "\($0.0) \($0.1)" } as Any)
        t.note("no letter", try await messaging.letter(id: 999_999) as Any)
        t.note("read", try await messaging.markLetterRead(letter, context: context(13, family.account)))
        t.note("read again", try await messaging.markLetterRead(letter, context: context(14, family.account)))
        t.note("read by another", try await messaging.markLetterRead(letter, context: context(14, teacher.id)))
        t.note(
            "read by nobody",
            try await messaging.markLetterRead(letter, context: AuditContext(actor: nil, sessionID: "s", at: at(14))))
        t.note("letter read", try await messaging.letter(id: letter).map { "\($0.0)" } as Any)

        // Messages between people.
        for (minute, from, to) in [(15, teacher, family.account), (16, nil, teacher.id), (17, teacher, family.account)]
        {
            let sender = from?.id ?? family.account
            try await messaging.recordDirect(
                DirectMessage(
                    msgid: "m\(minute)", sender: sender, senderLogin: "", recipient: to, recipientLogin: "",
                    command: "PRIVMSG", text: "текст \(minute)", sentAt: at(minute)))
        }
        let latest = try await messaging.directHistory(
            between: teacher.id, and: family.account, .latest(before: nil), limit: 2)
        t.note("latest", latest)
        t.note(
            "before",
            try await messaging.directHistory(
                between: family.account, and: teacher.id, .latest(before: at(17)), limit: 5
            ).map(\.msgid))
        t.note(
            "after",
            try await messaging.directHistory(between: teacher.id, and: family.account, .after(at(15)), limit: 5).map(
                \.msgid))
        t.note(
            "partners",
            try await messaging.directPartners(of: teacher.id, from: at(0), to: at(60), limit: 5).map {
                "\($0.login) \($0.latest)"
            })
        t.note("no message", try await messaging.directMessage(id: 999_999) as Any)
        return t.lines
    }

    @Test(
        """
        every messaging call returns the same on every backend: preferences, events dispatched once into the \
        outboxes, summaries, email and SMS with their retries, letters and who read them, messages between people
        """)
    func messagingBehavesTheSame() async throws {
        let stores = try await SchoolContractTests.schools()
        defer { for store in stores { store.close() } }
        var transcripts: [[String]] = []
        for store in stores { transcripts.append(try await Self.script(store, snapshot: SchoolContractTests.snapshot)) }
        let sqlite = transcripts[0]
        #expect(sqlite.contains("dispatched again: []") && sqlite.contains("read again: true"))
        #expect(sqlite.contains("read by another: false"))
        try await SchoolStore.expectSame(transcripts, stores, auditedTexts: false)
        for store in stores.dropFirst() {
            let audit = "SELECT action || ' ' || entity_id || ' ' || coalesce(new_value, '') FROM audit_log ORDER BY id"
            #expect(try await store.texts(audit).suffix(8) == stores[0].texts(audit).suffix(8))
        }
    }

    @Test(
        """
        what another process (a CLI command, another node) saves is published on the change feed with it, under that \
        process's name: the bot's messages, messages between people; on every backend
        """, arguments: Backend.allCases)
    func savingPublishes(_ backend: Backend) async throws {
        let school = try await backend.school(SchoolContractTests.snapshot, context: SchoolContractTests.context)
        defer { school.close() }
        let other = try school.another()
        defer { other.close() }
        let start = try await school.feed.latestSequence()
        let (a, b) = (AccountID(1), AccountID(2))
        try await other.duties.enqueue(["Письмо"], for: a, at: Date())
        try await other.messaging.recordDirect(
            DirectMessage(
                msgid: "m1", sender: b, senderLogin: "", recipient: a, recipientLogin: "", command: "PRIVMSG",
                text: "Привет", sentAt: Date()))
        let message = try #require(
            try await school.texts("SELECT CAST(max(id) AS TEXT) FROM bot_outbox").first.flatMap { Int64($0) })
        let direct = try #require(
            try await school.texts("SELECT CAST(max(id) AS TEXT) FROM direct_messages").first.flatMap { Int64($0) })
        let entries = try await school.feed.changes(after: start, limit: 10)
        #expect(
            entries.map(\.change) == [
                .botMessage(account: a, message: message), .directMessage(recipient: a, message: direct)
            ])
        #expect(entries.map(\.origin) == [other.feed.node, other.feed.node])
        #expect(other.feed.node != school.feed.node)
    }
}
