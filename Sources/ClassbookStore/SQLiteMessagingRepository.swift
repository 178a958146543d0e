import ClassbookDomain
import Foundation
import GRDB

public struct SQLiteMessagingRepository: MessagingRepository {
    let pool: DatabasePool
    /// Where writes go: concurrent ones share a transaction (group commit).
    let writer: GroupCommit

    public func prefs(of account: AccountID) async throws -> NotificationPrefs {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM notification_prefs WHERE account_id = ?", arguments: [account.rawValue])
            else {
                return .standard
            }
            return NotificationPrefs(
                chat: row["chat"], email: row["email"], sms: row["sms"],
                pace: NotificationPrefs.Pace(rawValue: row["pace"]) ?? .instant,
                quietStart: TimeOfDay(parsing: row["quiet_start"]) ?? NotificationPrefs.standard.quietStart,
                quietEnd: TimeOfDay(parsing: row["quiet_end"]) ?? NotificationPrefs.standard.quietEnd)
        }
    }

    public func setPrefs(_ prefs: NotificationPrefs, of account: AccountID, context: AuditContext) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO notification_prefs (account_id, chat, email, sms, pace, quiet_start, quiet_end) VALUES
                        (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (account_id) DO UPDATE SET chat = excluded.chat, email = excluded.email, sms =
                        excluded.sms,
                        pace = excluded.pace, quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end
                    """,
                arguments: [
                    account.rawValue, prefs.chat, prefs.email, prefs.sms, prefs.pace.rawValue,
                    prefs.quietStart.description, prefs.quietEnd.description
                ])
            try AuditLog.append(
                db, context: context, action: "notify.prefs", entity: "account", entityID: String(account.rawValue),
                new:
                    "chat=\(prefs.chat) email=\(prefs.email ?? "-") sms=\(prefs.sms ?? "-") "
                    + "pace=\(prefs.pace.rawValue) quiet=\(prefs.quietStart)-\(prefs.quietEnd)"
            )
        }
    }

    public func guardianAccounts(of student: StudentID) async throws -> [Account] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.* FROM accounts a JOIN guardianships g ON g.guardian_id = a.id WHERE g.student_id = ?
                        ORDER BY a.id
                    """, arguments: [student.rawValue]
            ).map { try SQLiteAccountRepository.account($0, db) }
        }
    }

    public func account(login: String) async throws -> Account? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE login = ?", arguments: [login.lowercased()])
                .map { try SQLiteAccountRepository.account($0, db) }
        }
    }

    // MARK: Daily summaries

    public func queueForSummary(_ text: String, for account: AccountID, at: Date) async throws {
        try await writer.write { db in try OutboxRows.summary(text, for: account, at: at, db) }
    }

    public func undispatchedEvents(limit: Int) async throws -> [PendingJournalEvent] {
        try await pool.read { db in try JournalEvents.undispatched(db, limit: limit) }
    }

    public func dispatchEvents(_ batch: [(event: Int64, deliveries: [NotificationDelivery])], at: Date) async throws
        -> Set<Int64>
    {
        try await writer.write { db in
            var dispatched: Set<Int64> = []
            for (event, deliveries) in batch where try JournalEvents.dispatch(event, deliveries, db, at: at) {
                dispatched.insert(event)
            }
            return dispatched
        }
    }

    public func pendingSummaries() async throws -> [AccountID: [(id: Int64, text: String, createdAt: Date)]] {
        try await pool.read { db in
            var result: [AccountID: [(id: Int64, text: String, createdAt: Date)]] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT * FROM notification_queue WHERE summarized_at IS NULL ORDER BY id")
            {
                result[AccountID(row["account_id"]), default: []].append((row["id"], row["text"], row["created_at"]))
            }
            return result
        }
    }

    public func markSummarized(_ ids: [Int64], at: Date) async throws {
        guard !ids.isEmpty else { return }
        try await writer.write { db in
            let placeholders = ids.map { _ in "?" }.joined(separator: ",")
            try db.execute(
                sql: "UPDATE notification_queue SET summarized_at = ? WHERE id IN (\(placeholders))",
                arguments: StatementArguments([at] + ids.map { $0 as any DatabaseValueConvertible }))
        }
    }

    // MARK: Email and SMS

    public func enqueueExternal(
        _ channel: ExternalMessage.Channel, account: AccountID?, address: String, subject: String, body: String,
        notBefore: Date, at: Date
    ) async throws {
        try await writer.write { db in
            try OutboxRows.external(
                channel, account: account, address: address, subject: subject, body: body, notBefore: notBefore, at: at,
                db)
        }
    }

    public func dueExternal(at now: Date, limit: Int) async throws -> [ExternalMessage] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM external_outbox WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY
                        next_attempt_at, id LIMIT ?
                    """, arguments: [now, limit]
            ).map { row in
                ExternalMessage(
                    id: row["id"], channel: ExternalMessage.Channel(rawValue: row["channel"]) ?? .email,
                    address: row["address"],
                    subject: row["subject"], body: row["body"], attempts: row["attempts"])
            }
        }
    }

    public func markExternalSent(_ id: Int64, at: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE external_outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                arguments: [at, id])
        }
    }

    public func markExternalFailed(_ id: Int64, error: String, retryAt: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql:
                    "UPDATE external_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE "
                    + "id = ?",
                arguments: [String(error.prefix(500)), retryAt, id])
        }
    }

    // MARK: Letters

    public func createLetter(classID: ClassID, text: String, recipients: [AccountID], context: AuditContext)
        async throws -> Int64
    {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO letters (class_id, author_id, text, created_at) VALUES (?, ?, ?, ?)",
                arguments: [classID.rawValue, context.actor?.rawValue, text, context.at])
            let id = db.lastInsertedRowID
            for guardian in recipients {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO letter_recipients (letter_id, guardian_id) VALUES (?, ?)",
                    arguments: [id, guardian.rawValue])
            }
            try AuditLog.append(
                db, context: context, action: "letter.send", entity: "letter", entityID: String(id),
                new: "class \(classID.rawValue), \(recipients.count) guardians: \(text)")
            return id
        }
    }

    private func letter(_ db: Database, _ row: Row) throws -> Letter {
        let readers = try Row.fetchAll(
            db,
            sql: """
                SELECT a.display_name, r.read_at FROM letter_recipients r JOIN accounts a ON a.id = r.guardian_id
                WHERE r.letter_id = ? ORDER BY a.display_name
                """, arguments: [row["id"] as Int64]
        ).map { (name: $0["display_name"] as String, readAt: $0["read_at"] as Date?) }
        return Letter(
            id: row["id"], className: row["class_name"], authorName: row["author_name"], text: row["text"],
            createdAt: row["created_at"], readers: readers)
    }

    private static let letterQuery = """
        SELECT l.*, c.name AS class_name, a.display_name AS author_name FROM letters l
        JOIN classes c ON c.id = l.class_id JOIN accounts a ON a.id = l.author_id
        """

    public func letters(ofClass classID: ClassID) async throws -> [Letter] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: Self.letterQuery + " WHERE l.class_id = ? ORDER BY l.id DESC", arguments: [classID.rawValue]
            )
            .map { try letter(db, $0) }
        }
    }

    public func letter(id: Int64) async throws -> (Letter, ClassID)? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: Self.letterQuery + " WHERE l.id = ?", arguments: [id]).map {
                (try letter(db, $0), ClassID($0["class_id"]))
            }
        }
    }

    public func markLetterRead(_ id: Int64, context: AuditContext) async throws -> Bool {
        guard let guardian = context.actor else { return false }
        let at = context.at
        return try await writer.write { db in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM letter_recipients WHERE letter_id = ? AND guardian_id = ?",
                    arguments: [id, guardian.rawValue]) == true
            else { return false }
            try db.execute(
                sql:
                    "UPDATE letter_recipients SET read_at = ? WHERE letter_id = ? AND guardian_id = ? AND read_at IS "
                    + "NULL",
                arguments: [at, id, guardian.rawValue])
            if db.changesCount == 1 {
                try AuditLog.append(db, context: context, action: "letter.read", entity: "letter", entityID: String(id))
            }
            return true
        }
    }

    // MARK: Direct messages

    public func recordDirect(_ message: DirectMessage) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO direct_messages (msgid, sender_id, recipient_id, command, text, sent_at) VALUES (?, ?,
                        ?, ?, ?, ?)
                    """,
                arguments: [
                    message.msgid, message.sender.rawValue, message.recipient.rawValue, message.command, message.text,
                    message.sentAt
                ])
        }
    }

    private static let selectDirect = """
        SELECT m.msgid, m.sender_id, s.login AS sender_login, m.recipient_id, r.login AS recipient_login,
            m.command, m.text, m.sent_at
        FROM direct_messages m JOIN accounts s ON s.id = m.sender_id JOIN accounts r ON r.id = m.recipient_id
        """

    public func directMessage(id: Int64) async throws -> DirectMessage? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: Self.selectDirect + " WHERE m.id = ?", arguments: [id]).map(Self.direct)
        }
    }

    public func directHistory(between a: AccountID, and b: AccountID, _ window: HistoryWindow, limit: Int) async throws
        -> [DirectMessage]
    {
        try await pool.read { db in
            let select =
                Self.selectDirect + """
                     WHERE ((m.sender_id = ?1 AND m.recipient_id = ?2) OR (m.sender_id = ?2 AND m.recipient_id = ?1))
                    """
            let rows: [Row]
            switch window {
            case .latest(let before):
                rows = try Row.fetchAll(
                    db, sql: select + " AND m.sent_at < ?3 ORDER BY m.sent_at DESC, m.id DESC LIMIT ?4",
                    arguments: [a.rawValue, b.rawValue, before ?? Date.distantFuture, limit]
                ).reversed()
            case .after(let moment):
                rows = try Row.fetchAll(
                    db, sql: select + " AND m.sent_at > ?3 ORDER BY m.sent_at, m.id LIMIT ?4",
                    arguments: [a.rawValue, b.rawValue, moment, limit])
            }
            return rows.map(Self.direct)
        }
    }

    private static func direct(_ row: Row) -> DirectMessage {
        DirectMessage(
            msgid: row["msgid"], sender: AccountID(row["sender_id"]), senderLogin: row["sender_login"],
            recipient: AccountID(row["recipient_id"]), recipientLogin: row["recipient_login"], command: row["command"],
            text: row["text"], sentAt: row["sent_at"])
    }

    public func directPartners(of account: AccountID, from: Date, to: Date, limit: Int) async throws -> [(
        login: String, latest: Date
    )] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.login, max(m.sent_at) AS latest FROM direct_messages m
                    JOIN accounts a ON a.id = CASE WHEN m.sender_id = ?1 THEN m.recipient_id ELSE m.sender_id END
                    WHERE (m.sender_id = ?1 OR m.recipient_id = ?1) AND m.sent_at > ?2 AND m.sent_at < ?3
                    GROUP BY a.login ORDER BY latest DESC LIMIT ?4
                    """, arguments: [account.rawValue, from, to, limit]
            ).map { ($0["login"], $0["latest"]) }
        }
    }
}
