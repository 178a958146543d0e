import ClassbookDomain
import Foundation
import GRDB

public struct SQLiteSecurityRepository: SecurityRepository {
    let pool: DatabasePool
    /// Where writes go: concurrent ones share a transaction (group commit).
    let writer: GroupCommit

    public func account(login: String) async throws -> Account? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE login = ?", arguments: [login.lowercased()]).map {
                try SQLiteAccountRepository.account($0, db)
            }
        }
    }

    static func lock(_ db: Database, _ account: AccountID, reason: String, context: AuditContext) throws -> Bool {
        try db.execute(
            sql: "UPDATE accounts SET locked_at = ?, locked_reason = ? WHERE id = ? AND locked_at IS NULL",
            arguments: [context.at, reason, account.rawValue])
        guard db.changesCount == 1 else { return false }
        try AuditLog.append(
            db, context: context, action: "account.lock", entity: "account", entityID: String(account.rawValue),
            new: reason)
        return true
    }

    public func lock(_ account: AccountID, reason: String, context: AuditContext, alerts: [NotificationDelivery])
        async throws -> Bool
    {
        try await writer.write { db in
            guard try Self.lock(db, account, reason: reason, context: context) else { return false }
            try OutboxRows.save(alerts, at: context.at, db)
            return true
        }
    }

    public func reportBreach(
        _ account: AccountID, at reportedAt: Date, context: AuditContext,
        alerts: @escaping @Sendable ([String]) -> [NotificationDelivery]
    ) async throws -> [String] {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO breach_reports (account_id, reported_by, reported_at) VALUES (?, ?, ?)",
                arguments: [account.rawValue, context.actor?.rawValue ?? account.rawValue, reportedAt])
            let report = db.lastInsertedRowID
            _ = try Self.lock(db, account, reason: "breach", context: context)
            try DeviceTokens.voidAll(db, account: account, at: context.at)
            // What the account entered after the report is void: it may not have been its owner.
            var voided: [String] = []
            // The account's own entries, by the audit chain's record of who made them and when.
            for (table, action) in [(AuditedTable.marks, "journal.mark.set"), (.absences, "journal.absence.set")] {
                let ids = try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT t.id FROM \(table.rawValue) t JOIN audit_log a ON a.entity = ? AND a.entity_id =
                            CAST(t.id AS TEXT)
                        WHERE a.actor_id = ? AND a.action = ? AND a.at >= ? AND t.deleted_at IS NULL
                        """, arguments: [table.rawValue, account.rawValue, action, AuditTimestamp.format(reportedAt)])
                for id in Set(ids).sorted() {
                    try db.execute(
                        sql: "UPDATE \(table.rawValue) SET deleted_at = ?, revision = ? WHERE id = ?",
                        arguments: [context.at, try SQLiteJournalRepository.nextRevision(db), id])
                    try AuditedRows.record(db, table, id: id, action: "breach.void", context: context)
                    voided.append("\(table.rawValue) #\(id)")
                }
            }
            try db.execute(
                sql: "UPDATE breach_reports SET voided = ? WHERE id = ?",
                arguments: [voided.joined(separator: ", "), report])
            try AuditLog.append(
                db, context: context, action: "breach.report", entity: "account", entityID: String(account.rawValue),
                new:
                    "reported at \(AuditTimestamp.format(reportedAt)); voided: "
                    + "\(voided.isEmpty ? "nothing" : voided.joined(separator: ", "))"
            )
            try OutboxRows.save(alerts(voided), at: context.at, db)
            return voided
        }
    }

    public func operations(of account: AccountID, from: Date, through: Date, reportedAt: Date?) async throws
        -> [AccountOperation]
    {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT at, action, entity, entity_id, old_value, new_value FROM audit_log
                    WHERE actor_id = ? AND at BETWEEN ? AND ? ORDER BY id
                    """, arguments: [account.rawValue, AuditTimestamp.format(from), AuditTimestamp.format(through)]
            ).compactMap { row in
                guard let at = AuditTimestamp.parse(row["at"]) else { return nil }
                let old: String? = row["old_value"], new: String? = row["new_value"]
                return AccountOperation(
                    at: at, action: row["action"], entity: row["entity"], entityID: row["entity_id"],
                    oldValue: old.map { String($0.prefix(200)) }, newValue: new.map { String($0.prefix(200)) },
                    afterReport: reportedAt.map { at >= $0 } ?? false)
            }
        }
    }

    public func latestBreach(of account: AccountID) async throws -> Date? {
        try await pool.read { db in
            try Date.fetchOne(
                db, sql: "SELECT max(reported_at) FROM breach_reports WHERE account_id = ?",
                arguments: [account.rawValue])
        }
    }

    public func unlock(_ account: AccountID, hash: String, context: AuditContext) async throws {
        try await writer.write { db in
            try db.execute(
                sql:
                    "UPDATE accounts SET locked_at = NULL, locked_reason = NULL, password_hash = ?, "
                    + "must_change_password = 1 WHERE id = ?",
                arguments: [hash, account.rawValue])
            guard db.changesCount == 1 else { throw RepositoryError.notFound }
            try DeviceTokens.voidAll(db, account: account, at: context.at)
            try db.execute(
                sql:
                    "UPDATE breach_reports SET resolved_at = ?, resolved_by = ? WHERE account_id = ? AND resolved_at "
                    + "IS NULL",
                arguments: [context.at, context.actor?.rawValue, account.rawValue])
            try AuditLog.append(
                db, context: context, action: "account.unlock", entity: "account", entityID: String(account.rawValue))
        }
    }

    public func alertRecipients() async throws -> [Account] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM accounts WHERE id IN (SELECT account_id FROM account_roles WHERE role IN ('admin',
                        'director')) ORDER BY id
                    """
            ).map { try SQLiteAccountRepository.account($0, db) }
        }
    }
}
