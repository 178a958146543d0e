import ClassbookDomain
import Foundation

/// Boards (forums), rooms and read markers on PostgreSQL: the same behaviour as
/// `SQLiteBoardRepository` (the contract tests run both).
public struct PostgresBoardRepository: BoardRepository {
    let store: PostgresStore
    private var sql: SQL { store.sql }

    private static let postColumns =
        "id, board, thread_id, title, author_id, author_nick, text, msgid, created_at, hidden_at IS NOT NULL"

    static func post(_ row: SQLRow) -> BoardPost {
        BoardPost(
            id: row[0].int, board: row[1].string, threadID: row[2].optionalInt, title: row[3].optionalString,
            author: AccountID(row[4].int), authorNick: row[5].string, text: row[6].string, msgid: row[7].string,
            createdAt: row[8].date, hidden: row[9].bool)
    }

    public func addPost(
        board: String, threadID: Int64?, title: String?, author: AccountID, authorNick: String, text: String,
        msgid: String, at: Date
    ) async throws -> BoardPost {
        try await store.writing(.concurrent(locking: [])) { sql, _ in
            guard
                let row = try await sql.row(
                    """
                    INSERT INTO board_posts (board, thread_id, title, author_id, author_nick, text, msgid, created_at)
                    VALUES (?, ?::bigint, ?::text, ?, ?, ?, ?, ?) RETURNING \(Self.postColumns)
                    """, board, threadID, title, author.rawValue, authorNick, text, msgid, at)
            else { throw RepositoryError.notFound }
            return Self.post(row)
        }
    }

    public func post(id: Int64) async throws -> BoardPost? {
        try await sql.row("SELECT \(Self.postColumns) FROM board_posts WHERE id = ?", id).map(Self.post)
    }

    public func post(msgid: String) async throws -> BoardPost? {
        try await sql.row("SELECT \(Self.postColumns) FROM board_posts WHERE msgid = ?", msgid).map(Self.post)
    }

    public func threads(board: String, limit: Int) async throws -> [BoardThread] {
        try await sql.rows(
            """
            SELECT \(Self.postColumns),
                (SELECT count(*) FROM board_posts r WHERE r.thread_id = p.id AND r.hidden_at IS NULL) AS replies,
                coalesce((SELECT max(r.created_at) FROM board_posts r WHERE r.thread_id = p.id AND r.hidden_at IS NULL),
                    p.created_at) AS last_at
            FROM board_posts p WHERE p.board = ? AND p.thread_id IS NULL AND p.title IS NOT NULL AND p.hidden_at IS NULL
            ORDER BY last_at DESC LIMIT ?
            """, board, limit
        ).map { BoardThread(start: Self.post($0), replies: Int($0[10].int), lastAt: $0[11].date) }
    }

    public func thread(id: Int64) async throws -> [BoardPost] {
        try await sql.rows(
            """
            SELECT \(Self.postColumns) FROM board_posts WHERE (id = ?1 OR thread_id = ?1) AND hidden_at IS NULL
            ORDER BY id
            """, id
        ).map(Self.post)
    }

    public func history(board: String, before: Int64?, after: Int64?, limit: Int) async throws -> [BoardPost] {
        if let after {
            return try await sql.rows(
                """
                SELECT \(Self.postColumns) FROM board_posts WHERE board = ? AND id > ? AND hidden_at IS NULL
                ORDER BY id LIMIT ?
                """, board, after, limit
            ).map(Self.post)
        }
        return try await sql.rows(
            """
            SELECT \(Self.postColumns) FROM board_posts WHERE board = ? AND id < ? AND hidden_at IS NULL
            ORDER BY id DESC LIMIT ?
            """, board, before ?? Int64.max, limit
        ).map(Self.post).reversed()
    }

    public func hide(post: Int64, reason: String, context: AuditContext) async throws -> Bool {
        try await store.writing { sql, audit in
            guard
                try await sql.row(
                    """
                    UPDATE board_posts SET hidden_at = ?, hidden_by = ?::bigint, hidden_reason = ?
                    WHERE id = ? AND hidden_at IS NULL RETURNING id
                    """, context.at, context.actor?.rawValue, reason, post) != nil
            else { return false }
            // The post stays in the record; the audit says who hid it, when and why.
            audit.append(
                context: context, action: "board.hide", entity: "board_post", entityID: String(post), new: reason)
            return true
        }
    }

    public func topic(board: String) async throws -> (text: String, setBy: String, at: Date)? {
        try await sql.row("SELECT topic, set_by, set_at FROM board_topics WHERE board = ?", board).map {
            ($0[0].string, $0[1].string, $0[2].date)
        }
    }

    public func setTopic(board: String, text: String, setBy: String, context: AuditContext) async throws {
        try await store.writing { sql, audit in
            let old = try await sql.value("SELECT topic FROM board_topics WHERE board = ? FOR UPDATE", board)
                .optionalString
            try await sql.execute(
                """
                INSERT INTO board_topics (board, topic, set_at, set_by) VALUES (?, ?, ?, ?)
                ON CONFLICT (board) DO UPDATE SET topic = excluded.topic, set_at = excluded.set_at,
                    set_by = excluded.set_by
                """, board, text, context.at, setBy)
            audit.append(context: context, action: "board.topic", entity: "board", entityID: board, old: old, new: text)
        }
    }

    // MARK: Rooms

    static func room(_ row: SQLRow) -> Room {
        Room(name: row[0].string, creator: AccountID(row[1].int), createdAt: row[2].date)
    }

    public func createRoom(name: String, creator: AccountID, context: AuditContext) async throws -> Room? {
        let key = Room.key(name)
        return try await store.writing { sql, audit in
            guard
                try await sql.row(
                    """
                    INSERT INTO rooms (key, name, creator_id, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key) DO NOTHING RETURNING key
                    """, key, name, creator.rawValue, context.at) != nil
            else { return nil }
            try await sql.execute(
                """
                INSERT INTO room_members (room_key, account_id, is_operator, added_at, added_by)
                VALUES (?1, ?2, 1, ?3, ?2)
                """, key, creator.rawValue, context.at)
            audit.append(context: context, action: "room.create", entity: "room", entityID: name)
            return Room(name: name, creator: creator, createdAt: context.at)
        }
    }

    public func room(named name: String) async throws -> Room? {
        try await sql.row("SELECT name, creator_id, created_at FROM rooms WHERE key = ?", Room.key(name)).map(Self.room)
    }

    public func roomMembers(_ room: Room) async throws -> [RoomMember] {
        try await sql.rows(
            "SELECT account_id, is_operator FROM room_members WHERE room_key = ? ORDER BY added_at, account_id",
            Room.key(room.name)
        ).map { RoomMember(account: AccountID($0[0].int), isOperator: $0[1].bool) }
    }

    public func addRoomMember(_ room: Room, account: AccountID, context: AuditContext) async throws -> Bool {
        try await store.writing { sql, audit in
            guard
                try await sql.row(
                    """
                    INSERT INTO room_members (room_key, account_id, is_operator, added_at, added_by)
                    VALUES (?, ?, 0, ?, ?::bigint) ON CONFLICT DO NOTHING RETURNING account_id
                    """, Room.key(room.name), account.rawValue, context.at, context.actor?.rawValue) != nil
            else { return false }
            audit.append(
                context: context, action: "room.invite", entity: "room", entityID: room.name,
                new: String(account.rawValue))
            return true
        }
    }

    public func removeRoomMember(_ room: Room, account: AccountID, context: AuditContext) async throws -> Bool {
        try await store.writing { sql, audit in
            guard
                try await sql.row(
                    "DELETE FROM room_members WHERE room_key = ? AND account_id = ? RETURNING account_id",
                    Room.key(room.name), account.rawValue) != nil
            else { return false }
            audit.append(
                context: context, action: "room.leave", entity: "room", entityID: room.name,
                old: String(account.rawValue))
            return true
        }
    }

    public func rooms(of account: AccountID) async throws -> [Room] {
        try await sql.rows(
            """
            SELECT r.name, r.creator_id, r.created_at FROM rooms r JOIN room_members m ON m.room_key = r.key
            WHERE m.account_id = ? ORDER BY r.created_at, r.key
            """, account.rawValue
        ).map(Self.room)
    }

    // MARK: Read markers

    public func readMarker(account: AccountID, target: String) async throws -> Date? {
        try await sql.value(
            "SELECT read_at FROM read_markers WHERE account_id = ? AND target = ?", account.rawValue, Room.key(target)
        ).optionalDate
    }

    public func advanceReadMarker(account: AccountID, target: String, to date: Date) async throws -> Date {
        try await store.writing(.concurrent(locking: [.account(account)])) { sql, _ in
            try await sql.value(
                """
                INSERT INTO read_markers (account_id, target, read_at) VALUES (?, ?, ?)
                ON CONFLICT (account_id, target)
                    DO UPDATE SET read_at = greatest(read_markers.read_at, excluded.read_at)
                RETURNING read_at
                """, account.rawValue, Room.key(target), date
            ).date
        }
    }
}

extension PostgresStore {
    public var boards: PostgresBoardRepository { PostgresBoardRepository(store: self) }
}
