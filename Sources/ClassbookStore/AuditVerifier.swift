import GRDB

/// Recomputes the audit chain (each record's hash from its fields and the previous hash), then
/// checks every audited journal row against its latest audit record.
public struct AuditVerifier: Sendable {
    public enum Outcome: Equatable, Sendable {
        /// Every record checked out.
        case intact(records: Int)
        /// The first record that does not fit the chain, and why.
        case broken(recordID: Int64, reason: String)
        /// The chain is intact, but a journal row does not match its latest audit record.
        case rowTampered(reason: String)
    }

    let pool: DatabasePool

    public init(database: ClassbookDatabase) {
        pool = database.pool
    }

    public func verify() async throws -> Outcome {
        try await pool.read { db in
            var previous = AuditLog.genesisHash
            var expectedID: Int64 = 1
            var count = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY id")
            while let row = try rows.next() {
                let id: Int64 = row["id"]
                if id != expectedID {
                    return .broken(recordID: expectedID, reason: "record \(expectedID) is missing (next is \(id))")
                }
                let prevHash: String = row["prev_hash"]
                if prevHash != previous {
                    return .broken(recordID: id, reason: "its previous-hash does not match record \(id - 1)")
                }
                let hash = AuditLog.chainHash(
                    id: id, at: row["at"], actor: row["actor_id"], session: row["session_id"],
                    action: row["action"], entity: row["entity"], entityID: row["entity_id"],
                    old: row["old_value"], new: row["new_value"], previous: prevHash)
                if hash != (row["hash"] as String) {
                    return .broken(recordID: id, reason: "its contents do not match its hash")
                }
                previous = hash
                expectedID += 1
                count += 1
            }
            if let mismatch = try AuditedRows.firstMismatch(db) {
                return .rowTampered(reason: mismatch)
            }
            return .intact(records: count)
        }
    }
}
