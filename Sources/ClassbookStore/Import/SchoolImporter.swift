import ClassbookDomain
import Foundation
import GRDB

/// Writes a whole `SchoolSnapshot` in one transaction: either all of it is stored or none.
public struct SchoolImporter: Sendable {
    public typealias ImportError = SchoolImportError

    /// Imports commit through the group commit like every other write, so that caches of the
    /// school's structure see them at once.
    let writer: GroupCommit

    public init(database: ClassbookDatabase) {
        writer = database.writer
    }

    public func write(_ snapshot: SchoolSnapshot, context: AuditContext) async throws {
        try await writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM school_years WHERE name = ?", arguments: [snapshot.yearName])
                == true
            {
                throw ImportError.schoolAlreadyExists(snapshot.yearName)
            }
            try db.execute(
                sql: "INSERT INTO school_years (name, start_date, end_date) VALUES (?, ?, ?)",
                arguments: [snapshot.yearName, snapshot.yearStart.iso, snapshot.yearEnd.iso])
            let yearID = db.lastInsertedRowID
            for (grades, periods) in [("", snapshot.periods)] + snapshot.gradePeriods.sorted(by: { $0.key < $1.key }) {
                guard grades.isEmpty || GradeRange(parsing: grades) != nil else {
                    throw ImportError.unknownReference("grades \(grades)")
                }
                for period in periods {
                    try db.execute(
                        sql:
                            "INSERT INTO periods (year_id, grades, ordinal, name, start_date, end_date) VALUES (?, "
                            + "?, ?, ?, ?, ?)",
                        arguments: [yearID, grades, period.ordinal, period.name, period.start.iso, period.end.iso])
                }
            }
            for holiday in snapshot.holidays {
                try db.execute(
                    sql: "INSERT INTO holidays (year_id, name, start_date, end_date) VALUES (?, ?, ?, ?)",
                    arguments: [yearID, holiday.name, holiday.start.iso, holiday.end.iso])
            }
            var subjectIDs: [String: Int64] = [:]
            for subject in snapshot.subjects {
                try db.execute(
                    sql: "INSERT INTO subjects (name) VALUES (?) ON CONFLICT(name) DO NOTHING", arguments: [subject])
                subjectIDs[subject] = try Int64.fetchOne(
                    db, sql: "SELECT id FROM subjects WHERE name = ?", arguments: [subject])
            }
            var accountIDs: [String: Int64] = [:]
            for person in snapshot.people {
                let account = try SQLiteAccountRepository.insert(
                    NewAccount(
                        login: person.login, displayName: person.displayName, roles: person.roles,
                        passwordHash: person.passwordHash),
                    context: context, db)
                accountIDs[person.login] = account.id.rawValue
            }
            func account(_ login: String) throws -> Int64 {
                guard let id = accountIDs[login] else { throw ImportError.unknownReference("login \(login)") }
                return id
            }
            var classIDs: [String: Int64] = [:]
            for schoolClass in snapshot.classes {
                try db.execute(
                    sql: "INSERT INTO classes (year_id, name, grade, class_teacher_id) VALUES (?, ?, ?, ?)",
                    arguments: [yearID, schoolClass.name, schoolClass.grade, try account(schoolClass.classTeacherLogin)]
                )
                classIDs[schoolClass.name] = db.lastInsertedRowID
            }
            func classID(_ name: String) throws -> Int64 {
                guard let id = classIDs[name] else { throw ImportError.unknownReference("class \(name)") }
                return id
            }
            func subjectID(_ name: String) throws -> Int64 {
                guard let id = subjectIDs[name] else { throw ImportError.unknownReference("subject \(name)") }
                return id
            }
            // Every journal row is audited as it is written, like any other change.
            func audited(_ table: AuditedTable, _ key: String) throws {
                try AuditedRows.record(db, table, key: key, action: "school.import", context: context, isNew: true)
            }
            var studentIDs: [Int64] = []
            for student in snapshot.students {
                try db.execute(
                    sql: """
                        INSERT INTO students (account_id, class_id, last_name, first_name, middle_name) VALUES (?, ?,
                            ?, ?, ?)
                        """,
                    arguments: [
                        try student.login.map(account), try classID(student.className),
                        student.lastName, student.firstName, student.middleName
                    ])
                let id = db.lastInsertedRowID
                try audited(.students, String(id))
                studentIDs.append(id)
                for guardian in student.guardianLogins {
                    let guardianID = try account(guardian)
                    try db.execute(
                        sql: "INSERT INTO guardianships (guardian_id, student_id) VALUES (?, ?)",
                        arguments: [guardianID, id])
                    try audited(.guardianships, "\(guardianID):\(id)")
                }
            }
            for assignment in snapshot.assignments {
                try db.execute(
                    sql: "INSERT INTO assignments (teacher_id, subject_id, class_id) VALUES (?, ?, ?)",
                    arguments: [
                        try account(assignment.teacherLogin), try subjectID(assignment.subject),
                        try classID(assignment.className)
                    ])
                try audited(.assignments, String(db.lastInsertedRowID))
            }
            for slot in snapshot.timetable {
                try db.execute(
                    sql:
                        "INSERT INTO timetable (class_id, weekday, number, subject_id, teacher_id) VALUES (?, ?, ?, "
                        + "?, ?)",
                    arguments: [
                        try classID(slot.className), slot.weekday, slot.number, try subjectID(slot.subject),
                        try account(slot.teacherLogin)
                    ])
                try audited(.timetable, String(db.lastInsertedRowID))
            }
            var lessonIDs: [Int64] = []
            let insertLesson = try db.makeStatement(
                sql: """
                    INSERT INTO lessons (class_id, subject_id, teacher_id, date, number, topic, homework, control_work)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for lesson in snapshot.lessons {
                try insertLesson.execute(arguments: [
                    try classID(lesson.className), try subjectID(lesson.subject), try account(lesson.teacherLogin),
                    lesson.date.iso, lesson.number, lesson.topic, lesson.homework, lesson.isControlWork
                ])
                lessonIDs.append(db.lastInsertedRowID)
                try audited(.lessons, String(db.lastInsertedRowID))
            }
            // Diary entries take revisions in the order they were made.
            var revision = try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'diary_revision'") ?? 0
            let insertMark = try db.makeStatement(
                sql: """
                    INSERT INTO marks (lesson_id, student_id, value, kind, weight, revision, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for mark in snapshot.marks {
                guard lessonIDs.indices.contains(mark.lesson), studentIDs.indices.contains(mark.student) else {
                    throw ImportError.unknownReference("lesson \(mark.lesson) or student \(mark.student)")
                }
                revision += 1
                try insertMark.execute(arguments: [
                    lessonIDs[mark.lesson], studentIDs[mark.student], mark.value.storage, mark.kind.rawValue,
                    mark.kind.defaultWeight, revision, context.at,
                    try account(snapshot.lessons[mark.lesson].teacherLogin)
                ])
                try audited(.marks, String(db.lastInsertedRowID))
            }
            let insertAbsence = try db.makeStatement(
                sql: """
                    INSERT INTO absences (lesson_id, student_id, reason, revision, created_at, created_by) VALUES (?,
                        ?, ?, ?, ?, ?)
                    """)
            for absence in snapshot.absences {
                guard lessonIDs.indices.contains(absence.lesson), studentIDs.indices.contains(absence.student) else {
                    throw ImportError.unknownReference("lesson \(absence.lesson) or student \(absence.student)")
                }
                revision += 1
                try insertAbsence.execute(arguments: [
                    lessonIDs[absence.lesson], studentIDs[absence.student], absence.reason.rawValue,
                    revision, context.at, try account(snapshot.lessons[absence.lesson].teacherLogin)
                ])
                try audited(.absences, String(db.lastInsertedRowID))
            }
            for remark in snapshot.remarks {
                guard studentIDs.indices.contains(remark.student) else {
                    throw ImportError.unknownReference("student \(remark.student)")
                }
                revision += 1
                try db.execute(
                    sql: """
                        INSERT INTO remarks (student_id, author_id, subject_id, date, kind, text, revision, created_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        studentIDs[remark.student], try account(remark.authorLogin), try remark.subject.map(subjectID),
                        remark.date.iso, remark.kind.rawValue, remark.text, revision, context.at
                    ])
                try audited(.remarks, String(db.lastInsertedRowID))
            }
            try db.execute(sql: "UPDATE counters SET value = ? WHERE name = 'diary_revision'", arguments: [revision])
            try AuditLog.append(
                db, context: context, action: "school.import", entity: "school_year", entityID: String(yearID),
                new:
                    "\(snapshot.classes.count) classes, \(snapshot.students.count) students, "
                    + "\(snapshot.people.count) accounts, "
                    + "\(snapshot.lessons.count) lessons, \(snapshot.marks.count) marks, \(snapshot.absences.count) "
                    + "absences"
            )
        }
    }
}
