import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

/// The change feed in SQLite publishes what is saved, in the saving transaction, under the name
/// of the process that saved it (the contract tests check the rest on every backend).
@Suite("Change feed in SQLite")
struct ChangeFeedTests {
    @Test("a message saved by a process (a CLI command, say) is published with it under that process's name")
    func publishedBySaving() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let other = try ClassbookDatabase(directory: school.directory)
        defer { try? other.close() }
        let start = try await school.database.feed.latestSequence()
        let account: Int64 = try #require(await school.scalar("SELECT id FROM accounts ORDER BY id LIMIT 1"))
        try await other.duties.enqueue(["Письмо"], for: AccountID(account), at: Date())
        let message: Int64 = try #require(await school.scalar("SELECT max(id) FROM bot_outbox"))
        let entries = try await school.database.feed.changes(after: start, limit: 10)
        #expect(entries.map(\.change) == [.botMessage(account: AccountID(account), message: message)])
        #expect(entries.map(\.origin) == [other.node])
    }
}
