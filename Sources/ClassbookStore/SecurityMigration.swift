import GRDB

/// Locked accounts (leaked passwords, too many failed logins) and breach reports.
enum SecurityMigration {
    static func apply(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE accounts ADD COLUMN locked_at DATETIME;
                ALTER TABLE accounts ADD COLUMN locked_reason TEXT;
                -- A report that a password leaked (регламент: within one working day): who, about whom, when.
                CREATE TABLE breach_reports (
                    id INTEGER PRIMARY KEY,
                    account_id INTEGER NOT NULL REFERENCES accounts(id),
                    reported_by INTEGER NOT NULL REFERENCES accounts(id),
                    reported_at DATETIME NOT NULL,
                    voided TEXT NOT NULL DEFAULT '',
                    resolved_at DATETIME,
                    resolved_by INTEGER REFERENCES accounts(id)
                );
                """)
    }
}
