import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

/// The class teacher's duties through the bot, against a real database.
@Suite("Class teacher's duties")
struct DutiesTests {
    /// An unexcused absence in the current period: its class, date, student and guardian, and the class teachers.
    struct Case {
        var school: JournalSchool
        var className: String
        var date: SchoolDate
        var child: String
        var guardian: Principal
        var classTeacher: Principal
        var otherClassTeacher: Principal
    }

    static func setUp() async throws -> Case {
        let school = try await JournalSchool.make()
        let row = try school.database.pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT c.name AS class, l.date, st.last_name || ' ' || st.first_name AS child, g.login AS guardian,
                        ct.login AS teacher
                    FROM absences a JOIN lessons l ON l.id = a.lesson_id JOIN classes c ON c.id = l.class_id JOIN
                        students st ON st.id = a.student_id
                    JOIN guardianships gs ON gs.student_id = st.id JOIN accounts g ON g.id = gs.guardian_id JOIN
                        accounts ct ON ct.id = c.class_teacher_id
                    WHERE a.reason = 'Н' AND l.date >= '2026-11-05' ORDER BY l.date DESC LIMIT 1
                    """)
        }
        let found = try #require(row)
        let className: String = found["class"]
        let other = school.output.snapshot.classes.first { $0.name != className }!.classTeacherLogin
        return Case(
            school: school, className: className, date: SchoolDate(iso: found["date"])!, child: found["child"],
            guardian: try await school.principal(found["guardian"]),
            classTeacher: try await school.principal(found["teacher"], roles: [.classTeacher]),
            otherClassTeacher: try await school.principal(other, roles: [.classTeacher]))
    }

    @Test(
        "a guardian's absence note is accepted by the class teacher, excusing the absences; nobody else can decide it")
    func absenceNotes() async throws {
        let c = try await Self.setUp()
        defer { c.school.remove() }
        let week = await c.school.ask("/absences \(c.className) \(c.date.dayMonth)", as: c.classTeacher)
        #expect(week.contains { $0.hasPrefix("\(c.child): ") && $0.contains(c.date.dayMonth) }, "\(week)")

        let sent = await c.school.ask("/note \(c.child) \(c.date.dayMonth) был у врача", as: c.guardian)
        #expect(
            sent.first?.hasPrefix("Записка №1 о пропусках \(c.child) (\(c.date.dayMonth)) передана") == true, "\(sent)")
        let notes = await c.school.ask("/notes \(c.className)", as: c.classTeacher)
        #expect(notes.contains { $0.hasPrefix("№1 \(c.child), \(c.date.dayMonth): «был у врача»") }, "\(notes)")
        #expect(
            await c.school.ask("/accept 1", as: c.otherClassTeacher) == [
                "Нет записки №1 среди записок вашего класса. Список: /notes"
            ])
        #expect(
            await c.school.ask("/accept 1", as: c.guardian) == [
                "Команда /accept вам недоступна. Список ваших команд: /help"
            ])
        let accepted = await c.school.ask("/accept 1 справка есть", as: c.classTeacher)
        #expect(
            accepted.first?.hasPrefix("Записка №1 принята: пропусков \(c.child) отмечено уважительными — ") == true,
            "\(accepted)")
        #expect(await c.school.ask("/reject 1", as: c.classTeacher) == ["Записка №1 уже рассмотрена."])
        let absences = await c.school.ask("/absences \(c.child)", as: c.guardian)
        #expect(
            absences.contains { $0.hasPrefix(c.date.dayMonth) && $0.contains("— УП") }
                && !absences.contains { $0.hasPrefix(c.date.dayMonth) && $0.contains("— Н ") },
            "\(absences)")
        // A rejected note changes nothing in the journal.
        _ = await c.school.ask("/note \(c.child) \(c.date.adding(days: -7).dayMonth) проспал", as: c.guardian)
        #expect(await c.school.ask("/reject 2 нет оснований", as: c.classTeacher) == ["Записка №2 отклонена."])
        guard case .intact = try await AuditVerifier(database: c.school.database).verify() else {
            Issue.record("audit broken"); return
        }
    }

    @Test("consents, acknowledgements and activity show what each guardian did")
    func guardiansReview() async throws {
        let c = try await Self.setUp()
        defer { c.school.remove() }
        _ = await c.school.ask("/consent нет", as: c.guardian)
        _ = await c.school.ask("/ack \(c.child)", as: c.guardian)
        try await c.school.database.duties.recordLogin(c.guardian.account.id, at: TestClock().now())
        let consents = await c.school.ask("/consents \(c.className)", as: c.classTeacher)
        #expect(consents.first?.contains("отказались — 1") == true, "\(consents)")
        #expect(
            consents.contains {
                $0.hasPrefix("Отказ (сведения на бумаге): \(c.guardian.account.displayName) — 20.11.2026 15:00")
            })
        let acks = await c.school.ask("/acks \(c.className)", as: c.classTeacher)
        #expect(
            acks.first?.contains(": 1 из ") == true
                && acks.contains("\(c.guardian.account.displayName): 20.11.2026 15:00"), "\(acks)")
        let activity = await c.school.ask("/activity \(c.className)", as: c.classTeacher)
        #expect(activity.contains("\(c.guardian.account.displayName): 1 / 0 / 1; 20.11.2026 15:00"), "\(activity)")
        #expect(activity.last?.hasPrefix("Ни разу не входили: ") == true)
        #expect(
            await c.school.ask("/consents \(c.className)", as: c.otherClassTeacher).first?.hasPrefix(
                "Это может только классный руководитель") == true)
    }

    @Test("journal filling and students at risk are found from the journal itself")
    func fillingAndRisk() async throws {
        let c = try await Self.setUp()
        defer { c.school.remove() }
        let assignment = c.school.output.snapshot.assignments.first { $0.className == c.className }!
        let teacher = try await c.school.principal(assignment.teacherLogin, roles: [.teacher])
        let subjectWord = assignment.subject.split(separator: " ")[0].lowercased()
        // A lesson of the subject this week loses its topic.
        let lesson = try c.school.database.pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT l.date, l.number FROM lessons l JOIN classes c ON c.id = l.class_id JOIN subjects s ON s.id
                        = l.subject_id
                    WHERE c.name = ? AND s.name = ? AND l.date BETWEEN '2026-11-16' AND '2026-11-19' ORDER BY l.date
                        LIMIT 1
                    """, arguments: [c.className, assignment.subject])
        }
        let found = try #require(lesson)
        let date = SchoolDate(iso: found["date"])!
        let number: Int = found["number"]
        _ = await c.school.ask("/lesson \(c.className) \(subjectWord) \(date.dayMonth) №\(number) тема: -", as: teacher)
        let filling = await c.school.ask("/filling \(c.className)", as: c.classTeacher)
        #expect(
            filling.contains {
                $0.hasPrefix("Уроки без темы — 1: ") && $0.contains("\(assignment.subject) \(date.dayMonth) №\(number)")
            }, "\(filling)")

        // Two 2s in a week put the child at risk.
        _ = await c.school.ask(
            "/mark \(c.className) \(subjectWord) \(date.dayMonth) №\(number) \(c.child) 2", as: teacher)
        _ = await c.school.ask(
            "/mark \(c.className) \(subjectWord) \(date.dayMonth) №\(number) \(c.child) 2 ср", as: teacher)
        let risk = await c.school.ask("/risk \(c.className)", as: c.classTeacher)
        #expect(risk.contains { $0.hasPrefix("\(c.child): ") && $0.contains("двоек за две недели: ") }, "\(risk)")
        // The teacher's own digest lists the same gap.
        let own = await c.school.ask("/digest", as: teacher)
        #expect(own.contains { $0.hasPrefix("Уроки без темы — 1: ") }, "\(own)")
    }

    @Test("students at risk are counted over the lessons of their own groups, the same in a digest run as alone")
    func riskByGroupsAndSharedRun() async throws {
        let school = try await JournalSchool.make(students: 60)
        defer { school.remove() }
        let schoolClass = school.output.snapshot.classes[0]
        let teacher = try await school.principal(schoolClass.classTeacherLogin, roles: [.classTeacher])
        // Two groups of one class: one lesson of a subject in the last two weeks goes to the
        // first, the subject's other lessons of those weeks to the second. Two students of
        // the first, one of the second and one of neither miss every lesson they attend.
        let students: [Int64] = try await school.database.pool.write { db in
            let classID = try Int64.fetchOne(
                db, sql: "SELECT id FROM classes WHERE name = ?", arguments: [schoolClass.name])!
            let students = try Int64.fetchAll(
                db, sql: "SELECT id FROM students WHERE class_id = ? ORDER BY id LIMIT 4", arguments: [classID])
            let lessons = try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM lessons WHERE class_id = ? AND date BETWEEN '2026-11-09' AND '2026-11-19'
                      AND subject_id = (SELECT subject_id FROM lessons WHERE class_id = ?1 ORDER BY id LIMIT 1) ORDER
                          BY date, number
                    """, arguments: [classID])
            try #require(lessons.count >= 3)
            var groups: [Int64] = []
            for name in ["группа 1", "группа 2"] {
                try db.execute(
                    sql: "INSERT INTO study_groups (class_id, name) VALUES (?, ?)", arguments: [classID, name])
                groups.append(db.lastInsertedRowID)
            }
            for (student, group) in [(students[0], groups[0]), (students[1], groups[0]), (students[2], groups[1])] {
                try db.execute(
                    sql: "INSERT INTO study_group_members (group_id, student_id) VALUES (?, ?)",
                    arguments: [group, student])
            }
            try db.execute(sql: "UPDATE lessons SET group_id = ? WHERE id = ?", arguments: [groups[0], lessons[0]])
            for lesson in lessons.dropFirst() {
                try db.execute(sql: "UPDATE lessons SET group_id = ? WHERE id = ?", arguments: [groups[1], lesson])
            }
            for student in students {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO absences (lesson_id, student_id, reason, revision, created_at)
                        SELECT l.id, ?1, 'Н', 1, '2026-11-20' FROM lessons l WHERE l.class_id = ?2 AND l.date <=
                            '2026-11-20'
                          AND (l.group_id IS NULL OR l.group_id IN (SELECT group_id FROM study_group_members WHERE
                              student_id = ?1))
                        """, arguments: [student, classID])
            }
            // Lessons without a topic since the quarter began (5 November), before and inside
            // the two weeks the journal check looks at.
            try db.execute(
                sql:
                    "UPDATE lessons SET topic = NULL WHERE class_id = ? AND date BETWEEN '2026-11-01' AND '2026-11-20'",
                arguments: [classID])
            return students + [Int64(lessons.count - 1)]
        }
        let (_, atRisk) = try await school.bot.duties.atRisk(className: schoolClass.name, for: teacher)
        func attended(_ student: Int64) -> Int? {
            for reason in atRisk.first(where: { $0.student.id.rawValue == student })?.reasons ?? [] {
                if case .missedLessons(let missed, let of) = reason, missed == of { return of }
            }
            return nil
        }
        let secondGroupLessons = Int(students[4])
        let neither = try #require(attended(students[3]))
        #expect(attended(students[0]) == neither + 1)
        #expect(attended(students[1]) == neither + 1)
        #expect(attended(students[2]) == neither + secondGroupLessons)

        // Every recipient's digest is the same composed in one run, which reads what digests
        // share once (a class's lessons since the earlier of the quarter's start and the
        // journal check's two weeks, and their entries), as composed alone.
        let run = DigestRun()
        for account in try await school.database.duties.digestRecipients() {
            let principal = Principal(account: account, sessionID: "test")
            let shared = try await school.bot.duties.digest(for: principal, run: run)
            let alone = try await school.bot.duties.digest(for: principal, run: nil)
            #expect(String(describing: shared) == String(describing: alone), "\(account.login)")
        }
    }

    @Test("the monthly check of personal data: who is due, and recording the check")
    func dataChecks() async throws {
        let c = try await Self.setUp()
        defer { c.school.remove() }
        let due = await c.school.ask("/checked \(c.className)", as: c.classTeacher)
        #expect(due.first?.contains("не сверялись 30 дней") == true && due.first?.contains(c.child) == true, "\(due)")
        #expect(
            await c.school.ask("/checked \(c.className) \(c.child)", as: c.classTeacher) == [
                "Отмечено, что анкетные данные сверены: 1 (\(c.child))."
            ])
        #expect(!(await c.school.ask("/checked \(c.className)", as: c.classTeacher)).joined().contains(c.child))
        _ = await c.school.ask("/checked \(c.className) все", as: c.classTeacher)
        #expect(
            (await c.school.ask("/checked \(c.className)", as: c.classTeacher)).first?.contains(
                "сверены за последние 30 дней") == true)
    }
}
