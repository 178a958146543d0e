import ClassbookDomain
import Foundation
import Testing

/// The duties repository, the same on every backend: one script of every call (activity,
/// absence notes, data checks, credentials, extracts, digests, the bot's outbox) against the
/// same demo school in a new store of each, what each returned compared between them.
@Suite("Duties contract")
struct DutiesContractTests {
    typealias Transcript = JournalContractTests.Transcript
    static func at(_ minute: Int) -> Date { JournalContractTests.at(minute) }

    static func script(_ store: SchoolStore, snapshot: SchoolSnapshot) async throws -> [String] {
        let duties = store.duties
        var t = Transcript()
        let day = SchoolDate(year: 2026, month: 11, day: 20)
        let monday = SchoolDate(year: 2026, month: 11, day: 16)
        let teacher = try #require(try await store.journal.staff(login: snapshot.lessons[0].teacherLogin))
        func context(_ minute: Int, _ actor: AccountID? = nil) -> AuditContext {
            AuditContext(actor: actor ?? teacher.id, sessionID: "s", at: at(minute))
        }
        t.note("risk", try await duties.riskRules())
        t.note("schedule", try await duties.digestSchedule())
        let schoolClass = try #require(try await store.journal.classes().first)
        let guardians = try await duties.guardians(ofClass: schoolClass.id, on: day)
        t.note("guardians", guardians)
        let family = try #require(guardians.first)
        let child = family.children[0]
        let ids = guardians.map(\.account)

        // Activity: logins, views (twice a day counts two), acknowledgements, consents.
        try await duties.recordLogin(family.account, at: at(1))
        try await duties.recordLogin(family.account, at: at(2))
        try await duties.recordDiaryView(account: family.account, student: child.id, day: day, at: at(3))
        try await duties.recordDiaryView(account: family.account, student: child.id, day: day, at: at(4))
        _ = try await store.diary.acknowledge(
            student: child.id, guardian: family.account, context: context(5, family.account))
        _ = try await store.diary.recordConsent(.granted, guardian: family.account, context: context(6, family.account))
        t.note(
            "consents",
            try await duties.latestConsents(of: ids).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" })
        t.note("no consents", try await duties.latestConsents(of: []).count)
        let activity = try await duties.activity(of: ids, from: at(0), through: at(10), days: monday...day)
        t.note("activity", activity.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" })

        // Absences and notes: unexcused ones, a note accepted (excusing them) and one rejected.
        let unexcused = try await duties.unexcusedAbsences(
            ofClass: schoolClass.id, from: snapshot.yearStart, through: day)
        t.note("unexcused", unexcused)
        let dates = Array(Set(unexcused.filter { $0.student.id == child.id }.map(\.entry.date))).sorted()
        let accepted = try await duties.addAbsenceNote(
            student: child.id, guardian: family.account, dates: dates.isEmpty ? [day] : dates, reason: "болел",
            context: context(7, family.account))
        let rejected = try await duties.addAbsenceNote(
            student: child.id, guardian: family.account, dates: [monday], reason: "проспал",
            context: context(8, family.account))
        t.note("pending", try await duties.absenceNotes(ofClass: schoolClass.id, pendingOnly: true))
        t.note("note", try await duties.absenceNote(id: accepted).map { "\($0.note) \($0.classID)" } as Any)
        t.note("no note", try await duties.absenceNote(id: 999_999) as Any)
        await t.attempt("accept") {
            let (note, excused) = try await duties.decideAbsenceNote(
                id: accepted, accept: true, note: nil, context: context(9))
            return "\(note) \(excused)"
        }
        await t.attempt("reject") {
            let (note, excused) = try await duties.decideAbsenceNote(
                id: rejected, accept: false, note: "нет", context: context(10))
            return "\(note) \(excused)"
        }
        await t.attempt("decide again") {
            try await duties.decideAbsenceNote(id: rejected, accept: true, note: nil, context: context(11))
        }
        t.note("all notes", try await duties.absenceNotes(ofClass: schoolClass.id, pendingOnly: false))
        t.note(
            "unexcused after",
            try await duties.unexcusedAbsences(ofClass: schoolClass.id, from: snapshot.yearStart, through: day).count)

        // Personal data checks.
        t.note("due", try await duties.dataCheckDue(ofClass: schoolClass.id, since: monday, on: day))
        try await duties.markDataChecked(student: child.id, on: day, context: context(12))
        t.note("due after", try await duties.dataCheckDue(ofClass: schoolClass.id, since: monday, on: day).map(\.id))

        // Credentials: who cannot log in, a one-time password, a student's own account (for a
        // newcomer, who has none).
        _ = try await store.journal.addStudent(
            classID: schoolClass.id, lastName: "Новиков", firstName: "Пётр", middleName: "", arrivedOn: monday,
            note: "", context: context(12))
        let due = try await duties.credentialsDue(ofClass: schoolClass.id, on: day, includePending: false)
        t.note("credentials due", "\(due.accounts) \(due.studentsWithoutAccount)")
        await t.attempt("one-time") {
            try await duties.setOneTimePassword(account: family.account, hash: "h1", context: context(13))
        }
        await t.attempt("one-time of nobody") {
            try await duties.setOneTimePassword(account: AccountID(999_999), hash: "h", context: context(13))
        }
        t.note("must change", try await duties.mustChangePassword(family.account))
        let pending = try await duties.credentialsDue(ofClass: schoolClass.id, on: day, includePending: true)
        t.note("credentials pending", pending.accounts.map(\.id))
        #expect(!due.studentsWithoutAccount.isEmpty)
        if let pupil = due.studentsWithoutAccount.first {
            await t.attempt("student account") {
                try await duties.createStudentAccount(
                    student: pupil.id, login: "new.pupil", displayName: "Новый Ученик", hash: "h2", context: context(14)
                )
            }
            await t.attempt("student account again") {
                try await duties.createStudentAccount(
                    student: pupil.id, login: "new.pupil2", displayName: "Новый", hash: "h3", context: context(15))
            }
        }
        await t.attempt("login taken") {
            try await duties.createStudentAccount(
                student: child.id, login: family.login, displayName: "x", hash: "h", context: context(16))
        }
        try await duties.changeOwnPassword(account: family.account, hash: "h4", context: context(17, family.account))
        t.note("must change after", try await duties.mustChangePassword(family.account))

        // Extracts.
        t.note(
            "handover", try await duties.recordExtractHandover(student: child.id, week: monday, context: context(18)))
        t.note(
            "handover again",
            try await duties.recordExtractHandover(student: child.id, week: monday, context: context(19)))
        t.note(
            "handovers",
            try await duties.extractHandovers(ofClass: schoolClass.id, week: monday).map { "\($0.key) \($0.value)" })

        // Digests and the bot's outbox.
        t.note("recipients", try await duties.digestRecipients().map(\.login))
        t.note(
            "run",
            try await duties.recordDigestRun(
                key: "w47", messages: [(teacher.id, ["a", "b"]), (family.account, [])], at: at(20)))
        t.note("run again", try await duties.recordDigestRun(key: "w47", messages: [(teacher.id, ["c"])], at: at(21)))
        t.note("run exists", try await duties.digestRunExists(key: "w47"))
        t.note("no run", try await duties.digestRunExists(key: "w48"))
        try await duties.enqueue(["held"], for: teacher.id, at: at(22), source: nil, deliverAfter: at(40), msgid: nil)
        try await duties.enqueue(
            ["from a person"], for: teacher.id, at: at(23), source: "a!b@c", deliverAfter: nil, msgid: "m1")
        t.note("backlog", try await duties.outboxBacklog())
        let pendingNow = try await duties.pendingMessages(for: teacher.id, at: at(30))
        t.note("pending messages", pendingNow)
        t.note("pending later", try await duties.pendingMessages(for: teacher.id, at: at(41)).map(\.text))
        t.note("message", try await duties.message(pendingNow[0].id, for: teacher.id, at: at(30)) as Any)
        t.note("not theirs", try await duties.message(pendingNow[0].id, for: family.account, at: at(30)) as Any)
        t.note("due accounts", try await duties.accountsWithDueMessages(at: at(41)))
        t.note("none due", try await duties.accountsWithDueMessages(at: at(30)))
        t.note(
            "history",
            try await duties.botHistory(for: teacher.id, .latest(before: nil), limit: 10, now: at(41)).map(\.text))
        t.note(
            "history after",
            try await duties.botHistory(for: teacher.id, .after(at(20)), limit: 1, now: at(41)).map(\.text))
        try await duties.markDelivered(pendingNow.map(\.id), at: at(31))
        try await duties.markDelivered([], at: at(31))
        t.note("pending delivered", try await duties.pendingMessages(for: teacher.id, at: at(41)).map(\.text))
        return t.lines
    }

    @Test(
        """
        every duties call returns the same on every backend: activity, absence notes and their decisions, data \
        checks, credentials, extracts, digest runs and the bot's outbox; the audit texts match and verify
        """)
    func dutiesBehaveTheSame() async throws {
        let stores = try await SchoolContractTests.schools()
        defer { for store in stores { store.close() } }
        var transcripts: [[String]] = []
        for store in stores { transcripts.append(try await Self.script(store, snapshot: SchoolContractTests.snapshot)) }
        let sqlite = transcripts[0]
        #expect(sqlite.contains("run again: false") && sqlite.contains("handover again: false"))
        #expect(sqlite.contains { $0.hasPrefix("decide again: threw notFound") })
        try await SchoolStore.expectSame(transcripts, stores)
        try await SchoolStore.expectVerified(stores)
    }
}
