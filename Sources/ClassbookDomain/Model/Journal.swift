import Foundation

/// A reporting period (учебный период): a quarter, trimester or half-year.
public struct Period: Sendable, Equatable {
    public var ordinal: Int
    public var name: String
    public var start: SchoolDate
    public var end: SchoolDate

    public init(ordinal: Int, name: String, start: SchoolDate, end: SchoolDate) {
        self.ordinal = ordinal
        self.name = name
        self.start = start
        self.end = end
    }

    public func contains(_ date: SchoolDate) -> Bool { start <= date && date <= end }
}

extension Array where Element == Period {
    /// The period `day` falls in, else the last one begun before it (a day in the holidays
    /// belongs to the period just ended): the period the diary, the journal and the class
    /// teacher's checks speak of on that day. Nil before the first period begins.
    public func current(on day: SchoolDate) -> Period? {
        first { $0.contains(day) } ?? last { $0.start <= day }
    }
}

/// The grades a scheme of reporting periods is for: `10-11`, `1-4,9`, `10`.
public struct GradeRange: Sendable, Equatable {
    public var grades: Set<Int>

    public init?(parsing text: String) {
        var grades: Set<Int> = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(bounds.count), let low = bounds.first ?? nil, let high = bounds.last ?? nil,
                (1...11).contains(low), (low...11).contains(high)
            else { return nil }
            grades.formUnion(low...high)
        }
        guard !grades.isEmpty else { return nil }
        self.grades = grades
    }

    public func contains(_ grade: Int) -> Bool { grades.contains(grade) }
}

public struct Holiday: Sendable, Equatable {
    public var name: String
    public var start: SchoolDate
    public var end: SchoolDate

    public init(name: String, start: SchoolDate, end: SchoolDate) {
        self.name = name
        self.start = start
        self.end = end
    }
}

/// When a student is on a class's list: from the day of arrival up to the day before departure
/// (on the day of departure they are no longer listed). nil: from the start, or still there.
public struct Enrollment: Sendable, Hashable {
    public var arrivedOn: SchoolDate?
    public var leftOn: SchoolDate?

    public init(arrivedOn: SchoolDate?, leftOn: SchoolDate?) {
        self.arrivedOn = arrivedOn
        self.leftOn = leftOn
    }

    public static let always = Enrollment(arrivedOn: nil, leftOn: nil)

    public func includes(_ date: SchoolDate) -> Bool {
        (arrivedOn.map { $0 <= date } ?? true) && (leftOn.map { date < $0 } ?? true)
    }
}

/// A student as guardians and the diary see them.
public struct Student: Sendable, Equatable {
    public var id: StudentID
    public var lastName: String
    public var firstName: String
    public var classID: ClassID
    public var className: String
    /// The class's grade (7 for 7А): reporting periods may differ by grade.
    public var grade: Int

    public init(id: StudentID, lastName: String, firstName: String, classID: ClassID, className: String, grade: Int) {
        self.id = id
        self.lastName = lastName
        self.firstName = firstName
        self.classID = classID
        self.className = className
        self.grade = grade
    }

    /// `Иванов Пётр`
    public var shortName: String { "\(lastName) \(firstName)" }
}

/// A mark's value: 1 to 5, or pass/fail (зачёт/незачёт).
public enum MarkValue: Sendable, Equatable {
    case grade(Int)
    case pass
    case fail

    public init?(storage: String) {
        switch storage {
        case "pass": self = .pass
        case "fail": self = .fail
        default:
            guard let value = Int(storage), (1...5).contains(value) else { return nil }
            self = .grade(value)
        }
    }

    public var storage: String {
        switch self {
        case .grade(let value): String(value)
        case .pass: "pass"
        case .fail: "fail"
        }
    }
}

/// One mark in the diary.
public struct MarkEntry: Sendable, Equatable {
    public var id: Int64
    public var date: SchoolDate
    public var subject: String
    public var value: MarkValue
    /// The kind's code (`oral`, `test`, `control`, ...).
    public var kind: String
    public var weight: Double
    public var comment: String?

    public init(
        id: Int64, date: SchoolDate, subject: String, value: MarkValue, kind: String, weight: Double, comment: String?
    ) {
        self.id = id
        self.date = date
        self.subject = subject
        self.value = value
        self.kind = kind
        self.weight = weight
        self.comment = comment
    }
}

/// Why a student missed a lesson: the journal's letter codes.
public enum AbsenceReason: String, Sendable, CaseIterable, Codable {
    /// Н: without a valid reason.
    case unexcused = "Н"
    /// УП: excused.
    case excused = "УП"
    /// Б: illness.
    case illness = "Б"
    /// ОП: late.
    case late = "ОП"

    /// Excused absences: a note from a guardian or a doctor was accepted.
    public var isExcused: Bool { self == .excused || self == .illness }
}

public struct AbsenceEntry: Sendable, Equatable {
    public var id: Int64
    public var date: SchoolDate
    public var lessonNumber: Int
    public var subject: String
    public var reason: AbsenceReason

    public init(id: Int64, date: SchoolDate, lessonNumber: Int, subject: String, reason: AbsenceReason) {
        self.id = id
        self.date = date
        self.lessonNumber = lessonNumber
        self.subject = subject
        self.reason = reason
    }
}

/// A guardian's acknowledgement (ознакомление) of a child's diary up to a moment.
public struct Acknowledgement: Sendable, Equatable {
    public var id: Int64
    public var guardian: AccountID
    public var student: StudentID
    public var at: Date
    public var markCount: Int
    public var absenceCount: Int

    public init(id: Int64, guardian: AccountID, student: StudentID, at: Date, markCount: Int, absenceCount: Int) {
        self.id = id
        self.guardian = guardian
        self.student = student
        self.at = at
        self.markCount = markCount
        self.absenceCount = absenceCount
    }
}

/// A guardian's decision on personal-data processing and electronic information (152-ФЗ).
public enum ConsentDecision: String, Sendable {
    case granted
    case refused

    /// What a decision covers, as each record keeps it.
    public static let scope = "personal_data+electronic_information"
}

public struct ConsentRecord: Sendable, Equatable {
    public var decision: ConsentDecision
    public var at: Date

    public init(decision: ConsentDecision, at: Date) {
        self.decision = decision
        self.at = at
    }
}
