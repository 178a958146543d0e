import ClassbookDomain
import Foundation
import PostgresNIO

/// The change feed on PostgreSQL: the table `change_feed`, and a NOTIFY on `classbook_feed`
/// carrying the new entry's sequence number only (far under NOTIFY's 8,000 bytes), sent when
/// the publishing transaction commits. Readers read the rows after what they last read.
///
/// Publishers take one advisory lock in their transaction, so entries commit in the order of
/// their sequence numbers: a reader that has read entry n never later finds an entry below n
/// committed (with concurrent publishers, a sequence taken first may commit last). PostgreSQL
/// serializes the commits of notifying transactions anyway (its notification queue's lock).
public struct PostgresChangeFeed: ChangeFeed {
    let store: PostgresStore
    public var node: String { store.node }

    public func publish(_ change: StoreChange) async throws {
        let (topic, account, ref, detail) = change.row
        let logger = store.logger
        try await store.write { [node] connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresStore.feedLock))", logger: logger)
            let rows = try await connection.query(
                """
                INSERT INTO change_feed (origin, topic, account_id, ref, detail, at)
                VALUES (\(node), \(topic), \(account.rawValue), \(ref), \(detail), now()) RETURNING seq
                """, logger: logger)
            for try await seq in rows.decode(Int64.self) {
                try await connection.query(
                    "SELECT pg_notify(\(PostgresStore.feedChannel), \(String(seq)))", logger: logger)
            }
        }
    }

    public func latestSequence() async throws -> Int64 {
        for try await seq in try await store.client.query(
            "SELECT coalesce(max(seq), 0) FROM change_feed", logger: store.logger
        ).decode(Int64.self) {
            return seq
        }
        return 0
    }

    public func changes(after sequence: Int64, limit: Int) async throws -> [FeedEntry] {
        var entries: [FeedEntry] = []
        let rows = try await store.client.query(
            """
            SELECT seq, origin, topic, account_id, ref, detail FROM change_feed WHERE seq > \(sequence)
            ORDER BY seq LIMIT \(limit)
            """, logger: store.logger)
        for try await (seq, origin, topic, account, ref, detail) in rows.decode(
            (Int64, String, String, Int64, String?, String?).self)
        {
            guard
                let change = StoreChange(
                    topic: topic, account: AccountID(account), ref: ref, detail: detail)
            else { continue }
            entries.append(FeedEntry(sequence: seq, origin: origin, change: change))
        }
        // The structure changed on some node: what this one keeps of it is read again.
        if entries.contains(where: { $0.change == .structure }) { store.memo.drop() }
        return entries
    }

    public func prune(before date: Date) async throws {
        try await store.client.query("DELETE FROM change_feed WHERE at < \(date)", logger: store.logger)
    }

    /// Returns at the server's next notification on the feed's channel, or after `duration`.
    public func wait(upTo duration: Duration) async {
        store.listen()
        await store.pulse.wait(upTo: duration)
    }
}
