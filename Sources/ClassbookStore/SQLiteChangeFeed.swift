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

    /// Makes `classbook_node()` name this process on a connection.
    static func register(node: String, on db: Database) {
        db.add(function: DatabaseFunction("classbook_node", argumentCount: 0, pure: false) { _ in node })
    }

    public func publish(_ change: StoreChange) async throws {
        try await writer.write { [node] db in
            switch change {
            case .botMessage(let account, let message):
                try Self.insert(db, node, "bot_message", account, ref: String(message), detail: nil)
            case .closeSessions(let account, let except, let reason):
                try Self.insert(db, node, "close_sessions", account, ref: except, detail: reason)
            case .closeSession(let account, let session, let reason):
                try Self.insert(db, node, "close_session", account, ref: session, detail: reason)
            case .directMessage(let recipient, let message):
                try Self.insert(db, node, "direct_message", recipient, ref: String(message), detail: nil)
            case .post(let author, let msgid, let replyTo):
                try Self.insert(db, node, "post", author, ref: msgid, detail: replyTo)
            }
        }
    }

    private static func insert(
        _ db: Database, _ node: String, _ topic: String, _ account: AccountID, ref: String?, detail: String?
    ) throws {
        try db.execute(
            sql: "INSERT INTO change_feed (origin, topic, account_id, ref, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [node, topic, account.rawValue, ref, detail, Date()])
    }

    public func latestSequence() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM change_feed") ?? 0 }
    }

    public func changes(after sequence: Int64, limit: Int) async throws -> [FeedEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM change_feed WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [sequence, limit]
            ).compactMap { row in
                let account = AccountID(row["account_id"])
                let change: StoreChange
                switch row["topic"] as String {
                case "bot_message":
                    guard let id = (row["ref"] as String?).flatMap({ Int64($0) }) else { return nil }
                    change = .botMessage(account: account, message: id)
                case "close_sessions":
                    change = .closeSessions(account: account, except: row["ref"], reason: row["detail"] ?? "")
                case "close_session":
                    guard let session = row["ref"] as String? else { return nil }
                    change = .closeSession(account: account, session: session, reason: row["detail"] ?? "")
                case "direct_message":
                    guard let id = (row["ref"] as String?).flatMap({ Int64($0) }) else { return nil }
                    change = .directMessage(recipient: account, message: id)
                case "post":
                    guard let msgid = row["ref"] as String? else { return nil }
                    change = .post(author: account, msgid: msgid, replyTo: row["detail"])
                default:
                    // A topic of a newer version: not this process's to act on.
                    return nil
                }
                return FeedEntry(sequence: row["seq"], origin: row["origin"], change: change)
            }
        }
    }

    public func prune(before date: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM change_feed WHERE at < ?", arguments: [date])
        }
    }
}
