import ClassbookDomain
import GRDB

/// Recomputes the audit chain (each record's hash from its fields and the previous hash), then
/// checks every audited journal row against its latest audit record.
public struct AuditVerifier: Sendable {
    public typealias Outcome = AuditChain.Outcome

    let pool: DatabasePool

    public init(database: ClassbookDatabase) {
        pool = database.pool
    }

    public func verify() async throws -> Outcome {
        try await pool.read { db in
            var verifier = AuditChain.Verifier()
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY id")
            while let row = try rows.next(), verifier.check(AuditLog.record(row)) {}
            if let failure = verifier.failure { return .broken(recordID: failure.recordID, reason: failure.reason) }
            if let mismatch = try AuditedRows.firstMismatch(db) {
                return .rowTampered(reason: mismatch)
            }
            return .intact(records: verifier.count)
        }
    }
}
