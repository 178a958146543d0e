import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

/// The store's change feed in SQLite: what each process publishes, every process reads, in
/// order, under the name of the process that published it.
@Suite("Change feed")
struct ChangeFeedTests {
    @Test(
        """
        a message saved by one process is published with it under that process's name; a request to close \
        sessions is published by itself; both read back in order from another process; old ones are pruned
        """
    )
    func publishedAndRead() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let other = try ClassbookDatabase(directory: school.directory)
        defer { try? other.close() }
        #expect(other.node != school.database.node)
        let start = try await school.database.feed.latestSequence()
        let account: Int64 = try #require(await school.scalar("SELECT id FROM accounts ORDER BY id LIMIT 1"))

        // A CLI command (here: the other process) saves a message for the account.
        try await other.duties.enqueue(["Письмо"], for: AccountID(account), at: Date())
        let message: Int64 = try #require(await school.scalar("SELECT max(id) FROM bot_outbox"))
        try await school.database.feed.publish(
            .closeSessions(account: AccountID(account), except: "s1", reason: "Password changed"))

        let entries = try await school.database.feed.changes(after: start, limit: 10)
        #expect(
            entries.map(\.change) == [
                .botMessage(account: AccountID(account), message: message),
                .closeSessions(account: AccountID(account), except: "s1", reason: "Password changed")
            ])
        #expect(entries.map(\.origin) == [other.node, school.database.node])
        #expect(entries.map(\.sequence) == entries.map(\.sequence).sorted())
        #expect(
            try await other.feed.changes(after: entries[0].sequence, limit: 10).map(\.change) == [entries[1].change])
        #expect(try await school.database.feed.latestSequence() == entries[1].sequence)

        try await school.database.feed.prune(before: Date().addingTimeInterval(-60))
        #expect(try await other.feed.changes(after: start, limit: 10).count == 2)
        try await school.database.feed.prune(before: Date().addingTimeInterval(60))
        #expect(try await other.feed.changes(after: start, limit: 10).isEmpty)
    }
}
