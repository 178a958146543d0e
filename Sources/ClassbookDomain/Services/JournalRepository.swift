import Foundation

/// A mark to write: a new one, or a correction of the same student's mark of the same kind
/// in the same lesson.
public struct MarkWrite: Sendable, Equatable {
    public var student: StudentID
    public var value: MarkValue
    public var kind: String
    public var comment: String?

    public init(student: StudentID, value: MarkValue, kind: String, comment: String?) {
        self.student = student
        self.value = value
        self.kind = kind
        self.comment = comment
    }
}

/// What a write did to one entry.
public enum WriteOutcome: String, Sendable, Equatable {
    case created
    case changed
    case unchanged
    case deleted
    case notFound
}

/// A lesson's fields to set; nil leaves a field as it is.
public struct LessonUpdate: Sendable, Equatable {
    public var topic: String?
    public var homework: String?
    public var isControlWork: Bool?

    public init(topic: String? = nil, homework: String? = nil, isControlWork: Bool? = nil) {
        self.topic = topic
        self.homework = homework
        self.isControlWork = isControlWork
    }

    public var isEmpty: Bool { topic == nil && homework == nil && isControlWork == nil }
}

/// The school's structure and its journal, read and written. Every write runs in one
/// transaction with its audit records; it is durable when the call returns.
public protocol JournalRepository: Sendable {
    // MARK: Structure
    func gradingRules() async throws -> GradingRules
    /// Changes one rule (audited); throws `RepositoryError.notFound` for an unknown mark kind.
    func updateSetting(_ setting: SchoolSetting, context: AuditContext) async throws
    func classes() async throws -> [SchoolClass]
    func subjects() async throws -> [Subject]
    func student(id: StudentID) async throws -> Student?
    /// The class's students on a date: arrived by then and not yet departed.
    func students(inClass: ClassID, on date: SchoolDate) async throws -> [Student]
    /// The class's students at any time in the range (arrived by its end, not departed before its start).
    func students(inClass: ClassID, from: SchoolDate, through: SchoolDate) async throws -> [Student]
    func groups(inClass: ClassID) async throws -> [StudyGroup]
    /// When each student of the class came onto its list and left it (every student the class ever had).
    func enrollments(inClass: ClassID) async throws -> [StudentID: Enrollment]
    func assignments(teacher: AccountID) async throws -> [Assignment]
    func assignments(inClass: ClassID) async throws -> [Assignment]
    func accountName(_ id: AccountID) async throws -> String?
    /// The login of a student's own account, if they have one.
    func accountLogin(of student: StudentID) async throws -> String?
    func staff(login: String) async throws -> Account?
    func holidays(on date: SchoolDate) async throws -> [Holiday]

    // MARK: Timetable
    func timetable(ofClass: ClassID) async throws -> [TimetableSlot]
    func timetableChanges(ofClass: ClassID, from: SchoolDate, through: SchoolDate) async throws
        -> [TimetableChangeRecord]
    func recordTimetableChange(_ change: TimetableChangeRecord, context: AuditContext) async throws

    // MARK: Lessons
    func lessons(ofClass: ClassID, subject: SubjectID?, from: SchoolDate, through: SchoolDate) async throws -> [Lesson]
    /// Finds the lesson of a class (or group) and subject in a slot, creating it when absent.
    func lesson(
        classID: ClassID, group: GroupID?, subject: SubjectID, teacher: AccountID, date: SchoolDate, number: Int,
        context: AuditContext
    ) async throws -> Lesson
    func updateLesson(_ lesson: LessonID, _ update: LessonUpdate, context: AuditContext) async throws -> Lesson

    // MARK: Entries
    /// The marks and absences of a lesson, deleted ones excluded.
    func entries(ofLessons: [LessonID]) async throws -> (
        marks: [LessonID: [(StudentID, MarkEntry)]], absences: [LessonID: [(StudentID, AbsenceEntry)]]
    )
    /// Writes all marks or none, and the events `events` makes of the outcomes (one per mark, in
    /// order) in the same transaction: the notifications' outbox.
    func writeMarks(
        _ marks: [MarkWrite], lesson: LessonID, context: AuditContext,
        events: @escaping @Sendable ([WriteOutcome]) -> [JournalEvent]
    ) async throws -> [WriteOutcome]
    func deleteMarks(student: StudentID, lesson: LessonID, kind: String?, context: AuditContext) async throws -> Int
    /// Writes all absences or none; an existing absence in the lesson takes the new reason. The
    /// events `events` makes of the outcomes are saved in the same transaction.
    func writeAbsences(
        _ absences: [(StudentID, AbsenceReason)], lesson: LessonID, context: AuditContext,
        events: @escaping @Sendable ([WriteOutcome]) -> [JournalEvent]
    ) async throws -> [WriteOutcome]
    func deleteAbsence(student: StudentID, lesson: LessonID, context: AuditContext) async throws -> WriteOutcome
    /// Sets the reason of the student's unexcused (Н) and late-free absences on those dates; returns how many.
    func excuseAbsences(student: StudentID, dates: [SchoolDate], reason: AbsenceReason, context: AuditContext)
        async throws -> Int

    // MARK: Finals and remarks
    func finals(of student: StudentID, on date: SchoolDate) async throws -> [FinalMark]
    /// Sets finals; a nil value deletes the student's final (the row stays, marked deleted).
    func writeFinals(
        _ finals: [(StudentID, MarkValue?)], subject: SubjectID, period: Int, on date: SchoolDate,
        context: AuditContext
    ) async throws -> [WriteOutcome]
    func remarks(of student: StudentID, from: SchoolDate, through: SchoolDate) async throws -> [Remark]
    /// Adds a remark, and the events `events` makes of it in the same transaction.
    func addRemark(
        student: StudentID, kind: Remark.Kind, subject: SubjectID?, text: String, date: SchoolDate,
        context: AuditContext, events: @escaping @Sendable (Remark) -> [JournalEvent]
    ) async throws -> Remark
    /// Deletes the latest remark or recommendation this author wrote to the student; nil when there is none.
    func deleteLatestRemark(student: StudentID, author: AccountID, context: AuditContext) async throws -> Remark?
    /// The student's guardians with their contact data.
    func guardians(of student: StudentID) async throws -> [(name: String, details: [(PersonalField, String)])]
    /// Every audited change of the student's marks, oldest first.
    func markHistory(of student: StudentID, from: SchoolDate, through: SchoolDate) async throws -> [MarkHistoryEvent]

    // MARK: The class list
    func createGroup(classID: ClassID, name: String, subject: SubjectID?, context: AuditContext) async throws
        -> StudyGroup
    func setGroupMembership(group: GroupID, students: [StudentID], member: Bool, context: AuditContext) async throws
        -> Int
    func addStudent(
        classID: ClassID, lastName: String, firstName: String, middleName: String, arrivedOn: SchoolDate,
        note: String, context: AuditContext
    ) async throws -> Student
    func recordDeparture(student: StudentID, on date: SchoolDate, note: String, context: AuditContext) async throws
    func movements(ofClass: ClassID, from: SchoolDate, through: SchoolDate) async throws -> [StudentMovement]
    func personalData(of student: StudentID) async throws -> [(PersonalField, String)]
    func setPersonalData(of student: StudentID, field: PersonalField, value: String, context: AuditContext) async throws
        -> WriteOutcome
}

extension JournalRepository {
    /// Writes marks that nobody is told of (imports, tests).
    public func writeMarks(_ marks: [MarkWrite], lesson: LessonID, context: AuditContext) async throws
        -> [WriteOutcome]
    {
        try await writeMarks(marks, lesson: lesson, context: context, events: { _ in [] })
    }

    /// Writes absences that nobody is told of (tests).
    public func writeAbsences(_ absences: [(StudentID, AbsenceReason)], lesson: LessonID, context: AuditContext)
        async throws -> [WriteOutcome]
    {
        try await writeAbsences(absences, lesson: lesson, context: context, events: { _ in [] })
    }
}
