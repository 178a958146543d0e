import ClassbookDomain
import Foundation
import GRDB

/// The journal in SQLite: the school's structure, timetable, lessons and the entries in
/// them. Writes go through `AuditedRows`, so every changed row is audited in its transaction.
public struct SQLiteJournalRepository: JournalRepository {
    let pool: DatabasePool
    /// Where writes go: concurrent ones share a transaction (group commit).
    let writer: GroupCommit
    /// The calendar and grading rules, read by every diary command (see `StructureCache`).
    let cache: StructureCache
    /// Connections for one-statement reads (see `PointReaders`).
    let readers: PointReaders

    // MARK: Structure

    public func gradingRules() async throws -> GradingRules {
        try cache.value(.gradingRules) {
            try readers.read { db in
                var weights: [String: Double] = [:]
                for row in try Row.fetchAll(db, prepared: "SELECT code, weight FROM mark_kinds") {
                    weights[row["code"]] = row["weight"]
                }
                let settings = Dictionary(
                    uniqueKeysWithValues: try Row.fetchAll(db, prepared: "SELECT key, value FROM school_settings")
                        .map { ($0["key"] as String, $0["value"] as String) })
                return GradingRules(weights: weights, settings: settings)
            }
        }
    }

    public func updateSetting(_ setting: SchoolSetting, context: AuditContext) async throws {
        try await writer.write { db in
            let (table, key, sql, value): (AuditedTable, String, String, any DatabaseValueConvertible)
            switch setting {
            case .roundingThreshold(let number):
                (table, key, sql, value) = (
                    .schoolSettings, "final_rounding_threshold", "UPDATE school_settings SET value = ?1 WHERE key = ?2",
                    String(number)
                )
            case .missedDay(let rule):
                (table, key, sql, value) = (
                    .schoolSettings, "missed_day_rule", "UPDATE school_settings SET value = ?1 WHERE key = ?2",
                    rule.setting
                )
            case .lateCountsAsMissed(let late):
                (table, key, sql, value) = (
                    .schoolSettings, "late_counts_as_missed", "UPDATE school_settings SET value = ?1 WHERE key = ?2",
                    late ? "yes" : "no"
                )
            case .weight(let kind, let weight):
                (table, key, sql, value) = (
                    .markKinds, kind, "UPDATE mark_kinds SET weight = ?1 WHERE code = ?2", weight
                )
            case .other(let name, let text):
                (table, key, sql, value) = (
                    .schoolSettings, name, "UPDATE school_settings SET value = ?1 WHERE key = ?2", text
                )
            }
            try db.execute(sql: sql, arguments: [value, key])
            guard db.changesCount == 1 else { throw RepositoryError.notFound }
            try AuditedRows.record(db, table, key: key, action: "school.settings", context: context)
        }
    }

    /// The classes of the current year (through the structure cache: the digest and the
    /// journal commands ask for them again and again).
    public func classes() async throws -> [SchoolClass] {
        try cache.value(.classes) {
            try readers.read { db in
                try Row.map(
                    db.cachedStatement(
                        sql: """
                            SELECT id, name, grade, class_teacher_id FROM classes
                            WHERE year_id = (SELECT id FROM school_years ORDER BY start_date DESC LIMIT 1)
                            ORDER BY grade, name
                            """)
                ) { row in
                    SchoolClass(
                        id: ClassID(row[0]), name: row[1], grade: row[2],
                        classTeacher: (row[3] as Int64?).map(AccountID.init))
                }
            }
        }
    }

    public func subjects() async throws -> [Subject] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name FROM subjects ORDER BY name").map(Self.subject)
        }
    }

    public func student(id: StudentID) async throws -> Student? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(SQLiteDiaryRepository.studentColumns) WHERE s.id = ?", arguments: [id.rawValue]
            )
            .map(SQLiteDiaryRepository.student)
        }
    }

    public func students(inClass classID: ClassID, on date: SchoolDate) async throws -> [Student] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                prepared: """
                    SELECT \(SQLiteDiaryRepository.studentColumns)
                    WHERE s.class_id = ? AND (s.arrived_on IS NULL OR s.arrived_on <= ?2) AND (s.left_on IS NULL OR
                        s.left_on > ?2)
                    ORDER BY s.last_name, s.first_name, s.id
                    """, arguments: [classID.rawValue, date.iso]
            ).map(SQLiteDiaryRepository.student)
        }
    }

    public func students(inClass classID: ClassID, from: SchoolDate, through: SchoolDate) async throws -> [Student] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                prepared: """
                    SELECT \(SQLiteDiaryRepository.studentColumns)
                    WHERE s.class_id = ? AND (s.arrived_on IS NULL OR s.arrived_on <= ?3) AND (s.left_on IS NULL OR
                        s.left_on > ?2)
                    ORDER BY s.last_name, s.first_name, s.id
                    """, arguments: [classID.rawValue, from.iso, through.iso]
            ).map(SQLiteDiaryRepository.student)
        }
    }

    public func enrollments(inClass classID: ClassID) async throws -> [StudentID: Enrollment] {
        try await pool.read { db in
            var result: [StudentID: Enrollment] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT id, arrived_on, left_on FROM students WHERE class_id = ?",
                arguments: [classID.rawValue])
            {
                let arrived: String? = row["arrived_on"]
                let left: String? = row["left_on"]
                result[StudentID(row["id"] as Int64)] = Enrollment(
                    arrivedOn: arrived.flatMap(SchoolDate.init(iso:)),
                    leftOn: left.flatMap(SchoolDate.init(iso:)))
            }
            return result
        }
    }

    public func groups(inClass classID: ClassID) async throws -> [StudyGroup] {
        try await pool.read { db in
            let members = try Row.fetchAll(
                db,
                prepared: """
                    SELECT m.group_id, m.student_id FROM study_group_members m JOIN study_groups g ON g.id = m.group_id
                    WHERE g.class_id = ? ORDER BY m.student_id
                    """, arguments: [classID.rawValue])
            var byGroup: [Int64: [StudentID]] = [:]
            for row in members { byGroup[row["group_id"], default: []].append(StudentID(row["student_id"])) }
            return try Row.fetchAll(
                db,
                prepared: """
                    SELECT g.id, g.class_id, g.name, s.name AS subject FROM study_groups g LEFT JOIN subjects s ON s.id
                        = g.subject_id
                    WHERE g.class_id = ? ORDER BY g.name
                    """, arguments: [classID.rawValue]
            ).map { row in
                StudyGroup(
                    id: GroupID(row["id"]), classID: ClassID(row["class_id"]), name: row["name"],
                    subject: row["subject"],
                    members: byGroup[row["id"]] ?? [])
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
        try await pool.read { db in
            try Row.fetchAll(
                db, prepared: Self.assignmentQuery + " WHERE a.teacher_id = ? ORDER BY c.grade, c.name, s.name",
                arguments: [teacher.rawValue]
            ).map(Self.assignment)
        }
    }

    public func assignments(inClass classID: ClassID) async throws -> [Assignment] {
        try await pool.read { db in
            try Row.map(
                db.cachedStatement(sql: Self.assignmentQuery + " WHERE a.class_id = ? ORDER BY s.name, g.name"),
                arguments: [classID.rawValue], Self.assignment)
        }
    }

    public func accountName(_ id: AccountID) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT display_name FROM accounts WHERE id = ?", arguments: [id.rawValue])
        }
    }

    public func accountLogin(of student: StudentID) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT a.login FROM students s JOIN accounts a ON a.id = s.account_id WHERE s.id = ?",
                arguments: [student.rawValue])
        }
    }

    public func staff(login: String) async throws -> Account? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM accounts WHERE login = ?", arguments: [login.lowercased()])
            else {
                return nil
            }
            let account = try SQLiteAccountRepository.account(row, db)
            return account.roles.contains(.teacher) ? account : nil
        }
    }

    public func holidays(on date: SchoolDate) async throws -> [Holiday] {
        try await pool.read { db in
            guard let year = try Self.yearID(db, on: date) else { return [] }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM holidays WHERE year_id = ? ORDER BY start_date", arguments: [year]
            ).map { row in
                Holiday(
                    name: row["name"], start: SchoolDate(iso: row["start_date"])!,
                    end: SchoolDate(iso: row["end_date"])!)
            }
        }
    }

    // MARK: Timetable

    public func timetable(ofClass classID: ClassID) async throws -> [TimetableSlot] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.*, s.name AS subject_name, a.display_name AS teacher_name, g.name AS group_name
                    FROM timetable t JOIN subjects s ON s.id = t.subject_id JOIN accounts a ON a.id = t.teacher_id
                    LEFT JOIN study_groups g ON g.id = t.group_id
                    WHERE t.class_id = ? ORDER BY t.weekday, t.number, g.name
                    """, arguments: [classID.rawValue]
            ).map { row in
                TimetableSlot(
                    classID: classID, group: (row["group_id"] as Int64?).map(GroupID.init),
                    groupName: row["group_name"],
                    weekday: row["weekday"], number: row["number"],
                    subject: Subject(id: SubjectID(row["subject_id"]), name: row["subject_name"]),
                    teacher: AccountID(row["teacher_id"]), teacherName: row["teacher_name"])
            }
        }
    }

    public func timetableChanges(ofClass classID: ClassID, from: SchoolDate, through: SchoolDate) async throws
        -> [TimetableChangeRecord]
    {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.*, a.display_name AS teacher_name FROM timetable_changes c LEFT JOIN accounts a ON a.id =
                        c.teacher_id
                    WHERE c.class_id = ?1 AND ((c.date BETWEEN ?2 AND ?3) OR (c.new_date BETWEEN ?2 AND ?3))
                    ORDER BY c.date, c.number
                    """, arguments: [classID.rawValue, from.iso, through.iso]
            ).compactMap { row in
                let change: TimetableChange
                switch row["kind"] as String {
                case "substitution":
                    change = .substitution(teacher: AccountID(row["teacher_id"]), teacherName: row["teacher_name"])
                case "moved": change = .moved(to: SchoolDate(iso: row["new_date"])!, number: row["new_number"])
                default: change = .cancelled
                }
                return TimetableChangeRecord(
                    classID: classID, group: (row["group_id"] as Int64?).map(GroupID.init),
                    date: SchoolDate(iso: row["date"])!, number: row["number"], change: change)
            }
        }
    }

    public func recordTimetableChange(_ record: TimetableChangeRecord, context: AuditContext) async throws {
        try await writer.write { db in
            var teacher: Int64?
            var newDate: String?
            var newNumber: Int?
            let kind: String
            switch record.change {
            case .substitution(let id, _): kind = "substitution"; teacher = id.rawValue
            case .moved(let date, let number): kind = "moved"; newDate = date.iso; newNumber = number
            case .cancelled: kind = "cancelled"
            }
            let existing = try Int64.fetchOne(
                db,
                sql: """
                    SELECT id FROM timetable_changes WHERE class_id = ? AND date = ? AND number = ? AND
                        ifnull(group_id, 0) = ifnull(?, 0)
                    """, arguments: [record.classID.rawValue, record.date.iso, record.number, record.group?.rawValue])
            let id: Int64
            if let existing {
                try db.execute(
                    sql: """
                        UPDATE timetable_changes SET kind = ?, teacher_id = ?, new_date = ?, new_number = ?, created_at
                            = ?, created_by = ?
                        WHERE id = ?
                        """,
                    arguments: [kind, teacher, newDate, newNumber, context.at, context.actor?.rawValue, existing])
                id = existing
            } else {
                try db.execute(
                    sql: """
                        INSERT INTO timetable_changes (class_id, group_id, date, number, kind, teacher_id, new_date,
                            new_number, created_at, created_by)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        record.classID.rawValue, record.group?.rawValue, record.date.iso, record.number, kind, teacher,
                        newDate, newNumber, context.at, context.actor?.rawValue
                    ])
                id = db.lastInsertedRowID
            }
            try AuditedRows.record(db, .timetableChanges, id: id, action: "timetable.change", context: context)
        }
    }

    // MARK: Lessons

    private static let lessonQuery = """
        SELECT l.*, s.name AS subject_name FROM lessons l JOIN subjects s ON s.id = l.subject_id
        """

    public func lessons(ofClass classID: ClassID, subject: SubjectID?, from: SchoolDate, through: SchoolDate)
        async throws -> [Lesson]
    {
        try await pool.read { db in
            try Row.map(
                db.cachedStatement(
                    sql: Self.lessonQuery + """
                         WHERE l.class_id = ? AND (?2 IS NULL OR l.subject_id = ?2) AND l.date BETWEEN ? AND ? ORDER BY
                             l.date, l.number, l.group_id
                        """), arguments: [classID.rawValue, subject?.rawValue, from.iso, through.iso], Self.lesson)
        }
    }

    public func lesson(
        classID: ClassID, group: GroupID?, subject: SubjectID, teacher: AccountID, date: SchoolDate, number: Int,
        context: AuditContext
    ) async throws -> Lesson {
        try await writer.write { db in
            if let row = try Row.fetchOne(
                db,
                sql: Self.lessonQuery + """
                     WHERE l.class_id = ? AND l.date = ? AND l.number = ? AND ifnull(l.group_id, 0) = ifnull(?, 0)
                    """, arguments: [classID.rawValue, date.iso, number, group?.rawValue])
            {
                let lesson = Self.lesson(row)
                guard lesson.subject.id == subject else {
                    throw JournalError.slotTaken(date: date, number: number, subject: lesson.subject.name)
                }
                return lesson
            }
            try db.execute(
                sql: """
                    INSERT INTO lessons (class_id, group_id, subject_id, teacher_id, date, number) VALUES (?, ?, ?, ?,
                        ?, ?)
                    """,
                arguments: [classID.rawValue, group?.rawValue, subject.rawValue, teacher.rawValue, date.iso, number])
            let id = db.lastInsertedRowID
            try AuditedRows.record(
                db, .lessons, key: String(id), action: "journal.lesson.create", context: context, isNew: true)
            return Self.lesson(try Row.fetchOne(db, sql: Self.lessonQuery + " WHERE l.id = ?", arguments: [id])!)
        }
    }

    public func updateLesson(_ id: LessonID, _ update: LessonUpdate, context: AuditContext) async throws -> Lesson {
        try await writer.write { db in
            if let topic = update.topic {
                try db.execute(
                    sql: "UPDATE lessons SET topic = ? WHERE id = ?",
                    arguments: [topic.isEmpty ? nil : topic, id.rawValue])
            }
            if let homework = update.homework {
                try db.execute(
                    sql: "UPDATE lessons SET homework = ? WHERE id = ?",
                    arguments: [homework.isEmpty ? nil : homework, id.rawValue])
            }
            if let control = update.isControlWork {
                try db.execute(
                    sql: "UPDATE lessons SET control_work = ? WHERE id = ?", arguments: [control, id.rawValue])
            }
            try AuditedRows.record(db, .lessons, id: id.rawValue, action: "journal.lesson.update", context: context)
            guard let row = try Row.fetchOne(db, sql: Self.lessonQuery + " WHERE l.id = ?", arguments: [id.rawValue])
            else {
                throw RepositoryError.notFound
            }
            return Self.lesson(row)
        }
    }

    // MARK: Helpers shared by the journal's files

    /// `yearID(_:on:)` through the structure cache, for reads outside a write.
    func cachedYearID(on date: SchoolDate) throws -> Int64? {
        try cache.value(.year(date)) { try readers.read { db in try Self.yearID(db, on: date) } }
    }

    static func yearID(_ db: Database, on date: SchoolDate) throws -> Int64? {
        try Int64.fetchOne(
            db,
            prepared: """
                SELECT id FROM school_years
                ORDER BY (start_date <= ?1 AND ?1 <= end_date) DESC, (start_date <= ?1) DESC, start_date DESC
                LIMIT 1
                """, arguments: [date.iso])
    }

    /// The next value of the diary's revision counter: every change to a diary entry takes one.
    static func nextRevision(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db, prepared: "UPDATE counters SET value = value + 1 WHERE name = 'diary_revision' RETURNING value")!
    }

    static func subject(_ row: Row) -> Subject {
        Subject(id: SubjectID(row["id"]), name: row["name"])
    }

    static func lesson(_ row: Row) -> Lesson {
        Lesson(
            id: LessonID(row["id"]), classID: ClassID(row["class_id"]),
            group: (row["group_id"] as Int64?).map(GroupID.init),
            subject: Subject(id: SubjectID(row["subject_id"]), name: row["subject_name"]),
            teacher: AccountID(row["teacher_id"]),
            date: SchoolDate(iso: row["date"])!, number: row["number"], topic: row["topic"], homework: row["homework"],
            isControlWork: row["control_work"])
    }

    static func assignment(_ row: Row) -> Assignment {
        Assignment(
            teacher: AccountID(row["teacher_id"]), teacherName: row["teacher_name"],
            subject: Subject(id: SubjectID(row["subject_id"]), name: row["subject_name"]),
            classID: ClassID(row["class_id"]), className: row["class_name"],
            group: (row["group_id"] as Int64?).map(GroupID.init), groupName: row["group_name"])
    }
}
