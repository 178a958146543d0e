import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

@Suite("Audit chain")
struct AuditChainTests {
    /// A database with a few audited changes, made through the real repositories.
    static func database() async throws -> (ClassbookDatabase, String) {
        let directory = NSTemporaryDirectory() + "classbook-audit-" + UUID().uuidString
        let database = try ClassbookDatabase(directory: directory)
        let context = AuditContext(actor: nil, sessionID: "test", at: Date())
        for login in ["a.one", "b.two", "c.three"] {
            let account = try await database.accounts.createAccount(
                NewAccount(login: login, displayName: "Тест \(login)", roles: [.guardian], passwordHash: "$scrypt$x"),
                context: context)
            try await database.accounts.setLanguage(.en, for: account.id, context: context)
        }
        return (database, directory)
    }

    @Test("an untouched chain verifies")
    func intact() async throws {
        let (database, directory) = try await Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 13 baseline records of the default settings (3, then 5 more) and mark kinds (5),
        // then 3 accounts × (create, language).
        #expect(try await AuditVerifier(database: database).verify() == .intact(records: 19))
    }

    @Test("editing a record's contents in the file is detected at that record")
    func edited() async throws {
        let (database, directory) = try await Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await database.pool.write { try $0.execute(sql: "UPDATE audit_log SET new_value = 'ru' WHERE id = 4") }
        #expect(
            try await AuditVerifier(database: database).verify()
                == .broken(recordID: 4, reason: "its contents do not match its hash"))
    }

    @Test("removing a record, or editing one and replacing its hash, breaks the chain")
    func removedOrRehashed() async throws {
        let (database, directory) = try await Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await database.pool.write { try $0.execute(sql: "DELETE FROM audit_log WHERE id = 3") }
        #expect(
            try await AuditVerifier(database: database).verify()
                == .broken(recordID: 3, reason: "record 3 is missing (next is 4)"))

        let (second, secondDirectory) = try await Self.database()
        defer { try? FileManager.default.removeItem(atPath: secondDirectory) }
        try await second.pool.write {
            try $0.execute(sql: "UPDATE audit_log SET new_value = 'ru', hash = 'ff' WHERE id = 2")
        }
        let outcome = try await AuditVerifier(database: second).verify()
        #expect(outcome == .broken(recordID: 2, reason: "its contents do not match its hash"))
    }
}
