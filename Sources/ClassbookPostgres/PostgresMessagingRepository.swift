import ClassbookDomain
import Foundation

/// Notifications, letters, the email and SMS outbox and messages between people on PostgreSQL:
/// the same behaviour as `SQLiteMessagingRepository` (the contract tests run both).
public struct PostgresMessagingRepository: MessagingRepository {
    let store: PostgresStore
    private var sql: SQL { store.sql }

    public func prefs(of account: AccountID) async throws -> NotificationPrefs {
        guard
            let row = try await sql.row(
                "SELECT chat, email, sms, pace, quiet_start, quiet_end FROM notification_prefs WHERE account_id = ?",
                account.rawValue)
        else { return .standard }
        return NotificationPrefs(
            chat: row[0].bool, email: row[1].optionalString, sms: row[2].optionalString,
            pace: NotificationPrefs.Pace(rawValue: row[3].string) ?? .instant,
            quietStart: TimeOfDay(parsing: row[4].string) ?? NotificationPrefs.standard.quietStart,
            quietEnd: TimeOfDay(parsing: row[5].string) ?? NotificationPrefs.standard.quietEnd)
    }

    public func setPrefs(_ prefs: NotificationPrefs, of account: AccountID, context: AuditContext) async throws {
        try await store.writing(.concurrent(locking: [.account(account)])) { sql, audit in
            try await sql.execute(
                """
                INSERT INTO notification_prefs (account_id, chat, email, sms, pace, quiet_start, quiet_end)
                VALUES (?, ?, ?::text, ?::text, ?, ?, ?)
                ON CONFLICT (account_id) DO UPDATE SET chat = excluded.chat, email = excluded.email, sms = excluded.sms,
                    pace = excluded.pace, quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end
                """, account.rawValue, prefs.chat, prefs.email, prefs.sms, prefs.pace.rawValue,
                prefs.quietStart.description, prefs.quietEnd.description)
            audit.append(
                context: context, action: "notify.prefs", entity: "account", entityID: String(account.rawValue),
                new: "chat=\(prefs.chat) email=\(prefs.email ?? "-") sms=\(prefs.sms ?? "-") "
                    + "pace=\(prefs.pace.rawValue) quiet=\(prefs.quietStart)-\(prefs.quietEnd)")
        }
    }

    public func guardianAccounts(of student: StudentID) async throws -> [Account] {
        try await sql.rows(
            """
            SELECT \(PostgresAccountRepository.columns) FROM accounts a JOIN guardianships g ON g.guardian_id = a.id
            WHERE g.student_id = ? ORDER BY a.id
            """, student.rawValue
        ).map { PostgresAccountRepository.account($0).account }
    }

    public func account(login: String) async throws -> Account? {
        try await sql.row(
            "SELECT \(PostgresAccountRepository.columns) FROM accounts a WHERE a.login = ?", login.lowercased()
        ).map { PostgresAccountRepository.account($0).account }
    }

    // MARK: The journal's events

    public func undispatchedEvents(limit: Int) async throws -> [PendingJournalEvent] {
        try await sql.rows(
            "SELECT id, event, created_at FROM journal_events WHERE dispatched_at IS NULL ORDER BY id LIMIT ?", limit
        ).map { row in
            PendingJournalEvent(id: row[0].int, event: try? JournalEvent(record: row[1].string), createdAt: row[2].date)
        }
    }

    public func dispatchEvents(_ batch: [(event: Int64, deliveries: [NotificationDelivery])], at: Date) async throws
        -> Set<Int64>
    {
        try await store.writing { sql, _ in
            var dispatched: Set<Int64> = []
            for (event, deliveries) in batch {
                // The row stays locked until this transaction ends: another node dispatching the
                // same event waits, then finds it dispatched.
                guard
                    let createdAt = try await sql.value(
                        """
                        UPDATE journal_events SET dispatched_at = ? WHERE id = ? AND dispatched_at IS NULL
                        RETURNING created_at
                        """, at, event
                    ).optionalDate
                else { continue }
                try await PostgresOutboxRows.save(deliveries, at: createdAt, sql)
                dispatched.insert(event)
            }
            return dispatched
        }
    }

    // MARK: Daily summaries

    public func queueForSummary(_ text: String, for account: AccountID, at: Date) async throws {
        try await store.writing(.concurrent(locking: [])) { sql, _ in
            try await PostgresOutboxRows.summary(text, for: account, at: at, sql)
        }
    }

    public func pendingSummaries() async throws -> [AccountID: [(id: Int64, text: String, createdAt: Date)]] {
        var result: [AccountID: [(id: Int64, text: String, createdAt: Date)]] = [:]
        for row in try await sql.rows(
            "SELECT id, account_id, text, created_at FROM notification_queue WHERE summarized_at IS NULL ORDER BY id")
        {
            result[AccountID(row[1].int), default: []].append((row[0].int, row[2].string, row[3].date))
        }
        return result
    }

    public func markSummarized(_ ids: [Int64], at: Date) async throws {
        guard !ids.isEmpty else { return }
        try await store.writing(.concurrent(locking: ids.map { .row("notification_queue", $0) })) { sql, _ in
            try await sql.execute(
                "UPDATE notification_queue SET summarized_at = ? WHERE id = ANY(?::bigint[])", at,
                PostgresDutiesRepository.array(ids))
        }
    }

    // MARK: Email and SMS

    public func enqueueExternal(
        _ channel: ExternalMessage.Channel, account: AccountID?, address: String, subject: String, body: String,
        notBefore: Date, at: Date
    ) async throws {
        try await store.writing(.concurrent(locking: [])) { sql, _ in
            try await PostgresOutboxRows.external(
                channel, account: account, address: address, subject: subject, body: body, notBefore: notBefore, at: at,
                sql)
        }
    }

    public func dueExternal(at now: Date, limit: Int) async throws -> [ExternalMessage] {
        try await sql.rows(
            """
            SELECT id, channel, address, subject, body, attempts FROM external_outbox
            WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
            """, now, limit
        ).map { row in
            ExternalMessage(
                id: row[0].int, channel: ExternalMessage.Channel(rawValue: row[1].string) ?? .email,
                address: row[2].string, subject: row[3].string, body: row[4].string, attempts: Int(row[5].int))
        }
    }

    public func markExternalSent(_ id: Int64, at: Date) async throws {
        try await store.writing(.concurrent(locking: [.row("external_outbox", id)])) { sql, _ in
            try await sql.execute(
                "UPDATE external_outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?", at,
                id)
        }
    }

    public func markExternalFailed(_ id: Int64, error: String, retryAt: Date) async throws {
        try await store.writing(.concurrent(locking: [.row("external_outbox", id)])) { sql, _ in
            try await sql.execute(
                "UPDATE external_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                String(error.prefix(500)), retryAt, id)
        }
    }

    // MARK: Letters

    public func createLetter(classID: ClassID, text: String, recipients: [AccountID], context: AuditContext)
        async throws -> Int64
    {
        try await store.writing { sql, audit in
            let id = try await sql.value(
                "INSERT INTO letters (class_id, author_id, text, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                classID.rawValue, context.actor?.rawValue, text, context.at
            ).int
            try await sql.execute(
                """
                INSERT INTO letter_recipients (letter_id, guardian_id) SELECT ?, unnest(?::bigint[])
                ON CONFLICT DO NOTHING
                """, id, PostgresDutiesRepository.array(recipients.map(\.rawValue)))
            audit.append(
                context: context, action: "letter.send", entity: "letter", entityID: String(id),
                new: "class \(classID.rawValue), \(recipients.count) guardians: \(text)")
            return id
        }
    }

    private static let letterQuery = """
        SELECT l.id, c.name AS class_name, a.display_name AS author_name, l.text, l.created_at, l.class_id
        FROM letters l JOIN classes c ON c.id = l.class_id JOIN accounts a ON a.id = l.author_id
        """

    private static func letter(_ sql: SQL, _ row: SQLRow) async throws -> Letter {
        let readers = try await sql.rows(
            """
            SELECT a.display_name, r.read_at FROM letter_recipients r JOIN accounts a ON a.id = r.guardian_id
            WHERE r.letter_id = ? ORDER BY a.display_name
            """, row[0].int
        ).map { (name: $0[0].string, readAt: $0[1].optionalDate) }
        return Letter(
            id: row[0].int, className: row[1].string, authorName: row[2].string, text: row[3].string,
            createdAt: row[4].date, readers: readers)
    }

    public func letters(ofClass classID: ClassID) async throws -> [Letter] {
        try await store.read { sql in
            var letters: [Letter] = []
            for row in try await sql.rows(
                Self.letterQuery + " WHERE l.class_id = ? ORDER BY l.id DESC", classID.rawValue)
            {
                letters.append(try await Self.letter(sql, row))
            }
            return letters
        }
    }

    public func letter(id: Int64) async throws -> (Letter, ClassID)? {
        try await store.read { sql in
            guard let row = try await sql.row(Self.letterQuery + " WHERE l.id = ?", id) else { return nil }
            return (try await Self.letter(sql, row), ClassID(row[5].int))
        }
    }

    public func markLetterRead(_ id: Int64, context: AuditContext) async throws -> Bool {
        guard let guardian = context.actor else { return false }
        return try await store.writing(.concurrent(locking: [.account(guardian)])) { sql, audit in
            guard
                let row = try await sql.row(
                    """
                    UPDATE letter_recipients r SET read_at = coalesce(r.read_at, ?1)
                    FROM (
                        SELECT read_at FROM letter_recipients WHERE letter_id = ?2 AND guardian_id = ?3 FOR UPDATE
                    ) old
                    WHERE r.letter_id = ?2 AND r.guardian_id = ?3 RETURNING old.read_at
                    """, context.at, id, guardian.rawValue)
            else { return false }
            if row[0].isNull {
                audit.append(context: context, action: "letter.read", entity: "letter", entityID: String(id))
            }
            return true
        }
    }

    // MARK: Direct messages

    public func recordDirect(_ message: DirectMessage) async throws {
        try await store.writing(.concurrent(locking: [])) { sql, _ in
            try await sql.execute(
                """
                INSERT INTO direct_messages (msgid, sender_id, recipient_id, command, text, sent_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, message.msgid, message.sender.rawValue, message.recipient.rawValue, message.command, message.text,
                message.sentAt)
        }
    }

    private static let selectDirect = """
        SELECT m.msgid, m.sender_id, s.login AS sender_login, m.recipient_id, r.login AS recipient_login,
            m.command, m.text, m.sent_at
        FROM direct_messages m JOIN accounts s ON s.id = m.sender_id JOIN accounts r ON r.id = m.recipient_id
        """

    private static func direct(_ row: SQLRow) -> DirectMessage {
        DirectMessage(
            msgid: row[0].string, sender: AccountID(row[1].int), senderLogin: row[2].string,
            recipient: AccountID(row[3].int), recipientLogin: row[4].string, command: row[5].string,
            text: row[6].string, sentAt: row[7].date)
    }

    public func directMessage(id: Int64) async throws -> DirectMessage? {
        try await sql.row(Self.selectDirect + " WHERE m.id = ?", id).map(Self.direct)
    }

    public func directHistory(between a: AccountID, and b: AccountID, _ window: HistoryWindow, limit: Int) async throws
        -> [DirectMessage]
    {
        let select =
            Self.selectDirect
            + " WHERE ((m.sender_id = ?1 AND m.recipient_id = ?2) OR (m.sender_id = ?2 AND m.recipient_id = ?1))"
        switch window {
        case .latest(let before):
            return try await sql.rows(
                select + " AND m.sent_at < ?3 ORDER BY m.sent_at DESC, m.id DESC LIMIT ?4", a.rawValue, b.rawValue,
                before ?? Date.distantFuture, limit
            ).map(Self.direct).reversed()
        case .after(let moment):
            return try await sql.rows(
                select + " AND m.sent_at > ?3 ORDER BY m.sent_at, m.id LIMIT ?4", a.rawValue, b.rawValue, moment, limit
            ).map(Self.direct)
        }
    }

    public func directPartners(of account: AccountID, from: Date, to: Date, limit: Int) async throws -> [(
        login: String, latest: Date
    )] {
        try await sql.rows(
            """
            SELECT a.login, max(m.sent_at) AS latest FROM direct_messages m
            JOIN accounts a ON a.id = CASE WHEN m.sender_id = ?1 THEN m.recipient_id ELSE m.sender_id END
            WHERE (m.sender_id = ?1 OR m.recipient_id = ?1) AND m.sent_at > ?2 AND m.sent_at < ?3
            GROUP BY a.login ORDER BY latest DESC LIMIT ?4
            """, account.rawValue, from, to, limit
        ).map { ($0[0].string, $0[1].date) }
    }
}

extension PostgresStore {
    public var messaging: PostgresMessagingRepository { PostgresMessagingRepository(store: self) }
}
