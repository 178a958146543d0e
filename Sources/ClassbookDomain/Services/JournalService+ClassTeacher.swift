import Foundation

/// What a class teacher does for their class, and timetable changes by the administration.
extension JournalService {
    /// `/excuse Иванов 20.11 21.11 [б]`: turns the student's unexcused absences (Н) on those
    /// days into excused ones (УП, or Б for illness).
    public func excuse(
        student query: String, className: String, dates: [SchoolDate], reason: AbsenceReason,
        for principal: Principal
    ) async throws -> (Student, Int) {
        let scope = try await scope(.excuseAbsence, className: className, subject: nil, for: principal)
        guard !dates.isEmpty else { throw JournalError.nothingToDo }
        guard reason.isExcused else { throw JournalError.invalidMark(reason.rawValue) }
        let student = try Self.pick(
            query, among: try await journal.students(inClass: scope.schoolClass.id, on: dates.max()!))
        let count = try await journal.excuseAbsences(
            student: student.id, dates: dates, reason: reason, context: audit(principal))
        return (student, count)
    }

    /// The class a class teacher leads, when they lead exactly one: lets them leave it out.
    public func ledClassName(for principal: Principal) async throws -> String? {
        let led = try await journal.classes().filter { $0.classTeacher == principal.account.id }
        return led.count == 1 ? led[0].name : nil
    }

    // MARK: Study groups

    public func groups(className: String, for principal: Principal) async throws -> (Scope, [StudyGroup], [Student]) {
        let scope = try await scope(.manageGroups, className: className, subject: nil, for: principal)
        return (
            scope, try await journal.groups(inClass: scope.schoolClass.id),
            try await journal.students(inClass: scope.schoolClass.id, on: today)
        )
    }

    public func createGroup(name: String, subject subjectQuery: String?, className: String, for principal: Principal)
        async throws -> StudyGroup
    {
        let scope = try await scope(.manageGroups, className: className, subject: subjectQuery, for: principal)
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 40 else { throw JournalError.emptyText }
        return try await journal.createGroup(
            classID: scope.schoolClass.id, name: trimmed, subject: scope.subject?.id, context: audit(principal))
    }

    /// Adds students to a group, or removes them; every name must be found, or nothing changes.
    public func changeGroup(
        _ groupName: String, students queries: [String], add: Bool, className: String,
        for principal: Principal
    ) async throws -> (StudyGroup, [Student], Int) {
        let scope = try await scope(.manageGroups, className: className, subject: nil, for: principal)
        guard
            let group = try await journal.groups(inClass: scope.schoolClass.id)
                .first(where: { DiaryService.normalize($0.name) == DiaryService.normalize(groupName) })
        else {
            throw JournalError.noSuchGroup(groupName)
        }
        guard !queries.isEmpty else { throw JournalError.nothingToDo }
        let roster = try await journal.students(inClass: scope.schoolClass.id, on: today)
        let students = try queries.map { try Self.pick($0, among: roster) }
        let changed = try await journal.setGroupMembership(
            group: group.id, students: students.map(\.id), member: add, context: audit(principal))
        return (group, students, changed)
    }

    // MARK: The class list

    /// `/arrive 7А Фамилия Имя [Отчество] [дата]`: a new student joins the class.
    public func arrive(
        lastName: String, firstName: String, middleName: String, on date: SchoolDate?, note: String,
        className: String, for principal: Principal
    ) async throws -> Student {
        let scope = try await scope(.manageClassList, className: className, subject: nil, for: principal)
        guard Self.isName(lastName), Self.isName(firstName), middleName.isEmpty || Self.isName(middleName) else {
            throw JournalError.invalidName([lastName, firstName, middleName].joined(separator: " "))
        }
        return try await journal.addStudent(
            classID: scope.schoolClass.id, lastName: lastName, firstName: firstName,
            middleName: middleName, arrivedOn: date ?? today, note: note, context: audit(principal))
    }

    /// `/depart 7А Иванов [дата] [куда]`: the student leaves the class; their record stays.
    public func depart(
        student query: String, on date: SchoolDate?, note: String, className: String,
        for principal: Principal
    ) async throws -> Student {
        let scope = try await scope(.manageClassList, className: className, subject: nil, for: principal)
        let student = try Self.pick(query, among: try await journal.students(inClass: scope.schoolClass.id, on: today))
        try await journal.recordDeparture(student: student.id, on: date ?? today, note: note, context: audit(principal))
        return student
    }

    public struct PersonalRecord: Sendable {
        public var student: Student
        public var fields: [(PersonalField, String)]
        public var guardians: [(name: String, details: [(PersonalField, String)])]
    }

    /// `/profile 7А Иванов`: the student's personal data and the guardians' contacts.
    public func personalData(student query: String, className: String, for principal: Principal) async throws
        -> PersonalRecord
    {
        let scope = try await scope(.readPersonalData, className: className, subject: nil, for: principal)
        let student = try Self.pick(query, among: try await journal.students(inClass: scope.schoolClass.id, on: today))
        return PersonalRecord(
            student: student, fields: try await journal.personalData(of: student.id),
            guardians: try await journal.guardians(of: student.id))
    }

    /// `/profile 7А Иванов телефон +7…`: changes one field.
    public func setPersonalData(
        student query: String, field: PersonalField, value: String, className: String,
        for principal: Principal
    ) async throws -> (Student, WriteOutcome) {
        let scope = try await scope(.manageClassList, className: className, subject: nil, for: principal)
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 200 else { throw JournalError.emptyText }
        if field.isNamePart && !Self.isName(trimmed) { throw JournalError.invalidName(trimmed) }
        if field == .birthDate && SchoolDate(russian: trimmed) == nil && SchoolDate(iso: trimmed) == nil {
            throw JournalError.invalidDate(trimmed)
        }
        let student = try Self.pick(query, among: try await journal.students(inClass: scope.schoolClass.id, on: today))
        return (
            student,
            try await journal.setPersonalData(of: student.id, field: field, value: trimmed, context: audit(principal))
        )
    }

    /// Letters, with hyphens and apostrophes inside: `Петров-Водкин`.
    static func isName(_ word: String) -> Bool {
        guard let first = word.first, first.isLetter, word.count <= 40 else { return false }
        return word.allSatisfy { $0.isLetter || $0 == "-" || $0 == "'" }
    }

    // MARK: Timetable changes

    /// `/change 7А 24.11 3 замена petrova.an | отмена | перенос 26.11 5`: the deputy records it.
    public func changeTimetable(
        _ change: TimetableChange, className: String, date: SchoolDate, number: Int,
        for principal: Principal
    ) async throws -> TimetableChangeRecord {
        let scope = try await scope(.changeTimetable, className: className, subject: nil, for: principal)
        let record = TimetableChangeRecord(
            classID: scope.schoolClass.id, group: nil, date: date, number: number, change: change)
        try await journal.recordTimetableChange(record, context: audit(principal))
        return record
    }

    public func substitute(login: String) async throws -> TimetableChange {
        guard let teacher = try await journal.staff(login: login) else { throw JournalError.noSuchTeacher(login) }
        return .substitution(teacher: teacher.id, teacherName: teacher.displayName)
    }
}
