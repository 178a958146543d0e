import ClassbookDomain
import ClassbookText
import Foundation

/// Everything the bot reads from people's text, in one call, for fuzzing and its regression
/// corpus: a crash or a hang here is a bug in a parser.
public enum FuzzEntry {
    static let subjects = [Subject(id: SubjectID(1), name: "Русский язык"), Subject(id: SubjectID(2), name: "Алгебра"),
                           Subject(id: SubjectID(3), name: "Английский язык")]

    public static func parse(_ text: String) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let today = SchoolDate(year: 2026, month: 11, day: 20)
        _ = try? JournalArguments.parse(words, subjects: subjects, today: today)
        for entry in JournalArguments.entries(words) { _ = try? JournalArguments.markRequest(entry) }
        _ = TeacherCommands.lessonUpdate(words)
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
            _ = FamilyCommands.days(word, today: today)
        }
        _ = DiaryService.periodOrdinal(text)
        _ = try? SchoolSetting(parsing: text)
        _ = JournalService.sameClassName(text, "7А")
        _ = JournalService.subjectMatches("Русский язык", text)
    }
}
