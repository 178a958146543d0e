import ClassbookDomain
import Foundation
import GRDB

/// The change feed in SQLite: `change_feed`, a table every process writing the file appends to
/// and reads from (a poll of one indexed range a tenth of a second; no notification crosses
/// processes in SQLite). A message saved in `bot_outbox` or `direct_messages`, and a post saved
/// in `board_posts`, is published by a trigger in the same transaction, under the name of the
/// process whose connection wrote it (`classbook_node()`, registered on every connection
/// `ClassbookDatabase` opens).
public struct SQLiteChangeFeed: ChangeFeed {
    let pool: DatabasePool
    let writer: GroupCommit
    public let node: String
    /// The school's structure as this process keeps it, dropped when another process's change to
    /// it is read here (`structure` entries, published by triggers: `structureTriggers`).
    let structure: StructureCache
    /// Who is whose as this process keeps it, dropped by the same entries.
    let roster: RosterCache

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE change_feed (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    origin TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    account_id INTEGER NOT NULL,
                    ref TEXT,
                    detail TEXT,
                    at DATETIME NOT NULL
                );
                CREATE INDEX change_feed_by_time ON change_feed(at);
                CREATE TRIGGER bot_outbox_published AFTER INSERT ON bot_outbox BEGIN
                    INSERT INTO change_feed (origin, topic, account_id, ref, at)
                        VALUES (classbook_node(), 'bot_message', NEW.account_id, NEW.id,
                            strftime('%Y-%m-%d %H:%M:%f', 'now'));
                END;
                CREATE TRIGGER direct_messages_published AFTER INSERT ON direct_messages BEGIN
                    INSERT INTO change_feed (origin, topic, account_id, ref, at)
                        VALUES (classbook_node(), 'direct_message', NEW.recipient_id, NEW.id,
                            strftime('%Y-%m-%d %H:%M:%f', 'now'));
                END;
                CREATE TRIGGER board_posts_published AFTER INSERT ON board_posts BEGIN
                    INSERT INTO change_feed (origin, topic, account_id, ref, detail, at)
                        VALUES (classbook_node(), 'post', NEW.author_id, NEW.msgid,
                            (SELECT msgid FROM board_posts WHERE id = NEW.thread_id),
                            strftime('%Y-%m-%d %H:%M:%f', 'now'));
                END;
                """)
    }

    /// A change to the school's structure (settings, mark kinds, years, periods, holidays) is
    /// published as a `structure` entry in its transaction (a row each: SQLite has no statement
    /// triggers), so that every process drops what it keeps of it as it reads the feed.
    static func migrateStructure(_ db: Database) throws {
        try structureTriggers(db, on: ["school_settings", "mark_kinds", "school_years", "periods", "holidays"])
    }

    /// From v17 the rosters' tables too: students, guardianships and classes (`RosterCache`).
    static func migrateRosters(_ db: Database) throws {
        try structureTriggers(db, on: ["students", "guardianships", "classes"])
    }

    private static func structureTriggers(_ db: Database, on tables: [String]) throws {
        for table in tables {
            for event in ["INSERT", "UPDATE", "DELETE"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER \(table)_structure_\(event.lowercased()) AFTER \(event) ON \(table) BEGIN
                            INSERT INTO change_feed (origin, topic, account_id, at)
                                VALUES (classbook_node(), 'structure', 0, strftime('%Y-%m-%d %H:%M:%f', 'now'));
                        END
                        """)
            }
        }
    }

    /// Makes `classbook_node()` name this process on a connection.
    static func register(node: String, on db: Database) {
        db.add(function: DatabaseFunction("classbook_node", argumentCount: 0, pure: false) { _ in node })
    }

    public func publish(_ change: StoreChange) async throws {
        let (topic, account, ref, detail) = change.row
        try await writer.write { [node] db in
            try db.execute(
                sql: "INSERT INTO change_feed (origin, topic, account_id, ref, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [node, topic, account.rawValue, ref, detail, Date()])
        }
    }

    public func latestSequence() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM change_feed") ?? 0 }
    }

    public func changes(after sequence: Int64, limit: Int) async throws -> [FeedEntry] {
        let entries = try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM change_feed WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [sequence, limit]
            ).compactMap { row in
                StoreChange(
                    topic: row["topic"], account: AccountID(row["account_id"]), ref: row["ref"], detail: row["detail"]
                ).map { FeedEntry(sequence: row["seq"], origin: row["origin"], change: $0) }
            }
        }
        // The structure changed in some process: what this one keeps of it is read again.
        if entries.contains(where: { $0.change == .structure }) {
            structure.drop()
            roster.rosterChanged()
        }
        return entries
    }

    public func prune(before date: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM change_feed WHERE at < ?", arguments: [date])
        }
    }
}
