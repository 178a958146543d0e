import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

@Suite("Group commit")
struct GroupCommitTests {
    /// A new database in a directory of its own; the caller removes the directory.
    static func database() throws -> (ClassbookDatabase, String) {
        let directory = NSTemporaryDirectory() + "classbook-group-" + UUID().uuidString
        return (try ClassbookDatabase(directory: directory), directory)
    }

    @Test(
        """
        concurrent writes share transactions, each is on disk when its caller hears, and a failing one spoils none \
        of the others
        """
    )
    func concurrentWrites() async throws {
        let (database, directory) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let context = AuditContext(actor: nil, sessionID: "test", at: Date())
        let before = database.writer.statistics
        // 200 accounts created at once through the real repository; every 10th login is taken
        // twice, so its second creation fails inside a batch others share.
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<220 {
                let login = index < 200 ? "user.\(index)" : "user.\((index - 200) * 10)"
                group.addTask {
                    do {
                        _ = try await database.accounts.createAccount(
                            NewAccount(
                                login: login, displayName: "Тест \(index)", roles: [.guardian],
                                passwordHash: "$scrypt$x"),
                            context: context)
                        return true
                    } catch {
                        return false
                    }
                }
            }
            var results: [Bool] = []
            for await outcome in group { results.append(outcome) }
            return results
        }
        #expect(outcomes.filter { $0 }.count == 200)
        #expect(outcomes.filter { !$0 }.count == 20)
        let after = database.writer.statistics
        #expect(after.writes - before.writes == 220)
        // Writers that arrived during a commit waited for the next one together.
        #expect(after.commits - before.commits < 220)

        // What was confirmed is in the file, as a second connection sees it, with its audit records.
        try database.close()
        let reopened = try DatabaseQueue(path: directory + "/" + ClassbookDatabase.fileName)
        let (accounts, audited) = try await reopened.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM accounts WHERE login LIKE 'user.%'") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE entity = 'account'") ?? 0
            )
        }
        #expect(accounts == 200)
        #expect(audited == 200)
    }

    @Test("the audit chain stays intact across shared transactions")
    func chainIntact() async throws {
        let (database, directory) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let context = AuditContext(actor: nil, sessionID: "test", at: Date())
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    _ = try? await database.accounts.createAccount(
                        NewAccount(
                            login: "p.\(index)", displayName: "Тест", roles: [.guardian], passwordHash: "$scrypt$x"),
                        context: context)
                }
            }
        }
        guard case .intact = try await AuditVerifier(database: database).verify() else {
            Issue.record("the audit chain is broken")
            return
        }
    }
}
