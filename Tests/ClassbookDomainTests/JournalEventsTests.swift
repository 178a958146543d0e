import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

/// The journal's transactional outbox in the store: events saved with the write that causes
/// them, read back the same, and dispatched once however many processes try.
@Suite("Journal events")
struct JournalEventsTests {
    static let student = Student(
        id: StudentID(7), lastName: "Иванов", firstName: "Пётр", classID: ClassID(2), className: "7А", grade: 7)

    @Test("every kind of event reads back from its record as it was; a record that is not one is refused")
    func records() throws {
        let events: [JournalEvent] = [
            .mark(
                student: Self.student, value: .grade(5), kind: "control", subject: "Алгебра",
                date: SchoolDate(year: 2026, month: 11, day: 20), corrected: true),
            .mark(
                student: Self.student, value: .pass, kind: "oral", subject: "Музыка",
                date: SchoolDate(year: 2026, month: 11, day: 19), corrected: false),
            .absence(
                student: Self.student, reason: .illness, subject: "Физика",
                date: SchoolDate(year: 2026, month: 11, day: 18), lesson: 3),
            .remark(student: Self.student, kind: .recommendation, text: "Читать вслух \"по ролям\"", author: "Орлова")
        ]
        for event in events { #expect(try JournalEvent(record: event.record) == event, "\(event.record)") }
        for text in ["", "{}", #"{"type":"mark","student":1}"#, "not json"] {
            #expect(throws: JournalEvent.UnreadableRecord.self) { try JournalEvent(record: text) }
        }
    }

    /// A lesson of the school with a student of its class who has no control-work mark in it.
    static func lessonAndStudent(_ school: JournalSchool) async throws -> (LessonID, StudentID) {
        try await school.database.pool.read { db in
            let row = try #require(
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT l.id AS lesson, s.id AS student FROM lessons l JOIN students s ON s.class_id = l.class_id
                        WHERE NOT EXISTS (
                            SELECT 1 FROM marks m WHERE m.lesson_id = l.id AND m.student_id = s.id AND
                                m.kind = 'control')
                        ORDER BY l.id, s.id LIMIT 1
                        """))
            return (LessonID(row["lesson"]), StudentID(row["student"]))
        }
    }

    @Test(
        """
        a write saves the events made of its outcomes with it, and a write that changes nothing saves none; \
        the events are there for the next process
        """
    )
    func savedWithTheWrite() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let (lesson, student) = try await Self.lessonAndStudent(school)
        let context = AuditContext(actor: nil, sessionID: "test", at: TestClock().now())
        let mark = MarkWrite(student: student, value: .grade(4), kind: "control", comment: nil)
        let event = JournalEvent.mark(
            student: Self.student, value: .grade(4), kind: "control", subject: "Алгебра", date: TestClock.day,
            corrected: false)
        let told = { @Sendable (outcomes: [WriteOutcome]) -> [JournalEvent] in
            outcomes.filter { $0 != .unchanged }.map { _ in event }
        }
        #expect(
            try await school.database.journal.writeMarks([mark], lesson: lesson, context: context, events: told) == [
                .created
            ])
        #expect(
            try await school.database.journal.writeMarks([mark], lesson: lesson, context: context, events: told) == [
                .unchanged
            ])

        let other = try ClassbookDatabase(directory: school.directory)
        defer { try? other.close() }
        let pending = try await other.messaging.undispatchedEvents(limit: 10)
        #expect(pending.map(\.event) == [event])
        #expect(pending.first?.createdAt == context.at)
    }

    @Test(
        """
        two processes dispatching the same event at once: its notifications are saved once, and it is not \
        offered again
        """
    )
    func dispatchedOnce() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let (lesson, student) = try await Self.lessonAndStudent(school)
        let context = AuditContext(actor: nil, sessionID: "test", at: TestClock().now())
        let event = JournalEvent.remark(student: Self.student, kind: .remark, text: "Опоздал", author: "Орлова")
        _ = try await school.database.journal.writeMarks(
            [MarkWrite(student: student, value: .grade(3), kind: "control", comment: nil)], lesson: lesson,
            context: context, events: { _ in [event, event] })
        let guardian: Int64 = try #require(await school.scalar("SELECT id FROM accounts ORDER BY id LIMIT 1"))
        let pending = try await school.database.messaging.undispatchedEvents(limit: 10)
        #expect(pending.count == 2)
        let batch = pending.map { item in
            (
                event: item.id,
                deliveries: [
                    NotificationDelivery.chat(AccountID(guardian), lines: ["once #\(item.id)"], deliverAfter: nil),
                    .external(
                        .email, account: AccountID(guardian), address: "a@example.org", subject: "s",
                        body: "once #\(item.id)", notBefore: context.at),
                    .summary(AccountID(guardian), text: "once #\(item.id)")
                ]
            )
        }
        let other = try ClassbookDatabase(directory: school.directory)
        defer { try? other.close() }
        let first = school.database.messaging, second = other.messaging
        async let a = first.dispatchEvents(batch, at: context.at)
        async let b = second.dispatchEvents(batch, at: context.at)
        let (byFirst, bySecond) = try await (a, b)
        #expect(byFirst.isDisjoint(with: bySecond))
        #expect(byFirst.union(bySecond) == Set(pending.map(\.id)))
        for table in ["bot_outbox", "external_outbox", "notification_queue"] {
            let column = table == "external_outbox" ? "body" : "text"
            let count: Int? = try await school.scalar("SELECT count(*) FROM \(table) WHERE \(column) LIKE 'once #%'")
            #expect(count == 2, "\(table)")
        }
        // The chat message is dated when the event happened.
        let dated: Date? = try await school.scalar("SELECT min(created_at) FROM bot_outbox WHERE text LIKE 'once #%'")
        #expect(dated == context.at)
        #expect(try await school.database.messaging.undispatchedEvents(limit: 10).isEmpty)
        #expect(try await first.dispatchEvents(batch, at: context.at).isEmpty)
    }
}
