import ClassbookDomain
import Foundation

/// The journal on PostgreSQL: the same behaviour as `SQLiteJournalRepository` (the contract
/// tests run both). Every changed row of an audited table is audited in its transaction
/// (`PostgresAuditedRows`). Nothing is cached in the process: every node reads what any node
/// wrote.
public struct PostgresJournalRepository: JournalRepository {
    let store: PostgresStore
    var sql: SQL { store.sql }

    // MARK: Structure

    public func gradingRules() async throws -> GradingRules {
        try await store.memo.value("rules") { try await readGradingRules() }
    }

    private func readGradingRules() async throws -> GradingRules {
        // The kinds' weights and the settings in one statement.
        var weights: [String: Double] = [:]
        var settings: [String: String] = [:]
        for row in try await sql.rows(
            """
            SELECT 'weight', code, weight::text FROM mark_kinds
            UNION ALL SELECT 'setting', key, value FROM school_settings
            """
        ) {
            if row[0].string == "weight" {
                weights[row[1].string] = Double(row[2].string)
            } else {
                settings[row[1].string] = row[2].string
            }
        }
        return GradingRules(weights: weights, settings: settings)
    }

    public func updateSetting(_ setting: SchoolSetting, context: AuditContext) async throws {
        try await store.writing { sql, audit in
            let settings = "UPDATE school_settings SET value = ?1 WHERE key = ?2 RETURNING key"
            let (table, key, statement, value): (AuditedTable, String, String, any SQLArgument)
            switch setting {
            case .roundingThreshold(let number):
                (table, key, statement, value) = (.schoolSettings, "final_rounding_threshold", settings, String(number))
            case .missedDay(let rule):
                (table, key, statement, value) = (.schoolSettings, "missed_day_rule", settings, rule.setting)
            case .lateCountsAsMissed(let late):
                (table, key, statement, value) = (
                    .schoolSettings, "late_counts_as_missed", settings, late ? "yes" : "no"
                )
            case .weight(let kind, let weight):
                (table, key, statement, value) = (
                    .markKinds, kind, "UPDATE mark_kinds SET weight = ?1 WHERE code = ?2 RETURNING code", weight
                )
            case .other(let name, let text):
                (table, key, statement, value) = (.schoolSettings, name, settings, text)
            }
            guard try await sql.row(statement, value, key) != nil else { throw RepositoryError.notFound }
            try await PostgresAuditedRows.record(
                sql, audit, table, key: key, action: "school.settings", context: context)
        }
        store.memo.drop()
    }

    public func classes() async throws -> [SchoolClass] {
        try await sql.rows(
            """
            SELECT id, name, grade, class_teacher_id FROM classes
            WHERE year_id = (SELECT id FROM school_years ORDER BY start_date DESC LIMIT 1)
            ORDER BY grade, name
            """
        ).map { row in
            SchoolClass(
                id: ClassID(row[0].int), name: row[1].string, grade: Int(row[2].int),
                classTeacher: row[3].optionalInt.map(AccountID.init))
        }
    }

    public func subjects() async throws -> [Subject] {
        try await sql.rows("SELECT id, name FROM subjects ORDER BY name").map {
            Subject(id: SubjectID($0[0].int), name: $0[1].string)
        }
    }

    public func student(id: StudentID) async throws -> Student? {
        try await sql.row("SELECT \(PostgresDiaryRepository.studentColumns) WHERE s.id = ?", id.rawValue)
            .map(PostgresDiaryRepository.student)
    }

    public func students(inClass classID: ClassID, on date: SchoolDate) async throws -> [Student] {
        try await students(inClass: classID, from: date, through: date)
    }

    public func students(inClass classID: ClassID, from: SchoolDate, through: SchoolDate) async throws -> [Student] {
        try await sql.rows(
            """
            SELECT \(PostgresDiaryRepository.studentColumns)
            WHERE s.class_id = ?1 AND (s.arrived_on IS NULL OR s.arrived_on <= ?3)
                AND (s.left_on IS NULL OR s.left_on > ?2)
            ORDER BY s.last_name, s.first_name, s.id
            """, classID.rawValue, from, through
        ).map(PostgresDiaryRepository.student)
    }

    public func enrollments(inClass classID: ClassID) async throws -> [StudentID: Enrollment] {
        var result: [StudentID: Enrollment] = [:]
        for row in try await sql.rows(
            "SELECT id, arrived_on, left_on FROM students WHERE class_id = ?", classID.rawValue)
        {
            result[StudentID(row[0].int)] = Enrollment(arrivedOn: row[1].schoolDate, leftOn: row[2].schoolDate)
        }
        return result
    }

    public func groups(inClass classID: ClassID) async throws -> [StudyGroup] {
        try await store.read { sql in
            var byGroup: [Int64: [StudentID]] = [:]
            for row in try await sql.rows(
                """
                SELECT m.group_id, m.student_id FROM study_group_members m JOIN study_groups g ON g.id = m.group_id
                WHERE g.class_id = ? ORDER BY m.student_id
                """, classID.rawValue)
            {
                byGroup[row[0].int, default: []].append(StudentID(row[1].int))
            }
            return try await sql.rows(
                """
                SELECT g.id, g.class_id, g.name, s.name AS subject
                FROM study_groups g LEFT JOIN subjects s ON s.id = g.subject_id
                WHERE g.class_id = ? ORDER BY g.name
                """, classID.rawValue
            ).map { row in
                StudyGroup(
                    id: GroupID(row[0].int), classID: ClassID(row[1].int), name: row[2].string,
                    subject: row[3].optionalString, members: byGroup[row[0].int] ?? [])
            }
        }
    }

    private static let assignmentQuery = """
        SELECT a.teacher_id, t.display_name AS teacher_name, s.id AS subject_id, s.name AS subject_name,
               c.id AS class_id, c.name AS class_name, a.group_id, g.name AS group_name
        FROM assignments a JOIN accounts t ON t.id = a.teacher_id JOIN subjects s ON s.id = a.subject_id
        JOIN classes c ON c.id = a.class_id LEFT JOIN study_groups g ON g.id = a.group_id
        """

    public func assignments(teacher: AccountID) async throws -> [Assignment] {
        try await sql.rows(
            Self.assignmentQuery + " WHERE a.teacher_id = ? ORDER BY c.grade, c.name, s.name", teacher.rawValue
        ).map(Self.assignment)
    }

    public func assignments(inClass classID: ClassID) async throws -> [Assignment] {
        try await sql.rows(
            Self.assignmentQuery + " WHERE a.class_id = ? ORDER BY s.name, g.name NULLS FIRST", classID.rawValue
        ).map(Self.assignment)
    }

    public func accountName(_ id: AccountID) async throws -> String? {
        try await sql.value("SELECT display_name FROM accounts WHERE id = ?", id.rawValue).optionalString
    }

    public func accountLogin(of student: StudentID) async throws -> String? {
        try await sql.value(
            "SELECT a.login FROM students s JOIN accounts a ON a.id = s.account_id WHERE s.id = ?", student.rawValue
        ).optionalString
    }

    public func staff(login: String) async throws -> Account? {
        let account = try await sql.row(
            "SELECT \(PostgresAccountRepository.columns) FROM accounts a WHERE a.login = ?", login.lowercased()
        ).map { PostgresAccountRepository.account($0).account }
        return account?.roles.contains(.teacher) == true ? account : nil
    }

    public func holidays(on date: SchoolDate) async throws -> [Holiday] {
        try await store.memo.value("holidays \(date.iso)") {
            try await sql.rows(
                "SELECT name, start_date, end_date FROM holidays WHERE year_id = \(PostgresDiaryRepository.yearOfDate) "
                    + "ORDER BY start_date", date)
        }.compactMap { row in
            guard let start = row[1].schoolDate, let end = row[2].schoolDate else { return nil }
            return Holiday(name: row[0].string, start: start, end: end)
        }
    }

    // MARK: Timetable

    public func timetable(ofClass classID: ClassID) async throws -> [TimetableSlot] {
        try await sql.rows(
            """
            SELECT t.group_id, g.name AS group_name, t.weekday, t.number, t.subject_id, s.name AS subject_name,
                t.teacher_id, a.display_name AS teacher_name
            FROM timetable t JOIN subjects s ON s.id = t.subject_id JOIN accounts a ON a.id = t.teacher_id
            LEFT JOIN study_groups g ON g.id = t.group_id
            WHERE t.class_id = ? ORDER BY t.weekday, t.number, g.name NULLS FIRST
            """, classID.rawValue
        ).map { row in
            TimetableSlot(
                classID: classID, group: row[0].optionalInt.map(GroupID.init), groupName: row[1].optionalString,
                weekday: Int(row[2].int), number: Int(row[3].int),
                subject: Subject(id: SubjectID(row[4].int), name: row[5].string),
                teacher: AccountID(row[6].int), teacherName: row[7].string)
        }
    }

    public func timetableChanges(ofClass classID: ClassID, from: SchoolDate, through: SchoolDate) async throws
        -> [TimetableChangeRecord]
    {
        try await sql.rows(
            """
            SELECT c.kind, c.teacher_id, a.display_name AS teacher_name, c.new_date, c.new_number, c.group_id, c.date,
                c.number
            FROM timetable_changes c LEFT JOIN accounts a ON a.id = c.teacher_id
            WHERE c.class_id = ?1 AND ((c.date BETWEEN ?2 AND ?3) OR (c.new_date BETWEEN ?2 AND ?3))
            ORDER BY c.date, c.number
            """, classID.rawValue, from, through
        ).compactMap { row in
            let change: TimetableChange
            switch row[0].string {
            case "substitution":
                change = .substitution(teacher: AccountID(row[1].int), teacherName: row[2].string)
            case "moved":
                guard let date = row[3].schoolDate else { return nil }
                change = .moved(to: date, number: Int(row[4].int))
            default: change = .cancelled
            }
            guard let date = row[6].schoolDate else { return nil }
            return TimetableChangeRecord(
                classID: classID, group: row[5].optionalInt.map(GroupID.init), date: date, number: Int(row[7].int),
                change: change)
        }
    }

    public func recordTimetableChange(_ record: TimetableChangeRecord, context: AuditContext) async throws {
        try await store.writing { sql, audit in
            var teacher: Int64?
            var newDate: SchoolDate?
            var newNumber: Int?
            let kind: String
            switch record.change {
            case .substitution(let id, _): kind = "substitution"; teacher = id.rawValue
            case .moved(let date, let number): kind = "moved"; newDate = date; newNumber = number
            case .cancelled: kind = "cancelled"
            }
            let existing = try await sql.value(
                """
                SELECT id FROM timetable_changes WHERE class_id = ? AND date = ? AND number = ?
                    AND coalesce(group_id, 0) = coalesce(?::bigint, 0)
                """, record.classID.rawValue, record.date, record.number, record.group?.rawValue
            ).optionalInt
            let id: Int64
            if let existing {
                try await sql.execute(
                    """
                    UPDATE timetable_changes SET kind = ?, teacher_id = ?::bigint, new_date = ?::text,
                        new_number = ?::integer, created_at = ?, created_by = ?::bigint
                    WHERE id = ?
                    """, kind, teacher, newDate, newNumber, context.at, context.actor?.rawValue, existing)
                id = existing
            } else {
                id = try await sql.value(
                    """
                    INSERT INTO timetable_changes (class_id, group_id, date, number, kind, teacher_id, new_date,
                        new_number, created_at, created_by)
                    VALUES (?, ?::bigint, ?, ?, ?, ?::bigint, ?::text, ?::integer, ?, ?::bigint) RETURNING id
                    """, record.classID.rawValue, record.group?.rawValue, record.date, record.number, kind, teacher,
                    newDate, newNumber, context.at, context.actor?.rawValue
                ).int
            }
            try await PostgresAuditedRows.record(
                sql, audit, .timetableChanges, id: id, action: "timetable.change", context: context)
        }
    }

    // MARK: Lessons

    static let lessonQuery = """
        SELECT l.id, l.class_id, l.group_id, l.subject_id, s.name AS subject_name, l.teacher_id, l.date, l.number,
            l.topic, l.homework, l.control_work
        FROM lessons l JOIN subjects s ON s.id = l.subject_id
        """

    static func lesson(_ row: SQLRow) -> Lesson? {
        guard let date = row[6].schoolDate else { return nil }
        return Lesson(
            id: LessonID(row[0].int), classID: ClassID(row[1].int), group: row[2].optionalInt.map(GroupID.init),
            subject: Subject(id: SubjectID(row[3].int), name: row[4].string), teacher: AccountID(row[5].int),
            date: date, number: Int(row[7].int), topic: row[8].optionalString, homework: row[9].optionalString,
            isControlWork: row[10].bool)
    }

    public func lessons(ofClass classID: ClassID, subject: SubjectID?, from: SchoolDate, through: SchoolDate)
        async throws -> [Lesson]
    {
        try await sql.rows(
            Self.lessonQuery + """
                 WHERE l.class_id = ?1 AND (?2::bigint IS NULL OR l.subject_id = ?2) AND l.date BETWEEN ?3 AND ?4
                ORDER BY l.date, l.number, l.group_id NULLS FIRST
                """, classID.rawValue, subject?.rawValue, from, through
        ).compactMap(Self.lesson)
    }

    public func lesson(
        classID: ClassID, group: GroupID?, subject: SubjectID, teacher: AccountID, date: SchoolDate, number: Int,
        context: AuditContext
    ) async throws -> Lesson {
        try await store.writing { sql, audit in
            if let row = try await sql.row(
                Self.lessonQuery + """
                     WHERE l.class_id = ? AND l.date = ? AND l.number = ?
                        AND coalesce(l.group_id, 0) = coalesce(?::bigint, 0)
                    """, classID.rawValue, date, number, group?.rawValue), let lesson = Self.lesson(row)
            {
                guard lesson.subject.id == subject else {
                    throw JournalError.slotTaken(date: date, number: number, subject: lesson.subject.name)
                }
                return lesson
            }
            let id = try await sql.value(
                """
                INSERT INTO lessons (class_id, group_id, subject_id, teacher_id, date, number)
                VALUES (?, ?::bigint, ?, ?, ?, ?) RETURNING id
                """, classID.rawValue, group?.rawValue, subject.rawValue, teacher.rawValue, date, number
            ).int
            try await PostgresAuditedRows.record(
                sql, audit, .lessons, key: String(id), action: "journal.lesson.create", context: context, isNew: true)
            guard let row = try await sql.row(Self.lessonQuery + " WHERE l.id = ?", id), let lesson = Self.lesson(row)
            else { throw RepositoryError.notFound }
            return lesson
        }
    }

    public func updateLesson(_ id: LessonID, _ update: LessonUpdate, context: AuditContext) async throws -> Lesson {
        try await store.writing { sql, audit in
            if let topic = update.topic {
                try await sql.execute(
                    "UPDATE lessons SET topic = ?::text WHERE id = ?", topic.isEmpty ? nil : topic, id.rawValue)
            }
            if let homework = update.homework {
                try await sql.execute(
                    "UPDATE lessons SET homework = ?::text WHERE id = ?", homework.isEmpty ? nil : homework, id.rawValue
                )
            }
            if let control = update.isControlWork {
                try await sql.execute("UPDATE lessons SET control_work = ? WHERE id = ?", control, id.rawValue)
            }
            try await PostgresAuditedRows.record(
                sql, audit, .lessons, id: id.rawValue, action: "journal.lesson.update", context: context)
            guard let row = try await sql.row(Self.lessonQuery + " WHERE l.id = ?", id.rawValue),
                let lesson = Self.lesson(row)
            else { throw RepositoryError.notFound }
            return lesson
        }
    }

    // MARK: Helpers shared by the journal's files

    /// The school year of a date (`PostgresDiaryRepository.yearOfDate`).
    static func yearID(_ sql: SQL, on date: SchoolDate) async throws -> Int64? {
        try await sql.value("SELECT \(PostgresDiaryRepository.yearOfDate)", date).optionalInt
    }

    /// The next value of the diary's revision counter: every change to a diary entry takes one.
    /// The counter's row stays locked until the transaction ends, so revisions follow commits.
    static func nextRevision(_ sql: SQL) async throws -> Int64 {
        try await sql.value("UPDATE counters SET value = value + 1 WHERE name = 'diary_revision' RETURNING value").int
    }

    static func assignment(_ row: SQLRow) -> Assignment {
        Assignment(
            teacher: AccountID(row[0].int), teacherName: row[1].string,
            subject: Subject(id: SubjectID(row[2].int), name: row[3].string),
            classID: ClassID(row[4].int), className: row[5].string,
            group: row[6].optionalInt.map(GroupID.init), groupName: row[7].optionalString)
    }
}

extension PostgresStore {
    public var journal: PostgresJournalRepository { PostgresJournalRepository(store: self) }
}
