import ClassbookDomain
import Foundation

/// Locks, breach reports and their review on PostgreSQL: the same behaviour as
/// `SQLiteSecurityRepository` (the contract tests run both).
public struct PostgresSecurityRepository: SecurityRepository {
    let store: PostgresStore
    private var sql: SQL { store.sql }

    public func account(login: String) async throws -> Account? {
        try await sql.row(
            "SELECT \(PostgresAccountRepository.columns) FROM accounts a WHERE a.login = ?", login.lowercased()
        ).map { PostgresAccountRepository.account($0).account }
    }

    static func lock(_ sql: SQL, _ audit: AuditAppender, _ account: AccountID, reason: String, context: AuditContext)
        async throws -> Bool
    {
        guard
            try await sql.row(
                "UPDATE accounts SET locked_at = ?, locked_reason = ? WHERE id = ? AND locked_at IS NULL RETURNING id",
                context.at, reason, account.rawValue) != nil
        else { return false }
        audit.append(
            context: context, action: "account.lock", entity: "account", entityID: String(account.rawValue),
            new: reason)
        return true
    }

    public func lock(_ account: AccountID, reason: String, context: AuditContext, alerts: [NotificationDelivery])
        async throws -> Bool
    {
        try await store.writing { sql, audit in
            guard try await Self.lock(sql, audit, account, reason: reason, context: context) else { return false }
            try await PostgresOutboxRows.save(alerts, at: context.at, sql)
            return true
        }
    }

    public func reportBreach(
        _ account: AccountID, at reportedAt: Date, context: AuditContext,
        alerts: @escaping @Sendable ([String]) -> [NotificationDelivery]
    ) async throws -> [String] {
        try await store.writing { sql, audit in
            let report = try await sql.value(
                "INSERT INTO breach_reports (account_id, reported_by, reported_at) VALUES (?, ?, ?) RETURNING id",
                account.rawValue, context.actor?.rawValue ?? account.rawValue, reportedAt
            ).int
            _ = try await Self.lock(sql, audit, account, reason: "breach", context: context)
            try await PostgresOutboxRows.voidTokens(of: account, at: context.at, sql)
            // The chain as it stands, this batch's records included: what the account entered is
            // found by who made it and when. The flush takes the chain's lock before the batch
            // ends; the feed's lock is taken first (the alerts below publish on the feed), in the
            // order every batch takes them (a batch that publishes holds the feed's lock when it
            // appends at its end), so that two batches never wait for each other.
            try await sql.execute("SELECT pg_advisory_xact_lock(?)", PostgresStore.feedLock)
            try await audit.flush(sql.runner, logger: sql.logger)
            // What the account entered after the report is void: it may not have been its owner.
            var voided: [String] = []
            for (table, action) in [(AuditedTable.marks, "journal.mark.set"), (.absences, "journal.absence.set")] {
                let ids = try await sql.rows(
                    """
                    SELECT DISTINCT t.id FROM \(table.rawValue) t
                    JOIN audit_log a ON a.entity = ? AND a.entity_id = CAST(t.id AS TEXT)
                    WHERE a.actor_id = ? AND a.action = ? AND a.at >= ? AND t.deleted_at IS NULL ORDER BY t.id
                    """, table.rawValue, account.rawValue, action, UTCTimestamp.format(reportedAt)
                ).map { $0[0].int }
                for id in ids {
                    try await sql.execute(
                        "UPDATE \(table.rawValue) SET deleted_at = ?, revision = ? WHERE id = ?", context.at,
                        try await PostgresJournalRepository.nextRevision(sql), id)
                    try await PostgresAuditedRows.record(
                        sql, audit, table, id: id, action: "breach.void", context: context)
                    voided.append("\(table.rawValue) #\(id)")
                }
            }
            try await sql.execute(
                "UPDATE breach_reports SET voided = ? WHERE id = ?", voided.joined(separator: ", "), report)
            audit.append(
                context: context, action: "breach.report", entity: "account", entityID: String(account.rawValue),
                new: "reported at \(UTCTimestamp.format(reportedAt)); voided: "
                    + "\(voided.isEmpty ? "nothing" : voided.joined(separator: ", "))")
            try await PostgresOutboxRows.save(alerts(voided), at: context.at, sql)
            return voided
        }
    }

    public func operations(of account: AccountID, from: Date, through: Date, reportedAt: Date?) async throws
        -> [AccountOperation]
    {
        try await sql.rows(
            """
            SELECT at, action, entity, entity_id, old_value, new_value FROM audit_log
            WHERE actor_id = ? AND at BETWEEN ? AND ? ORDER BY id
            """, account.rawValue, UTCTimestamp.format(from), UTCTimestamp.format(through)
        ).compactMap { row in
            guard let at = UTCTimestamp.parse(row[0].string) else { return nil }
            return AccountOperation(
                at: at, action: row[1].string, entity: row[2].string, entityID: row[3].string,
                oldValue: row[4].optionalString.map { String($0.prefix(200)) },
                newValue: row[5].optionalString.map { String($0.prefix(200)) },
                afterReport: reportedAt.map { at >= $0 } ?? false)
        }
    }

    public func latestBreach(of account: AccountID) async throws -> Date? {
        try await sql.value("SELECT max(reported_at) FROM breach_reports WHERE account_id = ?", account.rawValue)
            .optionalDate
    }

    public func unlock(_ account: AccountID, hash: String, context: AuditContext) async throws {
        try await store.writing { sql, audit in
            guard
                try await sql.row(
                    """
                    UPDATE accounts SET locked_at = NULL, locked_reason = NULL, password_hash = ?,
                        must_change_password = true
                    WHERE id = ? RETURNING id
                    """, hash, account.rawValue) != nil
            else { throw RepositoryError.notFound }
            try await PostgresOutboxRows.voidTokens(of: account, at: context.at, sql)
            try await sql.execute(
                """
                UPDATE breach_reports SET resolved_at = ?, resolved_by = ?::bigint
                WHERE account_id = ? AND resolved_at IS NULL
                """, context.at, context.actor?.rawValue, account.rawValue)
            audit.append(
                context: context, action: "account.unlock", entity: "account", entityID: String(account.rawValue))
        }
    }

    public func alertRecipients() async throws -> [Account] {
        try await sql.rows(
            """
            SELECT \(PostgresAccountRepository.columns) FROM accounts a
            WHERE a.id IN (SELECT account_id FROM account_roles WHERE role IN ('admin', 'director')) ORDER BY a.id
            """
        ).map { PostgresAccountRepository.account($0).account }
    }
}

extension PostgresStore {
    public var security: PostgresSecurityRepository { PostgresSecurityRepository(store: self) }
}
