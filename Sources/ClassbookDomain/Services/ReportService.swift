import Foundation

/// The class teacher's reports (2.43) and the analytical report, computed from the journal.
/// Every figure is defined in docs/reports.md; the definitions live in this file and its
/// builders, once each.
public struct ReportService: Sendable {
    public let journal: JournalService
    public let duties: DutiesService

    public init(journal: JournalService, duties: DutiesService) {
        self.journal = journal
        self.duties = duties
    }

    var repository: any JournalRepository { journal.journal }
    var today: SchoolDate { journal.today }

    /// What a report is asked for: the period (reports of a period), the month (attendance),
    /// the student (the analytical report of one student).
    public struct Request: Sendable {
        public var kind: ReportKind
        public var className: String
        public var period: String?
        /// `YYYY-MM`.
        public var month: String?
        /// A student of the class, by name or login.
        public var student: String?

        public init(
            kind: ReportKind, className: String, period: String? = nil, month: String? = nil, student: String? = nil
        ) {
            self.kind = kind
            self.className = className
            self.period = period
            self.month = month
            self.student = student
        }
    }

    /// A report for a class teacher (their class), the deputy or the director.
    public func report(_ request: Request, for principal: Principal) async throws -> Report {
        let scope = try await journal.scope(.buildReports, className: request.className, subject: nil, for: principal)
        return try await build(request, schoolClass: scope.schoolClass)
    }

    /// A report for the operator (`classbook report`).
    public func report(_ request: Request) async throws -> Report {
        try await build(request, schoolClass: try await journal.schoolClass(named: request.className))
    }

    func build(_ request: Request, schoolClass: SchoolClass) async throws -> Report {
        switch request.kind {
        case .attendance: return try await attendance(schoolClass, month: try month(request.month))
        case .attendanceSheet:
            return try await attendanceSheet(schoolClass, period: try await period(request.period, schoolClass))
        case .marks: return try await marksSheet(schoolClass, period: try await period(request.period, schoolClass))
        case .results: return try await results(schoolClass, period: try await period(request.period, schoolClass))
        case .preliminary:
            return try await preliminary(schoolClass, period: try await period(request.period, schoolClass))
        case .period: return try await periodReport(schoolClass, period: try await period(request.period, schoolClass))
        case .movement: return try await movement(schoolClass, period: try await period(request.period, schoolClass))
        case .analytics: return try await analytics(schoolClass, student: request.student)
        }
    }

    func period(_ query: String?, _ schoolClass: SchoolClass) async throws -> Period {
        let (_, period) = try await journal.periodOrdinal(query, grade: schoolClass.grade)
        guard let period else { throw JournalError.noSuchPeriod(query ?? "") }
        return period
    }

    /// `2026-11`, `11.2026` or `11` (this school year's November); the current month by default.
    func month(_ text: String?) throws -> (SchoolDate, SchoolDate) {
        var year = today.year
        var month = today.month
        if let text {
            let parts = text.split(whereSeparator: { $0 == "-" || $0 == "." }).compactMap { Int($0) }
            switch parts.count {
            case 2 where parts[0] > 12: (year, month) = (parts[0], parts[1])
            case 2: (month, year) = (parts[0], parts[1])
            case 1:
                month = parts[0]
                // The school year runs September to August.
                year =
                    today.month >= 9
                    ? (month >= 9 ? today.year : today.year + 1) : (month >= 9 ? today.year - 1 : today.year)
            default: throw JournalError.invalidDate(text)
            }
            guard (1...12).contains(month), (2000...2100).contains(year) else { throw JournalError.invalidDate(text) }
        }
        let first = SchoolDate(year: year, month: month, day: 1)
        var last = first
        while last.adding(days: 1).month == month { last = last.adding(days: 1) }
        return (first, last)
    }

    // MARK: The class's journal over a range

    struct ClassData {
        var schoolClass: SchoolClass
        var from: SchoolDate
        var through: SchoolDate
        /// Everyone on the class list at some time in the range (attendance counts them all).
        var students: [Student]
        /// Those on the list at the range's end (or today): whom marks sheets and results count.
        var current: [Student]
        /// Subjects taught to the class, in name order.
        var subjects: [String]
        var marks: [StudentID: [MarkEntry]] = [:]
        var absences: [StudentID: [AbsenceEntry]] = [:]
        /// Lessons each student had on each day (the class's, and their groups').
        var lessonsPerDay: [StudentID: [SchoolDate: Int]] = [:]
        var lessonCount: [StudentID: Int] = [:]
        var finals: [StudentID: [FinalMark]] = [:]
        var rules: GradingRules
    }

    /// Everything a report of the class over `[from, through]` needs, read once. Lessons after
    /// today (planned control works) are not counted as held; a student's lessons (and absences)
    /// are those held while they were on the class list, from the day of arrival up to the day
    /// before departure.
    func load(_ schoolClass: SchoolClass, from: SchoolDate, through: SchoolDate) async throws -> ClassData {
        let held = min(through, today)
        let students = try await repository.students(inClass: schoolClass.id, from: from, through: through)
        let current = try await repository.students(inClass: schoolClass.id, on: held)
        let subjects = Set(try await repository.assignments(inClass: schoolClass.id).map(\.subject.name)).sorted()
        var data = ClassData(
            schoolClass: schoolClass, from: from, through: through, students: students, current: current,
            subjects: subjects, rules: try await repository.gradingRules())
        guard from <= held else { return data }
        let lessons = try await repository.lessons(ofClass: schoolClass.id, subject: nil, from: from, through: held)
        let entries = try await repository.entries(ofLessons: lessons.map(\.id))
        let groups = try await repository.groups(inClass: schoolClass.id)
        let enrollments = try await repository.enrollments(inClass: schoolClass.id)
        for student in students {
            let own = Set(groups.filter { $0.members.contains(student.id) }.map(\.id))
            let enrollment = enrollments[student.id] ?? .always
            for lesson in lessons where (lesson.group.map(own.contains) ?? true) && enrollment.includes(lesson.date) {
                data.lessonsPerDay[student.id, default: [:]][lesson.date, default: 0] += 1
                data.lessonCount[student.id, default: 0] += 1
            }
            data.finals[student.id] = try await repository.finals(of: student.id, on: through)
        }
        for (_, list) in entries.marks { for (student, mark) in list { data.marks[student, default: []].append(mark) } }
        for (_, list) in entries.absences {
            for (student, absence) in list where (enrollments[student] ?? .always).includes(absence.date) {
                data.absences[student, default: []].append(absence)
            }
        }
        return data
    }

    // MARK: Figures shared by the reports

    /// A student's mark for a period in a subject: the final when the teacher has set it, else
    /// the final the weighted average suggests (`suggested`), else none (no numeric marks).
    struct PeriodMark: Equatable {
        var value: Int
        var suggested: Bool
    }

    func periodMark(_ data: ClassData, _ student: StudentID, subject: String, period: Period) -> PeriodMark? {
        if case .grade(let value, let suggested) = periodResult(data, student, subject: subject, period: period) {
            return PeriodMark(value: value, suggested: suggested)
        }
        return nil
    }

    /// A student's result for a period in a subject: a mark (`periodMark`), or, in a subject
    /// marked pass/fail, a pass or a fail (the final where set, else the latest such mark).
    enum PeriodResult: Equatable {
        case grade(Int, suggested: Bool)
        case pass
        case fail

        /// As the summary sheet prints it: `5`, `4*` (suggested), `зач`, `незач`.
        var text: Localized {
            switch self {
            case .grade(let value, let suggested): .verbatim("\(value)\(suggested ? "*" : "")")
            case .pass: Localized("report.cell.pass")
            case .fail: Localized("report.cell.fail")
            }
        }
    }

    func periodResult(_ data: ClassData, _ student: StudentID, subject: String, period: Period) -> PeriodResult? {
        if let final = data.finals[student]?.first(where: { $0.subject == subject && $0.period == period.ordinal }) {
            switch final.value {
            case .grade(let value): return .grade(value, suggested: false)
            case .pass: return .pass
            case .fail: return .fail
            }
        }
        let marks = (data.marks[student] ?? []).filter { $0.subject == subject }
        if let average = GradingRules.weightedAverage(marks) {
            return .grade(data.rules.suggestedFinal(for: average), suggested: true)
        }
        let latest = marks.filter { $0.value == .pass || $0.value == .fail }.max { ($0.date, $0.id) < ($1.date, $1.id) }
        return latest.map { $0.value == .fail ? .fail : .pass }
    }

    /// Whether a subject counts for a student's standing: it has numeric marks or a numeric final.
    /// Subjects marked only pass/fail (PE, say) count only when failed.
    enum Standing: CaseIterable {
        case excellent
        case good
        case oneThree
        case satisfactory
        case failing
        case notAttested

        /// `Отличники`: as the results table names the category.
        var title: Localized {
            switch self {
            case .excellent: Localized("report.standing.excellent")
            case .good: Localized("report.standing.good")
            case .oneThree: Localized("report.standing.oneThree")
            case .satisfactory: Localized("report.standing.satisfactory")
            case .failing: Localized("report.standing.failing")
            case .notAttested: Localized("report.standing.notAttested")
            }
        }

        /// `отличники`: as a student's row names their category.
        var name: Localized {
            switch self {
            case .excellent: Localized("report.standingOf.excellent")
            case .good: Localized("report.standingOf.good")
            case .oneThree: Localized("report.standingOf.oneThree")
            case .satisfactory: Localized("report.standingOf.satisfactory")
            case .failing: Localized("report.standingOf.failing")
            case .notAttested: Localized("report.standingOf.notAttested")
            }
        }
    }

    /// The standing from a student's period results: not attested with no marks at all, or when,
    /// after the period has ended, a subject has no result (while it runs such a subject is left
    /// out); failing with any 1 or 2 or a fail (незачёт, which stands as a 2); excellent with only 5s;
    /// good with only 4s and 5s; with one 3 when exactly one 3 and the rest 4s and 5s; otherwise
    /// satisfactory. A pass (зачёт) counts neither way.
    func standing(_ data: ClassData, _ student: StudentID, period: Period) -> Standing {
        var values: [Int] = []
        var unmarked = false
        for subject in data.subjects {
            switch periodResult(data, student, subject: subject, period: period) {
            // A fail stands as a 2 does, and enters no average.
            case .fail: values.append(2)
            case .grade(let value, _): values.append(value)
            case .pass: break
            case nil: unmarked = unmarked || period.end < today
            }
        }
        if unmarked { return .notAttested }
        if values.isEmpty { return .notAttested }
        if values.contains(where: { $0 <= 2 }) { return .failing }
        if values.allSatisfy({ $0 == 5 }) { return .excellent }
        if values.allSatisfy({ $0 >= 4 }) { return .good }
        if values.filter({ $0 == 3 }).count == 1 { return .oneThree }
        return .satisfactory
    }

    static func decimal(_ value: Fraction?) -> Localized {
        .verbatim(value.map { NumberText.twoDecimals($0) } ?? "—")
    }

    static let monthNames = [
        Localized("report.month.1"), Localized("report.month.2"), Localized("report.month.3"),
        Localized("report.month.4"),
        Localized("report.month.5"), Localized("report.month.6"), Localized("report.month.7"),
        Localized("report.month.8"),
        Localized("report.month.9"), Localized("report.month.10"), Localized("report.month.11"),
        Localized("report.month.12")
    ]
}
