import ClassbookDomain
import Foundation
import GRDB

/// Marks, absences, finals, remarks and their history.
extension SQLiteJournalRepository {
    public func entries(ofLessons lessons: [LessonID]) async throws
        -> (marks: [LessonID: [(StudentID, MarkEntry)]], absences: [LessonID: [(StudentID, AbsenceEntry)]])
    {
        guard !lessons.isEmpty else { return ([:], [:]) }
        return try await pool.read { db in
            let list = SQLList.ids(lessons.map(\.rawValue))
            var marks: [LessonID: [(StudentID, MarkEntry)]] = [:]
            // Thousands of rows for a class's period: read through cursors, by position. A
            // lesson's date and subject are read once for the lesson, not joined to each of its
            // rows (a class's lesson has a row per student), and the mark kinds' weights applied
            // from the small kinds table: each mark row then costs one step in the database.
            var lessonFacts: [Int64: (date: SchoolDate, subject: String)] = [:]
            let lessonRows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT l.id, l.date, s.name FROM lessons l JOIN subjects s ON s.id = l.subject_id WHERE l.id IN
                            \(SQLList.ids)
                        """), arguments: [list])
            var subjects: [String] = []
            while let row = try lessonRows.next() {
                guard let date = SchoolDate(iso: row[1]) else { continue }
                let name: String = row[2]
                let subject =
                    subjects.first { $0 == name }
                    ?? {
                        subjects.append(name); return name
                    }()
                lessonFacts[row[0]] = (date, subject)
            }
            var weights: [String: Double] = [:]
            for row in try Row.fetchAll(db, prepared: "SELECT code, weight FROM mark_kinds") {
                weights[row[0]] = row[1]
            }
            let markRows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT m.id, m.lesson_id, m.student_id, m.value, m.kind, m.weight, m.comment
                        FROM marks m WHERE m.lesson_id IN \(SQLList.ids) AND m.deleted_at IS NULL ORDER BY m.id
                        """), arguments: [list])
            while let row = try markRows.next() {
                let lesson: Int64 = row[1]
                guard let value = MarkValue(storage: row[3]), let known = lessonFacts[lesson] else { continue }
                let kind: String = row[4]
                let entry = MarkEntry(
                    id: row[0], date: known.date, subject: known.subject, value: value, kind: kind,
                    weight: weights[kind] ?? row[5], comment: row[6])
                marks[LessonID(lesson), default: []].append((StudentID(row[2]), entry))
            }
            var absences: [LessonID: [(StudentID, AbsenceEntry)]] = [:]
            let absenceRows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT a.id, a.lesson_id, a.student_id, l.number, a.reason
                        FROM absences a JOIN lessons l ON l.id = a.lesson_id
                        WHERE a.lesson_id IN \(SQLList.ids) AND a.deleted_at IS NULL ORDER BY a.id
                        """), arguments: [list])
            while let row = try absenceRows.next() {
                let lesson: Int64 = row[1]
                guard let reason = AbsenceReason(rawValue: row[4]), let known = lessonFacts[lesson] else { continue }
                let entry = AbsenceEntry(
                    id: row[0], date: known.date, lessonNumber: row[3], subject: known.subject, reason: reason)
                absences[LessonID(lesson), default: []].append((StudentID(row[2]), entry))
            }
            return (marks, absences)
        }
    }

    public func writeMarks(
        _ marks: [MarkWrite], lesson: LessonID, context: AuditContext,
        events: @escaping @Sendable ([WriteOutcome]) -> [JournalEvent]
    ) async throws -> [WriteOutcome] {
        try await writer.write { db in
            var outcomes: [WriteOutcome] = []
            for mark in marks {
                let existing = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT id, value, comment FROM marks WHERE lesson_id = ? AND student_id = ? AND kind = ? AND
                            deleted_at IS NULL
                        """, arguments: [lesson.rawValue, mark.student.rawValue, mark.kind])
                if let existing {
                    let id: Int64 = existing["id"]
                    if existing["value"] == mark.value.storage && (existing["comment"] as String?) == mark.comment {
                        outcomes.append(.unchanged)
                        continue
                    }
                    try db.execute(
                        sql: "UPDATE marks SET value = ?, comment = ?, updated_at = ?, revision = ? WHERE id = ?",
                        arguments: [mark.value.storage, mark.comment, context.at, try Self.nextRevision(db), id])
                    try AuditedRows.record(db, .marks, id: id, action: "journal.mark.change", context: context)
                    outcomes.append(.changed)
                } else {
                    let weight =
                        try Double.fetchOne(
                            db, sql: "SELECT weight FROM mark_kinds WHERE code = ?", arguments: [mark.kind]) ?? 1
                    try db.execute(
                        sql: """
                            INSERT INTO marks (lesson_id, student_id, value, kind, weight, comment, revision,
                                created_at, created_by)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            lesson.rawValue, mark.student.rawValue, mark.value.storage, mark.kind, weight, mark.comment,
                            try Self.nextRevision(db), context.at, context.actor?.rawValue
                        ])
                    try AuditedRows.record(
                        db, .marks, key: String(db.lastInsertedRowID), action: "journal.mark.set", context: context,
                        isNew: true)
                    outcomes.append(.created)
                }
            }
            try JournalEvents.append(events(outcomes), db, at: context.at)
            return outcomes
        }
    }

    public func deleteMarks(student: StudentID, lesson: LessonID, kind: String?, context: AuditContext) async throws
        -> Int
    {
        try await writer.write { db in
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM marks WHERE lesson_id = ? AND student_id = ? AND (?3 IS NULL OR kind = ?3) AND
                        deleted_at IS NULL
                    """, arguments: [lesson.rawValue, student.rawValue, kind])
            for id in ids {
                try db.execute(
                    sql: "UPDATE marks SET deleted_at = ?, revision = ? WHERE id = ?",
                    arguments: [context.at, try Self.nextRevision(db), id])
                try AuditedRows.record(db, .marks, id: id, action: "journal.mark.delete", context: context)
            }
            return ids.count
        }
    }

    public func writeAbsences(
        _ absences: [(StudentID, AbsenceReason)], lesson: LessonID, context: AuditContext,
        events: @escaping @Sendable ([WriteOutcome]) -> [JournalEvent]
    ) async throws -> [WriteOutcome] {
        try await writer.write { db in
            var outcomes: [WriteOutcome] = []
            for (student, reason) in absences {
                let existing = try Row.fetchOne(
                    db, sql: "SELECT id, reason, deleted_at FROM absences WHERE lesson_id = ? AND student_id = ?",
                    arguments: [lesson.rawValue, student.rawValue])
                if let existing {
                    let id: Int64 = existing["id"]
                    let wasDeleted = (existing["deleted_at"] as DatabaseValue) != .null
                    if !wasDeleted && existing["reason"] == reason.rawValue {
                        outcomes.append(.unchanged)
                        continue
                    }
                    try db.execute(
                        sql:
                            "UPDATE absences SET reason = ?, deleted_at = NULL, updated_at = ?, revision = ? WHERE "
                            + "id = ?",
                        arguments: [reason.rawValue, context.at, try Self.nextRevision(db), id])
                    try AuditedRows.record(db, .absences, id: id, action: "journal.absence.change", context: context)
                    outcomes.append(wasDeleted ? .created : .changed)
                } else {
                    try db.execute(
                        sql: """
                            INSERT INTO absences (lesson_id, student_id, reason, revision, created_at, created_by)
                                VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            lesson.rawValue, student.rawValue, reason.rawValue, try Self.nextRevision(db), context.at,
                            context.actor?.rawValue
                        ])
                    try AuditedRows.record(
                        db, .absences, key: String(db.lastInsertedRowID), action: "journal.absence.set",
                        context: context, isNew: true)
                    outcomes.append(.created)
                }
            }
            try JournalEvents.append(events(outcomes), db, at: context.at)
            return outcomes
        }
    }

    public func deleteAbsence(student: StudentID, lesson: LessonID, context: AuditContext) async throws -> WriteOutcome
    {
        try await writer.write { db in
            guard
                let id = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT id FROM absences WHERE lesson_id = ? AND student_id = ? AND deleted_at IS NULL
                        """, arguments: [lesson.rawValue, student.rawValue])
            else { return .notFound }
            try db.execute(
                sql: "UPDATE absences SET deleted_at = ?, revision = ? WHERE id = ?",
                arguments: [context.at, try Self.nextRevision(db), id])
            try AuditedRows.record(db, .absences, id: id, action: "journal.absence.delete", context: context)
            return .deleted
        }
    }

    public func excuseAbsences(student: StudentID, dates: [SchoolDate], reason: AbsenceReason, context: AuditContext)
        async throws -> Int
    {
        try await writer.write { db in
            let placeholders = dates.map { _ in "?" }.joined(separator: ",")
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT a.id FROM absences a JOIN lessons l ON l.id = a.lesson_id
                    WHERE a.student_id = ? AND l.date IN (\(placeholders)) AND a.reason = 'Н' AND a.deleted_at IS NULL
                    """, arguments: StatementArguments([student.rawValue] + dates.map(\.iso)))
            for id in ids {
                try db.execute(
                    sql: "UPDATE absences SET reason = ?, updated_at = ?, revision = ? WHERE id = ?",
                    arguments: [reason.rawValue, context.at, try Self.nextRevision(db), id])
                try AuditedRows.record(db, .absences, id: id, action: "journal.absence.excuse", context: context)
            }
            return ids.count
        }
    }

    // MARK: Finals

    public func finals(of student: StudentID, on date: SchoolDate) async throws -> [FinalMark] {
        guard let year = try cachedYearID(on: date) else { return [] }
        return try readers.query { db in
            try Row.fetchAll(
                db,
                prepared: """
                    SELECT s.name AS subject, f.period, f.value FROM finals f JOIN subjects s ON s.id = f.subject_id
                    WHERE f.year_id = ? AND f.student_id = ? AND f.deleted_at IS NULL ORDER BY s.name, f.period
                    """, arguments: [year, student.rawValue]
            ).compactMap { row in
                MarkValue(storage: row["value"]).map {
                    FinalMark(subject: row["subject"], period: row["period"], value: $0)
                }
            }
        }
    }

    public func writeFinals(
        _ finals: [(StudentID, MarkValue?)], subject: SubjectID, period: Int, on date: SchoolDate,
        context: AuditContext
    ) async throws -> [WriteOutcome] {
        try await writer.write { db in
            guard let year = try Self.yearID(db, on: date) else { throw RepositoryError.notFound }
            var outcomes: [WriteOutcome] = []
            for (student, wanted) in finals {
                let existing = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT id, value, deleted_at FROM finals WHERE year_id = ? AND student_id = ? AND subject_id =
                            ? AND period = ?
                        """, arguments: [year, student.rawValue, subject.rawValue, period])
                guard let value = wanted else {
                    guard let existing, (existing["deleted_at"] as DatabaseValue) == .null else {
                        outcomes.append(.notFound)
                        continue
                    }
                    try db.execute(
                        sql: "UPDATE finals SET deleted_at = ?, revision = ? WHERE id = ?",
                        arguments: [context.at, try Self.nextRevision(db), existing["id"] as Int64])
                    try AuditedRows.record(
                        db, .finals, id: existing["id"], action: "journal.final.delete", context: context)
                    outcomes.append(.deleted)
                    continue
                }
                if let existing {
                    let id: Int64 = existing["id"]
                    if existing["value"] == value.storage && (existing["deleted_at"] as DatabaseValue) == .null {
                        outcomes.append(.unchanged)
                        continue
                    }
                    try db.execute(
                        sql:
                            "UPDATE finals SET value = ?, deleted_at = NULL, set_at = ?, set_by = ?, revision = ? "
                            + "WHERE id = ?",
                        arguments: [value.storage, context.at, context.actor?.rawValue, try Self.nextRevision(db), id])
                    try AuditedRows.record(db, .finals, id: id, action: "journal.final.change", context: context)
                    outcomes.append(.changed)
                } else {
                    try db.execute(
                        sql: """
                            INSERT INTO finals (year_id, student_id, subject_id, period, value, revision, set_at,
                                set_by)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            year, student.rawValue, subject.rawValue, period, value.storage, try Self.nextRevision(db),
                            context.at, context.actor?.rawValue
                        ])
                    try AuditedRows.record(
                        db, .finals, key: String(db.lastInsertedRowID), action: "journal.final.set",
                        context: context, isNew: true)
                    outcomes.append(.created)
                }
            }
            return outcomes
        }
    }

    // MARK: Remarks

    public func remarks(of student: StudentID, from: SchoolDate, through: SchoolDate) async throws -> [Remark] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.*, a.display_name AS author, s.name AS subject FROM remarks r JOIN accounts a ON a.id =
                        r.author_id
                    LEFT JOIN subjects s ON s.id = r.subject_id
                    WHERE r.student_id = ? AND r.date BETWEEN ? AND ? AND r.deleted_at IS NULL ORDER BY r.date, r.id
                    """, arguments: [student.rawValue, from.iso, through.iso]
            ).map(Self.remark)
        }
    }

    public func addRemark(
        student: StudentID, kind: Remark.Kind, subject: SubjectID?, text: String, date: SchoolDate,
        context: AuditContext, events: @escaping @Sendable (Remark) -> [JournalEvent]
    ) async throws -> Remark {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO remarks (student_id, author_id, subject_id, date, kind, text, revision, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    student.rawValue, context.actor?.rawValue, subject?.rawValue, date.iso, kind.rawValue, text,
                    try Self.nextRevision(db), context.at
                ])
            let id = db.lastInsertedRowID
            try AuditedRows.record(
                db, .remarks, key: String(id), action: "journal.remark.add", context: context, isNew: true)
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT r.*, a.display_name AS author, s.name AS subject FROM remarks r JOIN accounts a ON a.id
                            = r.author_id
                        LEFT JOIN subjects s ON s.id = r.subject_id WHERE r.id = ?
                        """, arguments: [id])
            else { throw RepositoryError.notFound }
            let remark = Self.remark(row)
            try JournalEvents.append(events(remark), db, at: context.at)
            return remark
        }
    }

    public func deleteLatestRemark(student: StudentID, author: AccountID, context: AuditContext) async throws -> Remark?
    {
        try await writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT r.*, a.display_name AS author, s.name AS subject FROM remarks r JOIN accounts a ON a.id
                            = r.author_id
                        LEFT JOIN subjects s ON s.id = r.subject_id
                        WHERE r.student_id = ? AND r.author_id = ? AND r.deleted_at IS NULL ORDER BY r.id DESC LIMIT 1
                        """, arguments: [student.rawValue, author.rawValue])
            else { return nil }
            let id: Int64 = row["id"]
            try db.execute(
                sql: "UPDATE remarks SET deleted_at = ?, revision = ? WHERE id = ?",
                arguments: [context.at, try Self.nextRevision(db), id])
            try AuditedRows.record(db, .remarks, id: id, action: "journal.remark.delete", context: context)
            return Self.remark(row)
        }
    }

    static func remark(_ row: Row) -> Remark {
        Remark(
            id: row["id"], date: SchoolDate(iso: row["date"])!, kind: Remark.Kind(rawValue: row["kind"]) ?? .remark,
            authorName: row["author"], subject: row["subject"], text: row["text"])
    }

    // MARK: History

    /// Read from the audit log itself: what the tamper-evident record says happened.
    public func markHistory(of student: StudentID, from: SchoolDate, through: SchoolDate) async throws
        -> [MarkHistoryEvent]
    {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.at, a.action, a.old_value, a.new_value, acc.display_name AS actor, s.name AS subject,
                        l.date
                    FROM marks m JOIN lessons l ON l.id = m.lesson_id JOIN subjects s ON s.id = l.subject_id
                    JOIN audit_log a ON a.entity = 'marks' AND a.entity_id = CAST(m.id AS TEXT)
                    LEFT JOIN accounts acc ON acc.id = a.actor_id
                    WHERE m.student_id = ? AND l.date BETWEEN ? AND ?
                    ORDER BY a.id
                    """, arguments: [student.rawValue, from.iso, through.iso])
            return rows.compactMap { row in
                guard let change = MarkHistoryEvent.change(old: row["old_value"], new: row["new_value"]),
                    let at = AuditTimestamp.parse(row["at"])
                else { return nil }
                return MarkHistoryEvent(
                    at: at, actorName: row["actor"] ?? "", subject: row["subject"],
                    lessonDate: SchoolDate(iso: row["date"])!, change: change)
            }
        }
    }
}
