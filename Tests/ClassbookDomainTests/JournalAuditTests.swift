import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

/// Journal rows edited, removed or added in the database file, outside the application,
/// are found by `audit verify` even though the hash chain itself is untouched.
@Suite("Audit of journal rows")
struct JournalAuditTests {
    /// A school where a teacher has entered, corrected and deleted marks through the bot.
    static func school() async throws -> JournalSchool {
        let school = try await JournalSchool.make()
        let assignment = school.output.snapshot.assignments.first { $0.subject == "Математика" }!
        let teacher = try await school.principal(assignment.teacherLogin)
        let pupil = school.output.snapshot.students.first { $0.className == assignment.className }!
        let reply = await school.ask(
            "/mark \(assignment.className) математика 18.11 №1 \(pupil.lastName) \(pupil.firstName) 4", as: teacher)
        #expect(reply.first?.hasPrefix("Записано") == true || reply.first?.contains("нет урока") == true, "\(reply)")
        return school
    }

    func verify(_ school: JournalSchool) async throws -> AuditVerifier.Outcome {
        try await AuditVerifier(database: school.database).verify()
    }

    /// Changes the database file through a connection of its own, as someone with the file would.
    func tamper(_ school: JournalSchool, _ sql: String) throws {
        let queue = try DatabaseQueue(path: school.database.path)
        try queue.write { try $0.execute(sql: sql) }
        try queue.close()
    }

    @Test("an untouched school verifies, journal rows included")
    func intact() async throws {
        let school = try await Self.school()
        defer { school.remove() }
        guard case .intact(let records) = try await verify(school) else { Issue.record("not intact"); return }
        let marks: Int = try await school.scalar("SELECT count(*) FROM marks") ?? 0
        #expect(records > marks)
    }

    @Test("a mark changed in the file is found, naming the row")
    func changedMark() async throws {
        let school = try await Self.school()
        defer { school.remove() }
        let id: Int64 = try await school.scalar("SELECT id FROM marks WHERE value = '2' ORDER BY id LIMIT 1")!
        try tamper(school, "UPDATE marks SET value = '5' WHERE id = \(id)")
        #expect(
            try await verify(school)
                == .rowTampered(
                    reason: "marks row \(id) differs from its last audit record (changed outside the application)"))
    }

    @Test("an absence removed from the file is found")
    func removedAbsence() async throws {
        let school = try await Self.school()
        defer { school.remove() }
        let id: Int64 = try await school.scalar("SELECT max(id) FROM absences")!
        try tamper(school, "DELETE FROM acknowledgement_entries; DELETE FROM absences WHERE id = \(id)")
        #expect(
            try await verify(school)
                == .rowTampered(reason: "absences row \(id) is missing (removed outside the application)"))
    }

    @Test("a mark slipped into the file without the application is found")
    func insertedMark() async throws {
        let school = try await Self.school()
        defer { school.remove() }
        try tamper(
            school,
            """
            INSERT INTO marks (lesson_id, student_id, value, kind, weight, revision, created_at)
            SELECT lesson_id, student_id, '5', 'oral', 1, 999999, '2026-11-20 12:00:00' FROM marks LIMIT 1
            """)
        let id: Int64 = try await school.scalar("SELECT max(id) FROM marks")!
        #expect(
            try await verify(school)
                == .rowTampered(reason: "marks row \(id) has no audit record (added outside the application)"))
    }

    @Test("a lesson's homework or a final rewritten in the file is found")
    func otherTables() async throws {
        let school = try await Self.school()
        defer { school.remove() }
        try tamper(school, "UPDATE lessons SET homework = 'ничего' WHERE id = 1")
        #expect(
            try await verify(school)
                == .rowTampered(
                    reason: "lessons row 1 differs from its last audit record (changed outside the application)"))
    }

    @Test("changes through the application keep the rows and the chain in step")
    func changesThroughTheApplication() async throws {
        let school = try await Self.school()
        defer { school.remove() }
        let assignment = school.output.snapshot.assignments.first { $0.subject == "Математика" }!
        let teacher = try await school.principal(assignment.teacherLogin)
        let pupil = school.output.snapshot.students.first { $0.className == assignment.className }!
        let name = "\(pupil.lastName) \(pupil.firstName)"
        for line in [
            "/mark \(assignment.className) математика 18.11 №1 \(name) 5",
            "/unmark \(assignment.className) математика 18.11 №1 \(name)",
            "/absent \(assignment.className) математика 18.11 №1 \(name) б",
            "/present \(assignment.className) математика 18.11 №1 \(name)",
            "/lesson \(assignment.className) математика 18.11 №1 дз: -"
        ] {
            _ = await school.ask(line, as: teacher)
        }
        guard case .intact = try await verify(school) else { Issue.record("not intact after changes"); return }
    }
}
