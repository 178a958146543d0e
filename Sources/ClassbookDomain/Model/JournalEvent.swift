import Foundation

/// What happened in the journal that a family is told about.
///
/// An event is saved in the transaction of the write that causes it (the transactional outbox):
/// the server's dispatcher turns it into notifications later, so a process that dies between
/// the commit and the notification loses nothing.
public enum JournalEvent: Sendable, Equatable {
    case mark(student: Student, value: MarkValue, kind: String, subject: String, date: SchoolDate, corrected: Bool)
    case absence(student: Student, reason: AbsenceReason, subject: String, date: SchoolDate, lesson: Int)
    case remark(student: Student, kind: Remark.Kind, text: String, author: String)

    public var student: Student {
        switch self {
        case .mark(let student, _, _, _, _, _), .absence(let student, _, _, _, _), .remark(let student, _, _, _):
            student
        }
    }
}

extension JournalEvent {
    /// The stored form: every field of the event as JSON with sorted keys, the same text
    /// whichever store keeps it.
    private struct Record: Codable {
        var type: String
        var student: Int64
        var lastName: String
        var firstName: String
        var classID: Int64
        var className: String
        var grade: Int
        var value: String?
        var kind: String?
        var subject: String?
        var date: String?
        var corrected: Bool?
        var reason: String?
        var lesson: Int?
        var text: String?
        var author: String?
    }

    public struct UnreadableRecord: Error, CustomStringConvertible {
        public var text: String
        public var description: String { "a journal event that cannot be read: \(text)" }
    }

    public var record: String {
        let student = self.student
        var record = Record(
            type: "", student: student.id.rawValue, lastName: student.lastName, firstName: student.firstName,
            classID: student.classID.rawValue, className: student.className, grade: student.grade)
        switch self {
        case .mark(_, let value, let kind, let subject, let date, let corrected):
            record.type = "mark"
            (record.value, record.kind, record.subject) = (value.storage, kind, subject)
            (record.date, record.corrected) = (date.iso, corrected)
        case .absence(_, let reason, let subject, let date, let lesson):
            record.type = "absence"
            (record.reason, record.subject, record.date, record.lesson) = (reason.rawValue, subject, date.iso, lesson)
        case .remark(_, let kind, let text, let author):
            record.type = "remark"
            (record.kind, record.text, record.author) = (kind.rawValue, text, author)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A struct of strings, numbers and booleans always encodes.
        return String(decoding: (try? encoder.encode(record)) ?? Data(), as: UTF8.self)
    }

    public init(record text: String) throws {
        guard let record = try? JSONDecoder().decode(Record.self, from: Data(text.utf8)) else {
            throw UnreadableRecord(text: text)
        }
        let student = Student(
            id: StudentID(record.student), lastName: record.lastName, firstName: record.firstName,
            classID: ClassID(record.classID), className: record.className, grade: record.grade)
        let date = record.date.flatMap { SchoolDate(iso: $0) }
        switch record.type {
        case "mark":
            guard let value = record.value.flatMap(MarkValue.init(storage:)), let kind = record.kind,
                let subject = record.subject, let date
            else { throw UnreadableRecord(text: text) }
            self = .mark(
                student: student, value: value, kind: kind, subject: subject, date: date,
                corrected: record.corrected ?? false)
        case "absence":
            guard let reason = record.reason.flatMap(AbsenceReason.init(rawValue:)), let subject = record.subject,
                let date, let lesson = record.lesson
            else { throw UnreadableRecord(text: text) }
            self = .absence(student: student, reason: reason, subject: subject, date: date, lesson: lesson)
        case "remark":
            guard let kind = record.kind.flatMap(Remark.Kind.init(rawValue:)), let text = record.text,
                let author = record.author
            else { throw UnreadableRecord(text: text) }
            self = .remark(student: student, kind: kind, text: text, author: author)
        default:
            throw UnreadableRecord(text: text)
        }
    }
}

/// A journal event saved and not yet turned into notifications.
public struct PendingJournalEvent: Sendable, Equatable {
    public var id: Int64
    /// nil for a record this version cannot read (one a newer version saved, say).
    public var event: JournalEvent?
    public var createdAt: Date

    public init(id: Int64, event: JournalEvent?, createdAt: Date) {
        self.id = id
        self.event = event
        self.createdAt = createdAt
    }
}

/// One notification an event becomes for one person, in the words of their language.
public enum NotificationDelivery: Sendable, Equatable {
    /// Lines from the bot in chat; held until `deliverAfter` during quiet hours.
    case chat(AccountID, lines: [String], deliverAfter: Date?)
    case external(
        ExternalMessage.Channel, account: AccountID, address: String, subject: String, body: String, notBefore: Date)
    /// A line for the person's daily summary.
    case summary(AccountID, text: String)

    /// Whom it is for.
    public var account: AccountID? {
        switch self {
        case .chat(let account, _, _), .summary(let account, _): account
        case .external(_, let account, _, _, _, _): account
        }
    }
}
