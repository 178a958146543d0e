import ClassbookDomain
import Foundation
import GRDB

/// The audit chain in SQLite (`audit_log`): records made by `AuditChain`, appended in the
/// caller's transaction (SQLite has one writer at a time: the transaction is the lock).
enum AuditLog {
    /// Appends one record inside the caller's transaction.
    static func append(
        _ db: Database, context: AuditContext, action: String, entity: String, entityID: String,
        old: String? = nil, new: String? = nil
    ) throws {
        let last = try Row.fetchOne(db, prepared: "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        let record = AuditChain.record(
            after: last.map { ($0["id"], $0["hash"]) }, context: context, action: action, entity: entity,
            entityID: entityID, old: old, new: new)
        try db.cachedStatement(
            sql: """
                INSERT INTO audit_log (id, at, actor_id, session_id, action, entity, entity_id, old_value, new_value,
                    prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            record.id, record.at, record.actor, record.session, record.action, record.entity, record.entityID,
            record.old, record.new, record.previous, record.hash
        ])
    }

    static func record(_ row: Row) -> AuditRecord {
        AuditRecord(
            id: row["id"], at: row["at"], actor: row["actor_id"], session: row["session_id"], action: row["action"],
            entity: row["entity"], entityID: row["entity_id"], old: row["old_value"], new: row["new_value"],
            previous: row["prev_hash"], hash: row["hash"])
    }
}

/// Audit timestamps are text in UTC with milliseconds, so that the hashed form is exact.
enum AuditTimestamp {
    // ISO8601DateFormatter is thread-safe; making one per record is what costs.
    nonisolated(unsafe) private static let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()

    /// By hand (`UTCTimestamp`): a formatter costs tens of microseconds, once per audited write.
    static func format(_ date: Date) -> String {
        UTCTimestamp.format(date)
    }

    static func parse(_ text: String) -> Date? {
        formatter.date(from: text)
    }
}
