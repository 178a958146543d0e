import ClassbookDomain
import Foundation

/// The diary on PostgreSQL: the same behaviour as `SQLiteDiaryRepository` (the contract tests
/// run both). Nothing is cached in the process: every node reads what any node wrote.
public struct PostgresDiaryRepository: DiaryRepository {
    let store: PostgresStore
    private var sql: SQL { store.sql }

    /// A student's columns (read by `student(_:)` from the row's start) and where they come from.
    static let studentFields = "s.id, s.last_name, s.first_name, s.class_id, c.name AS class_name, c.grade"
    static let studentsTable = "FROM students s JOIN classes c ON c.id = s.class_id"
    static let studentColumns = studentFields + " " + studentsTable

    /// A student from a row that starts with `studentColumns`.
    static func student(_ row: SQLRow) -> Student {
        Student(
            id: StudentID(row[0].int), lastName: row[1].string, firstName: row[2].string,
            classID: ClassID(row[3].int), className: row[4].string, grade: Int(row[5].int))
    }

    /// Kept in memory until the students, guardianships or classes change on any node (every
    /// diary command reads it twice: whose diary, then the access check).
    public func studentsInCare(of guardian: AccountID) async throws -> [Student] {
        try await store.memo.value("care \(guardian.rawValue)") { try await readStudentsInCare(of: guardian) }
    }

    private func readStudentsInCare(of guardian: AccountID) async throws -> [Student] {
        try await sql.rows(
            """
            SELECT \(Self.studentColumns)
            JOIN guardianships g ON g.student_id = s.id
            WHERE g.guardian_id = ? ORDER BY s.last_name, s.first_name, s.id
            """, guardian.rawValue
        ).map(Self.student)
    }

    /// Answered from the guardian's children as kept (`studentsInCare`).
    public func isGuardian(_ guardian: AccountID, of student: StudentID) async throws -> Bool {
        try await studentsInCare(of: guardian).contains { $0.id == student }
    }

    public func student(ownedBy account: AccountID) async throws -> Student? {
        try await store.memo.value("owned \(account.rawValue)") {
            try await sql.row("SELECT \(Self.studentColumns) WHERE s.account_id = ?", account.rawValue).map(
                Self.student)
        }
    }

    public func accountOf(student: StudentID) async throws -> Account? {
        try await sql.row(
            """
            SELECT \(PostgresAccountRepository.columns) FROM accounts a JOIN students s ON s.account_id = a.id
            WHERE s.id = ?
            """, student.rawValue
        ).map { PostgresAccountRepository.account($0).account }
    }

    public func accountExists(login: String) async throws -> Bool {
        try await sql.row("SELECT 1 FROM accounts WHERE login = ?", login) != nil
    }

    /// The school year of a date: the one containing it, else the latest that has begun, else the
    /// first (a subquery with the date as `?1`).
    static let yearOfDate = """
        (SELECT id FROM school_years
         ORDER BY (start_date <= ?1 AND ?1 <= end_date) DESC, (start_date <= ?1) DESC, start_date DESC LIMIT 1)
        """

    public func periods(on date: SchoolDate, grade: Int) async throws -> [Period] {
        // Every diary command asks: kept in memory until the structure changes.
        let rows = try await store.memo.value("periods \(date.iso)") {
            try await sql.rows(
                "SELECT grades, ordinal, name, start_date, end_date FROM periods WHERE year_id = \(Self.yearOfDate) "
                    + "ORDER BY ordinal", date)
        }
        let schemes = Set(rows.map { $0[0].string })
        let scheme = schemes.first { !$0.isEmpty && GradeRange(parsing: $0)?.contains(grade) == true } ?? ""
        return rows.filter { $0[0].string == scheme }.compactMap { row in
            guard let start = row[3].schoolDate, let end = row[4].schoolDate else { return nil }
            return Period(ordinal: Int(row[1].int), name: row[2].string, start: start, end: end)
        }
    }

    public func marks(of student: StudentID, from: SchoolDate, through: SchoolDate) async throws -> [MarkEntry] {
        try await sql.rows(
            """
            SELECT m.id, l.date, sub.name AS subject, m.value, m.kind, coalesce(k.weight, m.weight), m.comment
            FROM marks m JOIN lessons l ON l.id = m.lesson_id JOIN subjects sub ON sub.id = l.subject_id
            LEFT JOIN mark_kinds k ON k.code = m.kind
            WHERE m.student_id = ? AND l.date BETWEEN ? AND ? AND m.deleted_at IS NULL
            ORDER BY l.date, l.number, m.id
            """, student.rawValue, from, through
        ).compactMap { row in
            guard let value = MarkValue(storage: row[3].string), let date = row[1].schoolDate else { return nil }
            return MarkEntry(
                id: row[0].int, date: date, subject: row[2].string, value: value, kind: row[4].string,
                weight: row[5].double, comment: row[6].optionalString)
        }
    }

    public func marksStamp(of student: StudentID) async throws -> MarksStamp {
        let revision = try await sql.value(
            """
            SELECT greatest(coalesce((SELECT max(revision) FROM marks WHERE student_id = ?1), 0),
                            coalesce((SELECT max(revision) FROM finals WHERE student_id = ?1), 0))
            """, student.rawValue
        ).int
        return MarksStamp(revision: revision, weights: try await weights())
    }

    /// The mark kinds' weights, which override a mark's own (kept until the structure changes).
    func weights() async throws -> [String: Double] {
        try await store.memo.value("weights") {
            var weights: [String: Double] = [:]
            for row in try await sql.rows("SELECT code, weight FROM mark_kinds") {
                weights[row[0].string] = row[1].double
            }
            return weights
        }
    }

    public func absences(of student: StudentID, from: SchoolDate, through: SchoolDate) async throws -> [AbsenceEntry] {
        try await sql.rows(
            """
            SELECT a.id, l.date, l.number, sub.name AS subject, a.reason
            FROM absences a JOIN lessons l ON l.id = a.lesson_id JOIN subjects sub ON sub.id = l.subject_id
            WHERE a.student_id = ? AND l.date BETWEEN ? AND ? AND a.deleted_at IS NULL
            ORDER BY l.date, l.number
            """, student.rawValue, from, through
        ).compactMap { row in
            guard let reason = AbsenceReason(rawValue: row["reason"].string), let date = row["date"].schoolDate else {
                return nil
            }
            return AbsenceEntry(
                id: row["id"].int, date: date, lessonNumber: Int(row["number"].int), subject: row["subject"].string,
                reason: reason)
        }
    }

    public func acknowledge(student: StudentID, guardian: AccountID, context: AuditContext) async throws
        -> Acknowledgement?
    {
        try await store.audited.write { [logger = store.logger] connection, audit in
            let sql = SQL(runner: connection, logger: logger)
            let since =
                try await sql.value(
                    "SELECT max(up_to_revision) FROM acknowledgements WHERE student_id = ? AND guardian_id = ?",
                    student.rawValue, guardian.rawValue
                ).optionalInt ?? 0
            let entries = try await sql.rows(
                """
                SELECT 'mark' AS kind, id, revision FROM marks WHERE student_id = ?1 AND revision > ?2
                UNION ALL SELECT 'absence', id, revision FROM absences WHERE student_id = ?1 AND revision > ?2
                """, student.rawValue, since)
            if entries.isEmpty { return nil }
            let marks = entries.filter { $0[0].string == "mark" }.count
            let absences = entries.count - marks
            let upTo = entries.map { $0[2].int }.max() ?? since
            let id = try await sql.value(
                """
                INSERT INTO acknowledgements (guardian_id, student_id, acknowledged_at, session_id, up_to_revision,
                    mark_count, absence_count)
                VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id
                """, guardian.rawValue, student.rawValue, context.at, context.sessionID, upTo, marks, absences
            ).int
            try await sql.execute(
                """
                INSERT INTO acknowledgement_entries (acknowledgement_id, entry_kind, entry_id, entry_revision)
                SELECT ?1, kind, id, revision FROM (
                    SELECT 'mark' AS kind, id, revision FROM marks WHERE student_id = ?2 AND revision > ?3
                    UNION ALL SELECT 'absence', id, revision FROM absences WHERE student_id = ?2 AND revision > ?3
                ) e
                """, id, student.rawValue, since)
            audit.append(
                context: context, action: "diary.acknowledge", entity: "student", entityID: String(student.rawValue),
                new: "acknowledgement \(id): \(marks) marks, \(absences) absences, up to revision \(upTo)")
            return Acknowledgement(
                id: id, guardian: guardian, student: student, at: context.at, markCount: marks, absenceCount: absences)
        }
    }

    public func lastAcknowledgement(student: StudentID, guardian: AccountID) async throws -> Acknowledgement? {
        try await sql.row(
            """
            SELECT id, guardian_id, student_id, acknowledged_at, mark_count, absence_count FROM acknowledgements
            WHERE student_id = ? AND guardian_id = ? ORDER BY id DESC LIMIT 1
            """, student.rawValue, guardian.rawValue
        ).map { row in
            Acknowledgement(
                id: row[0].int, guardian: AccountID(row[1].int), student: StudentID(row[2].int), at: row[3].date,
                markCount: Int(row[4].int), absenceCount: Int(row[5].int))
        }
    }

    public func recordConsent(_ decision: ConsentDecision, guardian: AccountID, context: AuditContext) async throws
        -> ConsentRecord
    {
        try await store.audited.write { [logger = store.logger] connection, audit in
            let sql = SQL(runner: connection, logger: logger)
            let old = try await sql.value(
                "SELECT decision FROM consents WHERE guardian_id = ? ORDER BY id DESC LIMIT 1", guardian.rawValue
            ).optionalString
            try await sql.execute(
                "INSERT INTO consents (guardian_id, decision, scope, recorded_at, session_id) VALUES (?, ?, ?, ?, ?)",
                guardian.rawValue, decision.rawValue, ConsentDecision.scope, context.at, context.sessionID)
            audit.append(
                context: context, action: "consent.record", entity: "account", entityID: String(guardian.rawValue),
                old: old, new: decision.rawValue)
            return ConsentRecord(decision: decision, at: context.at)
        }
    }

    public func latestConsent(guardian: AccountID) async throws -> ConsentRecord? {
        try await sql.row(
            "SELECT decision, recorded_at FROM consents WHERE guardian_id = ? ORDER BY id DESC LIMIT 1",
            guardian.rawValue
        ).flatMap { row in ConsentDecision(rawValue: row[0].string).map { ConsentRecord(decision: $0, at: row[1].date) }
        }
    }
}

extension PostgresStore {
    public var diary: PostgresDiaryRepository { PostgresDiaryRepository(store: self) }
}
