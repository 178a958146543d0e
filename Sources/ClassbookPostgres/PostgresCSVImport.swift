import ClassbookDomain
import Foundation

/// CSV import into PostgreSQL: the files told apart and ordered by `CSVImport`, their rows
/// written in one transaction with every journal row audited, all or nothing, as SQLite's
/// `CSVImporter` does (the contract test imports the same files into both and compares).
extension PostgresStore {
    public func importCSV(files: [(name: String, data: Data)], context: AuditContext) async throws
        -> CSVImport.Summary
    {
        let ordered = try CSVImport.tables(files)
        defer { memo.drop() }
        return try await writing { sql, audit in
            let writer = PostgresImportWriter(sql: sql, audit: audit, context: context)
            var problems: [CSVImport.Problem] = []
            var counts: [String: Int] = [:]
            for (kind, table) in ordered {
                for row in table.rows {
                    do {
                        try CSVImport.checkRequired(kind, row, titles: table.titles)
                        try await writer.apply(kind, row)
                        counts[kind.rawValue, default: 0] += 1
                    } catch let message as CSVImport.RowError {
                        problems.append(CSVImport.Problem(file: table.file, line: row.line, message: message.text))
                    }
                }
            }
            if !problems.isEmpty { throw CSVImport.Failure(problems: problems) }
            let summary = CSVImport.Summary(counts: counts)
            audit.append(
                context: context, action: "school.import.csv", entity: "school", entityID: "csv",
                new: summary.auditText)
            return summary
        }
    }
}

/// The rows of one import, applied in its transaction (one row at a time: no two at once).
private final class PostgresImportWriter: @unchecked Sendable {
    typealias RowError = CSVImport.RowError
    let sql: SQL
    let audit: AuditAppender
    let context: AuditContext
    /// The year created by this import's periods, else the newest in the database.
    private var yearID: Int64?
    private var seenLogins: Set<String> = []

    init(sql: SQL, audit: AuditAppender, context: AuditContext) {
        self.sql = sql
        self.audit = audit
        self.context = context
    }

    func apply(_ kind: CSVImport.Kind, _ row: CSVTable.Row) async throws {
        switch kind {
        case .periods: try await period(row)
        case .holidays: try await holiday(row)
        case .staff:
            _ = try await newAccount(
                login: row["login"], name: row["name"], roles: try CSVImport.staffRoles(row["roles"]))
        case .classes: try await schoolClass(row)
        case .students: try await student(row)
        case .guardians: try await guardian(row)
        case .timetable: try await timetable(row)
        case .assignments: try await assignment(row)
        }
    }

    /// Inserts a row of an audited table (the statement returns the row) and audits it as new.
    @discardableResult
    private func insert(_ table: AuditedTable, _ statement: String, _ arguments: (any SQLArgument)?...) async throws
        -> Int64
    {
        guard
            let row = try await sql.rows(
                statement + " RETURNING \(table.key) AS audit_key, *",
                arguments: arguments.map { $0?.sqlValue ?? .null }
            ).first
        else { return 0 }
        audit.append(
            context: context, action: "school.import", entity: table.rawValue, entityID: row["audit_key"].string,
            new: PostgresAuditedRows.canonical(row))
        return row["id"].int
    }

    // MARK: Calendar

    private func period(_ row: CSVTable.Row) async throws {
        let period = try CSVImport.period(row)
        if yearID == nil {
            if try await sql.row("SELECT 1 FROM school_years WHERE name = ?", period.yearName) != nil {
                throw RowError("the school year \(period.yearName) already exists")
            }
            yearID = try await sql.value(
                "INSERT INTO school_years (name, start_date, end_date) VALUES (?, ?, ?) RETURNING id",
                period.yearName, period.start, period.end
            ).int
        }
        let year = yearID ?? 0
        // Ordinals count within the scheme of the grades named.
        let ordinal =
            try await sql.value("SELECT count(*) FROM periods WHERE year_id = ? AND grades = ?", year, period.grades)
            .int + 1
        if let previous = try await sql.value(
            "SELECT max(end_date) FROM periods WHERE year_id = ? AND grades = ?", year, period.grades
        ).optionalString, previous >= period.start.iso {
            throw RowError("the periods of a scheme must be listed in order and not overlap")
        }
        try await sql.execute(
            "INSERT INTO periods (year_id, grades, ordinal, name, start_date, end_date) VALUES (?, ?, ?, ?, ?, ?)",
            year, period.grades, ordinal, period.name, period.start, period.end)
        try await sql.execute(
            "UPDATE school_years SET end_date = greatest(end_date, ?) WHERE id = ?", period.end, year)
    }

    private func holiday(_ row: CSVTable.Row) async throws {
        let holiday = try CSVImport.holiday(row)
        try await sql.execute(
            "INSERT INTO holidays (year_id, name, start_date, end_date) VALUES (?, ?, ?, ?)", try await year(),
            holiday.name, holiday.start, holiday.end)
    }

    private func year() async throws -> Int64 {
        if let yearID { return yearID }
        guard let id = try await sql.value("SELECT id FROM school_years ORDER BY start_date DESC LIMIT 1").optionalInt
        else { throw RowError("there is no school year yet: import a periods file first") }
        yearID = id
        return id
    }

    // MARK: People

    private func newAccount(login raw: String, name: String, roles: Set<Role>) async throws -> Int64 {
        let login = try CSVImport.login(raw)
        guard !seenLogins.contains(login) else { throw RowError("the login \(login) appears twice in the import") }
        seenLogins.insert(login)
        do {
            return try await PostgresAccountRepository.insert(
                NewAccount(login: login, displayName: name, roles: roles, passwordHash: Account.noPassword),
                context: context, sql, audit
            ).id.rawValue
        } catch RepositoryError.loginTaken {
            throw RowError("the login \(login) is taken")
        }
    }

    private func account(_ login: String, role: Role) async throws -> Int64 {
        guard
            let id = try await sql.value(
                """
                SELECT a.id FROM accounts a JOIN account_roles r ON r.account_id = a.id WHERE a.login = ? AND r.role = ?
                """, login.lowercased(), role.rawValue
            ).optionalInt
        else { throw RowError("no \(role.rawValue) with the login «\(login)»") }
        return id
    }

    private func classID(_ name: String) async throws -> Int64 {
        let all = try await sql.rows("SELECT id, name FROM classes WHERE year_id = ?", try await year())
        guard let row = all.first(where: { JournalService.sameClassName($0[1].string, name) }) else {
            throw RowError("no class «\(name)»")
        }
        return row[0].int
    }

    private func schoolClass(_ row: CSVTable.Row) async throws {
        let (name, grade) = try CSVImport.schoolClass(row["class"])
        let year = try await year()
        if (try? await classID(name)) != nil { throw RowError("the class \(name) already exists") }
        try await sql.execute(
            "INSERT INTO classes (year_id, name, grade, class_teacher_id) VALUES (?, ?, ?, ?)", year, name, grade,
            try await account(row["class_teacher"], role: .classTeacher))
    }

    private func student(_ row: CSVTable.Row) async throws {
        let classID = try await classID(row["class"])
        var accountID: Int64?
        if !row["login"].isEmpty {
            accountID = try await newAccount(login: row["login"], name: CSVImport.studentName(row), roles: [.student])
        }
        let id = try await insert(
            .students,
            "INSERT INTO students (account_id, class_id, last_name, first_name, middle_name) VALUES (?, ?, ?, ?, ?)",
            accountID, classID, row["last_name"], row["first_name"], row["middle_name"])
        if !row["birth_date"].isEmpty { _ = try CSVImport.date(row["birth_date"]) }
        try await details(owner: "student", id: id, row, fields: ["birth_date", "phone", "email", "address"])
    }

    private func details(owner: String, id: Int64, _ row: CSVTable.Row, fields: [String]) async throws {
        for field in fields where !row[field].isEmpty {
            try await insert(
                .personDetails,
                """
                INSERT INTO person_details (owner_kind, owner_id, field, value, updated_at, updated_by)
                VALUES (?, ?, ?, ?, ?, ?::bigint)
                """, owner, id, field, row[field], context.at, context.actor?.rawValue)
        }
    }

    private func guardian(_ row: CSVTable.Row) async throws {
        let classID = try await classID(row["class"])
        let students = try await sql.rows(
            "SELECT id, last_name, first_name FROM students WHERE class_id = ?", classID
        ).filter { CSVImport.names(row["student"], lastName: $0[1].string, firstName: $0[2].string) }
        guard students.count == 1 else {
            throw RowError(
                students.isEmpty
                    ? "no student «\(row["student"])» in \(row["class"]) (write «Фамилия Имя»)"
                    : "two students «\(row["student"])» in \(row["class"])")
        }
        let studentID = students[0][0].int
        let login = row["login"].lowercased()
        // One guardian of several children appears on several lines with the same login.
        let guardianID: Int64
        if seenLogins.contains(login), let existing = try? await account(login, role: .guardian) {
            guardianID = existing
        } else {
            guardianID = try await newAccount(login: login, name: row["name"], roles: [.guardian])
            try await details(owner: "guardian", id: guardianID, row, fields: ["phone", "email", "address"])
        }
        try await sql.execute(
            "INSERT INTO guardianships (guardian_id, student_id) VALUES (?, ?) ON CONFLICT DO NOTHING", guardianID,
            studentID)
        try await PostgresAuditedRows.record(
            sql, audit, .guardianships, key: "\(guardianID):\(studentID)", action: "school.import", context: context)
    }

    // MARK: Teaching

    private func subjectID(_ name: String) async throws -> Int64 {
        try await sql.execute("INSERT INTO subjects (name) VALUES (?) ON CONFLICT (name) DO NOTHING", name)
        return try await sql.value("SELECT id FROM subjects WHERE name = ?", name).int
    }

    private func groupID(_ name: String, classID: Int64, subject: Int64) async throws -> Int64? {
        guard !name.isEmpty else { return nil }
        if let id = try await sql.value("SELECT id FROM study_groups WHERE class_id = ? AND name = ?", classID, name)
            .optionalInt
        {
            return id
        }
        return try await insert(
            .studyGroups, "INSERT INTO study_groups (class_id, name, subject_id) VALUES (?, ?, ?)", classID, name,
            subject)
    }

    private func assignment(_ row: CSVTable.Row) async throws {
        let classID = try await classID(row["class"])
        let teacher = try await account(row["teacher"], role: .teacher)
        let subject = try await subjectID(row["subject"])
        let group = try await groupID(row["group"], classID: classID, subject: subject)
        if try await sql.row(
            "SELECT 1 FROM assignments WHERE teacher_id = ? AND subject_id = ? AND class_id = ?", teacher, subject,
            classID) != nil
        {
            throw RowError("\(row["teacher"]) already teaches \(row["subject"]) in \(row["class"])")
        }
        try await insert(
            .assignments,
            "INSERT INTO assignments (teacher_id, subject_id, class_id, group_id) VALUES (?, ?, ?, ?::bigint)",
            teacher, subject, classID, group)
    }

    private func timetable(_ row: CSVTable.Row) async throws {
        let classID = try await classID(row["class"])
        let (weekday, number) = try CSVImport.slot(row)
        let teacher = try await account(row["teacher"], role: .teacher)
        let subject = try await subjectID(row["subject"])
        let group = try await groupID(row["group"], classID: classID, subject: subject)
        if try await sql.row(
            """
            SELECT 1 FROM timetable WHERE class_id = ? AND weekday = ? AND number = ?
                AND coalesce(group_id, 0) = coalesce(?::bigint, 0)
            """, classID, weekday, number, group) != nil
        {
            throw RowError("\(row["class"]) already has lesson \(number) on that day")
        }
        try await insert(
            .timetable,
            """
            INSERT INTO timetable (class_id, group_id, weekday, number, subject_id, teacher_id)
            VALUES (?, ?::bigint, ?, ?, ?, ?)
            """, classID, group, weekday, number, subject, teacher)
    }
}
