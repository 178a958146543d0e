import GRDB

/// Schema changes, in order. A migration is never edited once it has shipped: a change
/// is a new migration.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-accounts-school-diary") { db in
            try db.execute(
                sql: """
                    CREATE TABLE accounts (
                        id INTEGER PRIMARY KEY,
                        login TEXT NOT NULL UNIQUE,
                        display_name TEXT NOT NULL,
                        password_hash TEXT NOT NULL,
                        language TEXT NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'en')),
                        created_at DATETIME NOT NULL
                    );
                    CREATE TABLE account_roles (
                        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                        role TEXT NOT NULL,
                        PRIMARY KEY (account_id, role)
                    ) WITHOUT ROWID;

                    CREATE TABLE school_years (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        start_date TEXT NOT NULL,
                        end_date TEXT NOT NULL
                    );
                    CREATE TABLE periods (
                        id INTEGER PRIMARY KEY,
                        year_id INTEGER NOT NULL REFERENCES school_years(id),
                        ordinal INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        start_date TEXT NOT NULL,
                        end_date TEXT NOT NULL,
                        UNIQUE (year_id, ordinal)
                    );
                    CREATE TABLE holidays (
                        id INTEGER PRIMARY KEY,
                        year_id INTEGER NOT NULL REFERENCES school_years(id),
                        name TEXT NOT NULL,
                        start_date TEXT NOT NULL,
                        end_date TEXT NOT NULL
                    );
                    CREATE TABLE subjects (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE
                    );
                    CREATE TABLE classes (
                        id INTEGER PRIMARY KEY,
                        year_id INTEGER NOT NULL REFERENCES school_years(id),
                        name TEXT NOT NULL,
                        grade INTEGER NOT NULL,
                        class_teacher_id INTEGER REFERENCES accounts(id),
                        UNIQUE (year_id, name)
                    );
                    CREATE TABLE students (
                        id INTEGER PRIMARY KEY,
                        account_id INTEGER UNIQUE REFERENCES accounts(id),
                        class_id INTEGER NOT NULL REFERENCES classes(id),
                        last_name TEXT NOT NULL,
                        first_name TEXT NOT NULL,
                        middle_name TEXT NOT NULL DEFAULT ''
                    );
                    CREATE INDEX students_by_class ON students(class_id);
                    CREATE TABLE guardianships (
                        guardian_id INTEGER NOT NULL REFERENCES accounts(id),
                        student_id INTEGER NOT NULL REFERENCES students(id),
                        PRIMARY KEY (guardian_id, student_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX guardianships_by_student ON guardianships(student_id);
                    CREATE TABLE assignments (
                        id INTEGER PRIMARY KEY,
                        teacher_id INTEGER NOT NULL REFERENCES accounts(id),
                        subject_id INTEGER NOT NULL REFERENCES subjects(id),
                        class_id INTEGER NOT NULL REFERENCES classes(id),
                        UNIQUE (teacher_id, subject_id, class_id)
                    );
                    CREATE TABLE lessons (
                        id INTEGER PRIMARY KEY,
                        class_id INTEGER NOT NULL REFERENCES classes(id),
                        subject_id INTEGER NOT NULL REFERENCES subjects(id),
                        teacher_id INTEGER NOT NULL REFERENCES accounts(id),
                        date TEXT NOT NULL,
                        number INTEGER NOT NULL,
                        topic TEXT,
                        homework TEXT,
                        UNIQUE (class_id, date, number)
                    );

                    -- Every change to a diary entry takes the next value of this counter as its
                    -- revision, so that an acknowledgement can say "everything up to revision R".
                    CREATE TABLE counters (
                        name TEXT PRIMARY KEY,
                        value INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    INSERT INTO counters (name, value) VALUES ('diary_revision', 0);

                    CREATE TABLE marks (
                        id INTEGER PRIMARY KEY,
                        lesson_id INTEGER NOT NULL REFERENCES lessons(id),
                        student_id INTEGER NOT NULL REFERENCES students(id),
                        value TEXT NOT NULL CHECK (value IN ('1', '2', '3', '4', '5', 'pass', 'fail')),
                        kind TEXT NOT NULL,
                        weight REAL NOT NULL DEFAULT 1,
                        comment TEXT,
                        revision INTEGER NOT NULL,
                        created_at DATETIME NOT NULL,
                        created_by INTEGER REFERENCES accounts(id)
                    );
                    CREATE INDEX marks_by_student ON marks(student_id, revision);
                    CREATE TABLE absences (
                        id INTEGER PRIMARY KEY,
                        lesson_id INTEGER NOT NULL REFERENCES lessons(id),
                        student_id INTEGER NOT NULL REFERENCES students(id),
                        reason TEXT NOT NULL CHECK (reason IN ('Н', 'УП', 'Б', 'ОП')),
                        revision INTEGER NOT NULL,
                        created_at DATETIME NOT NULL,
                        created_by INTEGER REFERENCES accounts(id),
                        UNIQUE (lesson_id, student_id)
                    );
                    CREATE INDEX absences_by_student ON absences(student_id, revision);

                    CREATE TABLE acknowledgements (
                        id INTEGER PRIMARY KEY,
                        guardian_id INTEGER NOT NULL REFERENCES accounts(id),
                        student_id INTEGER NOT NULL REFERENCES students(id),
                        acknowledged_at DATETIME NOT NULL,
                        session_id TEXT NOT NULL,
                        up_to_revision INTEGER NOT NULL,
                        mark_count INTEGER NOT NULL,
                        absence_count INTEGER NOT NULL
                    );
                    CREATE INDEX acknowledgements_by_pair ON acknowledgements(student_id, guardian_id, up_to_revision);
                    -- Exactly which entries (at which revision) an acknowledgement covered.
                    CREATE TABLE acknowledgement_entries (
                        acknowledgement_id INTEGER NOT NULL REFERENCES acknowledgements(id),
                        entry_kind TEXT NOT NULL CHECK (entry_kind IN ('mark', 'absence')),
                        entry_id INTEGER NOT NULL,
                        entry_revision INTEGER NOT NULL,
                        PRIMARY KEY (acknowledgement_id, entry_kind, entry_id)
                    ) WITHOUT ROWID;

                    -- Consent decisions are appended, never updated: the latest one is in force.
                    CREATE TABLE consents (
                        id INTEGER PRIMARY KEY,
                        guardian_id INTEGER NOT NULL REFERENCES accounts(id),
                        decision TEXT NOT NULL CHECK (decision IN ('granted', 'refused')),
                        scope TEXT NOT NULL,
                        recorded_at DATETIME NOT NULL,
                        session_id TEXT NOT NULL
                    );
                    CREATE INDEX consents_by_guardian ON consents(guardian_id, id);

                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY,
                        at DATETIME NOT NULL,
                        actor_id INTEGER,
                        session_id TEXT NOT NULL,
                        action TEXT NOT NULL,
                        entity TEXT NOT NULL,
                        entity_id TEXT NOT NULL,
                        old_value TEXT,
                        new_value TEXT,
                        prev_hash TEXT NOT NULL,
                        hash TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v2-journal", migrate: JournalMigration.apply)
        migrator.registerMigration("v3-duties", migrate: DutiesMigration.apply)
        migrator.registerMigration("v4-extracts") { db in
            // A paper extract (выписка) handed to a family: which student, which week, when, by whom.
            try db.execute(
                sql: """
                    CREATE TABLE extract_handovers (
                        id INTEGER PRIMARY KEY,
                        student_id INTEGER NOT NULL REFERENCES students(id),
                        week TEXT NOT NULL,
                        given_at DATETIME NOT NULL,
                        given_by INTEGER REFERENCES accounts(id),
                        UNIQUE (student_id, week)
                    );
                    """)
        }
        migrator.registerMigration("v5-messaging", migrate: MessagingMigration.apply)
        migrator.registerMigration("v6-security", migrate: SecurityMigration.apply)
        migrator.registerMigration("v7-acknowledgements-by-guardian") { db in
            // The weekly digest asks, for every guardian of a class, what they acknowledged in
            // the week; the only index led with the student, so each asking scanned the table.
            try db.execute(
                sql: "CREATE INDEX acknowledgements_by_guardian ON acknowledgements(guardian_id, acknowledged_at)")
        }
        migrator.registerMigration("v8-finals-by-student") { db in
            // `/marks` asks for the greatest revision of a student's marks and finals before it
            // builds anything (`marksStamp`); finals were indexed by year first.
            try db.execute(sql: "CREATE INDEX finals_by_student ON finals(student_id, revision)")
        }
        // Foreign keys stay on (no table refers to this one, and its rows are checked as they
        // are copied): with the default, deferred checks, GRDB checks every foreign key of the
        // whole database afterwards, some 15 seconds on a school's year of marks.
        migrator.registerMigration("v9-guardianships-rowid", foreignKeyChecks: .immediate) { db in
            // The server keeps each guardian's children between commands and must hear of every
            // change to the links (`RosterObserver`); SQLite reports changed rows of tables with
            // a rowid only, and this table was `WITHOUT ROWID`.
            try db.execute(
                sql: """
                    CREATE TABLE guardianships_new (
                        guardian_id INTEGER NOT NULL REFERENCES accounts(id),
                        student_id INTEGER NOT NULL REFERENCES students(id),
                        PRIMARY KEY (guardian_id, student_id)
                    );
                    INSERT INTO guardianships_new (guardian_id, student_id) SELECT guardian_id, student_id FROM
                        guardianships;
                    DROP TABLE guardianships;
                    ALTER TABLE guardianships_new RENAME TO guardianships;
                    CREATE INDEX guardianships_by_student ON guardianships(student_id);
                    """)
        }
        migrator.registerMigration("v10-rooms-read-markers") { db in
            // Rooms people open themselves (`JOIN #name`), their members by invitation, and how
            // far each account has read each conversation (`draft/read-marker`), which all the
            // account's devices share. A room's posts are kept in `board_posts` under its name.
            try db.execute(
                sql: """
                    CREATE TABLE rooms (
                        key TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        creator_id INTEGER NOT NULL REFERENCES accounts(id),
                        created_at DATETIME NOT NULL
                    );
                    CREATE TABLE room_members (
                        room_key TEXT NOT NULL REFERENCES rooms(key),
                        account_id INTEGER NOT NULL REFERENCES accounts(id),
                        is_operator INTEGER NOT NULL DEFAULT 0,
                        added_at DATETIME NOT NULL,
                        added_by INTEGER REFERENCES accounts(id),
                        PRIMARY KEY (room_key, account_id)
                    );
                    CREATE INDEX room_members_by_account ON room_members(account_id);
                    CREATE TABLE read_markers (
                        account_id INTEGER NOT NULL REFERENCES accounts(id),
                        target TEXT NOT NULL,
                        read_at DATETIME NOT NULL,
                        PRIMARY KEY (account_id, target)
                    );
                    """)
        }
        migrator.registerMigration("v11-device-tokens") { db in
            // Remembered devices and app passwords: only the token's SHA-256 is kept.
            try db.execute(
                sql: """
                    CREATE TABLE device_tokens (
                        id INTEGER PRIMARY KEY,
                        account_id INTEGER NOT NULL REFERENCES accounts(id),
                        name TEXT NOT NULL,
                        token_hash TEXT NOT NULL UNIQUE,
                        created_at DATETIME NOT NULL,
                        last_used_at DATETIME,
                        revoked_at DATETIME
                    );
                    CREATE INDEX device_tokens_by_account ON device_tokens(account_id) WHERE revoked_at IS NULL;
                    """)
        }
        migrator.registerMigration("v12-conversation-history") { db in
            // Messages between people, for each device to fetch what it missed (CHATHISTORY of a
            // nick); the outbox keeps the id a message carried, and is read as the bot's history.
            try db.execute(
                sql: """
                    CREATE TABLE direct_messages (
                        id INTEGER PRIMARY KEY,
                        msgid TEXT NOT NULL,
                        sender_id INTEGER NOT NULL REFERENCES accounts(id),
                        recipient_id INTEGER NOT NULL REFERENCES accounts(id),
                        command TEXT NOT NULL,
                        text TEXT NOT NULL,
                        sent_at DATETIME NOT NULL
                    );
                    CREATE INDEX direct_messages_by_pair ON direct_messages(sender_id, recipient_id, sent_at);
                    CREATE INDEX direct_messages_by_recipient ON direct_messages(recipient_id, sent_at);
                    ALTER TABLE bot_outbox ADD COLUMN msgid TEXT;
                    CREATE INDEX bot_outbox_by_account ON bot_outbox(account_id, created_at) WHERE source IS NULL;
                    """)
        }
        migrator.registerMigration("v13-journal-events", migrate: JournalEvents.migrate)
        migrator.registerMigration("v14-change-feed", migrate: SQLiteChangeFeed.migrate)
        migrator.registerMigration("v15-nodes", migrate: SQLiteNodeDirectory.migrate)
        migrator.registerMigration("v16-structure-published", migrate: SQLiteChangeFeed.migrateStructure)
        migrator.registerMigration("v17-rosters-published", migrate: SQLiteChangeFeed.migrateRosters)
        return migrator
    }
}
