/// A whole school to be written at once (the demo school now, spreadsheet imports later).
/// Rows refer to each other by login, name or list index, not by database id.
public struct SchoolSnapshot: Sendable {
    public struct Person: Sendable {
        public var login: String
        public var displayName: String
        public var roles: Set<Role>
        public var passwordHash: String
        public init(login: String, displayName: String, roles: Set<Role>, passwordHash: String) {
            self.login = login
            self.displayName = displayName
            self.roles = roles
            self.passwordHash = passwordHash
        }
    }

    public struct SchoolClass: Sendable {
        public var name: String
        public var grade: Int
        public var classTeacherLogin: String
        public init(name: String, grade: Int, classTeacherLogin: String) {
            self.name = name
            self.grade = grade
            self.classTeacherLogin = classTeacherLogin
        }
    }

    public struct StudentRecord: Sendable {
        public var login: String?
        public var className: String
        public var lastName: String
        public var firstName: String
        public var middleName: String
        public var guardianLogins: [String]
        public init(
            login: String?, className: String, lastName: String, firstName: String, middleName: String,
            guardianLogins: [String]
        ) {
            self.login = login
            self.className = className
            self.lastName = lastName
            self.firstName = firstName
            self.middleName = middleName
            self.guardianLogins = guardianLogins
        }
    }

    public struct Assignment: Sendable {
        public var teacherLogin: String
        public var subject: String
        public var className: String
        public init(teacherLogin: String, subject: String, className: String) {
            self.teacherLogin = teacherLogin
            self.subject = subject
            self.className = className
        }
    }

    public struct Lesson: Sendable {
        public var className: String
        public var subject: String
        public var teacherLogin: String
        public var date: SchoolDate
        public var number: Int
        public var topic: String?
        public var homework: String?
        public var isControlWork: Bool
        public init(
            className: String, subject: String, teacherLogin: String, date: SchoolDate, number: Int, topic: String?,
            homework: String?,
            isControlWork: Bool = false
        ) {
            self.className = className
            self.subject = subject
            self.teacherLogin = teacherLogin
            self.date = date
            self.number = number
            self.topic = topic
            self.homework = homework
            self.isControlWork = isControlWork
        }
    }

    /// A slot of the weekly timetable (weekday 1 = Monday).
    public struct TimetableEntry: Sendable {
        public var className: String
        public var weekday: Int
        public var number: Int
        public var subject: String
        public var teacherLogin: String
        public init(className: String, weekday: Int, number: Int, subject: String, teacherLogin: String) {
            self.className = className
            self.weekday = weekday
            self.number = number
            self.subject = subject
            self.teacherLogin = teacherLogin
        }
    }

    public struct RemarkRecord: Sendable {
        public var student: Int
        public var authorLogin: String
        public var subject: String?
        public var date: SchoolDate
        public var kind: Remark.Kind
        public var text: String
        public init(
            student: Int, authorLogin: String, subject: String?, date: SchoolDate, kind: Remark.Kind, text: String
        ) {
            self.student = student
            self.authorLogin = authorLogin
            self.subject = subject
            self.date = date
            self.kind = kind
            self.text = text
        }
    }

    public struct Mark: Sendable {
        /// Index into `lessons`.
        public var lesson: Int
        /// Index into `students`.
        public var student: Int
        public var value: MarkValue
        public var kind: MarkKind
        public init(lesson: Int, student: Int, value: MarkValue, kind: MarkKind) {
            self.lesson = lesson
            self.student = student
            self.value = value
            self.kind = kind
        }
    }

    public struct Absence: Sendable {
        public var lesson: Int
        public var student: Int
        public var reason: AbsenceReason
        public init(lesson: Int, student: Int, reason: AbsenceReason) {
            self.lesson = lesson
            self.student = student
            self.reason = reason
        }
    }

    public var yearName: String
    public var yearStart: SchoolDate
    public var yearEnd: SchoolDate
    public var periods: [Period]
    public var holidays: [Holiday]
    public var subjects: [String]
    public var people: [Person]
    public var classes: [SchoolClass]
    public var students: [StudentRecord]
    public var assignments: [Assignment]
    public var lessons: [Lesson]
    public var marks: [Mark]
    public var absences: [Absence]
    public var timetable: [TimetableEntry] = []
    /// Reporting periods of grades that differ from `periods` (half-years in 10–11, say), by grade range (`10-11`).
    public var gradePeriods: [String: [Period]] = [:]
    public var remarks: [RemarkRecord] = []

    public init(
        yearName: String, yearStart: SchoolDate, yearEnd: SchoolDate, periods: [Period], holidays: [Holiday],
        subjects: [String], people: [Person], classes: [SchoolClass], students: [StudentRecord],
        assignments: [Assignment], lessons: [Lesson], marks: [Mark], absences: [Absence]
    ) {
        self.yearName = yearName
        self.yearStart = yearStart
        self.yearEnd = yearEnd
        self.periods = periods
        self.holidays = holidays
        self.subjects = subjects
        self.people = people
        self.classes = classes
        self.students = students
        self.assignments = assignments
        self.lessons = lessons
        self.marks = marks
        self.absences = absences
    }
}

/// The kind of work a mark was given for, with its default weight in the average.
public enum MarkKind: String, Sendable, CaseIterable {
    case oral
    case homework
    case independent
    case test
    case control

    public var defaultWeight: Double {
        switch self {
        case .oral, .homework: 1
        case .independent: 1.5
        case .test: 1.5
        case .control: 2
        }
    }
}

/// Why a snapshot was not imported (nothing of it was written).
public enum SchoolImportError: Error, Equatable, Sendable, CustomStringConvertible {
    case schoolAlreadyExists(String)
    case unknownReference(String)

    public var description: String {
        switch self {
        case .schoolAlreadyExists(let year): "the database already holds the school year \(year)"
        case .unknownReference(let what): "the snapshot refers to \(what), which it does not define"
        }
    }
}
