import ClassbookDomain
import Foundation

/// Study groups, the class list, student movement and personal data.
extension PostgresJournalRepository {
    public func createGroup(classID: ClassID, name: String, subject: SubjectID?, context: AuditContext) async throws
        -> StudyGroup
    {
        try await store.writing { sql, audit in
            if try await sql.row("SELECT 1 FROM study_groups WHERE class_id = ? AND name = ?", classID.rawValue, name)
                != nil
            {
                throw JournalError.groupExists(name)
            }
            let id = try await sql.value(
                "INSERT INTO study_groups (class_id, name, subject_id) VALUES (?, ?, ?::bigint) RETURNING id",
                classID.rawValue, name, subject?.rawValue
            ).int
            try await PostgresAuditedRows.record(
                sql, audit, .studyGroups, key: String(id), action: "class.group.create", context: context, isNew: true)
            var subjectName: String?
            if let subject {
                subjectName = try await sql.value("SELECT name FROM subjects WHERE id = ?", subject.rawValue)
                    .optionalString
            }
            return StudyGroup(id: GroupID(id), classID: classID, name: name, subject: subjectName, members: [])
        }
    }

    public func setGroupMembership(group: GroupID, students: [StudentID], member: Bool, context: AuditContext)
        async throws -> Int
    {
        try await store.writing { sql, audit in
            var changed = 0
            for student in students {
                let existing = try await sql.value(
                    "SELECT id FROM study_group_members WHERE group_id = ? AND student_id = ?", group.rawValue,
                    student.rawValue
                ).optionalInt
                switch (existing, member) {
                case (nil, true):
                    let id = try await sql.value(
                        "INSERT INTO study_group_members (group_id, student_id) VALUES (?, ?) RETURNING id",
                        group.rawValue, student.rawValue
                    ).int
                    try await PostgresAuditedRows.record(
                        sql, audit, .studyGroupMembers, key: String(id), action: "class.group.add", context: context,
                        isNew: true)
                    changed += 1
                case (let id?, false):
                    try await sql.execute("DELETE FROM study_group_members WHERE id = ?", id)
                    try await PostgresAuditedRows.record(
                        sql, audit, .studyGroupMembers, id: id, action: "class.group.remove", context: context)
                    changed += 1
                default:
                    break
                }
            }
            return changed
        }
    }

    public func addStudent(
        classID: ClassID, lastName: String, firstName: String, middleName: String, arrivedOn: SchoolDate,
        note: String, context: AuditContext
    ) async throws -> Student {
        defer { store.memo.drop() }  // the rosters it is in
        return try await store.writing { sql, audit in
            let id = try await sql.value(
                """
                INSERT INTO students (class_id, last_name, first_name, middle_name, arrived_on) VALUES (?, ?, ?, ?, ?)
                RETURNING id
                """, classID.rawValue, lastName, firstName, middleName, arrivedOn
            ).int
            try await PostgresAuditedRows.record(
                sql, audit, .students, key: String(id), action: "class.student.arrive", context: context, isNew: true)
            try await Self.insertMovement(
                sql, audit, student: id, kind: .arrival, date: arrivedOn, classID: classID.rawValue, note: note,
                context: context)
            guard let row = try await sql.row("SELECT \(PostgresDiaryRepository.studentColumns) WHERE s.id = ?", id)
            else { throw RepositoryError.notFound }
            return PostgresDiaryRepository.student(row)
        }
    }

    public func recordDeparture(student: StudentID, on date: SchoolDate, note: String, context: AuditContext)
        async throws
    {
        defer { store.memo.drop() }  // the rosters it is in
        return try await store.writing { sql, audit in
            guard
                let classID = try await sql.value("SELECT class_id FROM students WHERE id = ?", student.rawValue)
                    .optionalInt
            else { throw RepositoryError.notFound }
            try await sql.execute("UPDATE students SET left_on = ? WHERE id = ?", date, student.rawValue)
            try await PostgresAuditedRows.record(
                sql, audit, .students, id: student.rawValue, action: "class.student.depart", context: context)
            try await Self.insertMovement(
                sql, audit, student: student.rawValue, kind: .departure, date: date, classID: classID, note: note,
                context: context)
        }
    }

    static func insertMovement(
        _ sql: SQL, _ audit: AuditAppender, student: Int64, kind: StudentMovement.Kind, date: SchoolDate,
        classID: Int64, note: String, context: AuditContext
    ) async throws {
        let id = try await sql.value(
            """
            INSERT INTO student_movements (student_id, kind, date, class_id, note, created_at, created_by)
            VALUES (?, ?, ?, ?, ?, ?, ?::bigint) RETURNING id
            """, student, kind.rawValue, date, classID, note, context.at, context.actor?.rawValue
        ).int
        try await PostgresAuditedRows.record(
            sql, audit, .studentMovements, key: String(id), action: "class.movement", context: context, isNew: true)
    }

    public func movements(ofClass classID: ClassID, from: SchoolDate, through: SchoolDate) async throws
        -> [StudentMovement]
    {
        try await sql.rows(
            """
            SELECT m.student_id, s.last_name || ' ' || s.first_name AS student_name, m.kind, m.date,
                c.name AS class_name, m.note
            FROM student_movements m JOIN students s ON s.id = m.student_id JOIN classes c ON c.id = m.class_id
            WHERE m.class_id = ? AND m.date BETWEEN ? AND ? ORDER BY m.date, m.id
            """, classID.rawValue, from, through
        ).compactMap { row in
            guard let date = row[3].schoolDate else { return nil }
            return StudentMovement(
                student: StudentID(row[0].int), studentName: row[1].string,
                kind: StudentMovement.Kind(rawValue: row[2].string) ?? .arrival, date: date,
                className: row[4].string, note: row[5].string)
        }
    }

    public func personalData(of student: StudentID) async throws -> [(PersonalField, String)] {
        try await store.read { sql in
            guard
                let row = try await sql.row(
                    "SELECT last_name, first_name, middle_name FROM students WHERE id = ?", student.rawValue)
            else { return [] }
            var result: [(PersonalField, String)] = [
                (.lastName, row[0].string), (.firstName, row[1].string), (.middleName, row[2].string)
            ]
            let details = try await Self.details(sql, owner: "student", id: student.rawValue)
            for field in PersonalField.allCases where !field.isNamePart {
                if let value = details[field.rawValue] { result.append((field, value)) }
            }
            return result
        }
    }

    private static func details(_ sql: SQL, owner: String, id: Int64) async throws -> [String: String] {
        var details: [String: String] = [:]
        for row in try await sql.rows(
            "SELECT field, value FROM person_details WHERE owner_kind = ? AND owner_id = ?", owner, id)
        {
            details[row[0].string] = row[1].string
        }
        return details
    }

    public func guardians(of student: StudentID) async throws -> [(name: String, details: [(PersonalField, String)])] {
        try await store.read { sql in
            var result: [(name: String, details: [(PersonalField, String)])] = []
            for guardian in try await sql.rows(
                """
                SELECT a.id, a.display_name FROM guardianships g JOIN accounts a ON a.id = g.guardian_id
                WHERE g.student_id = ? ORDER BY a.display_name
                """, student.rawValue)
            {
                let details = try await Self.details(sql, owner: "guardian", id: guardian[0].int)
                result.append(
                    (
                        guardian[1].string,
                        PersonalField.allCases.compactMap { field in details[field.rawValue].map { (field, $0) } }
                    ))
            }
            return result
        }
    }

    public func setPersonalData(of student: StudentID, field: PersonalField, value: String, context: AuditContext)
        async throws -> WriteOutcome
    {
        defer { store.memo.drop() }  // the rosters it is in
        return try await store.writing { sql, audit in
            if field.isNamePart {
                guard
                    let old = try await sql.value(
                        "SELECT \(field.rawValue) FROM students WHERE id = ?", student.rawValue
                    ).optionalString
                else { throw RepositoryError.notFound }
                guard old != value else { return .unchanged }
                try await sql.execute("UPDATE students SET \(field.rawValue) = ? WHERE id = ?", value, student.rawValue)
                try await PostgresAuditedRows.record(
                    sql, audit, .students, id: student.rawValue, action: "class.personal_data", context: context)
                return .changed
            }
            if let existing = try await sql.row(
                "SELECT id, value FROM person_details WHERE owner_kind = 'student' AND owner_id = ? AND field = ?",
                student.rawValue, field.rawValue)
            {
                guard existing[1].string != value else { return .unchanged }
                try await sql.execute(
                    "UPDATE person_details SET value = ?, updated_at = ?, updated_by = ?::bigint WHERE id = ?", value,
                    context.at, context.actor?.rawValue, existing[0].int)
                try await PostgresAuditedRows.record(
                    sql, audit, .personDetails, id: existing[0].int, action: "class.personal_data", context: context)
                return .changed
            }
            let id = try await sql.value(
                """
                INSERT INTO person_details (owner_kind, owner_id, field, value, updated_at, updated_by)
                VALUES ('student', ?, ?, ?, ?, ?::bigint) RETURNING id
                """, student.rawValue, field.rawValue, value, context.at, context.actor?.rawValue
            ).int
            try await PostgresAuditedRows.record(
                sql, audit, .personDetails, key: String(id), action: "class.personal_data", context: context,
                isNew: true)
            return .created
        }
    }
}
