import ClassbookDomain
import Foundation

/// The class teacher's duties on PostgreSQL: the same behaviour as `SQLiteDutiesRepository`
/// (the contract tests run both).
public struct PostgresDutiesRepository: DutiesRepository {
    let store: PostgresStore
    private var sql: SQL { store.sql }
    private static let students = PostgresDiaryRepository.studentColumns
    private static let fields = PostgresDiaryRepository.studentFields
    private static let table = PostgresDiaryRepository.studentsTable
    private static let student = PostgresDiaryRepository.student

    private func settings() async throws -> [String: String] {
        var settings: [String: String] = [:]
        for row in try await sql.rows("SELECT key, value FROM school_settings") {
            settings[row[0].string] = row[1].string
        }
        return settings
    }

    public func riskRules() async throws -> RiskRules { RiskRules(settings: try await settings()) }
    public func digestSchedule() async throws -> DigestSchedule { DigestSchedule(settings: try await settings()) }

    // MARK: Activity

    public func recordLogin(_ account: AccountID, at: Date) async throws {
        try await store.writing(.concurrent(locking: [.account(account)])) { sql, _ in
            try await sql.execute("INSERT INTO account_logins (account_id, at) VALUES (?, ?)", account.rawValue, at)
        }
    }

    public func recordDiaryView(account: AccountID, student: StudentID, day: SchoolDate, at: Date) async throws {
        try await store.writing(.concurrent(locking: [.account(account)])) { sql, _ in
            try await sql.execute(
                """
                INSERT INTO diary_views (account_id, student_id, day, views, last_at) VALUES (?, ?, ?, 1, ?)
                ON CONFLICT (account_id, student_id, day)
                    DO UPDATE SET views = diary_views.views + 1, last_at = excluded.last_at
                """, account.rawValue, student.rawValue, day, at)
        }
    }

    public func guardians(ofClass classID: ClassID, on date: SchoolDate) async throws -> [ClassGuardian] {
        let rows = try await sql.rows(
            """
            SELECT \(Self.fields), a.id AS account_id, a.login, a.display_name, a.password_hash \(Self.table)
            JOIN guardianships g ON g.student_id = s.id JOIN accounts a ON a.id = g.guardian_id
            WHERE s.class_id = ?1 AND (s.arrived_on IS NULL OR s.arrived_on <= ?2)
                AND (s.left_on IS NULL OR s.left_on > ?2)
            ORDER BY a.display_name, a.id, s.last_name
            """, classID.rawValue, date)
        var result: [ClassGuardian] = []
        for row in rows {
            let id = AccountID(row[6].int)
            let student = Self.student(row)
            if let index = result.firstIndex(where: { $0.account == id }) {
                result[index].children.append(student)
            } else {
                result.append(
                    ClassGuardian(
                        account: id, login: row[7].string, name: row[8].string, children: [student],
                        hasPassword: row[9].string != Account.noPassword))
            }
        }
        return result
    }

    /// `{1,2,3}`: ids bound as one array argument (`= ANY(?::bigint[])`).
    static func array(_ ids: [Int64]) -> String { "{" + ids.map(String.init).joined(separator: ",") + "}" }

    public func latestConsents(of guardians: [AccountID]) async throws -> [AccountID: ConsentRecord] {
        guard !guardians.isEmpty else { return [:] }
        var result: [AccountID: ConsentRecord] = [:]
        for row in try await sql.rows(
            """
            SELECT DISTINCT ON (guardian_id) guardian_id, decision, recorded_at FROM consents
            WHERE guardian_id = ANY(?::bigint[]) ORDER BY guardian_id, id DESC
            """, Self.array(guardians.map(\.rawValue)))
        {
            if let decision = ConsentDecision(rawValue: row[1].string) {
                result[AccountID(row[0].int)] = ConsentRecord(decision: decision, at: row[2].date)
            }
        }
        return result
    }

    public func activity(of guardians: [AccountID], from: Date, through: Date, days: ClosedRange<SchoolDate>)
        async throws -> [AccountID: GuardianActivity]
    {
        guard !guardians.isEmpty else { return [:] }
        let list = Self.array(guardians.map(\.rawValue))
        return try await store.read { sql in
            var lastLogin: [Int64: Date] = [:], logins: [Int64: Int] = [:], views: [Int64: Int] = [:]
            var acks: [Int64: [Date]] = [:]
            for row in try await sql.rows(
                """
                SELECT account_id, max(at) FROM account_logins WHERE account_id = ANY(?::bigint[]) GROUP BY account_id
                """,
                list)
            {
                lastLogin[row[0].int] = row[1].date
            }
            for row in try await sql.rows(
                """
                SELECT account_id, count(*) FROM account_logins
                WHERE account_id = ANY(?::bigint[]) AND at BETWEEN ? AND ? GROUP BY account_id
                """, list, from, through)
            {
                logins[row[0].int] = Int(row[1].int)
            }
            for row in try await sql.rows(
                """
                SELECT account_id, sum(views) FROM diary_views
                WHERE account_id = ANY(?::bigint[]) AND day BETWEEN ? AND ? GROUP BY account_id
                """, list, days.lowerBound, days.upperBound)
            {
                views[row[0].int] = Int(row[1].int)
            }
            for row in try await sql.rows(
                """
                SELECT guardian_id, acknowledged_at FROM acknowledgements
                WHERE guardian_id = ANY(?::bigint[]) AND acknowledged_at BETWEEN ? AND ? ORDER BY id
                """, list, from, through)
            {
                acks[row[0].int, default: []].append(row[1].date)
            }
            return GuardianActivity.of(
                guardians, lastLogin: lastLogin, logins: logins, views: views, acknowledgements: acks)
        }
    }

    // MARK: Absences

    public func unexcusedAbsences(ofClass classID: ClassID, from: SchoolDate, through: SchoolDate) async throws
        -> [UnexcusedAbsence]
    {
        try await sql.rows(
            """
            SELECT \(Self.fields), a.id AS absence_id, l.date, l.number, sub.name AS subject \(Self.table)
            JOIN absences a ON a.student_id = s.id JOIN lessons l ON l.id = a.lesson_id
            JOIN subjects sub ON sub.id = l.subject_id
            WHERE l.class_id = ? AND l.date BETWEEN ? AND ? AND a.reason = 'Н' AND a.deleted_at IS NULL
            ORDER BY s.last_name, s.first_name, l.date, l.number
            """,
            classID.rawValue, from, through
        ).compactMap { row in
            guard let date = row[7].schoolDate else { return nil }
            return UnexcusedAbsence(
                student: Self.student(row),
                entry: AbsenceEntry(
                    id: row[6].int, date: date, lessonNumber: Int(row[8].int), subject: row[9].string,
                    reason: .unexcused))
        }
    }

    public func addAbsenceNote(
        student: StudentID, guardian: AccountID, dates: [SchoolDate], reason: String, context: AuditContext
    ) async throws -> Int64 {
        try await store.writing { sql, audit in
            let id = try await sql.value(
                """
                INSERT INTO absence_notes (student_id, guardian_id, dates, reason, created_at) VALUES (?, ?, ?, ?, ?)
                RETURNING id
                """, student.rawValue, guardian.rawValue, dates.map(\.iso).joined(separator: ","), reason, context.at
            ).int
            try await PostgresAuditedRows.record(
                sql, audit, .absenceNotes, key: String(id), action: "absence.note.add", context: context, isNew: true)
            return id
        }
    }

    /// A note with its student: the student's columns first, then the note's.
    private static let noteQuery = """
        SELECT \(fields), n.id AS note_id, n.dates, n.reason, n.status, n.created_at, n.decision_note,
            a.display_name AS guardian_name
        \(table) JOIN absence_notes n ON n.student_id = s.id JOIN accounts a ON a.id = n.guardian_id
        """

    private static func note(_ row: SQLRow) -> AbsenceNote {
        AbsenceNote(
            id: row[6].int, student: student(row), guardianName: row[12].string,
            dates: row[7].string.split(separator: ",").compactMap { SchoolDate(iso: String($0)) },
            reason: row[8].string, status: AbsenceNote.Status(rawValue: row[9].string) ?? .pending,
            createdAt: row[10].date, decisionNote: row[11].optionalString)
    }

    public func absenceNotes(ofClass classID: ClassID, pendingOnly: Bool) async throws -> [AbsenceNote] {
        try await sql.rows(
            Self.noteQuery + " WHERE s.class_id = ?1 AND (?2 = 0 OR n.status = 'pending') ORDER BY n.id",
            classID.rawValue, pendingOnly
        ).map(Self.note)
    }

    public func absenceNote(id: Int64) async throws -> (note: AbsenceNote, classID: ClassID)? {
        try await sql.row(Self.noteQuery + " WHERE n.id = ?", id).map { (Self.note($0), ClassID($0[3].int)) }
    }

    public func decideAbsenceNote(id: Int64, accept: Bool, note decision: String?, context: AuditContext) async throws
        -> (AbsenceNote, excused: Int)
    {
        try await store.writing { sql, audit in
            guard
                let row = try await sql.row(
                    "SELECT student_id, dates FROM absence_notes WHERE id = ? AND status = 'pending' FOR UPDATE", id)
            else { throw RepositoryError.notFound }
            try await sql.execute(
                """
                UPDATE absence_notes SET status = ?, decided_by = ?::bigint, decided_at = ?, decision_note = ?::text
                WHERE id = ?
                """, accept ? "accepted" : "rejected", context.actor?.rawValue, context.at, decision, id)
            try await PostgresAuditedRows.record(
                sql, audit, .absenceNotes, id: id, action: accept ? "absence.note.accept" : "absence.note.reject",
                context: context)
            var excused = 0
            if accept {
                let ids = try await sql.rows(
                    """
                    SELECT a.id FROM absences a JOIN lessons l ON l.id = a.lesson_id
                    WHERE a.student_id = ? AND l.date = ANY(string_to_array(?, ',')) AND a.reason = 'Н'
                        AND a.deleted_at IS NULL
                    ORDER BY a.id
                    """, row[0].int, row[1].string
                ).map { $0[0].int }
                for absence in ids {
                    try await sql.execute(
                        "UPDATE absences SET reason = 'УП', updated_at = ?, revision = ? WHERE id = ?", context.at,
                        try await PostgresJournalRepository.nextRevision(sql), absence)
                    try await PostgresAuditedRows.record(
                        sql, audit, .absences, id: absence, action: "journal.absence.excuse", context: context)
                }
                excused = ids.count
            }
            guard let decided = try await sql.row(Self.noteQuery + " WHERE n.id = ?", id) else {
                throw RepositoryError.notFound
            }
            return (Self.note(decided), excused)
        }
    }

    // MARK: Personal data

    public func markDataChecked(student: StudentID, on date: SchoolDate, context: AuditContext) async throws {
        try await store.writing { sql, audit in
            try await sql.execute("UPDATE students SET data_checked_on = ? WHERE id = ?", date, student.rawValue)
            try await PostgresAuditedRows.record(
                sql, audit, .students, id: student.rawValue, action: "class.personal_data.checked", context: context)
        }
    }

    public func dataCheckDue(ofClass classID: ClassID, since: SchoolDate, on date: SchoolDate) async throws -> [Student]
    {
        try await sql.rows(
            """
            SELECT \(Self.students)
            WHERE s.class_id = ?1 AND (s.arrived_on IS NULL OR s.arrived_on <= ?3)
                AND (s.left_on IS NULL OR s.left_on > ?3)
              AND (s.data_checked_on IS NULL OR s.data_checked_on < ?2)
            ORDER BY s.last_name, s.first_name
            """, classID.rawValue, since, date
        ).map(Self.student)
    }

    // MARK: Credentials

    public func credentialsDue(ofClass classID: ClassID, on date: SchoolDate, includePending: Bool) async throws
        -> (accounts: [Account], studentsWithoutAccount: [Student])
    {
        try await store.read { sql in
            let active = "(s.arrived_on IS NULL OR s.arrived_on <= ?2) AND (s.left_on IS NULL OR s.left_on > ?2)"
            let accounts = try await sql.rows(
                """
                SELECT \(PostgresAccountRepository.columns) FROM accounts a
                WHERE (a.password_hash = ?3 OR (?4 = 1 AND a.must_change_password)) AND a.id IN (
                    SELECT s.account_id FROM students s WHERE s.class_id = ?1 AND \(active)
                    UNION SELECT g.guardian_id FROM guardianships g JOIN students s ON s.id = g.student_id
                    WHERE s.class_id = ?1 AND \(active))
                ORDER BY a.display_name
                """, classID.rawValue, date, Account.noPassword, includePending
            ).map { PostgresAccountRepository.account($0).account }
            let students = try await sql.rows(
                """
                SELECT \(Self.students) WHERE s.class_id = ?1 AND s.account_id IS NULL AND \(active)
                ORDER BY s.last_name, s.first_name
                """, classID.rawValue, date
            ).map(Self.student)
            return (accounts, students)
        }
    }

    public func setOneTimePassword(account: AccountID, hash: String, context: AuditContext) async throws {
        try await store.writing { sql, audit in
            guard
                try await sql.row(
                    "UPDATE accounts SET password_hash = ?, must_change_password = true WHERE id = ? RETURNING id",
                    hash,
                    account.rawValue) != nil
            else { throw RepositoryError.notFound }
            try await PostgresOutboxRows.voidTokens(of: account, at: context.at, sql)
            // Who issued it and when; never the password.
            audit.append(
                context: context, action: "credentials.issue", entity: "account", entityID: String(account.rawValue))
        }
    }

    public func createStudentAccount(
        student: StudentID, login: String, displayName: String, hash: String, context: AuditContext
    ) async throws -> Account {
        defer { store.memo.drop() }  // the rosters it is in
        return try await store.writing { sql, audit in
            let account = try await PostgresAccountRepository.insert(
                NewAccount(login: login, displayName: displayName, roles: [.student], passwordHash: hash),
                context: context, sql, audit)
            try await sql.execute("UPDATE accounts SET must_change_password = true WHERE id = ?", account.id.rawValue)
            guard
                try await sql.row(
                    "UPDATE students SET account_id = ? WHERE id = ? AND account_id IS NULL RETURNING id",
                    account.id.rawValue, student.rawValue) != nil
            else { throw RepositoryError.notFound }
            try await PostgresAuditedRows.record(
                sql, audit, .students, id: student.rawValue, action: "credentials.student_account", context: context)
            audit.append(
                context: context, action: "credentials.issue", entity: "account", entityID: String(account.id.rawValue))
            return account
        }
    }

    public func mustChangePassword(_ account: AccountID) async throws -> Bool {
        try await sql.value("SELECT must_change_password FROM accounts WHERE id = ?", account.rawValue).bool
    }

    public func changeOwnPassword(account: AccountID, hash: String, context: AuditContext) async throws {
        try await store.writing { sql, audit in
            try await sql.execute(
                "UPDATE accounts SET password_hash = ?, must_change_password = false WHERE id = ?", hash,
                account.rawValue)
            try await PostgresOutboxRows.voidTokens(of: account, at: context.at, sql)
            audit.append(
                context: context, action: "account.password.own", entity: "account", entityID: String(account.rawValue))
        }
    }

    // MARK: Paper extracts

    public func recordExtractHandover(student: StudentID, week: SchoolDate, context: AuditContext) async throws -> Bool
    {
        try await store.writing { sql, audit in
            guard
                try await sql.row(
                    """
                    INSERT INTO extract_handovers (student_id, week, given_at, given_by) VALUES (?, ?, ?, ?::bigint)
                    ON CONFLICT (student_id, week) DO NOTHING RETURNING id
                    """, student.rawValue, week, context.at, context.actor?.rawValue) != nil
            else { return false }
            audit.append(
                context: context, action: "extract.handover", entity: "student", entityID: String(student.rawValue),
                new: "week \(week.iso)")
            return true
        }
    }

    public func extractHandovers(ofClass classID: ClassID, week: SchoolDate) async throws -> [StudentID: Date] {
        var result: [StudentID: Date] = [:]
        for row in try await sql.rows(
            """
            SELECT h.student_id, h.given_at FROM extract_handovers h JOIN students s ON s.id = h.student_id
            WHERE s.class_id = ? AND h.week = ?
            """, classID.rawValue, week)
        {
            result[StudentID(row[0].int)] = row[1].date
        }
        return result
    }

    // MARK: Outbox and digests

    public func digestRecipients() async throws -> [Account] {
        try await sql.rows(
            """
            SELECT \(PostgresAccountRepository.columns) FROM accounts a WHERE a.id IN (
                SELECT account_id FROM account_roles WHERE role IN ('teacher', 'class_teacher', 'deputy', 'director'))
            ORDER BY a.id
            """
        ).map { PostgresAccountRepository.account($0).account }
    }

    public func digestRunExists(key: String) async throws -> Bool {
        try await sql.row("SELECT 1 FROM digest_runs WHERE key = ?", key) != nil
    }

    public func recordDigestRun(key: String, messages: [(AccountID, [String])], at: Date) async throws -> Bool {
        try await store.writing { sql, _ in
            guard
                try await sql.row(
                    """
                    INSERT INTO digest_runs (key, ran_at, messages) VALUES (?, ?, ?)
                    ON CONFLICT (key) DO NOTHING RETURNING key
                    """, key, at, messages.count) != nil
            else { return false }
            for (account, lines) in messages where !lines.isEmpty {
                try await PostgresOutboxRows.chat(lines, for: account, at: at, deliverAfter: nil, sql)
            }
            return true
        }
    }

    public func outboxBacklog() async throws -> [OutboxBacklog] {
        try await store.read { sql in
            let chat = try await sql.row(
                "SELECT count(*), min(created_at) FROM bot_outbox WHERE delivered_at IS NULL")
            var result = [OutboxBacklog(queue: "chat", count: Int(chat?[0].int ?? 0), oldest: chat?[1].optionalDate)]
            for channel in ["email", "sms"] {
                let row = try await sql.row(
                    "SELECT count(*), min(created_at) FROM external_outbox WHERE sent_at IS NULL AND channel = ?",
                    channel)
                result.append(OutboxBacklog(queue: channel, count: Int(row?[0].int ?? 0), oldest: row?[1].optionalDate))
            }
            return result
        }
    }

    public func enqueue(
        _ lines: [String], for account: AccountID, at: Date, source: String?, deliverAfter: Date?, msgid: String?
    ) async throws {
        try await store.writing(.concurrent(locking: [])) { sql, _ in
            try await PostgresOutboxRows.chat(
                lines, for: account, at: at, source: source, deliverAfter: deliverAfter, msgid: msgid, sql)
        }
    }

    private static let outboxColumns = "id, text, created_at, source, msgid"

    private static func outboxMessage(_ row: SQLRow) -> OutboxMessage {
        OutboxMessage(
            id: row[0].int, text: row[1].string, createdAt: row[2].date, source: row[3].optionalString,
            msgid: row[4].optionalString)
    }

    public func pendingMessages(for account: AccountID, at now: Date) async throws -> [OutboxMessage] {
        try await sql.rows(
            """
            SELECT \(Self.outboxColumns) FROM bot_outbox
            WHERE account_id = ? AND delivered_at IS NULL AND (deliver_after IS NULL OR deliver_after <= ?) ORDER BY id
            """, account.rawValue, now
        ).map(Self.outboxMessage)
    }

    public func message(_ id: Int64, for account: AccountID, at now: Date) async throws -> OutboxMessage? {
        try await sql.row(
            """
            SELECT \(Self.outboxColumns) FROM bot_outbox
            WHERE id = ? AND account_id = ? AND (deliver_after IS NULL OR deliver_after <= ?)
            """, id, account.rawValue, now
        ).map(Self.outboxMessage)
    }

    public func botHistory(for account: AccountID, _ window: HistoryWindow, limit: Int, now: Date) async throws
        -> [OutboxMessage]
    {
        let visible = "account_id = ? AND source IS NULL AND (deliver_after IS NULL OR deliver_after <= ?)"
        switch window {
        case .latest(let before):
            return try await sql.rows(
                """
                SELECT \(Self.outboxColumns) FROM bot_outbox WHERE \(visible) AND created_at < ?
                ORDER BY created_at DESC, id DESC LIMIT ?
                """, account.rawValue, now, before ?? Date.distantFuture, limit
            ).map(Self.outboxMessage).reversed()
        case .after(let moment):
            return try await sql.rows(
                """
                SELECT \(Self.outboxColumns) FROM bot_outbox WHERE \(visible) AND created_at > ?
                ORDER BY created_at, id LIMIT ?
                """, account.rawValue, now, moment, limit
            ).map(Self.outboxMessage)
        }
    }

    public func accountsWithDueMessages(at now: Date) async throws -> [AccountID] {
        try await sql.rows(
            """
            SELECT DISTINCT account_id FROM bot_outbox
            WHERE delivered_at IS NULL AND deliver_after IS NOT NULL AND deliver_after <= ? ORDER BY account_id
            """, now
        ).map { AccountID($0[0].int) }
    }

    public func markDelivered(_ ids: [Int64], at: Date) async throws {
        guard !ids.isEmpty else { return }
        try await store.writing(.concurrent(locking: ids.map { .row("bot_outbox", $0) })) { sql, _ in
            try await sql.execute(
                "UPDATE bot_outbox SET delivered_at = ? WHERE id = ANY(?::bigint[])", at, Self.array(ids))
        }
    }
}

extension PostgresStore {
    public var duties: PostgresDutiesRepository { PostgresDutiesRepository(store: self) }
}
