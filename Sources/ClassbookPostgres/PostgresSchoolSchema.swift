/// The school on PostgreSQL: every table SQLite's migrations v1 to v13 left, as they stand now
/// (one migration: no PostgreSQL store predates it). Audited tables keep SQLite's columns in
/// SQLite's order, so a row's audit text is the same on both (`AuditedTable.canonical`):
/// instants are `timestamptz`, dates of the school calendar `yyyy-MM-dd` text, flags 0 or 1.
enum PostgresSchoolSchema {
    static let statements: [String] = sql.components(separatedBy: ";\n").map {
        $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }.filter { !$0.isEmpty }

    private static let sql = """
        CREATE INDEX audit_by_entity ON audit_log(entity, entity_id, id);
        CREATE TABLE school_years (
            id BIGSERIAL PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            start_date TEXT NOT NULL,
            end_date TEXT NOT NULL
        );
        CREATE TABLE periods (
            id BIGSERIAL PRIMARY KEY,
            year_id BIGINT NOT NULL REFERENCES school_years(id),
            grades TEXT NOT NULL DEFAULT '',
            ordinal INTEGER NOT NULL,
            name TEXT NOT NULL,
            start_date TEXT NOT NULL,
            end_date TEXT NOT NULL,
            UNIQUE (year_id, grades, ordinal)
        );
        CREATE TABLE holidays (
            id BIGSERIAL PRIMARY KEY,
            year_id BIGINT NOT NULL REFERENCES school_years(id),
            name TEXT NOT NULL,
            start_date TEXT NOT NULL,
            end_date TEXT NOT NULL
        );
        CREATE TABLE subjects (
            id BIGSERIAL PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE classes (
            id BIGSERIAL PRIMARY KEY,
            year_id BIGINT NOT NULL REFERENCES school_years(id),
            name TEXT NOT NULL,
            grade INTEGER NOT NULL,
            class_teacher_id BIGINT REFERENCES accounts(id),
            UNIQUE (year_id, name)
        );
        CREATE TABLE students (
            id BIGSERIAL PRIMARY KEY,
            account_id BIGINT UNIQUE REFERENCES accounts(id),
            class_id BIGINT NOT NULL REFERENCES classes(id),
            last_name TEXT NOT NULL,
            first_name TEXT NOT NULL,
            middle_name TEXT NOT NULL DEFAULT '',
            arrived_on TEXT,
            left_on TEXT,
            data_checked_on TEXT
        );
        CREATE INDEX students_by_class ON students(class_id);
        CREATE TABLE guardianships (
            guardian_id BIGINT NOT NULL REFERENCES accounts(id),
            student_id BIGINT NOT NULL REFERENCES students(id),
            PRIMARY KEY (guardian_id, student_id)
        );
        CREATE INDEX guardianships_by_student ON guardianships(student_id);
        CREATE TABLE study_groups (
            id BIGSERIAL PRIMARY KEY,
            class_id BIGINT NOT NULL REFERENCES classes(id),
            name TEXT NOT NULL,
            subject_id BIGINT REFERENCES subjects(id),
            UNIQUE (class_id, name)
        );
        CREATE TABLE study_group_members (
            id BIGSERIAL PRIMARY KEY,
            group_id BIGINT NOT NULL REFERENCES study_groups(id),
            student_id BIGINT NOT NULL REFERENCES students(id),
            UNIQUE (group_id, student_id)
        );
        CREATE INDEX study_group_members_by_student ON study_group_members(student_id);
        CREATE TABLE assignments (
            id BIGSERIAL PRIMARY KEY,
            teacher_id BIGINT NOT NULL REFERENCES accounts(id),
            subject_id BIGINT NOT NULL REFERENCES subjects(id),
            class_id BIGINT NOT NULL REFERENCES classes(id),
            group_id BIGINT REFERENCES study_groups(id),
            UNIQUE (teacher_id, subject_id, class_id)
        );
        CREATE TABLE lessons (
            id BIGSERIAL PRIMARY KEY,
            class_id BIGINT NOT NULL REFERENCES classes(id),
            group_id BIGINT REFERENCES study_groups(id),
            subject_id BIGINT NOT NULL REFERENCES subjects(id),
            teacher_id BIGINT NOT NULL REFERENCES accounts(id),
            date TEXT NOT NULL,
            number INTEGER NOT NULL,
            topic TEXT,
            homework TEXT,
            control_work INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX lessons_by_slot ON lessons(class_id, date, number, coalesce(group_id, 0));
        CREATE INDEX lessons_by_subject ON lessons(class_id, subject_id, date);
        CREATE TABLE counters (
            name TEXT PRIMARY KEY,
            value BIGINT NOT NULL
        );
        INSERT INTO counters (name, value) VALUES ('diary_revision', 0);
        CREATE TABLE marks (
            id BIGSERIAL PRIMARY KEY,
            lesson_id BIGINT NOT NULL REFERENCES lessons(id),
            student_id BIGINT NOT NULL REFERENCES students(id),
            value TEXT NOT NULL CHECK (value IN ('1', '2', '3', '4', '5', 'pass', 'fail')),
            kind TEXT NOT NULL,
            weight DOUBLE PRECISION NOT NULL DEFAULT 1,
            comment TEXT,
            revision BIGINT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            created_by BIGINT REFERENCES accounts(id),
            updated_at TIMESTAMPTZ,
            deleted_at TIMESTAMPTZ
        );
        CREATE INDEX marks_by_student ON marks(student_id, revision);
        CREATE INDEX marks_by_lesson ON marks(lesson_id);
        CREATE TABLE absences (
            id BIGSERIAL PRIMARY KEY,
            lesson_id BIGINT NOT NULL REFERENCES lessons(id),
            student_id BIGINT NOT NULL REFERENCES students(id),
            reason TEXT NOT NULL CHECK (reason IN ('Н', 'УП', 'Б', 'ОП')),
            revision BIGINT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            created_by BIGINT REFERENCES accounts(id),
            updated_at TIMESTAMPTZ,
            deleted_at TIMESTAMPTZ,
            UNIQUE (lesson_id, student_id)
        );
        CREATE INDEX absences_by_student ON absences(student_id, revision);
        CREATE INDEX absences_by_lesson ON absences(lesson_id);
        CREATE TABLE acknowledgements (
            id BIGSERIAL PRIMARY KEY,
            guardian_id BIGINT NOT NULL REFERENCES accounts(id),
            student_id BIGINT NOT NULL REFERENCES students(id),
            acknowledged_at TIMESTAMPTZ NOT NULL,
            session_id TEXT NOT NULL,
            up_to_revision BIGINT NOT NULL,
            mark_count INTEGER NOT NULL,
            absence_count INTEGER NOT NULL
        );
        CREATE INDEX acknowledgements_by_pair ON acknowledgements(student_id, guardian_id, up_to_revision);
        CREATE INDEX acknowledgements_by_guardian ON acknowledgements(guardian_id, acknowledged_at);
        CREATE TABLE acknowledgement_entries (
            acknowledgement_id BIGINT NOT NULL REFERENCES acknowledgements(id),
            entry_kind TEXT NOT NULL CHECK (entry_kind IN ('mark', 'absence')),
            entry_id BIGINT NOT NULL,
            entry_revision BIGINT NOT NULL,
            PRIMARY KEY (acknowledgement_id, entry_kind, entry_id)
        );
        CREATE TABLE consents (
            id BIGSERIAL PRIMARY KEY,
            guardian_id BIGINT NOT NULL REFERENCES accounts(id),
            decision TEXT NOT NULL CHECK (decision IN ('granted', 'refused')),
            scope TEXT NOT NULL,
            recorded_at TIMESTAMPTZ NOT NULL,
            session_id TEXT NOT NULL
        );
        CREATE INDEX consents_by_guardian ON consents(guardian_id, id);
        CREATE TABLE school_settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        INSERT INTO school_settings (key, value) VALUES
            ('final_rounding_threshold', '0.5'),
            ('missed_day_rule', 'all'),
            ('late_counts_as_missed', 'no'),
            ('digest_weekday', '5'),
            ('digest_time', '15:00'),
            ('risk_average_below', '3.0'),
            ('risk_twos', '2'),
            ('risk_missed_share', '0.3');
        CREATE TABLE mark_kinds (
            code TEXT PRIMARY KEY,
            name_ru TEXT NOT NULL,
            name_en TEXT NOT NULL,
            weight DOUBLE PRECISION NOT NULL CHECK (weight > 0)
        );
        INSERT INTO mark_kinds (code, name_ru, name_en, weight) VALUES
            ('oral', 'ответ на уроке', 'answer in class', 1),
            ('homework', 'домашняя работа', 'homework', 1),
            ('independent', 'самостоятельная работа', 'independent work', 1.5),
            ('test', 'тест', 'test', 1.5),
            ('control', 'контрольная работа', 'control work', 2);
        CREATE TABLE finals (
            id BIGSERIAL PRIMARY KEY,
            year_id BIGINT NOT NULL REFERENCES school_years(id),
            student_id BIGINT NOT NULL REFERENCES students(id),
            subject_id BIGINT NOT NULL REFERENCES subjects(id),
            period INTEGER NOT NULL,
            value TEXT NOT NULL CHECK (value IN ('1', '2', '3', '4', '5', 'pass', 'fail')),
            revision BIGINT NOT NULL,
            set_at TIMESTAMPTZ NOT NULL,
            set_by BIGINT REFERENCES accounts(id),
            deleted_at TIMESTAMPTZ,
            UNIQUE (year_id, student_id, subject_id, period)
        );
        CREATE INDEX finals_by_student ON finals(student_id, revision);
        CREATE TABLE remarks (
            id BIGSERIAL PRIMARY KEY,
            student_id BIGINT NOT NULL REFERENCES students(id),
            author_id BIGINT NOT NULL REFERENCES accounts(id),
            subject_id BIGINT REFERENCES subjects(id),
            date TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('remark', 'recommendation')),
            text TEXT NOT NULL,
            revision BIGINT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            deleted_at TIMESTAMPTZ
        );
        CREATE INDEX remarks_by_student ON remarks(student_id, date);
        CREATE TABLE timetable (
            id BIGSERIAL PRIMARY KEY,
            class_id BIGINT NOT NULL REFERENCES classes(id),
            group_id BIGINT REFERENCES study_groups(id),
            weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 6),
            number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 12),
            subject_id BIGINT NOT NULL REFERENCES subjects(id),
            teacher_id BIGINT NOT NULL REFERENCES accounts(id)
        );
        CREATE UNIQUE INDEX timetable_by_slot ON timetable(class_id, weekday, number, coalesce(group_id, 0));
        CREATE TABLE timetable_changes (
            id BIGSERIAL PRIMARY KEY,
            class_id BIGINT NOT NULL REFERENCES classes(id),
            group_id BIGINT REFERENCES study_groups(id),
            date TEXT NOT NULL,
            number INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('substitution', 'moved', 'cancelled')),
            teacher_id BIGINT REFERENCES accounts(id),
            new_date TEXT,
            new_number INTEGER,
            created_at TIMESTAMPTZ NOT NULL,
            created_by BIGINT REFERENCES accounts(id)
        );
        CREATE UNIQUE INDEX timetable_changes_by_slot ON timetable_changes(class_id, date, number,
            coalesce(group_id, 0));
        CREATE TABLE person_details (
            id BIGSERIAL PRIMARY KEY,
            owner_kind TEXT NOT NULL CHECK (owner_kind IN ('student', 'guardian')),
            owner_id BIGINT NOT NULL,
            field TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL,
            updated_by BIGINT REFERENCES accounts(id),
            UNIQUE (owner_kind, owner_id, field)
        );
        CREATE TABLE student_movements (
            id BIGSERIAL PRIMARY KEY,
            student_id BIGINT NOT NULL REFERENCES students(id),
            kind TEXT NOT NULL CHECK (kind IN ('arrival', 'departure')),
            date TEXT NOT NULL,
            class_id BIGINT NOT NULL REFERENCES classes(id),
            note TEXT NOT NULL DEFAULT '',
            created_at TIMESTAMPTZ NOT NULL,
            created_by BIGINT REFERENCES accounts(id)
        );
        CREATE INDEX student_movements_by_class ON student_movements(class_id, date);
        CREATE TABLE account_logins (
            id BIGSERIAL PRIMARY KEY,
            account_id BIGINT NOT NULL REFERENCES accounts(id),
            at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX account_logins_by_account ON account_logins(account_id, at);
        CREATE TABLE diary_views (
            account_id BIGINT NOT NULL REFERENCES accounts(id),
            student_id BIGINT NOT NULL REFERENCES students(id),
            day TEXT NOT NULL,
            views INTEGER NOT NULL,
            last_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (account_id, student_id, day)
        );
        CREATE TABLE absence_notes (
            id BIGSERIAL PRIMARY KEY,
            student_id BIGINT NOT NULL REFERENCES students(id),
            guardian_id BIGINT NOT NULL REFERENCES accounts(id),
            dates TEXT NOT NULL,
            reason TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
            created_at TIMESTAMPTZ NOT NULL,
            decided_by BIGINT REFERENCES accounts(id),
            decided_at TIMESTAMPTZ,
            decision_note TEXT
        );
        CREATE INDEX absence_notes_by_student ON absence_notes(student_id, status);
        CREATE TABLE bot_outbox (
            id BIGSERIAL PRIMARY KEY,
            account_id BIGINT NOT NULL REFERENCES accounts(id),
            text TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            delivered_at TIMESTAMPTZ,
            source TEXT,
            deliver_after TIMESTAMPTZ,
            msgid TEXT
        );
        CREATE INDEX bot_outbox_pending ON bot_outbox(account_id) WHERE delivered_at IS NULL;
        CREATE INDEX bot_outbox_by_account ON bot_outbox(account_id, created_at) WHERE source IS NULL;
        CREATE TABLE digest_runs (
            key TEXT PRIMARY KEY,
            ran_at TIMESTAMPTZ NOT NULL,
            messages INTEGER NOT NULL
        );
        CREATE TABLE extract_handovers (
            id BIGSERIAL PRIMARY KEY,
            student_id BIGINT NOT NULL REFERENCES students(id),
            week TEXT NOT NULL,
            given_at TIMESTAMPTZ NOT NULL,
            given_by BIGINT REFERENCES accounts(id),
            UNIQUE (student_id, week)
        );
        CREATE TABLE notification_prefs (
            account_id BIGINT PRIMARY KEY REFERENCES accounts(id),
            chat INTEGER NOT NULL DEFAULT 1,
            email TEXT,
            sms TEXT,
            pace TEXT NOT NULL DEFAULT 'instant' CHECK (pace IN ('instant', 'daily')),
            quiet_start TEXT NOT NULL DEFAULT '21:00',
            quiet_end TEXT NOT NULL DEFAULT '07:00'
        );
        CREATE TABLE notification_queue (
            id BIGSERIAL PRIMARY KEY,
            account_id BIGINT NOT NULL REFERENCES accounts(id),
            text TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            summarized_at TIMESTAMPTZ
        );
        CREATE INDEX notification_queue_pending ON notification_queue(account_id) WHERE summarized_at IS NULL;
        CREATE TABLE letters (
            id BIGSERIAL PRIMARY KEY,
            class_id BIGINT NOT NULL REFERENCES classes(id),
            author_id BIGINT NOT NULL REFERENCES accounts(id),
            text TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE letter_recipients (
            letter_id BIGINT NOT NULL REFERENCES letters(id),
            guardian_id BIGINT NOT NULL REFERENCES accounts(id),
            read_at TIMESTAMPTZ,
            PRIMARY KEY (letter_id, guardian_id)
        );
        CREATE TABLE external_outbox (
            id BIGSERIAL PRIMARY KEY,
            channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
            account_id BIGINT REFERENCES accounts(id),
            address TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TIMESTAMPTZ NOT NULL,
            sent_at TIMESTAMPTZ,
            last_error TEXT
        );
        CREATE INDEX external_outbox_due ON external_outbox(next_attempt_at) WHERE sent_at IS NULL;
        CREATE TABLE board_topics (
            board TEXT PRIMARY KEY,
            topic TEXT NOT NULL,
            set_at TIMESTAMPTZ NOT NULL,
            set_by TEXT NOT NULL
        );
        CREATE TABLE board_posts (
            id BIGSERIAL PRIMARY KEY,
            board TEXT NOT NULL,
            thread_id BIGINT REFERENCES board_posts(id),
            title TEXT,
            author_id BIGINT NOT NULL REFERENCES accounts(id),
            author_nick TEXT NOT NULL,
            text TEXT NOT NULL,
            msgid TEXT NOT NULL UNIQUE,
            created_at TIMESTAMPTZ NOT NULL,
            hidden_at TIMESTAMPTZ,
            hidden_by BIGINT REFERENCES accounts(id),
            hidden_reason TEXT
        );
        CREATE INDEX board_posts_by_board ON board_posts(board, id);
        CREATE INDEX board_posts_by_thread ON board_posts(thread_id, id);
        CREATE TABLE breach_reports (
            id BIGSERIAL PRIMARY KEY,
            account_id BIGINT NOT NULL REFERENCES accounts(id),
            reported_by BIGINT NOT NULL REFERENCES accounts(id),
            reported_at TIMESTAMPTZ NOT NULL,
            voided TEXT NOT NULL DEFAULT '',
            resolved_at TIMESTAMPTZ,
            resolved_by BIGINT REFERENCES accounts(id)
        );
        CREATE TABLE rooms (
            key TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            creator_id BIGINT NOT NULL REFERENCES accounts(id),
            created_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE room_members (
            room_key TEXT NOT NULL REFERENCES rooms(key),
            account_id BIGINT NOT NULL REFERENCES accounts(id),
            is_operator INTEGER NOT NULL DEFAULT 0,
            added_at TIMESTAMPTZ NOT NULL,
            added_by BIGINT REFERENCES accounts(id),
            PRIMARY KEY (room_key, account_id)
        );
        CREATE INDEX room_members_by_account ON room_members(account_id);
        CREATE TABLE read_markers (
            account_id BIGINT NOT NULL REFERENCES accounts(id),
            target TEXT NOT NULL,
            read_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (account_id, target)
        );
        CREATE TABLE direct_messages (
            id BIGSERIAL PRIMARY KEY,
            msgid TEXT NOT NULL,
            sender_id BIGINT NOT NULL REFERENCES accounts(id),
            recipient_id BIGINT NOT NULL REFERENCES accounts(id),
            command TEXT NOT NULL,
            text TEXT NOT NULL,
            sent_at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX direct_messages_by_pair ON direct_messages(sender_id, recipient_id, sent_at);
        CREATE INDEX direct_messages_by_recipient ON direct_messages(recipient_id, sent_at);
        CREATE TABLE journal_events (
            id BIGSERIAL PRIMARY KEY,
            event TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            dispatched_at TIMESTAMPTZ
        );
        CREATE INDEX journal_events_undispatched ON journal_events(id) WHERE dispatched_at IS NULL
        """
}
