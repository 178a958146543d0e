import ClassbookDomain
import Foundation
import GRDB

/// The append-only audit chain. Each record's hash covers its fields and the previous
/// record's hash (SHA-256), so that editing or removing a record breaks the chain.
enum AuditLog {
    static let genesisHash = String(repeating: "0", count: 64)

    /// Appends one record inside the caller's transaction.
    static func append(
        _ db: Database, context: AuditContext, action: String, entity: String, entityID: String,
        old: String? = nil, new: String? = nil
    ) throws {
        let last = try Row.fetchOne(db, prepared: "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        let previous: String = last?["hash"] ?? genesisHash
        let id = (last?["id"] as Int64? ?? 0) + 1
        let at = AuditTimestamp.format(context.at)
        let hash = chainHash(
            id: id, at: at, actor: context.actor?.rawValue, session: context.sessionID, action: action,
            entity: entity, entityID: entityID, old: old, new: new, previous: previous)
        try db.cachedStatement(
            sql: """
                INSERT INTO audit_log (id, at, actor_id, session_id, action, entity, entity_id, old_value, new_value,
                    prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            id, at, context.actor?.rawValue, context.sessionID, action, entity, entityID, old, new, previous, hash
        ])
    }

    static func chainHash(
        id: Int64, at: String, actor: Int64?, session: String, action: String, entity: String,
        entityID: String, old: String?, new: String?, previous: String
    ) -> String {
        // Fields joined by the ASCII unit separator; a missing value is distinct from an empty one.
        let fields: [String] = [
            String(id), at, actor.map(String.init) ?? "\u{0}", session, action, entity, entityID,
            old ?? "\u{0}", new ?? "\u{0}", previous
        ]
        return Digest.sha256Hex(fields.joined(separator: "\u{1F}"))
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
