import ClassbookDomain
import Foundation
import GRDB

/// Applies the rows of import files inside one transaction, collecting every error.
struct ImportWriter {
    struct RowError: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    let db: Database
    let context: AuditContext
    var problems: [CSVImporter.Problem] = []
    var counts: [String: Int] = [:]
    /// The year created by this import's periods, else the newest in the database.
    private var yearID: Int64?
    private var seenLogins: Set<String> = []

    init(db: Database, context: AuditContext) {
        self.db = db
        self.context = context
    }

    mutating func apply(_ kind: CSVImporter.Kind, _ row: CSVTable.Row, titles: [String: String]) throws {
        for column in kind.required.sorted() where row[column].isEmpty {
            throw RowError("the column «\(titles[column] ?? column)» is empty")
        }
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
        counts[kind.rawValue, default: 0] += 1
    }

    // MARK: Calendar

    private func date(_ text: String) throws -> SchoolDate {
        guard let date = SchoolDate(iso: text) ?? SchoolDate(russian: text) else {
            throw RowError("«\(text)» is not a date (ДД.ММ.ГГГГ or YYYY-MM-DD)")
        }
        return date
    }

    private mutating func period(_ row: CSVTable.Row) throws {
        let start = try date(row["start"])
        let end = try date(row["end"])
        guard start <= end else { throw RowError("the period ends before it starts") }
        let name = row["period"]
        let grades = row["grades"].replacingOccurrences(of: " ", with: "")
        guard grades.isEmpty || GradeRange(parsing: grades) != nil else {
            throw RowError("«\(row["grades"])» is not a list of grades such as 10-11 or 1-4,9")
        }
        if yearID == nil {
            let yearStart = start.month >= 8 ? start.year : start.year - 1
            let yearName = "\(yearStart)/\(yearStart + 1)"
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM school_years WHERE name = ?", arguments: [yearName]) == true {
                throw RowError("the school year \(yearName) already exists")
            }
            try db.execute(
                sql: "INSERT INTO school_years (name, start_date, end_date) VALUES (?, ?, ?)",
                arguments: [yearName, start.iso, end.iso])
            yearID = db.lastInsertedRowID
        }
        // Ordinals count within the scheme of the grades named.
        let ordinal =
            (try Int.fetchOne(
                db, sql: "SELECT count(*) FROM periods WHERE year_id = ? AND grades = ?", arguments: [yearID!, grades])
                ?? 0) + 1
        if let previous = try String.fetchOne(
            db, sql: "SELECT max(end_date) FROM periods WHERE year_id = ? AND grades = ?",
            arguments: [yearID!, grades]), previous >= start.iso
        {
            throw RowError("the periods of a scheme must be listed in order and not overlap")
        }
        try db.execute(
            sql: "INSERT INTO periods (year_id, grades, ordinal, name, start_date, end_date) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [yearID!, grades, ordinal, name, start.iso, end.iso])
        try db.execute(
            sql: "UPDATE school_years SET end_date = max(end_date, ?) WHERE id = ?", arguments: [end.iso, yearID!])
    }

    private mutating func holiday(_ row: CSVTable.Row) throws {
        let start = try date(row["start"])
        let end = try date(row["end"])
        guard start <= end else { throw RowError("the holiday ends before it starts") }
        try db.execute(
            sql: "INSERT INTO holidays (year_id, name, start_date, end_date) VALUES (?, ?, ?, ?)",
            arguments: [try year(), row["holiday"], start.iso, end.iso])
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
        let login = raw.lowercased()
        guard LoginRules.isValid(login) else {
            throw RowError(
                "«\(raw)» is not a valid login: 2–32 Latin lower-case letters, digits, '.', '_' or '-', starting "
                    + "with a letter"
            )
        }
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
        var roles: Set<Role> = []
        for word in row["roles"].split(whereSeparator: { $0 == " " || $0 == "+" || $0 == "/" }) {
            guard let role = Role(parsing: String(word)), role != .guardian, role != .student else {
                throw RowError("unknown staff role «\(word)»: teacher, class_teacher, deputy, director, admin")
            }
            roles.insert(role)
        }
        _ = try newAccount(login: row["login"], name: row["name"], roles: roles)
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
        let name = row["class"].uppercased()
        guard let grade = Int(name.prefix { $0.isNumber }), (1...11).contains(grade), name.count <= 8 else {
            throw RowError("«\(row["class"])» is not a class name like 7А")
        }
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
            accountID = try newAccount(
                login: row["login"],
                name: [row["last_name"], row["first_name"], row["middle_name"]]
                    .filter { !$0.isEmpty }.joined(separator: " "), roles: [.student])
        }
        try db.execute(
            sql:
                "INSERT INTO students (account_id, class_id, last_name, first_name, middle_name) VALUES (?, ?, ?, ?, "
                + "?)",
            arguments: [accountID, classID, row["last_name"], row["first_name"], row["middle_name"]])
        let id = db.lastInsertedRowID
        try AuditedRows.record(db, .students, key: String(id), action: "school.import", context: context, isNew: true)
        if !row["birth_date"].isEmpty { _ = try date(row["birth_date"]) }
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
        let words = row["student"].split(separator: " ").map(String.init)
        let students = try Row.fetchAll(
            db, sql: "SELECT id, last_name, first_name FROM students WHERE class_id = ?", arguments: [classID]
        )
        .filter { student in
            let name = [student["last_name"] as String, student["first_name"] as String].map(DiaryService.normalize)
            return words.count == 2 && DiaryService.normalize(words[0]) == name[0]
                && DiaryService.normalize(words[1]) == name[1]
        }
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

    static let weekdays: [String: Int] = [
        "пн": 1, "вт": 2, "ср": 3, "чт": 4, "пт": 5, "сб": 6,
        "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6
    ]

    private mutating func timetable(_ row: CSVTable.Row) throws {
        let classID = try classID(row["class"])
        guard
            let weekday = Int(row["weekday"]).flatMap({ (1...6).contains($0) ? $0 : nil })
                ?? Self.weekdays[String(row["weekday"].lowercased().prefix(3))]
                ?? Self.weekdays[String(row["weekday"].lowercased().prefix(2))]
        else {
            throw RowError("«\(row["weekday"])» is not a school day: 1–6 or пн…сб")
        }
        guard let number = Int(row["number"]), (1...12).contains(number) else {
            throw RowError("«\(row["number"])» is not a lesson number 1–12")
        }
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
