import ClassbookDomain
import Foundation

/// Marks, absences, finals, remarks and their history.
extension PostgresJournalRepository {
    public func entries(ofLessons lessons: [LessonID]) async throws
        -> (marks: [LessonID: [(StudentID, MarkEntry)]], absences: [LessonID: [(StudentID, AbsenceEntry)]])
    {
        guard !lessons.isEmpty else { return ([:], [:]) }
        let ids = "{" + lessons.map { String($0.rawValue) }.joined(separator: ",") + "}"
        return try await store.read { sql in
            var marks: [LessonID: [(StudentID, MarkEntry)]] = [:]
            for row in try await sql.rows(
                """
                SELECT m.id, m.lesson_id, m.student_id, m.value, m.kind, coalesce(k.weight, m.weight), m.comment,
                    l.date, s.name
                FROM marks m JOIN lessons l ON l.id = m.lesson_id JOIN subjects s ON s.id = l.subject_id
                LEFT JOIN mark_kinds k ON k.code = m.kind
                WHERE m.lesson_id = ANY(?::bigint[]) AND m.deleted_at IS NULL ORDER BY m.id
                """, ids)
            {
                guard let value = MarkValue(storage: row[3].string), let date = row[7].schoolDate else { continue }
                let entry = MarkEntry(
                    id: row[0].int, date: date, subject: row[8].string, value: value, kind: row[4].string,
                    weight: row[5].double, comment: row[6].optionalString)
                marks[LessonID(row[1].int), default: []].append((StudentID(row[2].int), entry))
            }
            var absences: [LessonID: [(StudentID, AbsenceEntry)]] = [:]
            for row in try await sql.rows(
                """
                SELECT a.id, a.lesson_id, a.student_id, l.number, a.reason, l.date, s.name
                FROM absences a JOIN lessons l ON l.id = a.lesson_id JOIN subjects s ON s.id = l.subject_id
                WHERE a.lesson_id = ANY(?::bigint[]) AND a.deleted_at IS NULL ORDER BY a.id
                """, ids)
            {
                guard let reason = AbsenceReason(rawValue: row[4].string), let date = row[5].schoolDate else {
                    continue
                }
                let entry = AbsenceEntry(
                    id: row[0].int, date: date, lessonNumber: Int(row[3].int), subject: row[6].string, reason: reason)
                absences[LessonID(row[1].int), default: []].append((StudentID(row[2].int), entry))
            }
            return (marks, absences)
        }
    }

    public func writeMarks(
        _ marks: [MarkWrite], lesson: LessonID, context: AuditContext,
        events: @escaping @Sendable ([WriteOutcome]) -> [JournalEvent]
    ) async throws -> [WriteOutcome] {
        try await store.writing { sql, audit in
            var outcomes: [WriteOutcome] = []
            for mark in marks {
                let existing = try await sql.row(
                    """
                    SELECT id, value, comment FROM marks
                    WHERE lesson_id = ? AND student_id = ? AND kind = ? AND deleted_at IS NULL
                    """, lesson.rawValue, mark.student.rawValue, mark.kind)
                if let existing {
                    let id = existing[0].int
                    if existing[1].string == mark.value.storage && existing[2].optionalString == mark.comment {
                        outcomes.append(.unchanged)
                        continue
                    }
                    try await sql.execute(
                        "UPDATE marks SET value = ?, comment = ?::text, updated_at = ?, revision = ? WHERE id = ?",
                        mark.value.storage, mark.comment, context.at, try await Self.nextRevision(sql), id)
                    try await PostgresAuditedRows.record(
                        sql, audit, .marks, id: id, action: "journal.mark.change", context: context)
                    outcomes.append(.changed)
                } else {
                    let weight =
                        try await sql.value("SELECT weight FROM mark_kinds WHERE code = ?", mark.kind).optionalDouble
                        ?? 1
                    let id = try await sql.value(
                        """
                        INSERT INTO marks (lesson_id, student_id, value, kind, weight, comment, revision, created_at,
                            created_by)
                        VALUES (?, ?, ?, ?, ?, ?::text, ?, ?, ?::bigint) RETURNING id
                        """, lesson.rawValue, mark.student.rawValue, mark.value.storage, mark.kind, weight,
                        mark.comment,
                        try await Self.nextRevision(sql), context.at, context.actor?.rawValue
                    ).int
                    try await PostgresAuditedRows.record(
                        sql, audit, .marks, key: String(id), action: "journal.mark.set", context: context, isNew: true)
                    outcomes.append(.created)
                }
            }
            try await PostgresJournalEvents.append(events(outcomes), sql, at: context.at)
            return outcomes
        }
    }

    public func deleteMarks(student: StudentID, lesson: LessonID, kind: String?, context: AuditContext) async throws
        -> Int
    {
        try await store.writing { sql, audit in
            let ids = try await sql.rows(
                """
                SELECT id FROM marks WHERE lesson_id = ?1 AND student_id = ?2 AND (?3::text IS NULL OR kind = ?3)
                    AND deleted_at IS NULL ORDER BY id
                """, lesson.rawValue, student.rawValue, kind
            ).map { $0[0].int }
            for id in ids {
                try await sql.execute(
                    "UPDATE marks SET deleted_at = ?, revision = ? WHERE id = ?", context.at,
                    try await Self.nextRevision(sql), id)
                try await PostgresAuditedRows.record(
                    sql, audit, .marks, id: id, action: "journal.mark.delete", context: context)
            }
            return ids.count
        }
    }

    public func writeAbsences(
        _ absences: [(StudentID, AbsenceReason)], lesson: LessonID, context: AuditContext,
        events: @escaping @Sendable ([WriteOutcome]) -> [JournalEvent]
    ) async throws -> [WriteOutcome] {
        try await store.writing { sql, audit in
            var outcomes: [WriteOutcome] = []
            for (student, reason) in absences {
                let existing = try await sql.row(
                    "SELECT id, reason, deleted_at FROM absences WHERE lesson_id = ? AND student_id = ?",
                    lesson.rawValue, student.rawValue)
                if let existing {
                    let id = existing[0].int
                    let wasDeleted = !existing[2].isNull
                    if !wasDeleted && existing[1].string == reason.rawValue {
                        outcomes.append(.unchanged)
                        continue
                    }
                    try await sql.execute(
                        "UPDATE absences SET reason = ?, deleted_at = NULL, updated_at = ?, revision = ? WHERE id = ?",
                        reason.rawValue, context.at, try await Self.nextRevision(sql), id)
                    try await PostgresAuditedRows.record(
                        sql, audit, .absences, id: id, action: "journal.absence.change", context: context)
                    outcomes.append(wasDeleted ? .created : .changed)
                } else {
                    let id = try await sql.value(
                        """
                        INSERT INTO absences (lesson_id, student_id, reason, revision, created_at, created_by)
                        VALUES (?, ?, ?, ?, ?, ?::bigint) RETURNING id
                        """, lesson.rawValue, student.rawValue, reason.rawValue, try await Self.nextRevision(sql),
                        context.at, context.actor?.rawValue
                    ).int
                    try await PostgresAuditedRows.record(
                        sql, audit, .absences, key: String(id), action: "journal.absence.set", context: context,
                        isNew: true)
                    outcomes.append(.created)
                }
            }
            try await PostgresJournalEvents.append(events(outcomes), sql, at: context.at)
            return outcomes
        }
    }

    public func deleteAbsence(student: StudentID, lesson: LessonID, context: AuditContext) async throws -> WriteOutcome
    {
        try await store.writing { sql, audit in
            guard
                let id = try await sql.value(
                    "SELECT id FROM absences WHERE lesson_id = ? AND student_id = ? AND deleted_at IS NULL",
                    lesson.rawValue, student.rawValue
                ).optionalInt
            else { return .notFound }
            try await sql.execute(
                "UPDATE absences SET deleted_at = ?, revision = ? WHERE id = ?", context.at,
                try await Self.nextRevision(sql), id)
            try await PostgresAuditedRows.record(
                sql, audit, .absences, id: id, action: "journal.absence.delete", context: context)
            return .deleted
        }
    }

    public func excuseAbsences(student: StudentID, dates: [SchoolDate], reason: AbsenceReason, context: AuditContext)
        async throws -> Int
    {
        let days = "{" + dates.map(\.iso).joined(separator: ",") + "}"
        return try await store.writing { sql, audit in
            let ids = try await sql.rows(
                """
                SELECT a.id FROM absences a JOIN lessons l ON l.id = a.lesson_id
                WHERE a.student_id = ? AND l.date = ANY(?::text[]) AND a.reason = 'Н' AND a.deleted_at IS NULL
                ORDER BY a.id
                """, student.rawValue, days
            ).map { $0[0].int }
            for id in ids {
                try await sql.execute(
                    "UPDATE absences SET reason = ?, updated_at = ?, revision = ? WHERE id = ?", reason.rawValue,
                    context.at, try await Self.nextRevision(sql), id)
                try await PostgresAuditedRows.record(
                    sql, audit, .absences, id: id, action: "journal.absence.excuse", context: context)
            }
            return ids.count
        }
    }

    // MARK: Finals

    public func finals(of student: StudentID, on date: SchoolDate) async throws -> [FinalMark] {
        try await sql.rows(
            """
            SELECT s.name AS subject, f.period, f.value FROM finals f JOIN subjects s ON s.id = f.subject_id
            WHERE f.year_id = \(PostgresDiaryRepository.yearOfDate) AND f.student_id = ?2 AND f.deleted_at IS NULL
            ORDER BY s.name, f.period
            """, date, student.rawValue
        ).compactMap { row in
            MarkValue(storage: row[2].string).map {
                FinalMark(subject: row[0].string, period: Int(row[1].int), value: $0)
            }
        }
    }

    public func writeFinals(
        _ finals: [(StudentID, MarkValue?)], subject: SubjectID, period: Int, on date: SchoolDate,
        context: AuditContext
    ) async throws -> [WriteOutcome] {
        try await store.writing { sql, audit in
            guard let year = try await Self.yearID(sql, on: date) else { throw RepositoryError.notFound }
            var outcomes: [WriteOutcome] = []
            for (student, wanted) in finals {
                let existing = try await sql.row(
                    """
                    SELECT id, value, deleted_at FROM finals
                    WHERE year_id = ? AND student_id = ? AND subject_id = ? AND period = ?
                    """, year, student.rawValue, subject.rawValue, period)
                guard let value = wanted else {
                    guard let existing, existing[2].isNull else {
                        outcomes.append(.notFound)
                        continue
                    }
                    try await sql.execute(
                        "UPDATE finals SET deleted_at = ?, revision = ? WHERE id = ?", context.at,
                        try await Self.nextRevision(sql), existing[0].int)
                    try await PostgresAuditedRows.record(
                        sql, audit, .finals, id: existing[0].int, action: "journal.final.delete", context: context)
                    outcomes.append(.deleted)
                    continue
                }
                if let existing {
                    let id = existing[0].int
                    if existing[1].string == value.storage && existing[2].isNull {
                        outcomes.append(.unchanged)
                        continue
                    }
                    try await sql.execute(
                        """
                        UPDATE finals SET value = ?, deleted_at = NULL, set_at = ?, set_by = ?::bigint, revision = ?
                        WHERE id = ?
                        """, value.storage, context.at, context.actor?.rawValue, try await Self.nextRevision(sql), id)
                    try await PostgresAuditedRows.record(
                        sql, audit, .finals, id: id, action: "journal.final.change", context: context)
                    outcomes.append(.changed)
                } else {
                    let id = try await sql.value(
                        """
                        INSERT INTO finals (year_id, student_id, subject_id, period, value, revision, set_at, set_by)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?::bigint) RETURNING id
                        """, year, student.rawValue, subject.rawValue, period, value.storage,
                        try await Self.nextRevision(sql), context.at, context.actor?.rawValue
                    ).int
                    try await PostgresAuditedRows.record(
                        sql, audit, .finals, key: String(id), action: "journal.final.set", context: context,
                        isNew: true)
                    outcomes.append(.created)
                }
            }
            return outcomes
        }
    }

    // MARK: Remarks

    static let remarkQuery = """
        SELECT r.id, r.date, r.kind, a.display_name AS author, s.name AS subject, r.text
        FROM remarks r JOIN accounts a ON a.id = r.author_id LEFT JOIN subjects s ON s.id = r.subject_id
        """

    static func remark(_ row: SQLRow) -> Remark? {
        guard let date = row[1].schoolDate else { return nil }
        return Remark(
            id: row[0].int, date: date, kind: Remark.Kind(rawValue: row[2].string) ?? .remark,
            authorName: row[3].string, subject: row[4].optionalString, text: row[5].string)
    }

    public func remarks(of student: StudentID, from: SchoolDate, through: SchoolDate) async throws -> [Remark] {
        try await sql.rows(
            Self.remarkQuery + """
                 WHERE r.student_id = ? AND r.date BETWEEN ? AND ? AND r.deleted_at IS NULL ORDER BY r.date, r.id
                """, student.rawValue, from, through
        ).compactMap(Self.remark)
    }

    public func addRemark(
        student: StudentID, kind: Remark.Kind, subject: SubjectID?, text: String, date: SchoolDate,
        context: AuditContext, events: @escaping @Sendable (Remark) -> [JournalEvent]
    ) async throws -> Remark {
        try await store.writing { sql, audit in
            let id = try await sql.value(
                """
                INSERT INTO remarks (student_id, author_id, subject_id, date, kind, text, revision, created_at)
                VALUES (?, ?::bigint, ?::bigint, ?, ?, ?, ?, ?) RETURNING id
                """, student.rawValue, context.actor?.rawValue, subject?.rawValue, date, kind.rawValue, text,
                try await Self.nextRevision(sql), context.at
            ).int
            try await PostgresAuditedRows.record(
                sql, audit, .remarks, key: String(id), action: "journal.remark.add", context: context, isNew: true)
            guard let row = try await sql.row(Self.remarkQuery + " WHERE r.id = ?", id), let remark = Self.remark(row)
            else { throw RepositoryError.notFound }
            try await PostgresJournalEvents.append(events(remark), sql, at: context.at)
            return remark
        }
    }

    public func deleteLatestRemark(student: StudentID, author: AccountID, context: AuditContext) async throws -> Remark?
    {
        try await store.writing { sql, audit in
            guard
                let row = try await sql.row(
                    Self.remarkQuery + """
                         WHERE r.student_id = ? AND r.author_id = ? AND r.deleted_at IS NULL ORDER BY r.id DESC LIMIT 1
                        """, student.rawValue, author.rawValue), let remark = Self.remark(row)
            else { return nil }
            try await sql.execute(
                "UPDATE remarks SET deleted_at = ?, revision = ? WHERE id = ?", context.at,
                try await Self.nextRevision(sql), remark.id)
            try await PostgresAuditedRows.record(
                sql, audit, .remarks, id: remark.id, action: "journal.remark.delete", context: context)
            return remark
        }
    }

    // MARK: History

    /// Read from the audit log itself: what the tamper-evident record says happened.
    public func markHistory(of student: StudentID, from: SchoolDate, through: SchoolDate) async throws
        -> [MarkHistoryEvent]
    {
        try await sql.rows(
            """
            SELECT a.at, a.old_value, a.new_value, acc.display_name AS actor, s.name AS subject, l.date
            FROM marks m JOIN lessons l ON l.id = m.lesson_id JOIN subjects s ON s.id = l.subject_id
            JOIN audit_log a ON a.entity = 'marks' AND a.entity_id = CAST(m.id AS TEXT)
            LEFT JOIN accounts acc ON acc.id = a.actor_id
            WHERE m.student_id = ? AND l.date BETWEEN ? AND ?
            ORDER BY a.id
            """, student.rawValue, from, through
        ).compactMap { row in
            guard let change = MarkHistoryEvent.change(old: row[1].optionalString, new: row[2].optionalString),
                let at = UTCTimestamp.parse(row[0].string), let date = row[5].schoolDate
            else { return nil }
            return MarkHistoryEvent(
                at: at, actorName: row[3].optionalString ?? "", subject: row[4].string, lessonDate: date,
                change: change)
        }
    }
}

/// The journal's events saved with the write that made them (the notifications' outbox), as
/// `JournalEvents` keeps them in SQLite.
enum PostgresJournalEvents {
    static func append(_ events: [JournalEvent], _ sql: SQL, at: Date) async throws {
        for event in events {
            try await sql.execute("INSERT INTO journal_events (event, created_at) VALUES (?, ?)", event.record, at)
        }
    }
}
