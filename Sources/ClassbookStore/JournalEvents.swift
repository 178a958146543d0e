import ClassbookDomain
import Foundation
import GRDB

/// The transactional outbox of the journal's notifications: a write saves its events in its
/// own transaction; the server's dispatcher turns each into notifications and marks it
/// dispatched in one transaction, so an event is told once however often it is tried.
enum JournalEvents {
    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE journal_events (
                    id INTEGER PRIMARY KEY,
                    event TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    dispatched_at DATETIME
                );
                CREATE INDEX journal_events_undispatched ON journal_events(id) WHERE dispatched_at IS NULL;
                """)
    }

    static func append(_ events: [JournalEvent], _ db: Database, at: Date) throws {
        for event in events {
            try db.cachedStatement(sql: "INSERT INTO journal_events (event, created_at) VALUES (?, ?)").execute(
                arguments: [event.record, at])
        }
    }

    static func undispatched(_ db: Database, limit: Int) throws -> [PendingJournalEvent] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, event, created_at FROM journal_events WHERE dispatched_at IS NULL ORDER BY id LIMIT ?
                """, arguments: [limit]
        ).map { row in
            PendingJournalEvent(
                id: row["id"], event: try? JournalEvent(record: row["event"]), createdAt: row["created_at"])
        }
    }

    /// Marks the event dispatched and saves its notifications, dated when the event happened,
    /// unless it was dispatched already.
    static func dispatch(_ id: Int64, _ deliveries: [NotificationDelivery], _ db: Database, at: Date) throws -> Bool {
        guard
            let createdAt = try Date.fetchOne(
                db, sql: "SELECT created_at FROM journal_events WHERE id = ? AND dispatched_at IS NULL",
                arguments: [id])
        else { return false }
        try db.execute(sql: "UPDATE journal_events SET dispatched_at = ? WHERE id = ?", arguments: [at, id])
        try OutboxRows.save(deliveries, at: createdAt, db)
        return true
    }
}
