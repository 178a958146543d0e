import ClassbookDomain
import ClassbookTestSupport
@testable import ClassbookStore
import Foundation
import GRDB
import Testing

/// `DatabaseVersion` lets `/marks` skip its one statement while nothing has been committed;
/// it must change with every commit, from this process or another, and only then.
@Suite("Database version")
struct DatabaseVersionTests {
    @Test(
        "the wal-index version stays while nothing is committed and changes with a commit by this process or by another"
    )
    func followsCommits() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let readers = school.database.readers
        let first = try #require(readers.version, "a WAL database has a version")
        #expect(readers.version == first)

        // Reads commit nothing.
        let marks: Int? = try await school.scalar("SELECT count(*) FROM marks")
        #expect((marks ?? 0) > 0)
        _ = try await school.database.diary.marksStamp(of: StudentID(1))
        #expect(readers.version == first, "a read leaves the version as it was")

        // This process's writer.
        _ = try await school.database.writer.write { db in
            try db.execute(sql: "UPDATE counters SET value = value + 1 WHERE name = 'diary_revision'")
        }
        let afterWrite = try #require(readers.version)
        #expect(afterWrite != first)

        // Another process, through the system SQLite of its own.
        try await OtherProcess.run(
            sql: "UPDATE counters SET value = value + 1 WHERE name = 'diary_revision'",
            database: school.directory + "/" + ClassbookDatabase.fileName)
        let afterOther = try #require(readers.version)
        #expect(afterOther != afterWrite)
        #expect(readers.version == afterOther)
    }

    @Test("a mark written by another process shows at the next /marks, the stamp not being read while nothing changed")
    func otherProcessMark() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let service = DiaryService(diary: school.database.diary, journal: school.database.journal, clock: TestClock())
        let found: Row? = try school.database.pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT m.id, m.student_id, a.login FROM marks m JOIN lessons l ON l.id = m.lesson_id
                    JOIN guardianships g ON g.student_id = m.student_id JOIN accounts a ON a.id = g.guardian_id
                    WHERE l.date <= ? AND m.deleted_at IS NULL AND m.value <> 'pass' ORDER BY l.date DESC, m.id LIMIT 1
                    """, arguments: [TestClock.day.iso])
        }
        let row = try #require(found)
        let markID: Int64 = row[0], studentID = StudentID(row[1])
        let principal = try await school.principal(row[2])
        let student = try #require(try await service.students(visibleTo: principal).first { $0.id == studentID })
        let mark = { (report: DiaryService.MarksReport) in report.subjects.flatMap(\.marks).first { $0.id == markID } }

        let before = try await service.marks(of: student, subject: nil, period: nil, for: principal)
        #expect(mark(before)?.value != .pass)
        #expect(try await service.marks(of: student, subject: nil, period: nil, for: principal) == before)

        // Every writer takes a revision for what it changes (DESIGN.md); an import does.
        try await OtherProcess.run(
            sql: """
                UPDATE counters SET value = value + 1 WHERE name = 'diary_revision';
                UPDATE marks SET value = 'pass', revision = (SELECT value FROM counters WHERE name = 'diary_revision')
                    WHERE id = \(markID);
                """, database: school.directory + "/" + ClassbookDatabase.fileName)
        let after = try await service.marks(of: student, subject: nil, period: nil, for: principal)
        #expect(mark(after)?.value == .pass)
    }
}

/// Another process writing to the database: Python's sqlite3 module on the system SQLite,
/// with a mapping of the wal-index of its own.
enum OtherProcess {
    static func run(sql: String, database: String) async throws {
        let result = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
                db.executescript("BEGIN IMMEDIATE;" + sys.argv[2] + ";COMMIT;")
                db.close()
                """, database, sql
            ])
        guard result.succeeded else { throw OtherProcessError(status: result.status) }
    }
}

struct OtherProcessError: Error {
    var status: Int32
}
