import Foundation

/// What teachers, class teachers and the administration do with the journal.
///
/// Each method names the access action it needs, establishes how the person stands to the
/// class, subject or student (`relations`) and asks `AccessPolicy`; nothing is read or
/// written before that check passes, and a write with one bad item writes nothing.
public struct JournalService: Sendable {
    public let journal: any JournalRepository
    public let clock: any SchoolClock
    public let timeZone: TimeZone
    public let periods: @Sendable (SchoolDate, Int) async throws -> [Period]
    /// Told, after a write that saved events for notification (new and corrected marks,
    /// absences and remarks, in the write's transaction), that there are events to dispatch.
    public var onEventsSaved: (@Sendable () async -> Void)?

    public init(
        journal: any JournalRepository, diary: any DiaryRepository, clock: any SchoolClock = SystemClock(),
        timeZone: TimeZone = TimeZone(identifier: "Europe/Moscow")!
    ) {
        self.journal = journal
        self.clock = clock
        self.timeZone = timeZone
        self.periods = { try await diary.periods(on: $0, grade: $1) }
    }

    public var today: SchoolDate { SchoolDate(clock.now(), in: timeZone) }

    func audit(_ principal: Principal) -> AuditContext { AuditContext(principal: principal, at: clock.now()) }

    // MARK: Access

    /// A class and, for subject work, a subject (and the teacher's group of the class, if any),
    /// checked against the access table for one action.
    public struct Scope: Sendable, Equatable {
        public var schoolClass: SchoolClass
        public var subject: Subject?
        /// The group the person teaches this subject to, when they teach a group and not the whole class.
        public var group: GroupID?
    }

    /// How the person stands to a class and subject.
    func relations(of principal: Principal, to schoolClass: SchoolClass, subject: SubjectID?) async throws -> (
        Set<AccessPolicy.Relation>, GroupID?
    ) {
        var relations: Set<AccessPolicy.Relation> = []
        var group: GroupID?
        if principal.has(.teacher) {
            let own = try await journal.assignments(teacher: principal.account.id).filter {
                $0.classID == schoolClass.id
            }
            if !own.isEmpty { relations.insert(.teachesClass) }
            if let subject, let assignment = own.first(where: { $0.subject.id == subject }) {
                relations.insert(.teachesSubject)
                group = assignment.group
            }
        }
        if schoolClass.classTeacher == principal.account.id { relations.insert(.classTeacherOf) }
        if relations.isEmpty { relations.insert(.unrelated) }
        return (relations, group)
    }

    /// Resolves the class and subject a command names and checks `action` on them.
    public func scope(
        _ action: AccessPolicy.Action, className: String, subject subjectQuery: String?, for principal: Principal
    ) async throws -> Scope {
        let classes = try await journal.classes()
        guard let schoolClass = classes.first(where: { Self.sameClassName($0.name, className) }) else {
            throw JournalError.noSuchClass(className)
        }
        var subject: Subject?
        if let subjectQuery {
            // A teacher's subjects in the class come first, so "англ" finds their own subject.
            let taught = try await journal.assignments(inClass: schoolClass.id).map(\.subject)
            let candidates = taught.filter { Self.subjectMatches($0.name, subjectQuery) }
            guard let found = candidates.first else { throw JournalError.noSuchSubject(subjectQuery) }
            subject = found
        }
        let (relations, group) = try await relations(of: principal, to: schoolClass, subject: subject?.id)
        guard AccessPolicy.allows(action, for: principal.account.roles, relations: relations) else {
            throw JournalError.notAllowed(action, className: schoolClass.name, subject: subject?.name)
        }
        return Scope(schoolClass: schoolClass, subject: subject, group: group)
    }

    /// The class a name names, with no access check (for the operator's command line).
    public func schoolClass(named name: String) async throws -> SchoolClass {
        guard let schoolClass = try await journal.classes().first(where: { Self.sameClassName($0.name, name) }) else {
            throw JournalError.noSuchClass(name)
        }
        return schoolClass
    }

    /// `7а`, `7А` and `7A` (Latin) name the same class.
    public static func sameClassName(_ a: String, _ b: String) -> Bool {
        normalizeClassName(a) == normalizeClassName(b)
    }

    static func normalizeClassName(_ name: String) -> String {
        let latin: [Character: Character] = ["A": "А", "B": "Б", "V": "В", "G": "Г", "D": "Д", "E": "Е"]
        return String(name.uppercased().filter { $0 != " " && $0 != "-" }.map { latin[$0] ?? $0 }).replacingOccurrences(
            of: "Ё", with: "Е")
    }

    /// True when every word of the query begins a word of the subject's name.
    public static func subjectMatches(_ name: String, _ query: String) -> Bool {
        let nameWords = DiaryService.normalize(name).split(separator: " ")
        let queryWords = DiaryService.normalize(query).split(separator: " ")
        return !queryWords.isEmpty
            && queryWords.enumerated().allSatisfy { index, word in
                index < nameWords.count && nameWords[index].hasPrefix(word)
            }
    }

    // MARK: Students

    /// The students of the scope on a date: the class, or the scope's group of it.
    public func students(of scope: Scope, on date: SchoolDate) async throws -> [Student] {
        let all = try await journal.students(inClass: scope.schoolClass.id, on: date)
        guard let group = scope.group else { return all }
        let members = Set(
            try await journal.groups(inClass: scope.schoolClass.id).first { $0.id == group }?.members ?? [])
        return all.filter { members.contains($0.id) }
    }

    /// The one student among `students` a query names (`Иванов`, `Иванов П`, `Пётр`).
    public static func pick(_ query: String, among students: [Student]) throws -> Student {
        let name = DiaryService.NameQuery(query)
        let matches = students.filter { name.matches($0) }
        switch matches.count {
        case 1: return matches[0]
        case 0: throw JournalError.noSuchStudent(query)
        default:
            // An exact surname wins over surnames it begins ("Иванов" over "Ивановский").
            let exact = matches.filter { DiaryService.normalize($0.lastName) == DiaryService.normalize(query) }
            if exact.count == 1 { return exact[0] }
            throw JournalError.ambiguousStudent(query, matches)
        }
    }

    // MARK: Lessons

    /// The lesson of the scope's subject on a date: the one in slot `number`, else the only
    /// one held or planned that day, else the one the timetable puts there (created now).
    public func lesson(for scope: Scope, on date: SchoolDate, number: Int?, principal: Principal) async throws -> Lesson
    {
        guard let subject = scope.subject else { throw JournalError.noSuchSubject("") }
        let existing = try await journal.lessons(
            ofClass: scope.schoolClass.id, subject: subject.id, from: date, through: date
        )
        .filter { scope.group == nil || $0.group == scope.group }
        if let number {
            if let lesson = existing.first(where: { $0.number == number }) { return lesson }
        } else if let lesson = existing.first {
            return lesson
        }
        let slots = try await journal.timetable(ofClass: scope.schoolClass.id)
            .filter {
                $0.weekday == date.isoWeekday && $0.subject.id == subject.id
                    && (scope.group == nil || $0.group == scope.group)
            }
        let slot = number.map { n in slots.first { $0.number == n } } ?? slots.first
        guard let chosenNumber = number ?? slot?.number else {
            throw JournalError.noLesson(subject: subject.name, date: date)
        }
        return try await journal.lesson(
            classID: scope.schoolClass.id, group: scope.group ?? slot?.group, subject: subject.id,
            teacher: principal.account.id, date: date, number: chosenNumber, context: audit(principal))
    }

    /// `/lesson`: sets a lesson's topic, homework or control-work flag.
    public func recordLesson(
        _ update: LessonUpdate, className: String, subject: String, date: SchoolDate, number: Int?,
        for principal: Principal
    ) async throws -> Lesson {
        let scope = try await scope(.editJournal, className: className, subject: subject, for: principal)
        guard !update.isEmpty else { throw JournalError.nothingToDo }
        let lesson = try await lesson(for: scope, on: date, number: number, principal: principal)
        return try await journal.updateLesson(lesson.id, update, context: audit(principal))
    }

    // MARK: Marks and absences

    /// One `Иванов 5 кр (comment)` of a `/mark` line, before the student is resolved.
    public struct MarkRequest: Sendable, Equatable {
        public var student: String
        public var value: MarkValue
        public var kind: String?
        public var comment: String?

        public init(student: String, value: MarkValue, kind: String?, comment: String?) {
            self.student = student
            self.value = value
            self.kind = kind
            self.comment = comment
        }
    }

    public struct MarkResult: Sendable, Equatable {
        public var student: Student
        public var value: MarkValue
        public var kind: String
        public var outcome: WriteOutcome
    }

    /// `/mark`: every student must be found, or nothing is written.
    public func enterMarks(
        _ requests: [MarkRequest], className: String, subject: String, date: SchoolDate, number: Int?,
        for principal: Principal
    ) async throws -> (Lesson, [MarkResult]) {
        let scope = try await scope(.editJournal, className: className, subject: subject, for: principal)
        guard !requests.isEmpty else { throw JournalError.nothingToDo }
        let rules = try await journal.gradingRules()
        let roster = try await students(of: scope, on: date)
        var writes: [MarkWrite] = []
        for request in requests {
            let student = try Self.pick(request.student, among: roster)
            if let kind = request.kind, rules.weights[kind] == nil { throw JournalError.invalidKind(kind) }
            writes.append(
                MarkWrite(student: student.id, value: request.value, kind: request.kind ?? "", comment: request.comment)
            )
        }
        let lesson = try await lesson(for: scope, on: date, number: number, principal: principal)
        let defaultKind = lesson.isControlWork ? MarkKind.control.rawValue : MarkKind.oral.rawValue
        for index in writes.indices where writes[index].kind.isEmpty { writes[index].kind = defaultKind }
        let byID = Dictionary(roster.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let results: @Sendable ([WriteOutcome]) -> [MarkResult] = { [writes] outcomes in
            zip(writes, outcomes).compactMap { write, outcome in
                byID[write.student].map {
                    MarkResult(student: $0, value: write.value, kind: write.kind, outcome: outcome)
                }
            }
        }
        let outcomes = try await journal.writeMarks(writes, lesson: lesson.id, context: audit(principal)) {
            results($0).filter { $0.outcome == .created || $0.outcome == .changed }.map {
                .mark(
                    student: $0.student, value: $0.value, kind: $0.kind, subject: lesson.subject.name,
                    date: lesson.date, corrected: $0.outcome == .changed)
            }
        }
        await eventsSaved(outcomes)
        return (lesson, results(outcomes))
    }

    /// `/unmark`: deletes a student's marks in a lesson (of one kind, when named).
    public func deleteMarks(
        student query: String, kind: String?, className: String, subject: String, date: SchoolDate, number: Int?,
        for principal: Principal
    ) async throws -> (Student, Int) {
        let scope = try await scope(.editJournal, className: className, subject: subject, for: principal)
        let student = try Self.pick(query, among: try await students(of: scope, on: date))
        let lessons = try await journal.lessons(
            ofClass: scope.schoolClass.id, subject: scope.subject!.id, from: date, through: date
        )
        .filter { number == nil || $0.number == number }
        var count = 0
        for lesson in lessons {
            count += try await journal.deleteMarks(
                student: student.id, lesson: lesson.id, kind: kind, context: audit(principal))
        }
        return (student, count)
    }

    public struct AbsenceResult: Sendable, Equatable {
        public var student: Student
        public var reason: AbsenceReason
        public var outcome: WriteOutcome
    }

    /// `/absent`: every student must be found, or nothing is written.
    public func recordAbsences(
        _ requests: [(student: String, reason: AbsenceReason)], className: String, subject: String,
        date: SchoolDate, number: Int?, for principal: Principal
    ) async throws -> (Lesson, [AbsenceResult]) {
        let scope = try await scope(.editJournal, className: className, subject: subject, for: principal)
        guard !requests.isEmpty else { throw JournalError.nothingToDo }
        let roster = try await students(of: scope, on: date)
        let resolved = try requests.map { (try Self.pick($0.student, among: roster), $0.reason) }
        let lesson = try await lesson(for: scope, on: date, number: number, principal: principal)
        let results: @Sendable ([WriteOutcome]) -> [AbsenceResult] = { outcomes in
            zip(resolved, outcomes).map { AbsenceResult(student: $0.0.0, reason: $0.0.1, outcome: $0.1) }
        }
        let outcomes = try await journal.writeAbsences(
            resolved.map { ($0.0.id, $0.1) }, lesson: lesson.id, context: audit(principal)
        ) {
            results($0).filter { $0.outcome == .created || $0.outcome == .changed }.map {
                .absence(
                    student: $0.student, reason: $0.reason, subject: lesson.subject.name, date: lesson.date,
                    lesson: lesson.number)
            }
        }
        await eventsSaved(outcomes)
        return (lesson, results(outcomes))
    }

    /// `/present`: removes an absence entered by mistake.
    public func deleteAbsence(
        student query: String, className: String, subject: String, date: SchoolDate, number: Int?,
        for principal: Principal
    ) async throws -> (Student, WriteOutcome) {
        let scope = try await scope(.editJournal, className: className, subject: subject, for: principal)
        let student = try Self.pick(query, among: try await students(of: scope, on: date))
        let lessons = try await journal.lessons(
            ofClass: scope.schoolClass.id, subject: scope.subject!.id, from: date, through: date
        )
        .filter { number == nil || $0.number == number }
        var outcome = WriteOutcome.notFound
        for lesson in lessons where outcome == .notFound {
            outcome = try await journal.deleteAbsence(student: student.id, lesson: lesson.id, context: audit(principal))
        }
        return (student, outcome)
    }

    // MARK: Control works

    /// `/test`: schedules a control work in the subject's lesson on that date.
    public func scheduleControlWork(
        topic: String, className: String, subject: String, date: SchoolDate, number: Int?,
        for principal: Principal
    ) async throws -> Lesson {
        let scope = try await scope(.editJournal, className: className, subject: subject, for: principal)
        let lesson = try await lesson(for: scope, on: date, number: number, principal: principal)
        return try await journal.updateLesson(
            lesson.id, LessonUpdate(topic: topic.isEmpty ? nil : topic, isControlWork: true),
            context: audit(principal))
    }

    // MARK: Finals

    public struct FinalProposal: Sendable, Equatable {
        public var student: Student
        public var average: Fraction?
        public var suggested: Int?
        public var current: MarkValue?
    }

    /// The period of a grade named ("2", "год"/"year" = 0) or the current one.
    public func periodOrdinal(_ query: String?, grade: Int) async throws -> (ordinal: Int, period: Period?) {
        let all = try await periods(today, grade)
        if let query, ["год", "year", "годовая", "годовые", "0"].contains(DiaryService.normalize(query)) {
            return (0, nil)
        }
        if let query {
            guard let ordinal = DiaryService.periodOrdinal(query),
                let period = all.first(where: { $0.ordinal == ordinal })
            else {
                throw JournalError.noSuchPeriod(query)
            }
            return (ordinal, period)
        }
        guard let period = all.current(on: today) ?? all.first else {
            throw JournalError.noSuchPeriod("")
        }
        return (period.ordinal, period)
    }

    /// `/final 7А алгебра 2`: each student's weighted average for the period (for the year,
    /// of the period finals), the final it suggests under the school's rounding threshold,
    /// and the final already set.
    public func proposeFinals(className: String, subject: String, period query: String?, for principal: Principal)
        async throws
        -> (Scope, Int, [FinalProposal])
    {
        let scope = try await scope(.editJournal, className: className, subject: subject, for: principal)
        let grade = scope.schoolClass.grade
        let (ordinal, period) = try await periodOrdinal(query, grade: grade)
        let rules = try await journal.gradingRules()
        let all = try await periods(today, grade)
        let first = all.first?.start ?? today
        let last = all.last?.end ?? today
        let roster = try await students(of: scope, on: min(today, period?.end ?? last))
        let lessons = try await journal.lessons(
            ofClass: scope.schoolClass.id, subject: scope.subject!.id,
            from: period?.start ?? first, through: period?.end ?? last)
        let entries = try await journal.entries(ofLessons: lessons.map(\.id))
        var marksByStudent: [StudentID: [MarkEntry]] = [:]
        for (_, list) in entries.marks {
            for (student, mark) in list { marksByStudent[student, default: []].append(mark) }
        }
        var proposals: [FinalProposal] = []
        for student in roster {
            let finals = try await journal.finals(of: student.id, on: today).filter {
                $0.subject == scope.subject!.name
            }
            let average: Fraction?
            if ordinal == 0 {
                let grades = finals.filter { $0.period > 0 }.compactMap { final -> Int? in
                    if case .grade(let value) = final.value { return value } else { return nil }
                }
                average = Fraction.mean(grades)
            } else {
                average = GradingRules.weightedAverage(marksByStudent[student.id] ?? [])
            }
            proposals.append(
                FinalProposal(
                    student: student, average: average, suggested: average.map(rules.suggestedFinal),
                    current: finals.first { $0.period == ordinal }?.value))
        }
        return (scope, ordinal, proposals)
    }

    /// `/final 7А алгебра 2 Иванов 5, Петров 4`: every student must be found, or nothing is written.
    /// A nil value deletes the student's final.
    public func setFinals(
        _ requests: [(student: String, value: MarkValue?)], className: String, subject: String, period query: String?,
        for principal: Principal
    ) async throws -> (Int, [(Student, MarkValue?, WriteOutcome)]) {
        let scope = try await scope(.editJournal, className: className, subject: subject, for: principal)
        guard !requests.isEmpty else { throw JournalError.nothingToDo }
        let (ordinal, _) = try await periodOrdinal(query, grade: scope.schoolClass.grade)
        let roster = try await students(of: scope, on: today)
        let resolved = try requests.map { (try Self.pick($0.student, among: roster), $0.value) }
        let outcomes = try await journal.writeFinals(
            resolved.map { ($0.0.id, $0.1) }, subject: scope.subject!.id, period: ordinal,
            on: today, context: audit(principal))
        return (ordinal, zip(resolved, outcomes).map { ($0.0.0, $0.0.1, $0.1) })
    }

    /// Wakes the dispatcher of notifications when a write saved events (it did when it created
    /// or changed an entry).
    private func eventsSaved(_ outcomes: [WriteOutcome]) async {
        if outcomes.contains(where: { $0 == .created || $0 == .changed }) { await onEventsSaved?() }
    }

    // MARK: Remarks

    /// `/remark 7А Иванов текст`: a subject teacher of the class or its class teacher.
    public func addRemark(
        _ kind: Remark.Kind, text: String, student query: String, className: String, for principal: Principal
    ) async throws
        -> (Student, Remark)
    {
        let scope = try await scope(.writeRemark, className: className, subject: nil, for: principal)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw JournalError.emptyText }
        let student = try Self.pick(query, among: try await journal.students(inClass: scope.schoolClass.id, on: today))
        // The remark carries the author's subject in this class, when they teach one.
        let subject = try await journal.assignments(teacher: principal.account.id).first {
            $0.classID == scope.schoolClass.id
        }?.subject
        let remark = try await journal.addRemark(
            student: student.id, kind: kind, subject: subject?.id, text: trimmed, date: today,
            context: audit(principal)
        ) { [.remark(student: student, kind: kind, text: trimmed, author: $0.authorName)] }
        await onEventsSaved?()
        return (student, remark)
    }

    /// `/unremark 7А Иванов`: deletes the latest remark or recommendation the person wrote to the student.
    public func deleteRemark(student query: String, className: String, for principal: Principal) async throws -> (
        Student, Remark?
    ) {
        let scope = try await scope(.writeRemark, className: className, subject: nil, for: principal)
        let student = try Self.pick(query, among: try await journal.students(inClass: scope.schoolClass.id, on: today))
        return (
            student,
            try await journal.deleteLatestRemark(
                student: student.id, author: principal.account.id, context: audit(principal))
        )
    }

    // MARK: Reading the journal

    public struct JournalSheet: Sendable {
        public var schoolClass: SchoolClass
        public var subject: Subject
        public var from: SchoolDate
        public var through: SchoolDate
        public var students: [Student]
        public var lessons: [Lesson]
        public var marks: [LessonID: [(StudentID, MarkEntry)]]
        public var absences: [LessonID: [(StudentID, AbsenceEntry)]]
    }

    /// `/journal 7А алгебра [week]`: the subject's lessons in the week with every entry.
    public func sheet(className: String, subject: String, week: SchoolDate, for principal: Principal) async throws
        -> JournalSheet
    {
        let scope = try await scope(.readJournal, className: className, subject: subject, for: principal)
        let monday = week.adding(days: 1 - week.isoWeekday)
        let sunday = monday.adding(days: 6)
        let lessons = try await journal.lessons(
            ofClass: scope.schoolClass.id, subject: scope.subject!.id, from: monday, through: sunday)
        let entries = try await journal.entries(ofLessons: lessons.map(\.id))
        let students = try await journal.students(inClass: scope.schoolClass.id, on: min(sunday, today))
        return JournalSheet(
            schoolClass: scope.schoolClass, subject: scope.subject!, from: monday, through: sunday, students: students,
            lessons: lessons, marks: entries.marks, absences: entries.absences)
    }
}
