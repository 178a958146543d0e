import ClassbookDomain
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
