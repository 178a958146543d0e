import ClassbookDomain
import Foundation
import GRDB

/// The class teacher's duties in SQLite: activity, absence notes, data checks, credentials,
/// the bot's outbox and digest runs.
public struct SQLiteDutiesRepository: DutiesRepository {
    let pool: DatabasePool
    /// Where writes go: concurrent ones share a transaction (group commit).
    let writer: GroupCommit

    private func settings(_ db: Database) throws -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT key, value FROM school_settings")
                .map { ($0["key"] as String, $0["value"] as String) })
    }

    public func riskRules() async throws -> RiskRules {
        try await pool.read { db in RiskRules(settings: try settings(db)) }
    }

    public func digestSchedule() async throws -> DigestSchedule {
        try await pool.read { db in DigestSchedule(settings: try settings(db)) }
    }

    // MARK: Activity

    public func recordLogin(_ account: AccountID, at: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO account_logins (account_id, at) VALUES (?, ?)", arguments: [account.rawValue, at])
        }
    }

    public func recordDiaryView(account: AccountID, student: StudentID, day: SchoolDate, at: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO diary_views (account_id, student_id, day, views, last_at) VALUES (?, ?, ?, 1, ?)
                    ON CONFLICT (account_id, student_id, day) DO UPDATE SET views = views + 1, last_at =
                        excluded.last_at
                    """, arguments: [account.rawValue, student.rawValue, day.iso, at])
        }
    }

    public func guardians(ofClass classID: ClassID, on date: SchoolDate) async throws -> [ClassGuardian] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                prepared: """
                    SELECT a.id AS account_id, a.login, a.display_name, a.password_hash,
                        \(SQLiteDiaryRepository.studentColumns)
                    JOIN guardianships g ON g.student_id = s.id JOIN accounts a ON a.id = g.guardian_id
                    WHERE s.class_id = ? AND (s.arrived_on IS NULL OR s.arrived_on <= ?2) AND (s.left_on IS NULL OR
                        s.left_on > ?2)
                    ORDER BY a.display_name, a.id, s.last_name
                    """, arguments: [classID.rawValue, date.iso])
            var result: [ClassGuardian] = []
            for row in rows {
                let id = AccountID(row["account_id"])
                let student = SQLiteDiaryRepository.student(row)
                if let index = result.firstIndex(where: { $0.account == id }) {
                    result[index].children.append(student)
                } else {
                    result.append(
                        ClassGuardian(
                            account: id, login: row["login"], name: row["display_name"], children: [student],
                            hasPassword: (row["password_hash"] as String) != Account.noPassword))
                }
            }
            return result
        }
    }

    public func latestConsents(of guardians: [AccountID]) async throws -> [AccountID: ConsentRecord] {
        guard !guardians.isEmpty else { return [:] }
        return try await pool.read { db in
            // One statement for a class's guardians.
            var result: [AccountID: ConsentRecord] = [:]
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT guardian_id, decision, recorded_at FROM consents
                        WHERE id IN (SELECT max(id) FROM consents WHERE guardian_id IN \(SQLList.ids) GROUP BY
                            guardian_id)
                        """), arguments: [SQLList.ids(guardians.map(\.rawValue))])
            while let row = try rows.next() {
                if let decision = ConsentDecision(rawValue: row[1]) {
                    result[AccountID(row[0])] = ConsentRecord(decision: decision, at: row[2])
                }
            }
            return result
        }
    }

    public func activity(of guardians: [AccountID], from: Date, through: Date, days: ClosedRange<SchoolDate>)
        async throws
        -> [AccountID: GuardianActivity]
    {
        guard !guardians.isEmpty else { return [:] }
        return try await pool.read { db in
            // Four statements for a class's guardians together, not four for each of them.
            let list = SQLList.ids(guardians.map(\.rawValue))
            var lastLogin: [Int64: Date] = [:], logins: [Int64: Int] = [:], views: [Int64: Int] = [:],
                acks: [Int64: [Date]] = [:]
            var rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT account_id, max(at) FROM account_logins WHERE account_id IN \(SQLList.ids) GROUP BY
                            account_id
                        """), arguments: [list])
            while let row = try rows.next() { lastLogin[row[0]] = row[1] }
            rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT account_id, count(*) FROM account_logins WHERE account_id IN \(SQLList.ids) AND at
                            BETWEEN ? AND ? GROUP BY account_id
                        """), arguments: [list, from, through])
            while let row = try rows.next() { logins[row[0]] = row[1] }
            rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT account_id, sum(views) FROM diary_views WHERE account_id IN \(SQLList.ids) AND day
                            BETWEEN ? AND ? GROUP BY account_id
                        """), arguments: [list, days.lowerBound.iso, days.upperBound.iso])
            while let row = try rows.next() { views[row[0]] = row[1] }
            rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT guardian_id, acknowledged_at FROM acknowledgements
                        WHERE guardian_id IN \(SQLList.ids) AND acknowledged_at BETWEEN ? AND ? ORDER BY id
                        """), arguments: [list, from, through])
            while let row = try rows.next() { acks[row[0], default: []].append(row[1]) }
            return GuardianActivity.of(
                guardians, lastLogin: lastLogin, logins: logins, views: views, acknowledgements: acks)
        }
    }

    // MARK: Absences

    public func unexcusedAbsences(ofClass classID: ClassID, from: SchoolDate, through: SchoolDate) async throws
        -> [UnexcusedAbsence]
    {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                prepared: """
                    SELECT a.id AS absence_id, l.date, l.number, sub.name AS subject,
                        \(SQLiteDiaryRepository.studentColumns)
                    JOIN absences a ON a.student_id = s.id JOIN lessons l ON l.id = a.lesson_id JOIN subjects sub ON
                        sub.id = l.subject_id
                    WHERE l.class_id = ? AND l.date BETWEEN ? AND ? AND a.reason = 'Н' AND a.deleted_at IS NULL
                    ORDER BY s.last_name, s.first_name, l.date, l.number
                    """, arguments: [classID.rawValue, from.iso, through.iso]
            ).map { row in
                UnexcusedAbsence(
                    student: SQLiteDiaryRepository.student(row),
                    entry: AbsenceEntry(
                        id: row["absence_id"], date: SchoolDate(iso: row["date"])!, lessonNumber: row["number"],
                        subject: row["subject"], reason: .unexcused))
            }
        }
    }

    public func addAbsenceNote(
        student: StudentID, guardian: AccountID, dates: [SchoolDate], reason: String, context: AuditContext
    ) async throws -> Int64 {
        try await writer.write { db in
            try db.execute(
                sql:
                    "INSERT INTO absence_notes (student_id, guardian_id, dates, reason, created_at) VALUES (?, ?, ?, "
                    + "?, ?)",
                arguments: [
                    student.rawValue, guardian.rawValue, dates.map(\.iso).joined(separator: ","), reason, context.at
                ])
            let id = db.lastInsertedRowID
            try AuditedRows.record(
                db, .absenceNotes, key: String(id), action: "absence.note.add", context: context, isNew: true)
            return id
        }
    }

    /// A note with its student: the note's columns are named apart from the student's `id`.
    private static let noteQuery = """
        SELECT n.id AS note_id, n.dates, n.reason, n.status, n.created_at, n.decision_note, a.display_name AS
            guardian_name,
               \(SQLiteDiaryRepository.studentColumns)
        JOIN absence_notes n ON n.student_id = s.id JOIN accounts a ON a.id = n.guardian_id
        """

    private static func note(_ row: Row) -> AbsenceNote {
        AbsenceNote(
            id: row["note_id"], student: SQLiteDiaryRepository.student(row), guardianName: row["guardian_name"],
            dates: (row["dates"] as String).split(separator: ",").compactMap { SchoolDate(iso: String($0)) },
            reason: row["reason"], status: AbsenceNote.Status(rawValue: row["status"]) ?? .pending,
            createdAt: row["created_at"], decisionNote: row["decision_note"])
    }

    public func absenceNotes(ofClass classID: ClassID, pendingOnly: Bool) async throws -> [AbsenceNote] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                prepared: Self.noteQuery + " WHERE s.class_id = ? AND (?2 = 0 OR n.status = 'pending') ORDER BY n.id",
                arguments: [classID.rawValue, pendingOnly]
            ).map(Self.note)
        }
    }

    public func absenceNote(id: Int64) async throws -> (note: AbsenceNote, classID: ClassID)? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: Self.noteQuery + " WHERE n.id = ?", arguments: [id]).map {
                (Self.note($0), ClassID($0["class_id"]))
            }
        }
    }

    public func decideAbsenceNote(id: Int64, accept: Bool, note decision: String?, context: AuditContext) async throws
        -> (AbsenceNote, excused: Int)
    {
        try await writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT student_id, dates FROM absence_notes WHERE id = ? AND status = 'pending'",
                    arguments: [id])
            else { throw RepositoryError.notFound }
            try db.execute(
                sql:
                    "UPDATE absence_notes SET status = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE id "
                    + "= ?",
                arguments: [accept ? "accepted" : "rejected", context.actor?.rawValue, context.at, decision, id])
            try AuditedRows.record(
                db, .absenceNotes, id: id, action: accept ? "absence.note.accept" : "absence.note.reject",
                context: context)
            var excused = 0
            if accept {
                let dates = (row["dates"] as String).split(separator: ",").map(String.init)
                let placeholders = dates.map { _ in "?" }.joined(separator: ",")
                let ids = try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT a.id FROM absences a JOIN lessons l ON l.id = a.lesson_id
                        WHERE a.student_id = ? AND l.date IN (\(placeholders)) AND a.reason = 'Н' AND a.deleted_at IS
                            NULL
                        """, arguments: StatementArguments([row["student_id"] as Int64] + dates))
                for absence in ids {
                    try db.execute(
                        sql: "UPDATE absences SET reason = 'УП', updated_at = ?, revision = ? WHERE id = ?",
                        arguments: [context.at, try SQLiteJournalRepository.nextRevision(db), absence])
                    try AuditedRows.record(
                        db, .absences, id: absence, action: "journal.absence.excuse", context: context)
                }
                excused = ids.count
            }
            return (Self.note(try Row.fetchOne(db, sql: Self.noteQuery + " WHERE n.id = ?", arguments: [id])!), excused)
        }
    }

    // MARK: Personal data

    public func markDataChecked(student: StudentID, on date: SchoolDate, context: AuditContext) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE students SET data_checked_on = ? WHERE id = ?", arguments: [date.iso, student.rawValue])
            try AuditedRows.record(
                db, .students, id: student.rawValue, action: "class.personal_data.checked", context: context)
        }
    }

    public func dataCheckDue(ofClass classID: ClassID, since: SchoolDate, on date: SchoolDate) async throws -> [Student]
    {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                prepared: """
                    SELECT \(SQLiteDiaryRepository.studentColumns)
                    WHERE s.class_id = ? AND (s.arrived_on IS NULL OR s.arrived_on <= ?3) AND (s.left_on IS NULL OR
                        s.left_on > ?3)
                      AND (s.data_checked_on IS NULL OR s.data_checked_on < ?2)
                    ORDER BY s.last_name, s.first_name
                    """, arguments: [classID.rawValue, since.iso, date.iso]
            ).map(SQLiteDiaryRepository.student)
        }
    }

    // MARK: Credentials

    public func credentialsDue(ofClass classID: ClassID, on date: SchoolDate, includePending: Bool) async throws
        -> (accounts: [Account], studentsWithoutAccount: [Student])
    {
        try await pool.read { db in
            let active = "(s.arrived_on IS NULL OR s.arrived_on <= ?2) AND (s.left_on IS NULL OR s.left_on > ?2)"
            let accountRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT a.* FROM accounts a
                    WHERE (a.password_hash = ?3 OR (?4 AND a.must_change_password = 1)) AND a.id IN (
                        SELECT s.account_id FROM students s WHERE s.class_id = ?1 AND \(active)
                        UNION SELECT g.guardian_id FROM guardianships g JOIN students s ON s.id = g.student_id WHERE
                            s.class_id = ?1 AND \(active))
                    ORDER BY a.display_name
                    """, arguments: [classID.rawValue, date.iso, Account.noPassword, includePending])
            let accounts = try accountRows.map { try SQLiteAccountRepository.account($0, db) }
            let students = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(SQLiteDiaryRepository.studentColumns) WHERE s.class_id = ?1 AND s.account_id IS NULL AND
                        \(active)
                    ORDER BY s.last_name, s.first_name
                    """, arguments: [classID.rawValue, date.iso]
            ).map(SQLiteDiaryRepository.student)
            return (accounts, students)
        }
    }

    public func setOneTimePassword(account: AccountID, hash: String, context: AuditContext) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE accounts SET password_hash = ?, must_change_password = 1 WHERE id = ?",
                arguments: [hash, account.rawValue])
            guard db.changesCount == 1 else { throw RepositoryError.notFound }
            try DeviceTokens.voidAll(db, account: account, at: context.at)
            // Who issued it and when; never the password.
            try AuditLog.append(
                db, context: context, action: "credentials.issue", entity: "account", entityID: String(account.rawValue)
            )
        }
    }

    public func createStudentAccount(
        student: StudentID, login: String, displayName: String, hash: String, context: AuditContext
    ) async throws -> Account {
        try await writer.write { db in
            let account = try SQLiteAccountRepository.insert(
                NewAccount(login: login, displayName: displayName, roles: [.student], passwordHash: hash),
                context: context, db)
            try db.execute(
                sql: "UPDATE accounts SET must_change_password = 1 WHERE id = ?", arguments: [account.id.rawValue])
            try db.execute(
                sql: "UPDATE students SET account_id = ? WHERE id = ? AND account_id IS NULL",
                arguments: [account.id.rawValue, student.rawValue])
            guard db.changesCount == 1 else { throw RepositoryError.notFound }
            try AuditedRows.record(
                db, .students, id: student.rawValue, action: "credentials.student_account", context: context)
            try AuditLog.append(
                db, context: context, action: "credentials.issue", entity: "account",
                entityID: String(account.id.rawValue))
            return account
        }
    }

    public func mustChangePassword(_ account: AccountID) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT must_change_password FROM accounts WHERE id = ?", arguments: [account.rawValue])
                ?? false
        }
    }

    public func changeOwnPassword(account: AccountID, hash: String, context: AuditContext) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE accounts SET password_hash = ?, must_change_password = 0 WHERE id = ?",
                arguments: [hash, account.rawValue])
            try DeviceTokens.voidAll(db, account: account, at: context.at)
            try AuditLog.append(
                db, context: context, action: "account.password.own", entity: "account",
                entityID: String(account.rawValue))
        }
    }

    // MARK: Paper extracts

    public func recordExtractHandover(student: StudentID, week: SchoolDate, context: AuditContext) async throws -> Bool
    {
        try await writer.write { db in
            try db.execute(
                sql:
                    "INSERT OR IGNORE INTO extract_handovers (student_id, week, given_at, given_by) VALUES (?, ?, ?, "
                    + "?)",
                arguments: [student.rawValue, week.iso, context.at, context.actor?.rawValue])
            guard db.changesCount == 1 else { return false }
            try AuditLog.append(
                db, context: context, action: "extract.handover", entity: "student", entityID: String(student.rawValue),
                new: "week \(week.iso)")
            return true
        }
    }

    public func extractHandovers(ofClass classID: ClassID, week: SchoolDate) async throws -> [StudentID: Date] {
        try await pool.read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(
                    db,
                    sql: """
                        SELECT h.student_id, h.given_at FROM extract_handovers h JOIN students s ON s.id = h.student_id
                        WHERE s.class_id = ? AND h.week = ?
                        """, arguments: [classID.rawValue, week.iso]
                ).map { (StudentID($0["student_id"]), $0["given_at"] as Date) })
        }
    }

    // MARK: Outbox and digests

    public func digestRecipients() async throws -> [Account] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM accounts WHERE id IN (
                        SELECT account_id FROM account_roles WHERE role IN ('teacher', 'class_teacher', 'deputy',
                            'director'))
                    ORDER BY id
                    """
            ).map { try SQLiteAccountRepository.account($0, db) }
        }
    }

    public func digestRunExists(key: String) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM digest_runs WHERE key = ?", arguments: [key]) ?? false
        }
    }

    public func recordDigestRun(key: String, messages: [(AccountID, [String])], at: Date) async throws -> Bool {
        try await writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM digest_runs WHERE key = ?", arguments: [key]) == true {
                return false
            }
            try db.execute(
                sql: "INSERT INTO digest_runs (key, ran_at, messages) VALUES (?, ?, ?)",
                arguments: [key, at, messages.count])
            for (account, lines) in messages where !lines.isEmpty {
                try OutboxRows.chat(lines, for: account, at: at, deliverAfter: nil, db)
            }
            return true
        }
    }

    public func outboxBacklog() async throws -> [OutboxBacklog] {
        try await pool.read { db in
            let chat = try Row.fetchOne(
                db, sql: "SELECT count(*) AS n, min(created_at) AS oldest FROM bot_outbox WHERE delivered_at IS NULL")!
            var result = [OutboxBacklog(queue: "chat", count: chat["n"], oldest: chat["oldest"])]
            for channel in ["email", "sms"] {
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) AS n, min(created_at) AS oldest FROM external_outbox WHERE sent_at IS NULL AND
                            channel = ?
                        """, arguments: [channel])!
                result.append(OutboxBacklog(queue: channel, count: row["n"], oldest: row["oldest"]))
            }
            return result
        }
    }

    public func enqueue(
        _ lines: [String], for account: AccountID, at: Date, source: String?, deliverAfter: Date?, msgid: String?
    ) async throws {
        try await writer.write { db in
            try OutboxRows.chat(
                lines, for: account, at: at, source: source, deliverAfter: deliverAfter, msgid: msgid, db)
        }
    }

    private static func outboxMessage(_ row: Row) -> OutboxMessage {
        OutboxMessage(
            id: row["id"], text: row["text"], createdAt: row["created_at"], source: row["source"], msgid: row["msgid"])
    }

    public func pendingMessages(for account: AccountID, at now: Date) async throws -> [OutboxMessage] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, text, created_at, source, msgid FROM bot_outbox
                    WHERE account_id = ? AND delivered_at IS NULL AND (deliver_after IS NULL OR deliver_after <= ?)
                        ORDER BY id
                    """, arguments: [account.rawValue, now]
            ).map(Self.outboxMessage)
        }
    }

    public func message(_ id: Int64, for account: AccountID, at now: Date) async throws -> OutboxMessage? {
        try await pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT id, text, created_at, source, msgid FROM bot_outbox
                    WHERE id = ? AND account_id = ? AND (deliver_after IS NULL OR deliver_after <= ?)
                    """, arguments: [id, account.rawValue, now]
            ).map(Self.outboxMessage)
        }
    }

    public func botHistory(for account: AccountID, _ window: HistoryWindow, limit: Int, now: Date) async throws
        -> [OutboxMessage]
    {
        try await pool.read { db in
            let visible = "account_id = ? AND source IS NULL AND (deliver_after IS NULL OR deliver_after <= ?)"
            switch window {
            case .latest(let before):
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, text, created_at, source, msgid FROM bot_outbox WHERE \(visible) AND created_at < ?
                        ORDER BY created_at DESC, id DESC LIMIT ?
                        """, arguments: [account.rawValue, now, before ?? Date.distantFuture, limit]
                ).map(Self.outboxMessage).reversed()
            case .after(let moment):
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, text, created_at, source, msgid FROM bot_outbox WHERE \(visible) AND created_at > ?
                        ORDER BY created_at, id LIMIT ?
                        """, arguments: [account.rawValue, now, moment, limit]
                ).map(Self.outboxMessage)
            }
        }
    }

    public func accountsWithDueMessages(at now: Date) async throws -> [AccountID] {
        try await pool.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT account_id FROM bot_outbox WHERE delivered_at IS NULL AND deliver_after IS NOT NULL
                        AND deliver_after <= ?
                    """, arguments: [now]
            ).map(AccountID.init)
        }
    }

    public func markDelivered(_ ids: [Int64], at: Date) async throws {
        guard !ids.isEmpty else { return }
        try await writer.write { db in
            let placeholders = ids.map { _ in "?" }.joined(separator: ",")
            try db.execute(
                sql: "UPDATE bot_outbox SET delivered_at = ? WHERE id IN (\(placeholders))",
                arguments: StatementArguments([at] + ids.map { $0 as any DatabaseValueConvertible }))
        }
    }
}
