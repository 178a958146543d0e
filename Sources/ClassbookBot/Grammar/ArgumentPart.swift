import ClassbookDomain
import ClassbookText

/// What one part of a command's arguments is: the bot parses every kind the same way in
/// every command, so «7А алгебра 24.11 №3» means the same to `/mark`, `/lesson` and `/test`.
public enum ArgumentKind: String, Sendable, CaseIterable {
    /// One of the person's children, by surname or first name (the beginning is enough); an
    /// optional child is the only one when the person has one.
    case child
    /// A class: `7А`. An optional class is the one the class teacher leads.
    case schoolClass = "class"
    /// A school subject of up to three words: `алгебра`, `русский язык`; in the middle of
    /// the diary's arguments, whatever is left (the diary answers that it has no such subject).
    case subject
    /// A day: `24.11`, `24.11.2026`, `завтра`.
    case date
    /// One day or more: `24.11 25.11`.
    case dates
    /// A day, `неделя` (this week) or `след` (next week).
    case days
    /// A reporting period: `2`, `II`, `2 четверть`.
    case period
    /// A reporting period or `год` (the year), for final marks.
    case finalPeriod = "final-period"
    /// A lesson of the day by number, with a mark so it is never a mark: `№3`, `#3`.
    case lessonNumber = "lesson-number"
    /// A lesson of the day by number with or without the mark: `3`, `№3`.
    case lessonSlot = "lesson-slot"
    /// A person by surname (and name), or a login: the words up to the next part.
    case person
    /// Persons by surname, separated by commas: `Иванов, Петров П`.
    case people
    /// Marks: `Иванов 5, Петров 4 кр, Сидорова 3 (у доски)`.
    case marks
    /// Absences: `Иванов, Петров оп`.
    case absences
    /// Final marks: `Иванов 5, Петров -`.
    case finals
    /// A lesson's topic and homework: `тема: … дз: …`.
    case lessonFields = "lesson-fields"
    /// The kind of a mark: `кр`, `ср`, `тест`, `дз`, `уо`.
    case markKind = "mark-kind"
    /// The reason of an absence: `н`, `уп`, `б`, `оп`.
    case reason
    /// A number: `12`, `#12`, `№12`.
    case number
    /// One word: a group's, a board's or a device's name, a login, a password.
    case word
    /// One of a few words that choose a form or a setting: `review`, `new`, `да`.
    case keyword
    /// The page of a long answer: `стр 2`.
    case page
    /// A report's name: `итоги`, `посещаемость`.
    case reportKind = "report-kind"
    /// A field of a student's personal data: `телефон`, `адрес`.
    case personalField = "personal-field"
    /// Settings as pairs of a name and a value: `email me@example.ru pace daily`.
    case settings
    /// A note to a student: `Иванов: не выполнил домашнее задание`.
    case addressedText = "addressed-text"
    /// Free text: the rest of the line.
    case text

    /// The kinds that take the words between the parts before them and the parts after them.
    var takesTheMiddle: Bool {
        switch self {
        case .person, .people, .marks, .absences, .finals, .lessonFields, .text, .settings, .addressedText: true
        default: false
        }
    }
}

/// One part of a command's grammar.
public struct ArgumentPart: Sendable {
    public var kind: ArgumentKind
    public var isOptional: Bool
    /// For `.keyword`: the words that choose it, each with the value the handler sees (the
    /// first, English, word of its row).
    public var choices: [[String]]
    /// Taken by the words in the middle even when it is a kind that takes a fixed number of
    /// words: the diary's subject («русский язык» or anything the diary then finds nothing for).
    public var takesTheMiddle: Bool
    /// An optional class left out is the class the person leads (a class teacher of one class).
    public var defaultsToLedClass: Bool
    /// What to say when the part is missing, where the command says it better than the
    /// grammar («Назовите устройство или программу: /sessions token WeeChat»).
    public var whenMissing: Localized?

    public init(
        _ kind: ArgumentKind, optional: Bool = false, choices: [[String]] = [], middle: Bool = false,
        defaultsToLedClass: Bool = false
    ) {
        self.kind = kind
        self.isOptional = optional
        self.choices = choices
        self.takesTheMiddle = middle || kind.takesTheMiddle
        self.defaultsToLedClass = defaultsToLedClass
    }

    /// A required part.
    public static func required(_ kind: ArgumentKind) -> ArgumentPart { ArgumentPart(kind) }
    /// An optional part.
    public static func optional(_ kind: ArgumentKind) -> ArgumentPart { ArgumentPart(kind, optional: true) }
    /// The class named, or else the one the person leads.
    public static let ledClass = ArgumentPart(.schoolClass, optional: true, defaultsToLedClass: true)
    /// Whatever words are left, for the diary's subject, which the diary then looks up.
    public static let diarySubject = ArgumentPart(.subject, optional: true, middle: true)

    /// A word of `choices` (each row: the value, then the other words for it).
    public static func keyword(_ choices: [String]..., optional: Bool = false) -> ArgumentPart {
        ArgumentPart(.keyword, optional: optional, choices: choices)
    }

    /// This part, with its own refusal when it is missing.
    public func whenMissing(_ refusal: Localized) -> ArgumentPart {
        var part = self
        part.whenMissing = refusal
        return part
    }

    /// The words of `choices` in `language`: the Russian word of each row (its second), or the
    /// English one (its first).
    public func choiceWords(_ language: Language) -> [String] {
        choices.map { $0[language == .ru ? min(1, $0.count - 1) : 0] }
    }

    /// The value a word of `choices` stands for.
    func choice(_ word: String) -> String? {
        let lowered = word.lowercased()
        return choices.first(where: { $0.contains(lowered) })?.first
    }

    /// What the part is called in a refusal: «класс», "a class".
    public func title(_ language: Language) -> String {
        switch kind {
        case .keyword: choiceWords(language).joined(separator: "|")
        case .child: language.t("grammar.part.child")
        case .schoolClass: language.t("grammar.part.class")
        case .subject: language.t("grammar.part.subject")
        case .date: language.t("grammar.part.date")
        case .dates: language.t("grammar.part.dates")
        case .days: language.t("grammar.part.days")
        case .period: language.t("grammar.part.period")
        case .finalPeriod: language.t("grammar.part.finalPeriod")
        case .lessonNumber, .lessonSlot: language.t("grammar.part.lessonNumber")
        case .person: language.t("grammar.part.person")
        case .people: language.t("grammar.part.people")
        case .marks: language.t("grammar.part.marks")
        case .absences: language.t("grammar.part.absences")
        case .finals: language.t("grammar.part.finals")
        case .lessonFields: language.t("grammar.part.lessonFields")
        case .markKind: language.t("grammar.part.markKind")
        case .reason: language.t("grammar.part.reason")
        case .number: language.t("grammar.part.number")
        case .word: language.t("grammar.part.word")
        case .page: language.t("grammar.part.page")
        case .text: language.t("grammar.part.text")
        case .reportKind: language.t("grammar.part.reportKind")
        case .personalField: language.t("grammar.part.personalField")
        case .settings: language.t("grammar.part.settings")
        case .addressedText: language.t("grammar.part.addressedText")
        }
    }

    /// A value of the part for an example: the class `7А`, the subject «алгебра», …
    public func example(_ language: Language) -> String {
        switch kind {
        case .keyword: choiceWords(language).first ?? ""
        case .child: language.t("grammar.example.child")
        case .schoolClass: "7А"
        case .subject: language.t("grammar.example.subject")
        case .date, .dates: "24.11"
        case .days: language.t("grammar.example.days")
        case .period: "2"
        case .finalPeriod: language.t("grammar.example.finalPeriod")
        case .lessonNumber, .lessonSlot: "№3"
        case .person: language.t("grammar.example.person")
        case .people: language.t("grammar.example.people")
        case .marks: language.t("grammar.example.marks")
        case .absences: language.t("grammar.example.absences")
        case .finals: language.t("grammar.example.finals")
        case .lessonFields: language.t("grammar.example.lessonFields")
        case .markKind: language.t("grammar.example.markKind")
        case .reason: language.t("grammar.example.reason")
        case .number: "12"
        case .word: language.t("grammar.example.word")
        case .page: language.t("grammar.example.page")
        case .text: language.t("grammar.example.text")
        case .reportKind: language.t("grammar.example.reportKind")
        case .personalField: language.t("grammar.example.personalField")
        case .settings: language.t("grammar.example.settings")
        case .addressedText: language.t("grammar.example.addressedText")
        }
    }
}

/// A parsed value of a part.
public enum ArgumentValue: Sendable {
    case student(Student)
    case text(String)
    case date(SchoolDate)
    case dates([SchoolDate])
    case days(DiaryService.Days)
    case number(Int)
    case people([String])
    case marks([JournalService.MarkRequest])
    case absences([(student: String, reason: AbsenceReason)])
    case finals([(student: String, value: MarkValue?)])
    case lessonFields(LessonUpdate)
    case reason(AbsenceReason)
    case reportKind(ReportKind)
    case personalField(PersonalField)
    case settings([(name: String, value: String)])
    case addressed(person: String, text: String)
}

/// A command's arguments as its grammar read them: each part's value by kind (the second of
/// a kind, as in `/change 7А 24.11 №2 move 25.11 №3`, under `second`).
public struct Arguments: Sendable {
    /// The values in the order the parts read them: a handful, so a list beats a table.
    var entries: [(kind: ArgumentKind, value: ArgumentValue)] = []
    /// The words as typed, for a "next page" hint that repeats them.
    public var words: [String] = []

    mutating func set(_ kind: ArgumentKind, _ value: ArgumentValue) {
        entries.append((kind, value))
    }

    /// The value of the first part of a kind.
    func first(_ kind: ArgumentKind) -> ArgumentValue? {
        entries.first { $0.kind == kind }?.value
    }

    /// The value of the second part of a kind.
    func second(_ kind: ArgumentKind) -> ArgumentValue? {
        var found = false
        for entry in entries where entry.kind == kind {
            if found { return entry.value }
            found = true
        }
        return nil
    }

    public func text(_ kind: ArgumentKind) -> String? {
        if case .text(let text)? = first(kind) { return text }
        return nil
    }

    public var child: Student? {
        if case .student(let student)? = first(.child) { return student }
        return nil
    }
    public var schoolClass: String? { text(.schoolClass) }
    public var subject: String? { text(.subject) }
    public var person: String? { text(.person) }
    public var word: String? { text(.word) }
    public var keyword: String? { text(.keyword) }
    public var period: String? { text(.period) }
    public var finalPeriod: String? { text(.finalPeriod) }
    public var markKind: String? { text(.markKind) }
    public var freeText: String? { text(.text) }

    public var date: SchoolDate? { Self.date(first(.date)) }
    public var secondDate: SchoolDate? { Self.date(second(.date)) }
    private static func date(_ value: ArgumentValue?) -> SchoolDate? {
        if case .date(let date)? = value { return date }
        return nil
    }

    public var dates: [SchoolDate] {
        if case .dates(let dates)? = first(.dates) { return dates }
        return []
    }

    public var days: DiaryService.Days? {
        if case .days(let days)? = first(.days) { return days }
        return nil
    }

    public var number: Int? { Self.number(first(.number)) }
    /// The number as a record's identifier: a note's, a post's, a letter's.
    public var id: Int64? { number.map(Int64.init) }
    public var lessonNumber: Int? { Self.number(first(.lessonNumber)) ?? Self.number(first(.lessonSlot)) }
    public var secondLessonNumber: Int? { Self.number(second(.lessonSlot)) }
    public var page: Int? { Self.number(first(.page)) }
    private static func number(_ value: ArgumentValue?) -> Int? {
        if case .number(let number)? = value { return number }
        return nil
    }

    public var people: [String] {
        if case .people(let people)? = first(.people) { return people }
        return []
    }

    public var marks: [JournalService.MarkRequest] {
        if case .marks(let marks)? = first(.marks) { return marks }
        return []
    }

    public var absences: [(student: String, reason: AbsenceReason)] {
        if case .absences(let absences)? = first(.absences) { return absences }
        return []
    }

    public var finals: [(student: String, value: MarkValue?)] {
        if case .finals(let finals)? = first(.finals) { return finals }
        return []
    }

    public var lessonFields: LessonUpdate? {
        if case .lessonFields(let update)? = first(.lessonFields) { return update }
        return nil
    }

    public var reportKind: ReportKind? {
        if case .reportKind(let kind)? = first(.reportKind) { return kind }
        return nil
    }

    public var personalField: PersonalField? {
        if case .personalField(let field)? = first(.personalField) { return field }
        return nil
    }

    public var settings: [(name: String, value: String)] {
        if case .settings(let settings)? = first(.settings) { return settings }
        return []
    }

    public var addressed: (person: String, text: String)? {
        if case .addressed(let person, let text)? = first(.addressedText) { return (person, text) }
        return nil
    }

    public var reason: AbsenceReason? {
        if case .reason(let reason)? = first(.reason) { return reason }
        return nil
    }
}

/// A handler asked for a part its form does not have: a fault of the command table, answered
/// as an internal error (counted with the failed commands in the metrics), never a crash of the server.
struct CommandTableFault: Error, CustomStringConvertible {
    var description: String { "a handler asked for an argument its form's grammar does not read" }
}

extension Optional {
    /// The value of a part the form's grammar requires: there when the form read the line.
    func required() throws -> Wrapped {
        guard let value = self else { throw CommandTableFault() }
        return value
    }
}
