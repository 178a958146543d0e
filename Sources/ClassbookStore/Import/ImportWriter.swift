import ClassbookDomain
import Foundation
import GRDB

/// Applies the rows of import files inside one SQLite transaction, collecting every error; the
/// rules a row keeps are `CSVImport`'s.
struct ImportWriter {
    typealias RowError = CSVImport.RowError

    let db: Database
    let context: AuditContext
    var problems: [CSVImport.Problem] = []
    var counts: [String: Int] = [:]
    /// The year created by this import's periods, else the newest in the database.
    private var yearID: Int64?
    private var seenLogins: Set<String> = []

    init(db: Database, context: AuditContext) {
        self.db = db
        self.context = context
    }

    mutating func apply(_ kind: CSVImport.Kind, _ row: CSVTable.Row) throws {
        switch kind {
        case .periods: try period(row)
        case .holidays: try holiday(row)
        case .staff: try staff(row)
        case .classes: try schoolClass(row)
        case .students: try student(row)
        case .guardians: try guardian(row)
        case .timetable: try timetable(row)
        case .assignments: try assignment(row)
        }
    }

    // MARK: Calendar

    private mutating func period(_ row: CSVTable.Row) throws {
        let period = try CSVImport.period(row)
        if yearID == nil {
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM school_years WHERE name = ?", arguments: [period.yearName]) == true
            {
                throw RowError("the school year \(period.yearName) already exists")
            }
            try db.execute(
                sql: "INSERT INTO school_years (name, start_date, end_date) VALUES (?, ?, ?)",
                arguments: [period.yearName, period.start.iso, period.end.iso])
            yearID = db.lastInsertedRowID
        }
        // Ordinals count within the scheme of the grades named.
        let ordinal =
            (try Int.fetchOne(
                db, sql: "SELECT count(*) FROM periods WHERE year_id = ? AND grades = ?",
                arguments: [yearID!, period.grades]) ?? 0) + 1
        if let previous = try String.fetchOne(
            db, sql: "SELECT max(end_date) FROM periods WHERE year_id = ? AND grades = ?",
            arguments: [yearID!, period.grades]), previous >= period.start.iso
        {
            throw RowError("the periods of a scheme must be listed in order and not overlap")
        }
        try db.execute(
            sql: "INSERT INTO periods (year_id, grades, ordinal, name, start_date, end_date) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [yearID!, period.grades, ordinal, period.name, period.start.iso, period.end.iso])
        try db.execute(
            sql: "UPDATE school_years SET end_date = max(end_date, ?) WHERE id = ?",
            arguments: [period.end.iso, yearID!])
    }

    private mutating func holiday(_ row: CSVTable.Row) throws {
        let holiday = try CSVImport.holiday(row)
        try db.execute(
            sql: "INSERT INTO holidays (year_id, name, start_date, end_date) VALUES (?, ?, ?, ?)",
            arguments: [try year(), holiday.name, holiday.start.iso, holiday.end.iso])
    }

    private mutating func year() throws -> Int64 {
        if let yearID { return yearID }
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM school_years ORDER BY start_date DESC LIMIT 1")
        else {
            throw RowError("there is no school year yet: import a periods file first")
        }
        yearID = id
        return id
    }

    // MARK: People

    private mutating func newAccount(login raw: String, name: String, roles: Set<Role>) throws -> Int64 {
        let login = try CSVImport.login(raw)
        guard !seenLogins.contains(login) else { throw RowError("the login \(login) appears twice in the import") }
        seenLogins.insert(login)
        do {
            return try SQLiteAccountRepository.insert(
                NewAccount(login: login, displayName: name, roles: roles, passwordHash: Account.noPassword),
                context: context, db
            ).id.rawValue
        } catch RepositoryError.loginTaken {
            throw RowError("the login \(login) is taken")
        }
    }

    private mutating func staff(_ row: CSVTable.Row) throws {
        _ = try newAccount(login: row["login"], name: row["name"], roles: try CSVImport.staffRoles(row["roles"]))
    }

    private func account(_ login: String, role: Role) throws -> Int64 {
        guard
            let id = try Int64.fetchOne(
                db,
                sql: """
                    SELECT a.id FROM accounts a JOIN account_roles r ON r.account_id = a.id WHERE a.login = ? AND
                        r.role = ?
                    """, arguments: [login.lowercased(), role.rawValue])
        else {
            throw RowError("no \(role.rawValue) with the login «\(login)»")
        }
        return id
    }

    private mutating func classID(_ name: String) throws -> Int64 {
        let year = try year()
        let all = try Row.fetchAll(db, sql: "SELECT id, name FROM classes WHERE year_id = ?", arguments: [year])
        guard let row = all.first(where: { JournalService.sameClassName($0["name"], name) }) else {
            throw RowError("no class «\(name)»")
        }
        return row["id"]
    }

    private mutating func schoolClass(_ row: CSVTable.Row) throws {
        let (name, grade) = try CSVImport.schoolClass(row["class"])
        let year = try year()
        if (try? classID(name)) != nil { throw RowError("the class \(name) already exists") }
        try db.execute(
            sql: "INSERT INTO classes (year_id, name, grade, class_teacher_id) VALUES (?, ?, ?, ?)",
            arguments: [year, name, grade, try account(row["class_teacher"], role: .classTeacher)])
    }

    private mutating func student(_ row: CSVTable.Row) throws {
        let classID = try classID(row["class"])
        var accountID: Int64?
        if !row["login"].isEmpty {
            accountID = try newAccount(login: row["login"], name: CSVImport.studentName(row), roles: [.student])
        }
        try db.execute(
            sql:
                "INSERT INTO students (account_id, class_id, last_name, first_name, middle_name) VALUES (?, ?, ?, ?, "
                + "?)",
            arguments: [accountID, classID, row["last_name"], row["first_name"], row["middle_name"]])
        let id = db.lastInsertedRowID
        try AuditedRows.record(db, .students, key: String(id), action: "school.import", context: context, isNew: true)
        if !row["birth_date"].isEmpty { _ = try CSVImport.date(row["birth_date"]) }
        try details(owner: "student", id: id, row, fields: ["birth_date", "phone", "email", "address"])
    }

    private func details(owner: String, id: Int64, _ row: CSVTable.Row, fields: [String]) throws {
        for field in fields where !row[field].isEmpty {
            try db.execute(
                sql: """
                    INSERT INTO person_details (owner_kind, owner_id, field, value, updated_at, updated_by) VALUES (?,
                        ?, ?, ?, ?, ?)
                    """, arguments: [owner, id, field, row[field], context.at, context.actor?.rawValue])
            try AuditedRows.record(
                db, .personDetails, key: String(db.lastInsertedRowID), action: "school.import", context: context,
                isNew: true)
        }
    }

    private mutating func guardian(_ row: CSVTable.Row) throws {
        let classID = try classID(row["class"])
        let students = try Row.fetchAll(
            db, sql: "SELECT id, last_name, first_name FROM students WHERE class_id = ?", arguments: [classID]
        ).filter { CSVImport.names(row["student"], lastName: $0["last_name"], firstName: $0["first_name"]) }
        guard students.count == 1 else {
            throw RowError(
                students.isEmpty
                    ? "no student «\(row["student"])» in \(row["class"]) (write «Фамилия Имя»)"
                    : "two students «\(row["student"])» in \(row["class"])")
        }
        let studentID: Int64 = students[0]["id"]
        let login = row["login"].lowercased()
        // One guardian of several children appears on several lines with the same login.
        let guardianID: Int64
        if seenLogins.contains(login), let existing = try? account(login, role: .guardian) {
            guardianID = existing
        } else {
            guardianID = try newAccount(login: login, name: row["name"], roles: [.guardian])
            try details(owner: "guardian", id: guardianID, row, fields: ["phone", "email", "address"])
        }
        try db.execute(
            sql: "INSERT OR IGNORE INTO guardianships (guardian_id, student_id) VALUES (?, ?)",
            arguments: [guardianID, studentID])
        try AuditedRows.record(
            db, .guardianships, key: "\(guardianID):\(studentID)", action: "school.import", context: context)
    }

    // MARK: Teaching

    private func subjectID(_ name: String) throws -> Int64 {
        try db.execute(sql: "INSERT INTO subjects (name) VALUES (?) ON CONFLICT(name) DO NOTHING", arguments: [name])
        return try Int64.fetchOne(db, sql: "SELECT id FROM subjects WHERE name = ?", arguments: [name])!
    }

    private func groupID(_ name: String, classID: Int64, subject: Int64) throws -> Int64? {
        guard !name.isEmpty else { return nil }
        if let id = try Int64.fetchOne(
            db, sql: "SELECT id FROM study_groups WHERE class_id = ? AND name = ?", arguments: [classID, name])
        {
            return id
        }
        try db.execute(
            sql: "INSERT INTO study_groups (class_id, name, subject_id) VALUES (?, ?, ?)",
            arguments: [classID, name, subject])
        let id = db.lastInsertedRowID
        try AuditedRows.record(
            db, .studyGroups, key: String(id), action: "school.import", context: context, isNew: true)
        return id
    }

    private mutating func assignment(_ row: CSVTable.Row) throws {
        let classID = try classID(row["class"])
        let teacher = try account(row["teacher"], role: .teacher)
        let subject = try subjectID(row["subject"])
        let group = try groupID(row["group"], classID: classID, subject: subject)
        if try Bool.fetchOne(
            db, sql: "SELECT 1 FROM assignments WHERE teacher_id = ? AND subject_id = ? AND class_id = ?",
            arguments: [teacher, subject, classID]) == true
        {
            throw RowError("\(row["teacher"]) already teaches \(row["subject"]) in \(row["class"])")
        }
        try db.execute(
            sql: "INSERT INTO assignments (teacher_id, subject_id, class_id, group_id) VALUES (?, ?, ?, ?)",
            arguments: [teacher, subject, classID, group])
        try AuditedRows.record(
            db, .assignments, key: String(db.lastInsertedRowID), action: "school.import", context: context, isNew: true)
    }

    private mutating func timetable(_ row: CSVTable.Row) throws {
        let classID = try classID(row["class"])
        let (weekday, number) = try CSVImport.slot(row)
        let teacher = try account(row["teacher"], role: .teacher)
        let subject = try subjectID(row["subject"])
        let group = try groupID(row["group"], classID: classID, subject: subject)
        if try Bool.fetchOne(
            db,
            sql: """
                SELECT 1 FROM timetable WHERE class_id = ? AND weekday = ? AND number = ? AND ifnull(group_id, 0) =
                    ifnull(?, 0)
                """, arguments: [classID, weekday, number, group]) == true
        {
            throw RowError("\(row["class"]) already has lesson \(number) on that day")
        }
        try db.execute(
            sql:
                "INSERT INTO timetable (class_id, group_id, weekday, number, subject_id, teacher_id) VALUES (?, ?, "
                + "?, ?, ?, ?)",
            arguments: [classID, group, weekday, number, subject, teacher])
        try AuditedRows.record(
            db, .timetable, key: String(db.lastInsertedRowID), action: "school.import", context: context, isNew: true)
    }
}
