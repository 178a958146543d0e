import ClassbookDomain
import Foundation
import GRDB

/// The audited tables' rows in SQLite (`AuditedTable`): their audit records, written in the
/// caller's transaction, and the check of every row against its latest record.
enum AuditedRows {
    /// The row's text for the audit (`AuditedTable.canonical`).
    static func canonical(_ row: Row) -> String {
        AuditedTable.canonical(
            row.columnNames.filter { $0 != "audit_key" }.map { name in
                let value = row[name] as DatabaseValue
                return (name, value.isNull ? nil : text(value))
            })
    }

    private static func text(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: "∅"
        case .int64(let number): String(number)
        case .double(let number): String(number)
        case .string(let string): string
        case .blob(let data): Digest.hex(data)
        }
    }

    static func fetchRow(_ db: Database, _ table: AuditedTable, key: String) throws -> Row? {
        // Prepared once per table (a fixed set): every audited write comes here.
        try Row.fetchOne(db, prepared: "SELECT * FROM \(table.rawValue) WHERE \(table.key) = ?", arguments: [key])
    }

    /// The row's text as the audit log last recorded it; nil when it was never recorded or
    /// was recorded as removed.
    static func lastRecorded(_ db: Database, _ table: AuditedTable, key: String) throws -> String? {
        try String.fetchOne(
            db,
            prepared: """
                SELECT new_value FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 1
                """, arguments: [table.rawValue, key])
    }

    /// Audits the row's state after a change made in this transaction: `action` names the
    /// change (`journal.mark.set`); the old value is what the log last recorded. Nothing is
    /// written when the row did not change.
    static func record(_ db: Database, _ table: AuditedTable, id: Int64, action: String, context: AuditContext) throws {
        try record(db, table, key: String(id), action: action, context: context)
    }

    static func record(
        _ db: Database, _ table: AuditedTable, key: String, action: String, context: AuditContext,
        isNew: Bool = false
    ) throws {
        let new = try fetchRow(db, table, key: key).map(canonical)
        let old = isNew ? nil : try lastRecorded(db, table, key: key)
        guard new != old else { return }
        try AuditLog.append(
            db, context: context, action: action, entity: table.rawValue, entityID: key, old: old, new: new)
    }

    /// One audit record per existing row of every audited table (used when auditing starts).
    static func baseline(_ db: Database, context: AuditContext) throws {
        for table in AuditedTable.allCases where try db.tableExists(table.rawValue) {
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(table.key) AS audit_key, * FROM \(table.rawValue) ORDER BY 1")
            for row in rows {
                try AuditLog.append(
                    db, context: context, action: "audit.baseline", entity: table.rawValue,
                    entityID: keyText(row["audit_key"] as DatabaseValue),
                    new: canonical(row))
            }
        }
    }

    /// The first audited row whose present state differs from its latest audit record, if any.
    static func firstMismatch(_ db: Database) throws -> String? {
        for table in AuditedTable.allCases {
            var recorded: [String: String?] = [:]
            let latest = try Row.fetchCursor(
                db,
                sql: """
                    SELECT a.entity_id, a.new_value FROM audit_log a
                    JOIN (SELECT max(id) AS id FROM audit_log WHERE entity = ? GROUP BY entity_id) l ON l.id = a.id
                    """, arguments: [table.rawValue])
            while let row = try latest.next() { recorded[row["entity_id"]] = row["new_value"] as String? }
            var checker = AuditedTable.RowChecker(table, recorded: recorded)
            let rows = try Row.fetchCursor(db, sql: "SELECT \(table.key) AS audit_key, * FROM \(table.rawValue)")
            while let row = try rows.next() {
                if let mismatch = checker.check(key: keyText(row["audit_key"] as DatabaseValue), text: canonical(row)) {
                    return mismatch
                }
            }
            if let missing = checker.finish() { return missing }
        }
        return nil
    }

    static func keyText(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .int64(let number): String(number)
        case .string(let string): string
        default: String(describing: value)
        }
    }
}
