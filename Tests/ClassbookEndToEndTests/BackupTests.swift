import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

/// Online backups, restores, and a graceful stop.
@Suite("Backup, restore and shutdown", .timeLimit(.minutes(2)))
struct BackupTests {
    /// `classbook backup` is SQLite's; PostgreSQL is backed up with pg_dump (docs/operations.md).
    @Test(
        "a backup taken while the server runs and writes restores to the same school, audit intact",
        .enabled(if: !TestDatabase.isPostgreSQL, "a SQLite file's backup"))
    func backupAndRestore() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let server = try await RunningServer.start(school)
        guard case .sqlite(let database) = server.store else { throw TestFailure("a SQLite school") }
        let l = try await MessagingTests.lesson(server)
        let teacher = try await server.login(l.teacher)
        _ = try await teacher.ask("\(l.line) 5")
        let backup = school.directory + "/backup.sqlite"
        try database.backup(to: backup)
        #expect(throws: ClassbookDatabase.BackupError.self) { try database.backup(to: backup) }
        // A change after the backup is not in it.
        _ = try await teacher.ask("\(l.line) 2")
        let (marksThen, auditThen): (Int, Int) = try await database.pool.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM marks") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log") ?? 0
            )
        }
        await teacher.close()
        try await server.stop()

        let restoredDirectory = school.directory + "/restored"
        let records = try await ClassbookDatabase.restore(from: backup, into: restoredDirectory)
        let restored = try ClassbookDatabase(directory: restoredDirectory)
        let (marks, audit, value): (Int, Int, String?) = try await restored.pool.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM marks") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log") ?? 0,
                try String.fetchOne(db, sql: "SELECT value FROM marks ORDER BY id DESC LIMIT 1")
            )
        }
        #expect(marks == marksThen && audit == records && audit < auditThen && value == "5")
        // Restoring over an existing database keeps the old one beside it.
        _ = try await ClassbookDatabase.restore(from: backup, into: restoredDirectory)
        #expect(FileManager.default.fileExists(atPath: restoredDirectory + "/classbook.sqlite.before-restore"))
        // Not a Classbook database: refused, nothing replaced.
        let junk = school.directory + "/junk.sqlite"
        try await DatabaseQueue(path: junk).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        await #expect(throws: ClassbookDatabase.BackupError.self) {
            try await ClassbookDatabase.restore(from: junk, into: restoredDirectory)
        }
    }

    @Test("stopping the server tells every client before closing")
    func gracefulShutdown() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let server = try await RunningServer.start(school)
        let client = try await server.login(try school.guardianWithOneChild)
        try await server.stop()
        #expect(try await client.expectClosed() == "Server shutting down")
    }
}
