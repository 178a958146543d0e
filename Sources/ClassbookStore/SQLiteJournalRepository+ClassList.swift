import ClassbookDomain
import Foundation
import GRDB

/// Study groups, the class list, student movement and personal data.
extension SQLiteJournalRepository {
    public func createGroup(classID: ClassID, name: String, subject: SubjectID?, context: AuditContext) async throws
        -> StudyGroup
    {
        try await writer.write { db in
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM study_groups WHERE class_id = ? AND name = ?",
                arguments: [classID.rawValue, name]) == true
            {
                throw JournalError.groupExists(name)
            }
            try db.execute(
                sql: "INSERT INTO study_groups (class_id, name, subject_id) VALUES (?, ?, ?)",
                arguments: [classID.rawValue, name, subject?.rawValue])
            let id = db.lastInsertedRowID
            try AuditedRows.record(
                db, .studyGroups, key: String(id), action: "class.group.create", context: context, isNew: true)
            let subjectName = try subject.flatMap {
                try String.fetchOne(db, sql: "SELECT name FROM subjects WHERE id = ?", arguments: [$0.rawValue])
            }
            return StudyGroup(id: GroupID(id), classID: classID, name: name, subject: subjectName, members: [])
        }
    }

    public func setGroupMembership(group: GroupID, students: [StudentID], member: Bool, context: AuditContext)
        async throws -> Int
    {
        try await writer.write { db in
            var changed = 0
            for student in students {
                let existing = try Int64.fetchOne(
                    db, sql: "SELECT id FROM study_group_members WHERE group_id = ? AND student_id = ?",
                    arguments: [group.rawValue, student.rawValue])
                switch (existing, member) {
                case (nil, true):
                    try db.execute(
                        sql: "INSERT INTO study_group_members (group_id, student_id) VALUES (?, ?)",
                        arguments: [group.rawValue, student.rawValue])
                    try AuditedRows.record(
                        db, .studyGroupMembers, key: String(db.lastInsertedRowID), action: "class.group.add",
                        context: context, isNew: true)
                    changed += 1
                case (let id?, false):
                    try db.execute(sql: "DELETE FROM study_group_members WHERE id = ?", arguments: [id])
                    try AuditedRows.record(
                        db, .studyGroupMembers, id: id, action: "class.group.remove", context: context)
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
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO students (class_id, last_name, first_name, middle_name, arrived_on) VALUES (?, ?, ?, ?,
                        ?)
                    """, arguments: [classID.rawValue, lastName, firstName, middleName, arrivedOn.iso])
            let id = db.lastInsertedRowID
            try AuditedRows.record(
                db, .students, key: String(id), action: "class.student.arrive", context: context, isNew: true)
            try Self.insertMovement(
                db, student: id, kind: .arrival, date: arrivedOn, classID: classID.rawValue, note: note,
                context: context)
            return SQLiteDiaryRepository.student(
                try Row.fetchOne(
                    db, sql: "SELECT \(SQLiteDiaryRepository.studentColumns) WHERE s.id = ?",
                    arguments: [id])!)
        }
    }

    public func recordDeparture(student: StudentID, on date: SchoolDate, note: String, context: AuditContext)
        async throws
    {
        try await writer.write { db in
            guard
                let classID = try Int64.fetchOne(
                    db, sql: "SELECT class_id FROM students WHERE id = ?", arguments: [student.rawValue])
            else {
                throw RepositoryError.notFound
            }
            try db.execute(sql: "UPDATE students SET left_on = ? WHERE id = ?", arguments: [date.iso, student.rawValue])
            try AuditedRows.record(
                db, .students, id: student.rawValue, action: "class.student.depart", context: context)
            try Self.insertMovement(
                db, student: student.rawValue, kind: .departure, date: date, classID: classID, note: note,
                context: context)
        }
    }

    static func insertMovement(
        _ db: Database, student: Int64, kind: StudentMovement.Kind, date: SchoolDate, classID: Int64,
        note: String, context: AuditContext
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO student_movements (student_id, kind, date, class_id, note, created_at, created_by) VALUES
                    (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [student, kind.rawValue, date.iso, classID, note, context.at, context.actor?.rawValue])
        try AuditedRows.record(
            db, .studentMovements, key: String(db.lastInsertedRowID), action: "class.movement", context: context,
            isNew: true)
    }

    public func movements(ofClass classID: ClassID, from: SchoolDate, through: SchoolDate) async throws
        -> [StudentMovement]
    {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT m.*, s.last_name || ' ' || s.first_name AS student_name, c.name AS class_name
                    FROM student_movements m JOIN students s ON s.id = m.student_id JOIN classes c ON c.id = m.class_id
                    WHERE m.class_id = ? AND m.date BETWEEN ? AND ? ORDER BY m.date, m.id
                    """, arguments: [classID.rawValue, from.iso, through.iso]
            ).map { row in
                StudentMovement(
                    student: StudentID(row["student_id"]), studentName: row["student_name"],
                    kind: StudentMovement.Kind(rawValue: row["kind"]) ?? .arrival, date: SchoolDate(iso: row["date"])!,
                    className: row["class_name"], note: row["note"])
            }
        }
    }

    public func personalData(of student: StudentID) async throws -> [(PersonalField, String)] {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT last_name, first_name, middle_name FROM students WHERE id = ?",
                    arguments: [student.rawValue])
            else { return [] }
            var result: [(PersonalField, String)] = [
                (.lastName, row["last_name"]), (.firstName, row["first_name"]),
                (.middleName, row["middle_name"])
            ]
            let details = Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(
                    db,
                    sql: """
                        SELECT field, value FROM person_details WHERE owner_kind = 'student' AND owner_id = ?
                        """, arguments: [student.rawValue]
                ).map { ($0["field"] as String, $0["value"] as String) })
            for field in PersonalField.allCases where !field.isNamePart {
                if let value = details[field.rawValue] { result.append((field, value)) }
            }
            return result
        }
    }

    public func guardians(of student: StudentID) async throws -> [(name: String, details: [(PersonalField, String)])] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.id, a.display_name FROM guardianships g JOIN accounts a ON a.id = g.guardian_id
                    WHERE g.student_id = ? ORDER BY a.display_name
                    """, arguments: [student.rawValue]
            ).map { guardian in
                let details = Dictionary(
                    uniqueKeysWithValues: try Row.fetchAll(
                        db,
                        sql: """
                            SELECT field, value FROM person_details WHERE owner_kind = 'guardian' AND owner_id = ?
                            """, arguments: [guardian["id"] as Int64]
                    ).map { ($0["field"] as String, $0["value"] as String) })
                return (
                    guardian["display_name"] as String,
                    PersonalField.allCases.compactMap { field in details[field.rawValue].map { (field, $0) } }
                )
            }
        }
    }

    public func setPersonalData(of student: StudentID, field: PersonalField, value: String, context: AuditContext)
        async throws -> WriteOutcome
    {
        try await writer.write { db in
            if field.isNamePart {
                let old = try String.fetchOne(
                    db, sql: "SELECT \(field.rawValue) FROM students WHERE id = ?", arguments: [student.rawValue])
                guard let old else { throw RepositoryError.notFound }
                guard old != value else { return .unchanged }
                try db.execute(
                    sql: "UPDATE students SET \(field.rawValue) = ? WHERE id = ?", arguments: [value, student.rawValue])
                try AuditedRows.record(
                    db, .students, id: student.rawValue, action: "class.personal_data", context: context)
                return .changed
            }
            let existing = try Row.fetchOne(
                db,
                sql: """
                    SELECT id, value FROM person_details WHERE owner_kind = 'student' AND owner_id = ? AND field = ?
                    """, arguments: [student.rawValue, field.rawValue])
            if let existing {
                guard existing["value"] != value else { return .unchanged }
                try db.execute(
                    sql: "UPDATE person_details SET value = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                    arguments: [value, context.at, context.actor?.rawValue, existing["id"] as Int64])
                try AuditedRows.record(
                    db, .personDetails, id: existing["id"], action: "class.personal_data", context: context)
                return .changed
            }
            try db.execute(
                sql: """
                    INSERT INTO person_details (owner_kind, owner_id, field, value, updated_at, updated_by) VALUES
                        ('student', ?, ?, ?, ?, ?)
                    """, arguments: [student.rawValue, field.rawValue, value, context.at, context.actor?.rawValue])
            try AuditedRows.record(
                db, .personDetails, key: String(db.lastInsertedRowID), action: "class.personal_data", context: context,
                isNew: true)
            return .created
        }
    }
}
