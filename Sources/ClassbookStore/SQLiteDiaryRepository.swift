import ClassbookDomain
import Foundation
import GRDB

public struct SQLiteDiaryRepository: DiaryRepository {
    let pool: DatabasePool
    /// Where writes go: concurrent ones share a transaction (group commit).
    let writer: GroupCommit
    /// The calendar, read by every diary command (see `StructureCache`).
    let cache: StructureCache
    /// Each student's marks as last read (see `MarksCache`).
    let marksCache: MarksCache
    /// Guardians' children and accounts' own student records as last read (see `RosterCache`).
    let roster: RosterCache
    /// Connections for one-statement reads (see `PointReaders`).
    let readers: PointReaders

    static let studentColumns = """
        s.id, s.last_name, s.first_name, s.class_id, c.name AS class_name, c.grade
        FROM students s JOIN classes c ON c.id = s.class_id
        """

    public func studentsInCare(of guardian: AccountID) async throws -> [Student] {
        try roster.children(of: guardian.rawValue, stamp: roster.stamp) {
            try readers.query { db in
                try Array(
                    Row.fetchCursor(
                        db.cachedStatement(
                            sql: """
                                SELECT \(Self.studentColumns)
                                JOIN guardianships g ON g.student_id = s.id
                                WHERE g.guardian_id = ? ORDER BY s.last_name, s.first_name, s.id
                                """), arguments: [guardian.rawValue]
                    ).map(Self.studentAtStart))
            }
        }
    }

    /// Answered from the guardian's children (`RosterCache`): the access check of every diary
    /// command, which has just resolved the student among them.
    public func isGuardian(_ guardian: AccountID, of student: StudentID) async throws -> Bool {
        try await studentsInCare(of: guardian).contains { $0.id == student }
    }

    public func student(ownedBy account: AccountID) async throws -> Student? {
        try roster.student(ownedBy: account.rawValue, stamp: roster.stamp) {
            try readers.query { db in
                try Row.fetchOne(
                    db, prepared: "SELECT \(Self.studentColumns) WHERE s.account_id = ?", arguments: [account.rawValue]
                )
                .map(Self.studentAtStart)
            }
        }
    }

    public func accountOf(student: StudentID) async throws -> Account? {
        try readers.read { db in
            try Row.fetchOne(
                db, prepared: "SELECT a.* FROM accounts a JOIN students s ON s.account_id = a.id WHERE s.id = ?",
                arguments: [student.rawValue]
            ).map { try SQLiteAccountRepository.account($0, db) }
        }
    }

    public func accountExists(login: String) async throws -> Bool {
        try readers.query { db in
            try Bool.fetchOne(db, prepared: "SELECT 1 FROM accounts WHERE login = ?", arguments: [login]) ?? false
        }
    }

    public func periods(on date: SchoolDate, grade: Int) async throws -> [Period] {
        try cache.value(.periods(date, grade: grade)) {
            try readers.read { db in
                // The year containing the date, else the latest that has begun, else the first.
                let yearID = try Int64.fetchOne(
                    db,
                    prepared: """
                        SELECT id FROM school_years
                        ORDER BY (start_date <= ?1 AND ?1 <= end_date) DESC, (start_date <= ?1) DESC, start_date DESC
                        LIMIT 1
                        """, arguments: [date.iso])
                guard let yearID else { return [] }
                let rows = try Row.fetchAll(
                    db, prepared: "SELECT * FROM periods WHERE year_id = ? ORDER BY ordinal", arguments: [yearID])
                let schemes = Set(rows.map { $0["grades"] as String })
                let scheme = schemes.first { !$0.isEmpty && GradeRange(parsing: $0)?.contains(grade) == true } ?? ""
                return rows.filter { $0["grades"] == scheme }.map { row in
                    Period(
                        ordinal: row["ordinal"], name: row["name"],
                        start: SchoolDate(iso: row["start_date"])!, end: SchoolDate(iso: row["end_date"])!)
                }
            }
        }
    }

    public func marks(of student: StudentID, from: SchoolDate, through: SchoolDate) async throws -> [MarkEntry] {
        // The most-read query of all: served from `MarksCache` while the student's marks are
        // unchanged, which one index step tells.
        let weights = try markKindWeights()
        let key = MarksCache.Key(student: student.rawValue, from: from, through: through)
        let stampSQL = "SELECT max(revision) FROM marks WHERE student_id = ?"
        let stamp = try readers.query { db in
            try Int64.fetchOne(db, prepared: stampSQL, arguments: [student.rawValue]) ?? 0
        }
        if let rows = marksCache.rows(key, stamp: stamp) { return MarksCache.entries(rows, weights: weights) }
        // A miss: the stamp again and the rows, in one transaction, so that they agree.
        return try readers.read { db in
            let stamp = try Int64.fetchOne(db, prepared: stampSQL, arguments: [student.rawValue]) ?? 0
            // A cursor over the statement, read by position: no copy of each row, and no
            // case-folded lookup of each column's name.
            let cursor = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT m.id, l.date, sub.name AS subject, m.value, m.kind, m.weight, m.comment
                        FROM marks m JOIN lessons l ON l.id = m.lesson_id JOIN subjects sub ON sub.id = l.subject_id
                        WHERE m.student_id = ? AND l.date BETWEEN ? AND ? AND m.deleted_at IS NULL
                        ORDER BY l.date, l.number, m.id
                        """), arguments: [student.rawValue, from.iso, through.iso])
            var rows: [MarksCache.Row] = []
            // One String per subject, shared by its marks: less memory, and comparing a
            // string with itself is instant where comparing equal copies is not.
            var subjects: [String] = []
            while let row = try cursor.next() {
                guard let value = MarkValue(storage: row[3]), let date = SchoolDate(iso: row[1]) else { continue }
                let name: String = row[2]
                let subject =
                    subjects.first { $0.utf8.elementsEqual(name.utf8) }
                    ?? {
                        subjects.append(name); return name
                    }()
                rows.append(
                    MarksCache.Row(
                        id: row[0], date: date, subject: subject, value: value, kind: row[4],
                        storedWeight: row[5], comment: row[6]))
            }
            marksCache.store(rows, for: key, stamp: stamp)
            return MarksCache.entries(rows, weights: weights)
        }
    }

    /// The student's greatest revision, read from the database only when something has been
    /// committed since it was last read (`DatabaseVersion`): most askings of `/marks` find
    /// the database as it was and run no statement at all.
    public func marksStamp(of student: StudentID) async throws -> MarksStamp {
        let weights = try markKindWeights()
        // Read before the revision: a commit in between leaves the revision under an older
        // version, which the next asking does not accept.
        let version = readers.version
        if let version, let revision = marksCache.stamp(of: student.rawValue, at: version) {
            return MarksStamp(revision: revision, weights: weights)
        }
        let revision = try readers.query { db in
            try Int64.fetchOne(
                db,
                prepared: """
                    SELECT max(coalesce((SELECT max(revision) FROM marks WHERE student_id = ?1), 0),
                               coalesce((SELECT max(revision) FROM finals WHERE student_id = ?1), 0))
                    """, arguments: [student.rawValue]) ?? 0
        }
        if let version { marksCache.store(stamp: revision, of: student.rawValue, at: version) }
        return MarksStamp(revision: revision, weights: weights)
    }

    /// The mark kinds' weights (`mark_kinds`), which override a mark's own.
    private func markKindWeights() throws -> [String: Double] {
        try cache.value(.markKindWeights) {
            try readers.read { db in
                var weights: [String: Double] = [:]
                for row in try Row.fetchAll(db, prepared: "SELECT code, weight FROM mark_kinds") {
                    weights[row[0]] = row[1]
                }
                return weights
            }
        }
    }

    public func absences(of student: StudentID, from: SchoolDate, through: SchoolDate) async throws -> [AbsenceEntry] {
        try readers.query { db in
            try Row.fetchAll(
                db,
                prepared: """
                    SELECT a.id, l.date, l.number, sub.name AS subject, a.reason
                    FROM absences a JOIN lessons l ON l.id = a.lesson_id JOIN subjects sub ON sub.id = l.subject_id
                    WHERE a.student_id = ? AND l.date BETWEEN ? AND ? AND a.deleted_at IS NULL
                    ORDER BY l.date, l.number
                    """, arguments: [student.rawValue, from.iso, through.iso]
            ).compactMap { row in
                guard let reason = AbsenceReason(rawValue: row["reason"]), let date = SchoolDate(iso: row["date"])
                else { return nil }
                return AbsenceEntry(
                    id: row["id"], date: date, lessonNumber: row["number"], subject: row["subject"], reason: reason)
            }
        }
    }

    public func acknowledge(student: StudentID, guardian: AccountID, context: AuditContext) async throws
        -> Acknowledgement?
    {
        try await writer.write { db in
            let since =
                try Int64.fetchOne(
                    db,
                    prepared: """
                        SELECT max(up_to_revision) FROM acknowledgements WHERE student_id = ? AND guardian_id = ?
                        """, arguments: [student.rawValue, guardian.rawValue]) ?? 0
            let marks = try Row.fetchAll(
                db, prepared: "SELECT id, revision FROM marks WHERE student_id = ? AND revision > ?",
                arguments: [student.rawValue, since])
            let absences = try Row.fetchAll(
                db, prepared: "SELECT id, revision FROM absences WHERE student_id = ? AND revision > ?",
                arguments: [student.rawValue, since])
            if marks.isEmpty && absences.isEmpty { return nil }
            let upTo = (marks + absences).map { $0["revision"] as Int64 }.max()!
            try db.cachedStatement(
                sql: """
                    INSERT INTO acknowledgements (guardian_id, student_id, acknowledged_at, session_id, up_to_revision,
                        mark_count, absence_count)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                guardian.rawValue, student.rawValue, context.at, context.sessionID, upTo, marks.count, absences.count
            ])
            let id = db.lastInsertedRowID
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO acknowledgement_entries (acknowledgement_id, entry_kind, entry_id, entry_revision)
                        VALUES (?, ?, ?, ?)
                    """)
            for row in marks { try insert.execute(arguments: [id, "mark", row["id"], row["revision"]]) }
            for row in absences { try insert.execute(arguments: [id, "absence", row["id"], row["revision"]]) }
            try AuditLog.append(
                db, context: context, action: "diary.acknowledge", entity: "student",
                entityID: String(student.rawValue),
                new: "acknowledgement \(id): \(marks.count) marks, \(absences.count) absences, up to revision \(upTo)")
            return Acknowledgement(
                id: id, guardian: guardian, student: student, at: context.at,
                markCount: marks.count, absenceCount: absences.count)
        }
    }

    public func lastAcknowledgement(student: StudentID, guardian: AccountID) async throws -> Acknowledgement? {
        try readers.read { db in
            try Row.fetchOne(
                db,
                prepared: """
                    SELECT * FROM acknowledgements WHERE student_id = ? AND guardian_id = ? ORDER BY id DESC LIMIT 1
                    """, arguments: [student.rawValue, guardian.rawValue]
            ).map(Self.acknowledgement)
        }
    }

    public func recordConsent(_ decision: ConsentDecision, guardian: AccountID, context: AuditContext) async throws
        -> ConsentRecord
    {
        try await writer.write { db in
            let old = try String.fetchOne(
                db, prepared: "SELECT decision FROM consents WHERE guardian_id = ? ORDER BY id DESC LIMIT 1",
                arguments: [guardian.rawValue])
            try db.execute(
                sql: """
                    INSERT INTO consents (guardian_id, decision, scope, recorded_at, session_id) VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [guardian.rawValue, decision.rawValue, ConsentDecision.scope, context.at, context.sessionID])
            try AuditLog.append(
                db, context: context, action: "consent.record", entity: "account", entityID: String(guardian.rawValue),
                old: old, new: decision.rawValue)
            return ConsentRecord(decision: decision, at: context.at)
        }
    }

    public func latestConsent(guardian: AccountID) async throws -> ConsentRecord? {
        try readers.query { db in
            try Row.fetchOne(
                db,
                prepared: "SELECT decision, recorded_at FROM consents WHERE guardian_id = ? ORDER BY id DESC LIMIT 1",
                arguments: [guardian.rawValue]
            ).flatMap { row in
                ConsentDecision(rawValue: row["decision"]).map { ConsentRecord(decision: $0, at: row["recorded_at"]) }
            }
        }
    }

    /// A student from a row that starts with `studentColumns`, read by position (no lookup of
    /// each column by name: the diary's hot queries).
    static func studentAtStart(_ row: Row) -> Student {
        Student(
            id: StudentID(row[0]), lastName: row[1], firstName: row[2], classID: ClassID(row[3]), className: row[4],
            grade: row[5])
    }

    static func student(_ row: Row) -> Student {
        Student(
            id: StudentID(row["id"]), lastName: row["last_name"], firstName: row["first_name"],
            classID: ClassID(row["class_id"]),
            className: row["class_name"], grade: row["grade"])
    }

    private static func acknowledgement(_ row: Row) -> Acknowledgement {
        Acknowledgement(
            id: row["id"], guardian: AccountID(row["guardian_id"]), student: StudentID(row["student_id"]),
            at: row["acknowledged_at"], markCount: row["mark_count"], absenceCount: row["absence_count"])
    }
}
