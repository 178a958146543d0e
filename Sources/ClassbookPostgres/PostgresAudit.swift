import ClassbookDomain
import Foundation
import Logging
import PostgresNIO

/// The audit chain on PostgreSQL: one chain however many nodes write. Records are appended under
/// an advisory lock taken in the writing transaction (`AuditAppender.flush`, at a batch's end),
/// so the next writer reads this record as the chain's last only once this transaction has
/// committed (or finds it gone, rolled back).
enum PostgresAudit {
    static let lock: Int64 = 0x636c_6173_7361_7564

    /// The chain's last record (under the lock: nobody appends meanwhile).
    static func last(_ connection: any SQLRunner, logger: Logger) async throws -> (id: Int64, hash: String)? {
        for try await (id, hash) in try await connection.run(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", logger: logger
        ).decode((Int64, String).self) {
            return (id, hash)
        }
        return nil
    }

    static func insert(_ record: AuditRecord, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO audit_log (id, at, actor_id, session_id, action, entity, entity_id, old_value, new_value,
                prev_hash, hash)
            VALUES (\(record.id), \(record.at), \(record.actor), \(record.session), \(record.action), \(record.entity),
                \(record.entityID), \(record.old), \(record.new), \(record.previous), \(record.hash))
            """, logger: logger)
    }

    /// Recomputes the chain from the first record; nil when intact, else the first record that
    /// does not fit and why.
    static func verify(_ runner: any SQLRunner, logger: Logger) async throws -> (
        records: Int, failure: (recordID: Int64, reason: String)?
    ) {
        var verifier = AuditChain.Verifier()
        let rows = try await runner.run(
            """
            SELECT id, at, actor_id, session_id, action, entity, entity_id, old_value, new_value, prev_hash, hash
            FROM audit_log ORDER BY id
            """, logger: logger)
        for try await (id, at, actor, session, action, entity, entityID, old, new, previous, hash) in rows.decode(
            (Int64, String, Int64?, String, String, String, String, String?, String?, String, String).self)
        {
            let record = AuditRecord(
                id: id, at: at, actor: actor, session: session, action: action, entity: entity, entityID: entityID,
                old: old, new: new, previous: previous, hash: hash)
            guard verifier.check(record) else { break }
        }
        return (verifier.count, verifier.failure)
    }
}
