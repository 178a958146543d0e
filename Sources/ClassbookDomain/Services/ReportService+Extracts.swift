import Foundation

/// A student's diary on paper (выписка) for families without internet or who refused
/// electronic information (000, п. 3; 001, 2.34): marks, absences, homework and remarks of a
/// week or a period, signed by the class teacher, with a line for the guardian's signature.
public struct Extract: Sendable {
    public var student: Student
    public var classTeacher: String
    public var from: SchoolDate
    public var through: SchoolDate
    public var marks: [MarkEntry]
    public var absences: [AbsenceEntry]
    public var homework: [DiaryService.HomeworkItem]
    public var remarks: [Remark]
}

extension ReportService {
    /// A week (the one containing `week`) or a period.
    public enum ExtractRange: Sendable {
        case week(SchoolDate)
        case period(String?)
    }

    /// The extract of a student of the class, for its class teacher (or the administration).
    public func extract(student query: String, className: String, range: ExtractRange, for principal: Principal)
        async throws -> Extract
    {
        let scope = try await journal.scope(.buildReports, className: className, subject: nil, for: principal)
        let student = try JournalService.pick(
            query, among: try await repository.students(inClass: scope.schoolClass.id, on: today))
        return try await extract(student, schoolClass: scope.schoolClass, range: range)
    }

    func extract(_ student: Student, schoolClass: SchoolClass, range: ExtractRange) async throws -> Extract {
        let (from, through): (SchoolDate, SchoolDate)
        switch range {
        case .week(let date):
            let week = DutiesService.Week(containing: date)
            (from, through) = (week.monday, week.sunday)
        case .period(let query):
            let period = try await period(query, schoolClass)
            (from, through) = (period.start, period.end)
        }
        let data = try await load(schoolClass, from: from, through: through)
        let groups = Set(
            try await repository.groups(inClass: schoolClass.id).filter { $0.members.contains(student.id) }.map(\.id))
        let lessons = try await repository.lessons(
            ofClass: schoolClass.id, subject: nil, from: from, through: min(through, today)
        )
        .filter { $0.group.map(groups.contains) ?? true }
        let classTeacher =
            try await schoolClass.classTeacher.asyncFlatMap { try await repository.accountName($0) } ?? ""
        return Extract(
            student: student, classTeacher: classTeacher, from: from, through: through,
            marks: (data.marks[student.id] ?? []).sorted { ($0.date, $0.subject) < ($1.date, $1.subject) },
            absences: (data.absences[student.id] ?? []).sorted {
                ($0.date, $0.lessonNumber) < ($1.date, $1.lessonNumber)
            },
            homework: lessons.compactMap { lesson in
                lesson.homework.flatMap {
                    $0.isEmpty
                        ? nil : DiaryService.HomeworkItem(date: lesson.date, subject: lesson.subject.name, text: $0)
                }
            },
            remarks: try await repository.remarks(of: student.id, from: from, through: through))
    }

    /// The students of a class whose guardians get the diary on paper: every guardian of theirs
    /// refused electronic information (their latest consent is a refusal).
    public func paperPath(className: String) async throws -> (SchoolClass, [Student]) {
        let schoolClass = try await journal.schoolClass(named: className)
        return (schoolClass, try await paperPath(schoolClass))
    }

    func paperPath(_ schoolClass: SchoolClass) async throws -> [Student] {
        let guardians = try await duties.duties.guardians(ofClass: schoolClass.id, on: today)
        let consents = try await duties.duties.latestConsents(of: guardians.map(\.account))
        var students: [Student] = []
        for guardian in guardians where consents[guardian.account]?.decision == .refused {
            for child in guardian.children where !students.contains(where: { $0.id == child.id }) {
                students.append(child)
            }
        }
        return students.sorted { ($0.lastName, $0.firstName) < ($1.lastName, $1.firstName) }
    }

    /// The operator's batch: one extract for every student on the paper path.
    public func paperExtracts(className: String, week: SchoolDate) async throws -> [Extract] {
        let (schoolClass, students) = try await paperPath(className: className)
        var result: [Extract] = []
        for student in students {
            result.append(try await extract(student, schoolClass: schoolClass, range: .week(week)))
        }
        return result
    }

    /// The operator's single extract, by the student's login.
    public func extract(login: String, range: ExtractRange) async throws -> Extract {
        for schoolClass in try await repository.classes() {
            for student in try await repository.students(inClass: schoolClass.id, on: today)
            where try await repository.accountLogin(of: student.id) == login.lowercased() {
                return try await extract(student, schoolClass: schoolClass, range: range)
            }
        }
        throw JournalError.noSuchStudent(login)
    }

    /// `/extract given 7А Иванов [date]`: the week's extract was handed to the family.
    public func recordHandover(student query: String, className: String, week: SchoolDate, for principal: Principal)
        async throws -> (Student, Bool)
    {
        let scope = try await journal.scope(.buildReports, className: className, subject: nil, for: principal)
        let student = try JournalService.pick(
            query, among: try await repository.students(inClass: scope.schoolClass.id, on: today))
        let monday = DutiesService.Week(containing: week).monday
        return (
            student,
            try await duties.duties.recordExtractHandover(
                student: student.id, week: monday, context: journal.audit(principal))
        )
    }

    /// `/extract missing 7А [date]`: students on the paper path whose family has not received the week's extract.
    public func missingHandovers(className: String, week: SchoolDate, for principal: Principal) async throws -> (
        SchoolClass, [Student]
    ) {
        let scope = try await journal.scope(.buildReports, className: className, subject: nil, for: principal)
        let given = try await duties.duties.extractHandovers(
            ofClass: scope.schoolClass.id, week: DutiesService.Week(containing: week).monday)
        return (scope.schoolClass, try await paperPath(scope.schoolClass).filter { given[$0.id] == nil })
    }
}
