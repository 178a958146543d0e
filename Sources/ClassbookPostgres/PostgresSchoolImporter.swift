import ClassbookDomain
import Foundation

/// `SchoolImporter` on PostgreSQL: a whole `SchoolSnapshot` in one transaction, every journal
/// row audited as it is written, the same rows and audit texts as on SQLite.
extension PostgresStore {
    public func importSchool(_ snapshot: SchoolSnapshot, context: AuditContext) async throws {
        try await audited.write { [logger] connection, audit in
            try await SchoolImport(sql: SQL(runner: connection, logger: logger), audit: audit, context: context)
                .write(snapshot)
        }
        memo.drop()
    }
}

private struct SchoolImport {
    typealias ImportError = SchoolImportError
    let sql: SQL
    let audit: AuditAppender
    let context: AuditContext

    /// Inserts a row of an audited table (`RETURNING *`: the row as stored) and audits it.
    @discardableResult
    func insert(_ table: AuditedTable, _ statement: String, _ arguments: (any SQLArgument)?...) async throws -> Int64 {
        guard
            let row = try await sql.rows(
                statement + " RETURNING \(table.key) AS audit_key, *",
                arguments: arguments.map { $0?.sqlValue ?? .null }
            ).first
        else { throw ImportError.unknownReference(table.rawValue) }
        audit.append(
            context: context, action: "school.import", entity: table.rawValue, entityID: row["audit_key"].string,
            new: PostgresAuditedRows.canonical(row))
        return row["id"].int
    }

    func write(_ snapshot: SchoolSnapshot) async throws {
        if try await sql.row("SELECT 1 FROM school_years WHERE name = ?", snapshot.yearName) != nil {
            throw ImportError.schoolAlreadyExists(snapshot.yearName)
        }
        let yearID = try await sql.value(
            "INSERT INTO school_years (name, start_date, end_date) VALUES (?, ?, ?) RETURNING id",
            snapshot.yearName, snapshot.yearStart, snapshot.yearEnd
        ).int
        for (grades, periods) in [("", snapshot.periods)] + snapshot.gradePeriods.sorted(by: { $0.key < $1.key }) {
            guard grades.isEmpty || GradeRange(parsing: grades) != nil else {
                throw ImportError.unknownReference("grades \(grades)")
            }
            for period in periods {
                try await sql.execute(
                    """
                    INSERT INTO periods (year_id, grades, ordinal, name, start_date, end_date)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                    yearID, grades, period.ordinal, period.name, period.start, period.end)
            }
        }
        for holiday in snapshot.holidays {
            try await sql.execute(
                "INSERT INTO holidays (year_id, name, start_date, end_date) VALUES (?, ?, ?, ?)",
                yearID, holiday.name, holiday.start, holiday.end)
        }
        var subjectIDs: [String: Int64] = [:]
        for subject in snapshot.subjects {
            try await sql.execute("INSERT INTO subjects (name) VALUES (?) ON CONFLICT (name) DO NOTHING", subject)
            subjectIDs[subject] = try await sql.value("SELECT id FROM subjects WHERE name = ?", subject).int
        }
        var accountIDs: [String: Int64] = [:]
        for person in snapshot.people {
            let account = try await PostgresAccountRepository.insert(
                NewAccount(
                    login: person.login, displayName: person.displayName, roles: person.roles,
                    passwordHash: person.passwordHash),
                context: context, sql, audit)
            accountIDs[person.login] = account.id.rawValue
        }
        func account(_ login: String) throws -> Int64 {
            guard let id = accountIDs[login] else { throw ImportError.unknownReference("login \(login)") }
            return id
        }
        var classIDs: [String: Int64] = [:]
        for schoolClass in snapshot.classes {
            classIDs[schoolClass.name] = try await sql.value(
                "INSERT INTO classes (year_id, name, grade, class_teacher_id) VALUES (?, ?, ?, ?) RETURNING id",
                yearID, schoolClass.name, schoolClass.grade, try account(schoolClass.classTeacherLogin)
            ).int
        }
        func classID(_ name: String) throws -> Int64 {
            guard let id = classIDs[name] else { throw ImportError.unknownReference("class \(name)") }
            return id
        }
        func subjectID(_ name: String) throws -> Int64 {
            guard let id = subjectIDs[name] else { throw ImportError.unknownReference("subject \(name)") }
            return id
        }
        var studentIDs: [Int64] = []
        for student in snapshot.students {
            let id = try await insert(
                .students,
                """
                INSERT INTO students (account_id, class_id, last_name, first_name, middle_name)
                VALUES (?, ?, ?, ?, ?)
                """,
                try student.login.map(account), try classID(student.className), student.lastName, student.firstName,
                student.middleName)
            studentIDs.append(id)
            for guardian in student.guardianLogins {
                try await insert(
                    .guardianships, "INSERT INTO guardianships (guardian_id, student_id) VALUES (?, ?)",
                    try account(guardian), id)
            }
        }
        for assignment in snapshot.assignments {
            try await insert(
                .assignments, "INSERT INTO assignments (teacher_id, subject_id, class_id) VALUES (?, ?, ?)",
                try account(assignment.teacherLogin), try subjectID(assignment.subject),
                try classID(assignment.className))
        }
        for slot in snapshot.timetable {
            try await insert(
                .timetable,
                "INSERT INTO timetable (class_id, weekday, number, subject_id, teacher_id) VALUES (?, ?, ?, ?, ?)",
                try classID(slot.className), slot.weekday, slot.number, try subjectID(slot.subject),
                try account(slot.teacherLogin))
        }
        var lessonIDs: [Int64] = []
        for lesson in snapshot.lessons {
            lessonIDs.append(
                try await insert(
                    .lessons,
                    """
                    INSERT INTO lessons (class_id, subject_id, teacher_id, date, number, topic, homework, control_work)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    try classID(lesson.className), try subjectID(lesson.subject), try account(lesson.teacherLogin),
                    lesson.date, lesson.number, lesson.topic, lesson.homework, lesson.isControlWork))
        }
        // Diary entries take revisions in the order they were made.
        var revision = try await sql.value("SELECT value FROM counters WHERE name = 'diary_revision' FOR UPDATE").int
        for mark in snapshot.marks {
            guard lessonIDs.indices.contains(mark.lesson), studentIDs.indices.contains(mark.student) else {
                throw ImportError.unknownReference("lesson \(mark.lesson) or student \(mark.student)")
            }
            revision += 1
            try await insert(
                .marks,
                """
                INSERT INTO marks (lesson_id, student_id, value, kind, weight, revision, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                lessonIDs[mark.lesson], studentIDs[mark.student], mark.value.storage, mark.kind.rawValue,
                mark.kind.defaultWeight, revision, context.at, try account(snapshot.lessons[mark.lesson].teacherLogin))
        }
        for absence in snapshot.absences {
            guard lessonIDs.indices.contains(absence.lesson), studentIDs.indices.contains(absence.student) else {
                throw ImportError.unknownReference("lesson \(absence.lesson) or student \(absence.student)")
            }
            revision += 1
            try await insert(
                .absences,
                """
                INSERT INTO absences (lesson_id, student_id, reason, revision, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                lessonIDs[absence.lesson], studentIDs[absence.student], absence.reason.rawValue, revision, context.at,
                try account(snapshot.lessons[absence.lesson].teacherLogin))
        }
        for remark in snapshot.remarks {
            guard studentIDs.indices.contains(remark.student) else {
                throw ImportError.unknownReference("student \(remark.student)")
            }
            revision += 1
            try await insert(
                .remarks,
                """
                INSERT INTO remarks (student_id, author_id, subject_id, date, kind, text, revision, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                studentIDs[remark.student], try account(remark.authorLogin), try remark.subject.map(subjectID),
                remark.date, remark.kind.rawValue, remark.text, revision, context.at)
        }
        try await sql.execute("UPDATE counters SET value = ? WHERE name = 'diary_revision'", revision)
        audit.append(
            context: context, action: "school.import", entity: "school_year", entityID: String(yearID),
            new: "\(snapshot.classes.count) classes, \(snapshot.students.count) students, "
                + "\(snapshot.people.count) accounts, \(snapshot.lessons.count) lessons, "
                + "\(snapshot.marks.count) marks, \(snapshot.absences.count) absences")
    }
}
