import ClassbookDomain
import Foundation
import GRDB

/// The whole school model of the journal: settings, study groups, the timetable and its
/// dated changes, lessons with a control-work flag and a group, corrections and deletions
/// of marks and absences, finals, remarks, personal data and student movement.
///
/// Rows of journal tables are audited one by one (`AuditedTable`); the rows that exist when
/// this migration runs get a baseline audit record, so `audit verify` can check every row.
enum JournalMigration {
    static func apply(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX audit_by_entity ON audit_log(entity, entity_id, id);

                -- School-wide rules: see GradingRules for the keys and their defaults.
                CREATE TABLE school_settings (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO school_settings (key, value) VALUES
                    ('final_rounding_threshold', '0.5'),
                    ('missed_day_rule', 'all'),
                    ('late_counts_as_missed', 'no');

                -- Kinds of work a mark is given for, with their weight in the average.
                CREATE TABLE mark_kinds (
                    code TEXT PRIMARY KEY,
                    name_ru TEXT NOT NULL,
                    name_en TEXT NOT NULL,
                    weight REAL NOT NULL CHECK (weight > 0)
                ) WITHOUT ROWID;
                INSERT INTO mark_kinds (code, name_ru, name_en, weight) VALUES
                    ('oral', 'ответ на уроке', 'answer in class', 1),
                    ('homework', 'домашняя работа', 'homework', 1),
                    ('independent', 'самостоятельная работа', 'independent work', 1.5),
                    ('test', 'тест', 'test', 1.5),
                    ('control', 'контрольная работа', 'control work', 2);

                CREATE TABLE study_groups (
                    id INTEGER PRIMARY KEY,
                    class_id INTEGER NOT NULL REFERENCES classes(id),
                    name TEXT NOT NULL,
                    subject_id INTEGER REFERENCES subjects(id),
                    UNIQUE (class_id, name)
                );
                CREATE TABLE study_group_members (
                    id INTEGER PRIMARY KEY,
                    group_id INTEGER NOT NULL REFERENCES study_groups(id),
                    student_id INTEGER NOT NULL REFERENCES students(id),
                    UNIQUE (group_id, student_id)
                );
                CREATE INDEX study_group_members_by_student ON study_group_members(student_id);

                ALTER TABLE assignments ADD COLUMN group_id INTEGER REFERENCES study_groups(id);

                -- Reporting periods per grade: a scheme ('10-11', '1-4,9') for the grades it names,
                -- and the default scheme ('') for every other grade.
                CREATE TABLE periods_v2 (
                    id INTEGER PRIMARY KEY,
                    year_id INTEGER NOT NULL REFERENCES school_years(id),
                    grades TEXT NOT NULL DEFAULT '',
                    ordinal INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    start_date TEXT NOT NULL,
                    end_date TEXT NOT NULL,
                    UNIQUE (year_id, grades, ordinal)
                );
                INSERT INTO periods_v2 (id, year_id, ordinal, name, start_date, end_date)
                    SELECT id, year_id, ordinal, name, start_date, end_date FROM periods;
                DROP TABLE periods;
                ALTER TABLE periods_v2 RENAME TO periods;

                -- Lessons gain a group (two groups of a class study at the same hour) and a
                -- control-work flag; a future lesson with the flag is a scheduled control work.
                CREATE TABLE lessons_v2 (
                    id INTEGER PRIMARY KEY,
                    class_id INTEGER NOT NULL REFERENCES classes(id),
                    group_id INTEGER REFERENCES study_groups(id),
                    subject_id INTEGER NOT NULL REFERENCES subjects(id),
                    teacher_id INTEGER NOT NULL REFERENCES accounts(id),
                    date TEXT NOT NULL,
                    number INTEGER NOT NULL,
                    topic TEXT,
                    homework TEXT,
                    control_work INTEGER NOT NULL DEFAULT 0
                );
                INSERT INTO lessons_v2 (id, class_id, subject_id, teacher_id, date, number, topic, homework,
                    control_work)
                    SELECT id, class_id, subject_id, teacher_id, date, number, topic, homework,
                           (topic LIKE 'Контрольная работа%') FROM lessons;
                DROP TABLE lessons;
                ALTER TABLE lessons_v2 RENAME TO lessons;
                CREATE UNIQUE INDEX lessons_by_slot ON lessons(class_id, date, number, ifnull(group_id, 0));
                CREATE INDEX lessons_by_subject ON lessons(class_id, subject_id, date);

                -- Corrections keep the row; a deletion marks it, so history and acknowledgements
                -- still know what was there.
                ALTER TABLE marks ADD COLUMN updated_at DATETIME;
                ALTER TABLE marks ADD COLUMN deleted_at DATETIME;
                ALTER TABLE absences ADD COLUMN updated_at DATETIME;
                ALTER TABLE absences ADD COLUMN deleted_at DATETIME;
                CREATE INDEX marks_by_lesson ON marks(lesson_id);
                CREATE INDEX absences_by_lesson ON absences(lesson_id);

                -- Period finals (period = the period's ordinal) and year finals (period = 0).
                CREATE TABLE finals (
                    id INTEGER PRIMARY KEY,
                    year_id INTEGER NOT NULL REFERENCES school_years(id),
                    student_id INTEGER NOT NULL REFERENCES students(id),
                    subject_id INTEGER NOT NULL REFERENCES subjects(id),
                    period INTEGER NOT NULL,
                    value TEXT NOT NULL CHECK (value IN ('1', '2', '3', '4', '5', 'pass', 'fail')),
                    revision INTEGER NOT NULL,
                    set_at DATETIME NOT NULL,
                    set_by INTEGER REFERENCES accounts(id),
                    deleted_at DATETIME,
                    UNIQUE (year_id, student_id, subject_id, period)
                );

                CREATE TABLE remarks (
                    id INTEGER PRIMARY KEY,
                    student_id INTEGER NOT NULL REFERENCES students(id),
                    author_id INTEGER NOT NULL REFERENCES accounts(id),
                    subject_id INTEGER REFERENCES subjects(id),
                    date TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('remark', 'recommendation')),
                    text TEXT NOT NULL,
                    revision INTEGER NOT NULL,
                    created_at DATETIME NOT NULL,
                    deleted_at DATETIME
                );
                CREATE INDEX remarks_by_student ON remarks(student_id, date);

                -- The weekly timetable (weekday 1 = Monday) and its dated changes.
                CREATE TABLE timetable (
                    id INTEGER PRIMARY KEY,
                    class_id INTEGER NOT NULL REFERENCES classes(id),
                    group_id INTEGER REFERENCES study_groups(id),
                    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 6),
                    number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 12),
                    subject_id INTEGER NOT NULL REFERENCES subjects(id),
                    teacher_id INTEGER NOT NULL REFERENCES accounts(id)
                );
                CREATE UNIQUE INDEX timetable_by_slot ON timetable(class_id, weekday, number, ifnull(group_id, 0));
                CREATE TABLE timetable_changes (
                    id INTEGER PRIMARY KEY,
                    class_id INTEGER NOT NULL REFERENCES classes(id),
                    group_id INTEGER REFERENCES study_groups(id),
                    date TEXT NOT NULL,
                    number INTEGER NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('substitution', 'moved', 'cancelled')),
                    teacher_id INTEGER REFERENCES accounts(id),
                    new_date TEXT,
                    new_number INTEGER,
                    created_at DATETIME NOT NULL,
                    created_by INTEGER REFERENCES accounts(id)
                );
                CREATE UNIQUE INDEX timetable_changes_by_slot ON timetable_changes(class_id, date, number,
                    ifnull(group_id, 0));

                -- Personal data (анкетные данные) of students and guardians, one row per field.
                CREATE TABLE person_details (
                    id INTEGER PRIMARY KEY,
                    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('student', 'guardian')),
                    owner_id INTEGER NOT NULL,
                    field TEXT NOT NULL,
                    value TEXT NOT NULL,
                    updated_at DATETIME NOT NULL,
                    updated_by INTEGER REFERENCES accounts(id),
                    UNIQUE (owner_kind, owner_id, field)
                );

                -- Student movement (движение): arrivals and departures with dates.
                ALTER TABLE students ADD COLUMN arrived_on TEXT;
                ALTER TABLE students ADD COLUMN left_on TEXT;
                CREATE TABLE student_movements (
                    id INTEGER PRIMARY KEY,
                    student_id INTEGER NOT NULL REFERENCES students(id),
                    kind TEXT NOT NULL CHECK (kind IN ('arrival', 'departure')),
                    date TEXT NOT NULL,
                    class_id INTEGER NOT NULL REFERENCES classes(id),
                    note TEXT NOT NULL DEFAULT '',
                    created_at DATETIME NOT NULL,
                    created_by INTEGER REFERENCES accounts(id)
                );
                CREATE INDEX student_movements_by_class ON student_movements(class_id, date);
                """)
        let context = AuditContext(actor: nil, sessionID: "migration:v2-journal", at: Date())
        try AuditedRows.baseline(db, context: context)
    }
}
