import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

/// The diary's marks come from a cache (`MarksCache`) while a student's marks are unchanged,
/// and `/marks` answers from the report last built (`MarksReportMemo`) while the student's
/// marks, finals and the grading rules are; every way they change must show at the next read.
@Suite("Marks cache")
struct MarksCacheTests {
    @Test(
        """
        a cached student's marks show every change: set, corrected, deleted, a kind's weight, and a write by \
        another process
        """
    )
    func changesShow() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let diary = school.database.diary, journal = school.database.journal
        let context = AuditContext(actor: nil, sessionID: "test", at: Date())
        let from = TestClock.day.adding(days: -60), through = TestClock.day
        // A student with marks, and a lesson of theirs to write in.
        let (studentID, lessonID): (Int64, Int64) = try await school.database.pool.read { db in
            let row = try #require(
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT m.student_id, m.lesson_id FROM marks m JOIN lessons l ON l.id = m.lesson_id
                        WHERE l.date BETWEEN ? AND ? AND m.deleted_at IS NULL AND NOT EXISTS (
                            SELECT 1 FROM marks x WHERE x.lesson_id = m.lesson_id AND x.student_id = m.student_id AND
                                x.kind = 'control')
                        ORDER BY m.id LIMIT 1
                        """, arguments: [from.iso, through.iso]))
            return (row[0], row[1])
        }
        let student = StudentID(studentID), lesson = LessonID(lessonID)
        let read = { try await diary.marks(of: student, from: from, through: through) }

        let first = try await read()
        #expect(try await read() == first, "a second read, from the cache, is the same")

        // Set: a control work the student did not have on that lesson.
        _ = try await journal.writeMarks(
            [MarkWrite(student: student, value: .grade(2), kind: "control", comment: nil)], lesson: lesson,
            context: context)
        let afterSet = try await read()
        #expect(afterSet.count == first.count + 1)
        let added = try #require(
            afterSet.first { $0.kind == "control" && $0.value == .grade(2) && !first.contains($0) })

        // Corrected.
        _ = try await journal.writeMarks(
            [MarkWrite(student: student, value: .grade(5), kind: "control", comment: "пересдал")], lesson: lesson,
            context: context)
        let corrected = try await read()
        #expect(corrected.first { $0.id == added.id }?.value == .grade(5))
        #expect(corrected.first { $0.id == added.id }?.comment == "пересдал")

        // A kind's weight, changed in the settings, applies to marks already cached.
        try await journal.updateSetting(.weight(kind: "control", 3.5), context: context)
        #expect(try await read().first { $0.id == added.id }?.weight == 3.5)

        // Deleted.
        #expect(try await journal.deleteMarks(student: student, lesson: lesson, kind: "control", context: context) >= 1)
        #expect(try await read().contains { $0.id == added.id } == false)

        // Another process (an import, `classbook` on the same file) changes a mark through
        // its own connection, taking a revision as every writer must.
        let other = try DatabaseQueue(path: school.directory + "/" + ClassbookDatabase.fileName)
        let changed = try #require(first.first { $0.id != added.id })
        try await other.write { db in
            let revision = try Int64.fetchOne(
                db, sql: "UPDATE counters SET value = value + 1 WHERE name = 'diary_revision' RETURNING value")!
            try db.execute(
                sql: "UPDATE marks SET value = 'pass', revision = ? WHERE id = ?", arguments: [revision, changed.id])
        }
        try other.close()
        #expect(try await read().first { $0.id == changed.id }?.value == .pass)
    }

    @Test(
        """
        a kept marks report shows every change: a mark, a final set and removed, a kind's weight, the rounding \
        threshold, and a final written by another process
        """
    )
    func reportShowsChanges() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let service = DiaryService(diary: school.database.diary, journal: school.database.journal, clock: TestClock())
        let journal = school.database.journal
        let context = AuditContext(actor: nil, sessionID: "test", at: Date())
        // A student's latest lesson with a mark but no control work, the subject, and a guardian.
        let found: Row? = try school.database.pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT m.student_id, m.lesson_id, l.subject_id, sub.name, a.login
                    FROM marks m JOIN lessons l ON l.id = m.lesson_id JOIN subjects sub ON sub.id = l.subject_id
                    JOIN guardianships g ON g.student_id = m.student_id JOIN accounts a ON a.id = g.guardian_id
                    WHERE l.date <= ? AND m.deleted_at IS NULL AND NOT EXISTS (
                        SELECT 1 FROM marks x WHERE x.lesson_id = m.lesson_id AND x.student_id = m.student_id AND
                            x.kind = 'control')
                    ORDER BY l.date DESC, m.id LIMIT 1
                    """, arguments: [TestClock.day.iso])
        }
        let row = try #require(found)
        let studentID = StudentID(row[0]), lesson = LessonID(row[1]), subjectID = SubjectID(row[2]),
            subject: String = row[3]
        let principal = try await school.principal(row[4])
        let visible = try await service.students(visibleTo: principal)
        let student = try #require(visible.first { $0.id == studentID })
        let ask = { try await service.marks(of: student, subject: nil, period: nil, for: principal) }
        let subjectOf = { (report: DiaryService.MarksReport) -> DiaryService.SubjectMarks? in
            report.subjects.first { $0.subject == subject }
        }
        let marksOf = { (report: DiaryService.MarksReport) -> [MarkEntry] in subjectOf(report)?.marks ?? [] }

        let first = try await ask()
        let again = try await ask()
        #expect(again == first, "asked again with nothing changed, the same report")
        let period = first.period.ordinal

        // A mark: a control work the student did not have on that lesson.
        _ = try await journal.writeMarks(
            [MarkWrite(student: student.id, value: .grade(2), kind: "control", comment: nil)], lesson: lesson,
            context: context)
        let afterMark = try await ask()
        #expect(marksOf(afterMark).count == marksOf(first).count + 1)
        #expect(marksOf(afterMark).contains { $0.kind == "control" && $0.value == .grade(2) })

        // A final for the period, set and then removed: finals are part of the stamp.
        _ = try await journal.writeFinals(
            [(student.id, .grade(4))], subject: subjectID, period: period, on: TestClock.day, context: context)
        let withFinal = try await ask().finals
        #expect(withFinal.contains(FinalMark(subject: subject, period: period, value: .grade(4))))
        _ = try await journal.writeFinals(
            [(student.id, nil)], subject: subjectID, period: period, on: TestClock.day, context: context)
        let withoutFinal = try await ask().finals
        #expect(!withoutFinal.contains { $0.subject == subject && $0.period == period })

        // A kind's weight: the marks' weights, the averages and the legend follow.
        try await journal.updateSetting(.weight(kind: "control", 3.5), context: context)
        let reweighted = try await ask()
        #expect(reweighted.rules.weight(of: "control") == 3.5)
        let control = marksOf(reweighted).first { $0.kind == "control" }
        #expect(control?.weight == 3.5)
        let averageBefore = subjectOf(afterMark)?.average, averageAfter = subjectOf(reweighted)?.average
        #expect(averageAfter != averageBefore)

        // The rounding threshold, which changes no mark.
        try await journal.updateSetting(.roundingThreshold(0.65), context: context)
        let threshold = try await ask().rules.roundingThreshold
        #expect(threshold == 0.65)

        // Another process writes a final through its own connection, taking a revision.
        let other = try DatabaseQueue(path: school.directory + "/" + ClassbookDatabase.fileName)
        try await other.write { db in
            let revision = try Int64.fetchOne(
                db, sql: "UPDATE counters SET value = value + 1 WHERE name = 'diary_revision' RETURNING value")!
            try db.execute(
                sql: """
                    INSERT INTO finals (year_id, student_id, subject_id, period, value, revision, set_at)
                    VALUES ((SELECT id FROM school_years WHERE start_date <= ?1 AND ?1 <= end_date), ?2, ?3, ?4, '5',
                        ?5, ?6)
                    ON CONFLICT (year_id, student_id, subject_id, period) DO UPDATE SET value = '5', deleted_at = NULL,
                        revision = ?5
                    """,
                arguments: [TestClock.day.iso, student.id.rawValue, subjectID.rawValue, period, revision, Date()])
        }
        try other.close()
        let written = try await ask().finals
        #expect(written.contains(FinalMark(subject: subject, period: period, value: .grade(5))))
    }

    @Test("the bot's /marks reply, kept between askings, follows a new mark and the asker's language")
    func replyFollows() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let context = AuditContext(actor: nil, sessionID: "test", at: Date())
        let found: Row? = try school.database.pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT m.student_id, m.lesson_id, sub.name, a.login, s.last_name || ' ' || s.first_name
                    FROM marks m JOIN lessons l ON l.id = m.lesson_id JOIN subjects sub ON sub.id = l.subject_id
                    JOIN students s ON s.id = m.student_id
                    JOIN guardianships g ON g.student_id = m.student_id JOIN accounts a ON a.id = g.guardian_id
                    WHERE l.date <= ? AND m.deleted_at IS NULL AND NOT EXISTS (
                        SELECT 1 FROM marks x WHERE x.lesson_id = m.lesson_id AND x.student_id = m.student_id AND
                            x.kind = 'control')
                    ORDER BY l.date DESC, m.id LIMIT 1
                    """, arguments: [TestClock.day.iso])
        }
        let row = try #require(found)
        let student = StudentID(row[0]), lesson = LessonID(row[1]), subject: String = row[2], child: String = row[4]
        var principal = try await school.principal(row[3])
        let line = { (lines: [String]) in lines.first { $0.hasPrefix(subject + ":") } }

        let before = await school.ask("/marks \(child)", as: principal)
        #expect(await school.ask("/marks \(child)", as: principal) == before)
        _ = try await school.database.journal.writeMarks(
            [MarkWrite(student: student, value: .grade(2), kind: "control", comment: nil)],
            lesson: lesson, context: context)
        let after = await school.ask("/marks \(child)", as: principal)
        #expect(line(after) != line(before))
        #expect(line(after)?.contains("2к") == true)

        principal.account.language = .en
        let english = await school.ask("/marks \(child)", as: principal)
        #expect(english.first?.contains("marks, term") == true)
        #expect(english.last?.contains("More: /help marks") == true)
    }
}

/// Guardians' children and accounts' own student records are kept between commands
/// (`RosterCache`); a change committed in this process shows at the next command.
@Suite("Roster cache")
struct RosterCacheTests {
    @Test("a kept guardian's children follow a corrected name and a new link at once; a student's own record too")
    func changesShow() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let diary = school.database.diary
        let context = AuditContext(actor: nil, sessionID: "test", at: Date())
        let (guardianID, childID, ownerID, otherID): (Int64, Int64, Int64, Int64) = try await school.database.pool.read
        { db in
            let row = try #require(
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT g.guardian_id, s.id, s.account_id,
                               (SELECT o.id FROM students o WHERE o.id NOT IN (SELECT student_id FROM guardianships
                                   WHERE guardian_id = g.guardian_id) LIMIT 1)
                        FROM guardianships g JOIN students s ON s.id = g.student_id WHERE s.account_id IS NOT NULL
                            ORDER BY g.guardian_id LIMIT 1
                        """))
            return (row[0], row[1], row[2], row[3])
        }
        let guardian = AccountID(guardianID), child = StudentID(childID), owner = AccountID(ownerID),
            other = StudentID(otherID)
        let before = try await diary.studentsInCare(of: guardian)
        #expect(try await diary.studentsInCare(of: guardian) == before, "a second read, from the cache, is the same")
        #expect(try await diary.student(ownedBy: owner)?.id == child)
        #expect(try await diary.isGuardian(guardian, of: other) == false)

        // The class teacher corrects the child's surname.
        #expect(
            try await school.database.journal.setPersonalData(
                of: child, field: .lastName, value: "Исправленная", context: context) == .changed)
        #expect(try await diary.studentsInCare(of: guardian).first { $0.id == child }?.lastName == "Исправленная")
        #expect(try await diary.student(ownedBy: owner)?.lastName == "Исправленная")

        // A link added through this process's writer (as an import run by the server would).
        _ = try await school.database.writer.write { db in
            try db.execute(
                sql: "INSERT INTO guardianships (guardian_id, student_id) VALUES (?, ?)",
                arguments: [guardianID, otherID])
        }
        #expect(try await diary.isGuardian(guardian, of: other))
        #expect(try await diary.studentsInCare(of: guardian).count == before.count + 1)
    }
}
