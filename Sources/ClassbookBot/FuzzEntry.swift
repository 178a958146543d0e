import ClassbookDomain
import ClassbookText
import Foundation

/// Everything the bot reads from people's text, in one call, for fuzzing and its regression
/// corpus: a crash or a hang here is a bug in a parser.
public enum FuzzEntry {
    static let subjects = [
        Subject(id: SubjectID(1), name: "Русский язык"), Subject(id: SubjectID(2), name: "Алгебра"),
        Subject(id: SubjectID(3), name: "Английский язык")
    ]

    /// Grammars with every kind of part, in the places the table puts them.
    static let grammars: [[ArgumentPart]] = [
        [.optional(.child), .diarySubject, .optional(.period)],
        [.optional(.child), .optional(.days)],
        [.required(.schoolClass), .required(.subject), .optional(.date), .optional(.lessonNumber), .required(.marks)],
        [
            .required(.schoolClass), .required(.subject), .optional(.date), .optional(.lessonNumber),
            .required(.person), .optional(.markKind)
        ],
        [
            .required(.schoolClass), .required(.subject), .optional(.date), .optional(.lessonNumber),
            .required(.absences)
        ],
        [
            .required(.schoolClass), .required(.subject), .optional(.date), .optional(.lessonNumber),
            .required(.lessonFields)
        ],
        [.required(.schoolClass), .required(.subject), .optional(.finalPeriod), .optional(.finals)],
        [.ledClass, .required(.person), .required(.dates), .optional(.reason)],
        [.ledClass, .required(.word), .keyword(["add", "добавить"], ["remove", "убрать"]), .required(.people)],
        [.required(.schoolClass), .required(.person), .optional(.date), .optional(.text)],
        [.required(.schoolClass), .required(.person), .required(.personalField), .required(.text)],
        [
            .required(.schoolClass), .required(.date), .required(.lessonSlot), .keyword(["move"]), .required(.date),
            .required(.lessonSlot)
        ],
        [.required(.reportKind), .required(.schoolClass), .optional(.text), .optional(.page)],
        [.required(.schoolClass), .required(.addressedText)],
        [.required(.number), .optional(.text)],
        [ArgumentPart(.settings, optional: true, choices: [["email"], ["sms"], ["quiet"]])]
    ]

    public static func parse(_ text: String) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let today = SchoolDate(year: 2026, month: 11, day: 20)
        let children = [
            Student(
                id: StudentID(1), lastName: "Иванов", firstName: "Пётр", classID: ClassID(1), className: "7А", grade: 7)
        ]
        for parts in grammars {
            _ = GrammarParser(
                words: Array(words.prefix(64)), parts: parts, today: today, children: children, subjects: subjects
            ).parse()
        }
        for entry in JournalArguments.entries(words) { _ = try? JournalArguments.markRequest(entry) }
        _ = JournalArguments.lessonUpdate(words)
        for word in words.prefix(64) {
            _ = SchoolDate(spoken: word, today: today)
            _ = JournalArguments.lessonNumber(word)
            _ = JournalArguments.markValue(word)
            _ = JournalArguments.markKind(word)
            _ = JournalArguments.absenceReason(word)
            _ = TimeOfDay(parsing: word)
            _ = GradeRange(parsing: word)
            _ = PersonalField.parse(word)
            _ = ReportKind.parse(word)
        }
        _ = DiaryService.periodOrdinal(text)
        _ = try? SchoolSetting(parsing: text)
        _ = JournalService.sameClassName(text, "7А")
        _ = JournalService.subjectMatches("Русский язык", text)
    }
}
