import ClassbookDomain
import Foundation
import GRDB

/// What a class teacher's duties need: one-time passwords that must be changed, logins and
/// diary views (activity), absence notes from guardians, checks of personal data, the bot's
/// durable outbox for people who are offline, and a record of digests sent.
enum DutiesMigration {
    static func apply(_ db: Database) throws {
        try db.execute(
            sql: """
                -- A one-time password must be replaced before the account can do anything else.
                ALTER TABLE accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

                -- Logins, diary views and acknowledgements, for the class teacher's activity review.
                -- Views are kept one row per guardian, student and day, with a count.
                CREATE TABLE account_logins (
                    id INTEGER PRIMARY KEY,
                    account_id INTEGER NOT NULL REFERENCES accounts(id),
                    at DATETIME NOT NULL
                );
                CREATE INDEX account_logins_by_account ON account_logins(account_id, at);
                CREATE TABLE diary_views (
                    account_id INTEGER NOT NULL REFERENCES accounts(id),
                    student_id INTEGER NOT NULL REFERENCES students(id),
                    day TEXT NOT NULL,
                    views INTEGER NOT NULL,
                    last_at DATETIME NOT NULL,
                    PRIMARY KEY (account_id, student_id, day)
                ) WITHOUT ROWID;

                -- A guardian's note about an absence (объяснительная), accepted or rejected by the class teacher.
                CREATE TABLE absence_notes (
                    id INTEGER PRIMARY KEY,
                    student_id INTEGER NOT NULL REFERENCES students(id),
                    guardian_id INTEGER NOT NULL REFERENCES accounts(id),
                    dates TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
                    created_at DATETIME NOT NULL,
                    decided_by INTEGER REFERENCES accounts(id),
                    decided_at DATETIME,
                    decision_note TEXT
                );
                CREATE INDEX absence_notes_by_student ON absence_notes(student_id, status);

                -- When a class teacher last checked a student's personal data.
                ALTER TABLE students ADD COLUMN data_checked_on TEXT;

                -- Messages from the bot, kept until they reach one of the account's sessions.
                CREATE TABLE bot_outbox (
                    id INTEGER PRIMARY KEY,
                    account_id INTEGER NOT NULL REFERENCES accounts(id),
                    text TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    delivered_at DATETIME
                );
                CREATE INDEX bot_outbox_pending ON bot_outbox(account_id) WHERE delivered_at IS NULL;

                -- Each scheduled digest is composed once: the key names the kind and the week.
                CREATE TABLE digest_runs (
                    key TEXT PRIMARY KEY,
                    ran_at DATETIME NOT NULL,
                    messages INTEGER NOT NULL
                ) WITHOUT ROWID;

                INSERT INTO school_settings (key, value) VALUES
                    ('digest_weekday', '5'),
                    ('digest_time', '15:00'),
                    ('risk_average_below', '3.0'),
                    ('risk_twos', '2'),
                    ('risk_missed_share', '0.3');
                """)
        let context = AuditContext(actor: nil, sessionID: "migration:v3-duties", at: Date())
        for key in ["digest_weekday", "digest_time", "risk_average_below", "risk_twos", "risk_missed_share"] {
            try AuditedRows.record(
                db, .schoolSettings, key: key, action: "audit.baseline", context: context, isNew: true)
        }
    }
}
