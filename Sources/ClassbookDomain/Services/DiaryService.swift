import Foundation

/// What guardians and students read in the diary and what guardians record about it.
///
/// Every method takes the principal asking and checks `AccessPolicy` before it reads or
/// writes; a student the principal may not see is reported exactly like one that does
/// not exist (`DiaryError.noSuchChild`).
public struct DiaryService: Sendable {
    public let diary: any DiaryRepository
    public let journal: any JournalRepository
    public let clock: any SchoolClock
    public let timeZone: TimeZone
    /// Called when a person reads a student's diary (for the class teacher's activity review).
    public var onDiaryView: (@Sendable (AccountID, StudentID) async -> Void)?
    /// Marks reports as last built (`MarksReportMemo`), shared by the copies of this service.
    let marksReports = MarksReportMemo()

    public init(
        diary: any DiaryRepository, journal: any JournalRepository, clock: any SchoolClock = SystemClock(),
        timeZone: TimeZone = TimeZone(identifier: "Europe/Moscow")!
    ) {
        self.diary = diary
        self.journal = journal
        self.clock = clock
        self.timeZone = timeZone
    }

    public var today: SchoolDate { SchoolDate(clock.now(), in: timeZone) }

    // MARK: Whose diary

    /// The students whose diary this person reads: their children, or themselves.
    public func students(visibleTo principal: Principal) async throws -> [Student] {
        var result: [Student] = []
        if principal.has(.guardian) {
            result += try await diary.studentsInCare(of: principal.account.id)
        }
        if principal.has(.student), let own = try await diary.student(ownedBy: principal.account.id),
            !result.contains(where: { $0.id == own.id })
        {
            result.append(own)
        }
        return result
    }

    /// Picks the student a command is about. With no query, the only student this person
    /// may see; otherwise the one whose name contains every word of the query.
    public func resolveStudent(_ query: String?, for principal: Principal) async throws -> Student {
        let candidates = try await students(visibleTo: principal)
        guard let query, !query.isEmpty else {
            if candidates.count == 1 { return candidates[0] }
            if candidates.isEmpty { throw DiaryError.noStudents }
            throw DiaryError.studentRequired(candidates)
        }
        let name = NameQuery(query)
        let matches = candidates.filter { name.matches($0) }
        switch matches.count {
        case 1: return matches[0]
        case 0: throw DiaryError.noSuchChild
        default: throw DiaryError.ambiguousStudent(matches)
        }
    }

    /// A name as someone types it to pick a student, normalized once for all the students
    /// it is tried on. It matches when every word of it starts the student's last or first
    /// name ("Пет", "петя" does not, "Иванов П" does).
    public struct NameQuery: Sendable {
        let words: [String]

        public init(_ query: String) {
            words = query.split(separator: " ").map { DiaryService.normalize(String($0)) }
        }

        public func matches(_ student: Student) -> Bool {
            matches(lastName: student.lastName, firstName: student.firstName)
        }

        public func matches(lastName: String, firstName: String) -> Bool {
            guard !words.isEmpty else { return false }
            let lastName = DiaryService.normalize(lastName)
            let firstName = DiaryService.normalize(firstName)
            return words.allSatisfy { lastName.hasPrefix($0) || firstName.hasPrefix($0) }
        }
    }

    /// True when the two strings are the same UTF-8 bytes (a memcmp; `==` would normalize).
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
            }
        }
    }

    /// Lower case, ё as е: how people type names.
    public static func normalize(_ text: String) -> String {
        let lowered = text.lowercased()
        // A "ё" is U+0451 (bytes D1 91) or е with U+0308 (CC 88): text with neither byte 91
        // nor 88 has none, and is not walked Character by Character (most names).
        guard lowered.utf8.contains(where: { $0 == 0x91 || $0 == 0x88 }) else { return lowered }
        return String(lowered.map { $0 == "ё" ? "е" : $0 })
    }

    /// How a person stands to a student, as far as the diary is concerned.
    private func relations(of principal: Principal, to student: Student) async throws -> Set<AccessPolicy.Relation> {
        var relations: Set<AccessPolicy.Relation> = []
        if principal.has(.guardian), try await diary.isGuardian(principal.account.id, of: student.id) {
            relations.insert(.guardianOf)
        }
        if principal.has(.student), try await diary.student(ownedBy: principal.account.id)?.id == student.id {
            relations.insert(.isStudent)
        }
        return relations.isEmpty ? [.unrelated] : relations
    }

    func require(_ action: AccessPolicy.Action, _ principal: Principal, on student: Student) async throws {
        let relations = try await relations(of: principal, to: student)
        guard AccessPolicy.allows(action, for: principal.account.roles, relations: relations) else {
            throw DiaryError.noSuchChild
        }
        if action == .readDiary, let onDiaryView { await onDiaryView(principal.account.id, student.id) }
    }

    // MARK: Periods

    /// The period named by `query` ("2", "II", "2 четверть", "Q2"), or the current one:
    /// the period containing today, else the last one that has begun, else the first.
    public func period(_ query: String?, grade: Int) async throws -> Period {
        let periods = try await diary.periods(on: today, grade: grade)
        guard !periods.isEmpty else { throw DiaryError.noPeriods }
        guard let query else {
            return periods.current(on: today) ?? periods[0]
        }
        guard let ordinal = Self.periodOrdinal(query), let period = periods.first(where: { $0.ordinal == ordinal })
        else {
            throw DiaryError.noSuchPeriod(query)
        }
        return period
    }

    /// Reads `2`, `II`, `q2`, `2 четверть`, `2-я` as 2.
    public static func periodOrdinal(_ text: String) -> Int? {
        let roman = ["i": 1, "ii": 2, "iii": 3, "iv": 4]
        let lowered = normalize(text)
        let words = lowered.split(whereSeparator: { $0 == " " || $0 == "-" })
        guard let first = words.first else { return nil }
        var token = String(first)
        if token.hasPrefix("q") { token.removeFirst() }
        if let number = Int(token) ?? roman[token], (1...99).contains(number) {
            let rest = words.dropFirst().map(String.init)
            let known = ["четверть", "четв", "триместр", "полугодие", "я", "quarter", "term", "trimester", "half"]
            return rest.allSatisfy({ known.contains($0) }) ? number : nil
        }
        return nil
    }

    // MARK: Reading

    public struct SubjectMarks: Sendable, Equatable {
        public var subject: String
        public var marks: [MarkEntry]
        /// Weighted average of the numeric marks; nil when there are none.
        public var average: Fraction?
    }

    public struct MarksReport: Sendable, Equatable {
        public var student: Student
        public var period: Period
        public var subjects: [SubjectMarks]
        /// Finals of this period and of the year, for the subjects shown.
        public var finals: [FinalMark]
        public var rules: GradingRules
    }

    public func marks(of student: Student, subject: String?, period periodQuery: String?, for principal: Principal)
        async throws -> MarksReport
    {
        try await require(.readDiary, principal, on: student)
        let period = try await period(periodQuery, grade: student.grade)
        // Read before the marks and finals, so that what is kept is never older than its stamp.
        let stamp = try await diary.marksStamp(of: student.id)
        let rules = try await journal.gradingRules()
        let key = MarksReportKey(
            student: student.id, period: period.ordinal, start: period.start, end: period.end, subject: subject)
        let memoStamp = MarksReportStamp(marks: stamp, rules: rules)
        if var report = marksReports.value(key, stamp: memoStamp) {
            // The name, class and period's name are not part of the stamp: as they are now.
            report.student = student
            report.period = period
            return report
        }
        var entries = try await diary.marks(of: student.id, from: period.start, through: period.end)
        if let subject {
            let wanted = Self.normalize(subject)
            entries = entries.filter { Self.normalize($0.subject).hasPrefix(wanted) }
            if entries.isEmpty { throw DiaryError.noSuchSubject(subject) }
        }
        // Grouped by a scan rather than a Dictionary: a dozen subjects at most, and hashing a
        // Cyrillic string normalizes it first.
        var groups: [(subject: String, marks: [MarkEntry])] = []
        for entry in entries {
            // Byte equality: one subject's name is the same bytes on all its marks, and `==`
            // on two different Cyrillic strings normalizes them to compare.
            if let index = groups.firstIndex(where: { Self.sameBytes($0.subject, entry.subject) }) {
                groups[index].marks.append(entry)
            } else {
                groups.append((entry.subject, [entry]))
            }
        }
        let subjects = groups.sorted { $0.subject < $1.subject }.map { group in
            let marks = group.marks.sorted { ($0.date, $0.id) < ($1.date, $1.id) }
            return SubjectMarks(subject: group.subject, marks: marks, average: GradingRules.weightedAverage(marks))
        }
        let shown = Set(subjects.map(\.subject))
        let finals = try await journal.finals(of: student.id, on: today)
            .filter {
                ($0.period == period.ordinal || $0.period == 0) && (subject == nil || shown.contains($0.subject))
            }
        var report = marksReports.store(
            MarksReport(student: student, period: period, subjects: subjects, finals: finals, rules: rules),
            for: key, stamp: memoStamp)
        report.student = student
        report.period = period
        return report
    }

    public struct AbsencesReport: Sendable, Equatable {
        public var student: Student
        public var period: Period
        public var absences: [AbsenceEntry]
        public var excusedCount: Int { absences.filter { $0.reason.isExcused }.count }
    }

    public func absences(of student: Student, period periodQuery: String?, for principal: Principal) async throws
        -> AbsencesReport
    {
        try await require(.readDiary, principal, on: student)
        let period = try await period(periodQuery, grade: student.grade)
        let absences = try await diary.absences(of: student.id, from: period.start, through: period.end)
            .sorted { ($0.date, $0.lessonNumber) < ($1.date, $1.lessonNumber) }
        return AbsencesReport(student: student, period: period, absences: absences)
    }

    // MARK: Recording

    public enum AcknowledgementOutcome: Sendable, Equatable {
        case recorded(Acknowledgement)
        /// Nothing new since the last acknowledgement (nil when there was none and the diary is empty).
        case nothingNew(last: Acknowledgement?)
    }

    public func acknowledge(_ student: Student, for principal: Principal) async throws -> AcknowledgementOutcome {
        try await require(.acknowledgeDiary, principal, on: student)
        let context = AuditContext(principal: principal, at: clock.now())
        if let recorded = try await diary.acknowledge(
            student: student.id, guardian: principal.account.id, context: context)
        {
            return .recorded(recorded)
        }
        return .nothingNew(
            last: try await diary.lastAcknowledgement(student: student.id, guardian: principal.account.id))
    }

    public func consent(of principal: Principal) async throws -> ConsentRecord? {
        guard AccessPolicy.allows(.manageOwnConsent, for: principal.account.roles, relations: [.own]) else {
            throw DiaryError.notAllowed
        }
        return try await diary.latestConsent(guardian: principal.account.id)
    }

    /// Appends the decision; earlier decisions, refusals included, stay in the record.
    public func recordConsent(_ decision: ConsentDecision, for principal: Principal) async throws -> ConsentRecord {
        guard AccessPolicy.allows(.manageOwnConsent, for: principal.account.roles, relations: [.own]) else {
            throw DiaryError.notAllowed
        }
        return try await diary.recordConsent(
            decision, guardian: principal.account.id, context: AuditContext(principal: principal, at: clock.now()))
    }
}

public enum DiaryError: Error, Equatable, Sendable {
    /// Not a student this person may see, or no such student: deliberately one case.
    case noSuchChild
    case noStudents
    case studentRequired([Student])
    case ambiguousStudent([Student])
    case noSuchPeriod(String)
    case noSuchSubject(String)
    /// Words that name neither a child of this person nor anything the command takes.
    case unrecognized(String)
    case noPeriods
    case notAllowed
}
