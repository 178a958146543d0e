import ClassbookDomain
import Foundation
import GRDB

public struct SQLiteBoardRepository: BoardRepository {
    let pool: DatabasePool
    /// Where writes go: concurrent ones share a transaction (group commit).
    let writer: GroupCommit

    static func post(_ row: Row) -> BoardPost {
        BoardPost(
            id: row["id"], board: row["board"], threadID: row["thread_id"], title: row["title"],
            author: AccountID(row["author_id"]),
            authorNick: row["author_nick"], text: row["text"], msgid: row["msgid"], createdAt: row["created_at"],
            hidden: (row["hidden_at"] as DatabaseValue) != .null)
    }

    public func addPost(
        board: String, threadID: Int64?, title: String?, author: AccountID, authorNick: String, text: String,
        msgid: String, at: Date
    ) async throws -> BoardPost {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO board_posts (board, thread_id, title, author_id, author_nick, text, msgid, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [board, threadID, title, author.rawValue, authorNick, text, msgid, at])
            return Self.post(
                try Row.fetchOne(db, sql: "SELECT * FROM board_posts WHERE id = ?", arguments: [db.lastInsertedRowID])!)
        }
    }

    public func post(id: Int64) async throws -> BoardPost? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM board_posts WHERE id = ?", arguments: [id]).map(Self.post)
        }
    }

    public func post(msgid: String) async throws -> BoardPost? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM board_posts WHERE msgid = ?", arguments: [msgid]).map(Self.post)
        }
    }

    public func threads(board: String, limit: Int) async throws -> [BoardThread] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.*, (SELECT count(*) FROM board_posts r WHERE r.thread_id = p.id AND r.hidden_at IS NULL)
                        AS replies,
                           coalesce((SELECT max(r.created_at) FROM board_posts r WHERE r.thread_id = p.id AND
                               r.hidden_at IS NULL), p.created_at) AS last_at
                    FROM board_posts p WHERE p.board = ? AND p.thread_id IS NULL AND p.title IS NOT NULL AND
                        p.hidden_at IS NULL
                    ORDER BY last_at DESC LIMIT ?
                    """, arguments: [board, limit]
            ).map { BoardThread(start: Self.post($0), replies: $0["replies"], lastAt: $0["last_at"]) }
        }
    }

    public func thread(id: Int64) async throws -> [BoardPost] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM board_posts WHERE (id = ?1 OR thread_id = ?1) AND hidden_at IS NULL ORDER BY id",
                arguments: [id]
            ).map(Self.post)
        }
    }

    public func history(board: String, before: Int64?, after: Int64?, limit: Int) async throws -> [BoardPost] {
        try await pool.read { db in
            let rows: [Row]
            if let after {
                rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM board_posts WHERE board = ? AND id > ? AND hidden_at IS NULL ORDER BY id LIMIT ?
                        """, arguments: [board, after, limit])
            } else {
                rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM board_posts WHERE board = ? AND id < ? AND hidden_at IS NULL ORDER BY id DESC
                            LIMIT ?
                        """, arguments: [board, before ?? Int64.max, limit]
                ).reversed()
            }
            return rows.map(Self.post)
        }
    }

    public func hide(post: Int64, reason: String, context: AuditContext) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql:
                    "UPDATE board_posts SET hidden_at = ?, hidden_by = ?, hidden_reason = ? WHERE id = ? AND "
                    + "hidden_at IS NULL",
                arguments: [context.at, context.actor?.rawValue, reason, post])
            guard db.changesCount == 1 else { return false }
            // The post stays in the record; the audit says who hid it, when and why.
            try AuditLog.append(
                db, context: context, action: "board.hide", entity: "board_post", entityID: String(post), new: reason)
            return true
        }
    }

    public func topic(board: String) async throws -> (text: String, setBy: String, at: Date)? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM board_topics WHERE board = ?", arguments: [board]).map {
                ($0["topic"], $0["set_by"], $0["set_at"])
            }
        }
    }

    public func setTopic(board: String, text: String, setBy: String, context: AuditContext) async throws {
        try await writer.write { db in
            let old = try String.fetchOne(db, sql: "SELECT topic FROM board_topics WHERE board = ?", arguments: [board])
            try db.execute(
                sql: """
                    INSERT INTO board_topics (board, topic, set_at, set_by) VALUES (?, ?, ?, ?)
                    ON CONFLICT (board) DO UPDATE SET topic = excluded.topic, set_at = excluded.set_at, set_by =
                        excluded.set_by
                    """, arguments: [board, text, context.at, setBy])
            try AuditLog.append(
                db, context: context, action: "board.topic", entity: "board", entityID: board, old: old, new: text)
        }
    }

    // MARK: Rooms

    static func room(_ row: Row) -> Room {
        Room(name: row["name"], creator: AccountID(row["creator_id"]), createdAt: row["created_at"])
    }

    public func createRoom(name: String, creator: AccountID, context: AuditContext) async throws -> Room? {
        let key = Room.key(name)
        return try await writer.write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM rooms WHERE key = ?", arguments: [key]) == nil else {
                return nil
            }
            try db.execute(
                sql: "INSERT INTO rooms (key, name, creator_id, created_at) VALUES (?, ?, ?, ?)",
                arguments: [key, name, creator.rawValue, context.at])
            try db.execute(
                sql: """
                    INSERT INTO room_members (room_key, account_id, is_operator, added_at, added_by) VALUES (?, ?, 1,
                        ?, ?)
                    """, arguments: [key, creator.rawValue, context.at, creator.rawValue])
            try AuditLog.append(db, context: context, action: "room.create", entity: "room", entityID: name)
            return Room(name: name, creator: creator, createdAt: context.at)
        }
    }

    public func room(named name: String) async throws -> Room? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM rooms WHERE key = ?", arguments: [Room.key(name)]).map(Self.room)
        }
    }

    public func roomMembers(_ room: Room) async throws -> [RoomMember] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT account_id, is_operator FROM room_members WHERE room_key = ? ORDER BY added_at, account_id",
                arguments: [Room.key(room.name)]
            )
            .map { RoomMember(account: AccountID($0["account_id"]), isOperator: $0["is_operator"]) }
        }
    }

    public func addRoomMember(_ room: Room, account: AccountID, context: AuditContext) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO room_members (room_key, account_id, is_operator, added_at, added_by) VALUES (?, ?, 0,
                        ?, ?)
                    ON CONFLICT DO NOTHING
                    """, arguments: [Room.key(room.name), account.rawValue, context.at, context.actor?.rawValue])
            guard db.changesCount == 1 else { return false }
            try AuditLog.append(
                db, context: context, action: "room.invite", entity: "room", entityID: room.name,
                new: String(account.rawValue))
            return true
        }
    }

    public func removeRoomMember(_ room: Room, account: AccountID, context: AuditContext) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM room_members WHERE room_key = ? AND account_id = ?",
                arguments: [Room.key(room.name), account.rawValue])
            guard db.changesCount == 1 else { return false }
            try AuditLog.append(
                db, context: context, action: "room.leave", entity: "room", entityID: room.name,
                old: String(account.rawValue))
            return true
        }
    }

    public func rooms(of account: AccountID) async throws -> [Room] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.* FROM rooms r JOIN room_members m ON m.room_key = r.key WHERE m.account_id = ? ORDER BY
                        r.created_at, r.key
                    """, arguments: [account.rawValue]
            ).map(Self.room)
        }
    }

    // MARK: Read markers

    public func readMarker(account: AccountID, target: String) async throws -> Date? {
        try await pool.read { db in
            try Date.fetchOne(
                db, sql: "SELECT read_at FROM read_markers WHERE account_id = ? AND target = ?",
                arguments: [account.rawValue, Room.key(target)])
        }
    }

    public func advanceReadMarker(account: AccountID, target: String, to date: Date) async throws -> Date {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO read_markers (account_id, target, read_at) VALUES (?, ?, ?)
                    ON CONFLICT (account_id, target) DO UPDATE SET read_at = max(read_at, excluded.read_at)
                    """, arguments: [account.rawValue, Room.key(target), date])
            return try Date.fetchOne(
                db, sql: "SELECT read_at FROM read_markers WHERE account_id = ? AND target = ?",
                arguments: [account.rawValue, Room.key(target)])!
        }
    }
}
