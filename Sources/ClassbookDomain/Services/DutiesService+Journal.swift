import Foundation

/// Journal filling and students at risk: what a class teacher watches every week (2.29, 2.37).
extension DutiesService {
    /// How many days back the filling checks look.
    public static let fillingWindow = 14

    /// What the filling checks of one class read: the same for the class teacher and for each
    /// subject teacher of the class, so a digest run reads it once (`DigestRun`).
    struct FillingInputs: Sendable {
        var assignments: [Assignment]
        /// The class's lessons of the window that belong to one of its assignments.
        var lessons: [Lesson]
        var marks: [LessonID: [(StudentID, MarkEntry)]]
        /// In the last week of a period and the two weeks after it: the period, and for each
        /// student on the roster the subjects with a final for it.
        var finalsDue: (period: Period, finalsSet: [Set<String>])?
    }

    /// Marks and absences by lesson, as `entries(ofLessons:)` gives them.
    struct LessonEntries: Sendable {
        var marks: [LessonID: [(StudentID, MarkEntry)]]
        var absences: [LessonID: [(StudentID, AbsenceEntry)]]
    }

    /// A class's lessons since the earlier of the current period's start and the filling
    /// window's, through today, in date order: what the journal check and the risk check of
    /// a digest run both look at, read once per class and run.
    struct ClassLessons: Sendable {
        var from: SchoolDate
        var lessons: [Lesson]
    }

    func classLessons(of schoolClass: SchoolClass, run: DigestRun) async throws -> ClassLessons {
        try await run.value("lessons \(schoolClass.id.rawValue)") { [self] in
            let periods = try await journal.periods(today, schoolClass.grade)
            let periodStart = periods.current(on: today)?.start ?? today
            let from = min(periodStart, today.adding(days: -Self.fillingWindow))
            return ClassLessons(
                from: from,
                lessons: try await repository.lessons(ofClass: schoolClass.id, subject: nil, from: from, through: today)
            )
        }
    }

    /// The class's lessons from `from` through `through`, in date order: within a digest run
    /// taken from `classLessons` when it covers them, otherwise read.
    func lessons(of schoolClass: SchoolClass, from: SchoolDate, through: SchoolDate, run: DigestRun?) async throws
        -> [Lesson]
    {
        if let run {
            let read = try await classLessons(of: schoolClass, run: run)
            if read.from <= from && through <= today {
                return read.lessons.filter { from <= $0.date && $0.date <= through }
            }
        }
        return try await repository.lessons(ofClass: schoolClass.id, subject: nil, from: from, through: through)
    }

    /// The entries of `lessons` of a class. Within a digest run they are read once per class,
    /// for all of `classLessons`: the journal check and the risk check both look their
    /// lessons up in it.
    func entries(of lessons: [Lesson], in schoolClass: SchoolClass, run: DigestRun?) async throws -> LessonEntries {
        guard let run else {
            let read = try await repository.entries(ofLessons: lessons.map(\.id))
            return LessonEntries(marks: read.marks, absences: read.absences)
        }
        return try await run.value("entries \(schoolClass.id.rawValue)") { [self] in
            let all = try await classLessons(of: schoolClass, run: run).lessons
            let read = try await repository.entries(ofLessons: all.map(\.id))
            return LessonEntries(marks: read.marks, absences: read.absences)
        }
    }

    func fillingInputs(of schoolClass: SchoolClass, run: DigestRun? = nil) async throws -> FillingInputs {
        let from = today.adding(days: -Self.fillingWindow)
        let assignments = try await repository.assignments(inClass: schoolClass.id)
        let lessons = try await lessons(of: schoolClass, from: from, through: today, run: run)
            .filter { lesson in
                assignments.contains { $0.teacher == lesson.teacher && $0.subject.id == lesson.subject.id }
            }
        let entries = try await entries(of: lessons, in: schoolClass, run: run)
        var finalsDue: (Period, [Set<String>])?
        let periods = try await journal.periods(today, schoolClass.grade)
        if let period = periods.first(where: { $0.end.adding(days: -7) <= today && today <= $0.end.adding(days: 14) }) {
            var sets: [Set<String>] = []
            for student in try await repository.students(inClass: schoolClass.id, on: min(today, period.end)) {
                sets.append(
                    Set(
                        try await repository.finals(of: student.id, on: today).filter { $0.period == period.ordinal }
                            .map(\.subject)))
            }
            finalsDue = (period, sets)
        }
        return FillingInputs(assignments: assignments, lessons: lessons, marks: entries.marks, finalsDue: finalsDue)
    }

    /// Lessons held without a topic or homework, control works without marks, teachers with no
    /// marks in two weeks, and finals missing near a period's end, for one class; with `teacher`,
    /// only that teacher's lessons. `run` shares the class's reads within a digest run.
    func filling(of schoolClass: SchoolClass, teacher: AccountID? = nil, run: DigestRun? = nil) async throws
        -> JournalFilling
    {
        let inputs =
            if let run {
                try await run.value("filling inputs \(schoolClass.id.rawValue)") { [self] in
                    try await fillingInputs(of: schoolClass, run: run)
                }
            } else {
                try await fillingInputs(of: schoolClass)
            }
        return Self.filling(inputs, of: schoolClass, teacher: teacher, today: today)
    }

    static func filling(_ inputs: FillingInputs, of schoolClass: SchoolClass, teacher: AccountID?, today: SchoolDate)
        -> JournalFilling
    {
        let assignments = inputs.assignments.filter { teacher == nil || $0.teacher == teacher }
        let names = Dictionary(assignments.map { ($0.teacher, $0.teacherName) }, uniquingKeysWith: { a, _ in a })
        let lessons = inputs.lessons.filter { lesson in
            assignments.contains { $0.teacher == lesson.teacher && $0.subject.id == lesson.subject.id }
        }
        func gap(_ lesson: Lesson) -> JournalFilling.LessonGap {
            .init(
                className: schoolClass.name, subject: lesson.subject.name, date: lesson.date, number: lesson.number,
                teacherName: names[lesson.teacher] ?? "")
        }
        var filling = JournalFilling()
        filling.withoutTopic = lessons.filter { ($0.topic ?? "").isEmpty }.map(gap)
        filling.withoutHomework = lessons.filter { ($0.homework ?? "").isEmpty && !$0.isControlWork }.map(gap)
        filling.ungradedControlWorks = lessons.filter {
            $0.isControlWork && $0.date < today && (inputs.marks[$0.id] ?? []).isEmpty
        }.map(gap)
        for assignment in assignments {
            let held = lessons.filter {
                $0.subject.id == assignment.subject.id && $0.teacher == assignment.teacher && $0.date < today
            }
            if held.count >= 2 && held.allSatisfy({ (inputs.marks[$0.id] ?? []).isEmpty }) {
                filling.teachersBehind.append(
                    .init(
                        teacherName: assignment.teacherName, className: schoolClass.name,
                        subject: assignment.subject.name, unmarkedLessons: held.count))
            }
        }
        if let (period, finalsSets) = inputs.finalsDue {
            var missing: [String: Int] = [:]
            for set in finalsSets {
                for assignment in assignments where !set.contains(assignment.subject.name) {
                    missing[assignment.subject.name, default: 0] += 1
                }
            }
            for assignment in assignments {
                if let count = missing[assignment.subject.name], count > 0,
                    !filling.missingFinals.contains(where: { $0.subject == assignment.subject.name })
                {
                    filling.missingFinals.append(
                        .init(
                            className: schoolClass.name, subject: assignment.subject.name,
                            teacherName: assignment.teacherName, period: period, students: count))
                }
            }
        }
        return filling
    }

    public func filling(className: String, for principal: Principal) async throws -> (
        JournalService.Scope, JournalFilling
    ) {
        let scope = try await journal.scope(.superviseClass, className: className, subject: nil, for: principal)
        return (scope, try await filling(of: scope.schoolClass))
    }

    /// A subject teacher's own gaps, over every class they teach.
    public func ownFilling(for principal: Principal, run: DigestRun? = nil) async throws -> JournalFilling {
        guard AccessPolicy.allows(.reviewOwnJournal, for: principal.account.roles, relations: [.own]) else {
            throw DiaryError.notAllowed
        }
        let classes = Set(try await repository.assignments(teacher: principal.account.id).map(\.classID))
        var total = JournalFilling()
        for schoolClass in try await repository.classes() where classes.contains(schoolClass.id) {
            let part = try await filling(of: schoolClass, teacher: principal.account.id, run: run)
            total.withoutTopic += part.withoutTopic
            total.withoutHomework += part.withoutHomework
            total.ungradedControlWorks += part.ungradedControlWorks
            total.teachersBehind += part.teachersBehind
            total.missingFinals += part.missingFinals
        }
        return total
    }

    /// Students at risk in the current period: a subject average below the threshold, too many
    /// 2s in the last two weeks, or too large a share of lessons missed.
    /// The students of a class in a difficult situation in a period (the current one by default):
    /// a low average in a subject, twos in the last two weeks of it (up to today while it runs),
    /// or a share of missed lessons — counted over the lessons held while each student was on the
    /// class list.
    func atRisk(in schoolClass: SchoolClass, period asked: Period? = nil, run: DigestRun? = nil) async throws
        -> [StudentAtRisk]
    {
        let rules = try await duties.riskRules()
        let gradeRules = try await repository.gradingRules()
        let periods = try await journal.periods(today, schoolClass.grade)
        guard let period = asked ?? periods.current(on: today) else { return [] }
        let through = min(today, period.end)
        guard period.start <= through else { return [] }
        let lessons = try await lessons(of: schoolClass, from: period.start, through: through, run: run)
        let entries = try await entries(of: lessons, in: schoolClass, run: run)
        let groups = try await repository.groups(inClass: schoolClass.id)
        let enrollments = try await repository.enrollments(inClass: schoolClass.id)
        let recent = through.adding(days: -Self.fillingWindow)
        // Each student's entries, in lesson order, gathered once: scanning every lesson's
        // entries for each student of the class is quadratic in the class.
        var marksOf: [StudentID: [(LessonID, MarkEntry)]] = [:]
        var absencesOf: [StudentID: [(LessonID, AbsenceEntry)]] = [:]
        for lesson in lessons {
            for (who, mark) in entries.marks[lesson.id] ?? [] { marksOf[who, default: []].append((lesson.id, mark)) }
            for (who, absence) in entries.absences[lesson.id] ?? [] {
                absencesOf[who, default: []].append((lesson.id, absence))
            }
        }
        // The lessons a student attends depend only on their groups and their time on the list,
        // which most of a class share: worked out once for each.
        struct Attendance: Hashable { var groups: Set<GroupID>; var enrollment: Enrollment }
        var attendedBy: [Attendance: (count: Int, ids: Set<LessonID>)] = [:]
        var result: [StudentAtRisk] = []
        for student in try await repository.students(inClass: schoolClass.id, on: through) {
            let own = Attendance(
                groups: Set(groups.filter { $0.members.contains(student.id) }.map(\.id)),
                enrollment: enrollments[student.id] ?? .always)
            if attendedBy[own] == nil {
                let ids = lessons.filter {
                    ($0.group.map(own.groups.contains) ?? true) && own.enrollment.includes($0.date)
                }.map(\.id)
                attendedBy[own] = (ids.count, Set(ids))
            }
            let (attendedCount, attendedIDs) = attendedBy[own]!
            var marks: [String: [MarkEntry]] = [:]
            var twos = 0
            var missed = 0
            for (lesson, mark) in marksOf[student.id] ?? [] where attendedIDs.contains(lesson) {
                marks[mark.subject, default: []].append(mark)
                if mark.value == .grade(2) && mark.date >= recent { twos += 1 }
            }
            for (lesson, absence) in absencesOf[student.id] ?? []
            where attendedIDs.contains(lesson) && gradeRules.countsAsMissed(absence.reason) {
                missed += 1
            }
            var reasons: [StudentAtRisk.Reason] = []
            for subject in marks.keys.sorted() {
                if let average = GradingRules.weightedAverage(marks[subject]!),
                    average < Fraction(thousandths: rules.averageBelow)
                {
                    reasons.append(.lowAverage(subject: subject, average: average))
                }
            }
            if twos >= rules.recentTwos { reasons.append(.recentTwos(count: twos)) }
            if attendedCount > 0, Double(missed) / Double(attendedCount) >= rules.missedShare {
                reasons.append(.missedLessons(missed: missed, of: attendedCount))
            }
            if !reasons.isEmpty { result.append(StudentAtRisk(student: student, reasons: reasons)) }
        }
        return result
    }

    public func atRisk(className: String, for principal: Principal) async throws -> (
        JournalService.Scope, [StudentAtRisk]
    ) {
        let scope = try await journal.scope(.superviseClass, className: className, subject: nil, for: principal)
        return (scope, try await atRisk(in: scope.schoolClass))
    }
}
