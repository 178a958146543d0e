import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

/// The diary's marks come from a cache (`MarksCache`) while a student's marks are unchanged;
/// every way they change must show at the next read.
@Suite("Marks cache")
struct MarksCacheTests {
    @Test("a cached student's marks show every change: set, corrected, deleted, a kind's weight, and a write by another process")
    func changesShow() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let diary = school.database.diary, journal = school.database.journal
        let context = AuditContext(actor: nil, sessionID: "test", at: Date())
        let from = TestClock.day.adding(days: -60), through = TestClock.day
        // A student with marks, and a lesson of theirs to write in.
        let (studentID, lessonID): (Int64, Int64) = try await school.database.pool.read { db in
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT m.student_id, m.lesson_id FROM marks m JOIN lessons l ON l.id = m.lesson_id
                WHERE l.date BETWEEN ? AND ? AND m.deleted_at IS NULL AND NOT EXISTS (
                    SELECT 1 FROM marks x WHERE x.lesson_id = m.lesson_id AND x.student_id = m.student_id AND x.kind = 'control')
                ORDER BY m.id LIMIT 1
                """, arguments: [from.iso, through.iso]))
            return (row[0], row[1])
        }
        let student = StudentID(studentID), lesson = LessonID(lessonID)
        let read = { try await diary.marks(of: student, from: from, through: through) }

        let first = try await read()
        #expect(try await read() == first, "a second read, from the cache, is the same")

        // Set: a control work the student did not have on that lesson.
        _ = try await journal.writeMarks([MarkWrite(student: student, value: .grade(2), kind: "control", comment: nil)], lesson: lesson, context: context)
        let afterSet = try await read()
        #expect(afterSet.count == first.count + 1)
        let added = try #require(afterSet.first { $0.kind == "control" && $0.value == .grade(2) && !first.contains($0) })

        // Corrected.
        _ = try await journal.writeMarks([MarkWrite(student: student, value: .grade(5), kind: "control", comment: "пересдал")], lesson: lesson, context: context)
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
            let revision = try Int64.fetchOne(db, sql: "UPDATE counters SET value = value + 1 WHERE name = 'diary_revision' RETURNING value")!
            try db.execute(sql: "UPDATE marks SET value = 'pass', revision = ? WHERE id = ?", arguments: [revision, changed.id])
        }
        try other.close()
        #expect(try await read().first { $0.id == changed.id }?.value == .pass)
    }
}
