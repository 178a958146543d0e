import ClassbookDomain
import Foundation
import Logging
import PostgresNIO

/// The audited tables' rows on PostgreSQL (`AuditedTable`), as `AuditedRows` keeps them in
/// SQLite: each change's record carries the row's canonical text, the same text as SQLite's
/// for the same row, and `firstMismatch` checks every row against its latest record.
enum PostgresAuditedRows {
    /// The row's text for the audit; `audit_key` (the baseline's and the verifier's) left out.
    static func canonical(_ row: SQLRow) -> String {
        AuditedTable.canonical(
            zip(row.names, row.values).filter { $0.0 != "audit_key" }.map { name, value in
                (name, value.optionalString)
            })
    }

    /// Audits the row's state after a change made in this transaction (nothing when it did not
    /// change); the old value is what the audit last recorded, in this batch or before it.
    static func record(
        _ sql: SQL, _ audit: AuditAppender, _ table: AuditedTable, key: String, action: String,
        context: AuditContext, isNew: Bool = false
    ) async throws {
        // A numeric id is compared as a number, so the primary key's index serves.
        let argument: any SQLArgument = table.key == "id" ? (Int64(key) ?? -1) : key
        let new = try await sql.row("SELECT * FROM \(table.rawValue) WHERE \(table.key) = ?", argument)
            .map(canonical)
        let old: String?
        if isNew {
            old = nil
        } else if let pending = audit.pendingValue(entity: table.rawValue, entityID: key) {
            old = pending
        } else {
            old = try await sql.value(
                "SELECT new_value FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 1",
                table.rawValue, key
            ).optionalString
        }
        guard new != old else { return }
        audit.append(context: context, action: action, entity: table.rawValue, entityID: key, old: old, new: new)
    }

    static func record(
        _ sql: SQL, _ audit: AuditAppender, _ table: AuditedTable, id: Int64, action: String, context: AuditContext
    ) async throws {
        try await record(sql, audit, table, key: String(id), action: action, context: context)
    }

    /// One audit record per existing row of every audited table (when auditing starts).
    static func baseline(_ sql: SQL, _ audit: AuditAppender, context: AuditContext) async throws {
        for table in AuditedTable.allCases {
            for row in try await sql.rows(
                "SELECT \(table.key) AS audit_key, * FROM \(table.rawValue) ORDER BY 1")
            {
                audit.append(
                    context: context, action: "audit.baseline", entity: table.rawValue,
                    entityID: row["audit_key"].string, new: canonical(row))
            }
        }
    }

    /// The first audited row whose present state differs from its latest audit record, if any.
    static func firstMismatch(_ sql: SQL) async throws -> String? {
        for table in AuditedTable.allCases {
            var recorded: [String: String?] = [:]
            for row in try await sql.rows(
                """
                SELECT DISTINCT ON (entity_id) entity_id, new_value FROM audit_log WHERE entity = ?
                ORDER BY entity_id, id DESC
                """, table.rawValue)
            {
                recorded[row[0].string] = row[1].optionalString
            }
            var checker = AuditedTable.RowChecker(table, recorded: recorded)
            for row in try await sql.rows("SELECT \(table.key) AS audit_key, * FROM \(table.rawValue)") {
                if let mismatch = checker.check(key: row["audit_key"].string, text: canonical(row)) { return mismatch }
            }
            if let missing = checker.finish() { return missing }
        }
        return nil
    }
}
