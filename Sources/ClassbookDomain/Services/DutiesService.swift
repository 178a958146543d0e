import Foundation

/// The class teacher's weekly and monthly duties (regulations 000–004): consents,
/// acknowledgements, guardians' activity, attendance and absence notes, journal filling,
/// students at risk, personal-data checks, credentials. Each method checks the access table.
public struct DutiesService: Sendable {
    public let duties: any DutiesRepository
    public let journal: JournalService
    public let diary: DiaryService
    public let hasher: PasswordHasher
    public let executor: any BlockingExecutor

    public init(
        duties: any DutiesRepository, journal: JournalService, diary: DiaryService,
        hasher: PasswordHasher = PasswordHasher(),
        executor: any BlockingExecutor
    ) {
        self.duties = duties
        self.journal = journal
        self.diary = diary
        self.hasher = hasher
        self.executor = executor
    }

    var today: SchoolDate { journal.today }
    var repository: any JournalRepository { journal.journal }

    /// A week as days and as instants in the school's time zone.
    public struct Week: Sendable, Equatable {
        public var monday: SchoolDate
        public var sunday: SchoolDate { monday.adding(days: 6) }

        public init(containing date: SchoolDate) {
            monday = date.adding(days: 1 - date.isoWeekday)
        }

        public func instants(in timeZone: TimeZone) -> (Date, Date) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let start = calendar.date(from: DateComponents(year: monday.year, month: monday.month, day: monday.day))!
            return (start, start.addingTimeInterval(7 * 86_400 - 0.001))
        }
    }

    // MARK: Consents, acknowledgements, activity

    public func consents(className: String, for principal: Principal) async throws -> (
        JournalService.Scope, [(ClassGuardian, ConsentRecord?)]
    ) {
        let scope = try await journal.scope(.superviseClass, className: className, subject: nil, for: principal)
        let guardians = try await duties.guardians(ofClass: scope.schoolClass.id, on: today)
        let consents = try await duties.latestConsents(of: guardians.map(\.account))
        return (scope, guardians.map { ($0, consents[$0.account]) })
    }

    public func activity(className: String, week: Week, for principal: Principal) async throws
        -> (JournalService.Scope, [(ClassGuardian, GuardianActivity)])
    {
        let scope = try await journal.scope(.superviseClass, className: className, subject: nil, for: principal)
        let guardians = try await duties.guardians(ofClass: scope.schoolClass.id, on: today)
        let (from, through) = week.instants(in: journal.timeZone)
        let activity = try await duties.activity(
            of: guardians.map(\.account), from: from, through: through, days: week.monday...week.sunday)
        return (
            scope,
            guardians.map {
                (
                    $0,
                    activity[$0.account]
                        ?? GuardianActivity(lastLogin: nil, logins: 0, diaryViews: 0, acknowledgements: [])
                )
            }
        )
    }

    // MARK: Attendance and absence notes

    public func unexcused(className: String, week: Week, for principal: Principal) async throws
        -> (JournalService.Scope, [UnexcusedAbsence], [AbsenceNote])
    {
        let scope = try await journal.scope(.superviseClass, className: className, subject: nil, for: principal)
        let absences = try await duties.unexcusedAbsences(
            ofClass: scope.schoolClass.id, from: week.monday, through: min(week.sunday, today))
        return (scope, absences, try await duties.absenceNotes(ofClass: scope.schoolClass.id, pendingOnly: true))
    }

    /// `/note Пётр 19.11 20.11 болел`: a guardian explains a child's absence to the class teacher.
    public func submitNote(student: Student, dates: [SchoolDate], reason: String, for principal: Principal) async throws
        -> Int64
    {
        try await diary.require(.submitAbsenceNote, principal, on: student)
        let text = reason.trimmingCharacters(in: .whitespaces)
        guard !dates.isEmpty else { throw JournalError.invalidDate("") }
        guard !text.isEmpty, text.count <= 500 else { throw JournalError.emptyText }
        return try await duties.addAbsenceNote(
            student: student.id, guardian: principal.account.id, dates: dates.sorted(), reason: text,
            context: journal.audit(principal))
    }

    public func pendingNotes(className: String, for principal: Principal) async throws -> (
        JournalService.Scope, [AbsenceNote]
    ) {
        let scope = try await journal.scope(.decideAbsenceNote, className: className, subject: nil, for: principal)
        return (scope, try await duties.absenceNotes(ofClass: scope.schoolClass.id, pendingOnly: true))
    }

    /// `/accept 12` or `/reject 12 причина`: only the class teacher of the note's student's class.
    public func decide(note id: Int64, accept: Bool, comment: String?, for principal: Principal) async throws -> (
        AbsenceNote, Int
    ) {
        guard let (note, classID) = try await duties.absenceNote(id: id),
            let schoolClass = try await repository.classes().first(where: { $0.id == classID })
        else {
            throw JournalError.noSuchNote(id)
        }
        // A note of another class is answered like one that does not exist.
        guard
            (try? await journal.scope(.decideAbsenceNote, className: schoolClass.name, subject: nil, for: principal))
                != nil
        else {
            throw JournalError.noSuchNote(id)
        }
        guard note.status == .pending else { throw JournalError.noteDecided(id) }
        return try await duties.decideAbsenceNote(
            id: id, accept: accept, note: comment, context: journal.audit(principal))
    }

    // MARK: Personal data

    /// Students whose personal data was not checked in the last 30 days.
    public func dataCheckDue(className: String, for principal: Principal) async throws -> (
        JournalService.Scope, [Student]
    ) {
        let scope = try await journal.scope(.superviseClass, className: className, subject: nil, for: principal)
        return (
            scope,
            try await duties.dataCheckDue(ofClass: scope.schoolClass.id, since: today.adding(days: -30), on: today)
        )
    }

    /// `/checked 7А Иванов` (or `все`): the class teacher has checked the data against the facts.
    public func markChecked(students queries: [String], className: String, for principal: Principal) async throws
        -> [Student]
    {
        let scope = try await journal.scope(.manageClassList, className: className, subject: nil, for: principal)
        let roster = try await repository.students(inClass: scope.schoolClass.id, on: today)
        let students =
            queries.count == 1 && ["все", "all"].contains(queries[0].lowercased())
            ? roster : try queries.map { try JournalService.pick($0, among: roster) }
        guard !students.isEmpty else { throw JournalError.nothingToDo }
        for student in students {
            try await duties.markDataChecked(student: student.id, on: today, context: journal.audit(principal))
        }
        return students
    }
}
