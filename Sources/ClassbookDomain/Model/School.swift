import Foundation

/// A class (`7А`) of the current school year.
public struct SchoolClass: Sendable, Equatable {
    public var id: ClassID
    public var name: String
    public var grade: Int
    public var classTeacher: AccountID?

    public init(id: ClassID, name: String, grade: Int, classTeacher: AccountID?) {
        self.id = id
        self.name = name
        self.grade = grade
        self.classTeacher = classTeacher
    }
}

public struct Subject: Sendable, Equatable, Hashable {
    public var id: SubjectID
    public var name: String

    public init(id: SubjectID, name: String) {
        self.id = id
        self.name = name
    }
}

/// A study group within a class (a language, PE or informatics subgroup).
public struct StudyGroup: Sendable, Equatable {
    public var id: GroupID
    public var classID: ClassID
    public var name: String
    /// The subject the group is for, when it is for one.
    public var subject: String?
    public var members: [StudentID]

    public init(id: GroupID, classID: ClassID, name: String, subject: String?, members: [StudentID]) {
        self.id = id
        self.classID = classID
        self.name = name
        self.subject = subject
        self.members = members
    }
}

/// A teacher teaching a subject to a class, or to one group of it.
public struct Assignment: Sendable, Equatable {
    public var teacher: AccountID
    public var teacherName: String
    public var subject: Subject
    public var classID: ClassID
    public var className: String
    public var group: GroupID?
    public var groupName: String?

    public init(
        teacher: AccountID, teacherName: String, subject: Subject, classID: ClassID, className: String,
        group: GroupID?, groupName: String?
    ) {
        self.teacher = teacher
        self.teacherName = teacherName
        self.subject = subject
        self.classID = classID
        self.className = className
        self.group = group
        self.groupName = groupName
    }
}

/// A lesson held (or planned) on a date: the journal's column.
public struct Lesson: Sendable, Equatable {
    public var id: LessonID
    public var classID: ClassID
    public var group: GroupID?
    public var subject: Subject
    public var teacher: AccountID
    public var date: SchoolDate
    public var number: Int
    public var topic: String?
    public var homework: String?
    public var isControlWork: Bool

    public init(
        id: LessonID, classID: ClassID, group: GroupID?, subject: Subject, teacher: AccountID, date: SchoolDate,
        number: Int, topic: String?, homework: String?, isControlWork: Bool
    ) {
        self.id = id
        self.classID = classID
        self.group = group
        self.subject = subject
        self.teacher = teacher
        self.date = date
        self.number = number
        self.topic = topic
        self.homework = homework
        self.isControlWork = isControlWork
    }
}

/// One slot of the weekly timetable.
public struct TimetableSlot: Sendable, Equatable {
    public var classID: ClassID
    public var group: GroupID?
    public var groupName: String?
    /// 1 = Monday … 6 = Saturday.
    public var weekday: Int
    public var number: Int
    public var subject: Subject
    public var teacher: AccountID
    public var teacherName: String

    public init(
        classID: ClassID, group: GroupID?, groupName: String?, weekday: Int, number: Int, subject: Subject,
        teacher: AccountID, teacherName: String
    ) {
        self.classID = classID
        self.group = group
        self.groupName = groupName
        self.weekday = weekday
        self.number = number
        self.subject = subject
        self.teacher = teacher
        self.teacherName = teacherName
    }
}

/// A dated change to the timetable.
public enum TimetableChange: Sendable, Equatable {
    /// Another teacher takes the lesson.
    case substitution(teacher: AccountID, teacherName: String)
    /// The lesson moves to another day or hour.
    case moved(to: SchoolDate, number: Int)
    case cancelled
}

public struct TimetableChangeRecord: Sendable, Equatable {
    public var classID: ClassID
    public var group: GroupID?
    public var date: SchoolDate
    public var number: Int
    public var change: TimetableChange

    public init(classID: ClassID, group: GroupID?, date: SchoolDate, number: Int, change: TimetableChange) {
        self.classID = classID
        self.group = group
        self.date = date
        self.number = number
        self.change = change
    }
}

/// A lesson of a day's schedule as the diary shows it, with its change if there is one.
public struct ScheduledLesson: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case asPlanned
        case substituted(teacherName: String)
        case cancelled
        /// Moved away from this slot to another.
        case movedTo(SchoolDate, Int)
        /// Moved into this slot from another.
        case movedFrom(SchoolDate, Int)
    }

    public var date: SchoolDate
    public var number: Int
    public var subject: String
    public var teacherName: String
    public var groupName: String?
    public var status: Status
    public var isControlWork: Bool

    public init(
        date: SchoolDate, number: Int, subject: String, teacherName: String, groupName: String?, status: Status,
        isControlWork: Bool
    ) {
        self.date = date
        self.number = number
        self.subject = subject
        self.teacherName = teacherName
        self.groupName = groupName
        self.status = status
        self.isControlWork = isControlWork
    }
}

/// A teacher's remark or recommendation in a student's diary.
public struct Remark: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case remark
        case recommendation
    }

    public var id: Int64
    public var date: SchoolDate
    public var kind: Kind
    public var authorName: String
    public var subject: String?
    public var text: String

    public init(id: Int64, date: SchoolDate, kind: Kind, authorName: String, subject: String?, text: String) {
        self.id = id
        self.date = date
        self.kind = kind
        self.authorName = authorName
        self.subject = subject
        self.text = text
    }
}

/// A period's or the year's final mark in a subject.
public struct FinalMark: Sendable, Equatable {
    public var subject: String
    /// The period's ordinal, or 0 for the year.
    public var period: Int
    public var value: MarkValue

    public init(subject: String, period: Int, value: MarkValue) {
        self.subject = subject
        self.period = period
        self.value = value
    }
}

/// One step in the life of a mark: set, changed or deleted, by whom and when.
public struct MarkHistoryEvent: Sendable, Equatable {
    /// A mark as it stood at one moment.
    public struct State: Sendable, Equatable {
        public var value: MarkValue
        public var kind: String

        public init(value: MarkValue, kind: String) {
            self.value = value
            self.kind = kind
        }
    }

    public enum Change: Sendable, Equatable {
        case set(State)
        case changed(from: State, to: State)
        case deleted(State)
    }

    public var at: Date
    public var actorName: String
    public var subject: String
    public var lessonDate: SchoolDate
    public var change: Change

    public init(at: Date, actorName: String, subject: String, lessonDate: SchoolDate, change: Change) {
        self.at = at
        self.actorName = actorName
        self.subject = subject
        self.lessonDate = lessonDate
        self.change = change
    }

    /// The change one audit record of a mark's row says (its old and new canonical texts,
    /// `AuditedTable.canonical`); nil for a record that changed nothing a reader sees.
    public static func change(old: String?, new: String?) -> Change? {
        let old = old.map(fields)
        let new = new.map(fields)
        switch (old.flatMap(state), new.flatMap(state)) {
        case (nil, let now?):
            return .set(now)
        case (let before?, _?) where old?["deleted_at"] == nil && new?["deleted_at"] != nil:
            return .deleted(before)
        case (let before?, let now?) where before != now:
            return .changed(from: before, to: now)
        default:
            return nil
        }
    }

    /// `value=5; kind=control; …` back into fields.
    static func fields(_ canonical: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in canonical.components(separatedBy: "; ") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            result[String(part[..<equals])] = String(part[part.index(after: equals)...])
        }
        return result
    }

    static func state(_ fields: [String: String]) -> State? {
        guard let value = fields["value"].flatMap(MarkValue.init(storage:)) else { return nil }
        return State(value: value, kind: fields["kind"] ?? "")
    }
}

/// A student's arrival at or departure from a class (движение обучающихся).
public struct StudentMovement: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case arrival
        case departure
    }

    public var student: StudentID
    public var studentName: String
    public var kind: Kind
    public var date: SchoolDate
    public var className: String
    public var note: String

    public init(student: StudentID, studentName: String, kind: Kind, date: SchoolDate, className: String, note: String)
    {
        self.student = student
        self.studentName = studentName
        self.kind = kind
        self.date = date
        self.className = className
        self.note = note
    }
}

/// The fields of personal data (анкетные данные) the journal keeps.
public enum PersonalField: String, Sendable, CaseIterable {
    case lastName = "last_name"
    case firstName = "first_name"
    case middleName = "middle_name"
    case birthDate = "birth_date"
    case address
    case phone
    case email
    case document

    /// Russian names people type, and the English ones.
    public static func parse(_ word: String) -> PersonalField? {
        let key = word.lowercased().replacingOccurrences(of: "ё", with: "е")
        let names: [String: PersonalField] = [
            "фамилия": .lastName, "имя": .firstName, "отчество": .middleName, "дата_рождения": .birthDate,
            "рождение": .birthDate,
            "адрес": .address, "телефон": .phone, "почта": .email, "email": .email, "документ": .document,
            "lastname": .lastName, "firstname": .firstName, "middlename": .middleName, "birthdate": .birthDate
        ]
        return names[key] ?? PersonalField(rawValue: key)
    }

    /// Name parts live on the student record itself; the rest in the personal-data table.
    public var isNamePart: Bool { self == .lastName || self == .firstName || self == .middleName }
}
