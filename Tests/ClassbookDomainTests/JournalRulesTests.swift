@testable import ClassbookBot
import ClassbookDomain
import Foundation
import Testing

@Suite("Journal rules")
struct JournalRulesTests {
    static let day = SchoolDate(year: 2026, month: 11, day: 20)

    func mark(_ value: Int, _ kind: MarkKind, rules: GradingRules = .standard) -> MarkEntry {
        MarkEntry(
            id: 1, date: Self.day, subject: "Алгебра", value: .grade(value), kind: kind.rawValue,
            weight: rules.weight(of: kind.rawValue), comment: nil)
    }

    @Test("the weighted average weighs control works twice and independent works one and a half times")
    func weights() throws {
        // (5·2 + 3·1 + 4·1.5) / 4.5 = 19 / 4.5
        let average = try #require(
            GradingRules.weightedAverage([mark(5, .control), mark(3, .oral), mark(4, .independent)]))
        #expect(average == Fraction(190, 45))
    }

    @Test(
        "the suggested final follows the school's rounding threshold",
        arguments: [
            (450, 0.5, 5), (449, 0.5, 4), (450, 0.6, 4), (460, 0.6, 5), (464, 0.65, 4), (465, 0.65, 5),
            (250, 0.5, 3), (499, 0.5, 5), (500, 0.5, 5), (120, 0.5, 1), (300, 0.6, 3)
        ])
    func rounding(_ hundredths: Int64, _ threshold: Double, _ expected: Int) {
        var rules = GradingRules.standard
        rules.roundingThreshold = threshold
        #expect(rules.suggestedFinal(for: Fraction(hundredths, 100)) == expected)
    }

    @Test("an average that is 4.5 in decimals but 4.4999… in binary still rounds up at .5")
    func floatingPoint() throws {
        // 4, 5 (×2 weight 1.5 each) and the like produce 4.499999999 in floating point.
        let marks = [mark(4, .oral), mark(5, .oral), mark(4, .test), mark(5, .test)]
        let average = try #require(GradingRules.weightedAverage(marks))
        #expect(GradingRules.standard.suggestedFinal(for: average) == 5)
        #expect(average == Fraction(9, 2))
        // Compared at two decimals, rounded half up as shown: 4.495 shows as 4,50.
        #expect(GradingRules.standard.suggestedFinal(for: Fraction(4495, 1000)) == 5)
        #expect(GradingRules.standard.suggestedFinal(for: Fraction(4494, 1000)) == 4)
    }

    func absence(_ date: SchoolDate, _ number: Int, _ reason: AbsenceReason) -> AbsenceEntry {
        AbsenceEntry(id: Int64(number), date: date, lessonNumber: number, subject: "Алгебра", reason: reason)
    }

    @Test("attendance counts missed lessons, the excused among them, late arrivals and missed days")
    func attendance() {
        let monday = SchoolDate(year: 2026, month: 11, day: 16)
        let tuesday = monday.adding(days: 1)
        let absences = [
            absence(monday, 1, .illness), absence(monday, 2, .illness), absence(monday, 3, .illness),
            absence(tuesday, 1, .unexcused), absence(tuesday, 2, .late), absence(tuesday, 3, .excused)
        ]
        let perDay = [monday: 3, tuesday: 5]
        let standard = GradingRules.standard.attendance(absences, lessonsPerDay: perDay)
        #expect(
            standard
                == GradingRules.Attendance(
                    missedLessons: 5, excusedLessons: 4, illnessLessons: 3, lateArrivals: 1, missedDays: 1))
        // Illness (Б) 3, other valid reasons (УП) 1, without a valid reason (Н) 1: they add up to the missed.
        #expect(standard.otherExcusedLessons == 1 && standard.unexcusedLessons == 1)

        var lenient = GradingRules.standard
        lenient.missedDay = .atLeast(2)
        #expect(lenient.attendance(absences, lessonsPerDay: perDay).missedDays == 2)

        var strict = GradingRules.standard
        strict.lateCountsAsMissed = true
        #expect(strict.attendance(absences, lessonsPerDay: perDay).missedLessons == 6)
        // A late arrival counted as missed is missed without a valid reason.
        #expect(strict.attendance(absences, lessonsPerDay: perDay).unexcusedLessons == 2)
    }

    @Test("grade ranges of period schemes", arguments: [("10-11", [10, 11]), ("1-4,9", [1, 2, 3, 4, 9]), ("10", [10])])
    func gradeRanges(_ text: String, _ grades: [Int]) throws {
        #expect(try #require(GradeRange(parsing: text)).grades == Set(grades))
    }

    @Test("nonsense is not a grade range", arguments: ["", "12", "5-3", "a-b", "1-2-3", "0"])
    func badGradeRanges(_ text: String) {
        #expect(GradeRange(parsing: text) == nil)
    }

    @Test("dates are read as people type them in chat")
    func spokenDates() {
        let today = Self.day
        #expect(SchoolDate(spoken: "сегодня", today: today) == today)
        #expect(SchoolDate(spoken: "вчера", today: today) == SchoolDate(year: 2026, month: 11, day: 19))
        #expect(SchoolDate(spoken: "24.11", today: today) == SchoolDate(year: 2026, month: 11, day: 24))
        // In January, 30.12 is last December.
        #expect(
            SchoolDate(spoken: "30.12", today: SchoolDate(year: 2027, month: 1, day: 15))
                == SchoolDate(year: 2026, month: 12, day: 30))
        #expect(SchoolDate(spoken: "24.11.2026", today: today) == SchoolDate(year: 2026, month: 11, day: 24))
        #expect(SchoolDate(spoken: "31.02", today: today) == nil)
        #expect(SchoolDate(spoken: "5", today: today) == nil)
    }

    @Test("class and subject names are matched as teachers type them")
    func names() {
        #expect(JournalService.sameClassName("7а", "7А"))
        #expect(JournalService.sameClassName("7A", "7А"))
        #expect(!JournalService.sameClassName("7Б", "7А"))
        #expect(JournalService.subjectMatches("Русский язык", "русский"))
        #expect(JournalService.subjectMatches("Английский язык", "англ"))
        #expect(!JournalService.subjectMatches("Алгебра", "геом"))
    }

    @Test("a /mark line is read into students, marks, kinds and comments")
    func markLine() throws {
        let words = "Иванов 5, Петров П 4 кр, Сидорова 3 (у доски), Кузнецов зач".split(separator: " ").map(String.init)
        let requests = try JournalArguments.entries(words).map(JournalArguments.markRequest)
        #expect(
            requests == [
                .init(student: "Иванов", value: .grade(5), kind: nil, comment: nil),
                .init(student: "Петров П", value: .grade(4), kind: "control", comment: nil),
                .init(student: "Сидорова", value: .grade(3), kind: nil, comment: "у доски"),
                .init(student: "Кузнецов", value: .pass, kind: nil, comment: nil)
            ])
        #expect(throws: JournalError.invalidMark("Иванов")) { try JournalArguments.markRequest(["Иванов"]) }
        #expect(throws: JournalError.invalidMark("Иванов 7")) { try JournalArguments.markRequest(["Иванов", "7"]) }
        #expect(throws: JournalError.invalidKind("отлично")) {
            try JournalArguments.markRequest(["Иванов", "5", "отлично"])
        }
    }

    @Test("class, subject, date and lesson number come first in a teacher's command")
    func journalArguments() throws {
        let subjects = [Subject(id: SubjectID(1), name: "Русский язык"), Subject(id: SubjectID(2), name: "Алгебра")]
        let grammar: [ArgumentPart] = [
            .required(.schoolClass), .required(.subject), .optional(.date), .optional(.lessonNumber),
            .required(.marks)
        ]
        func parse(_ line: String) -> Result<Arguments, GrammarFailure> {
            GrammarParser(
                words: line.split(separator: " ").map(String.init), parts: grammar, today: Self.day, children: [],
                subjects: subjects
            ).parse()
        }
        let parsed = try parse("7А русский язык 23.11 №2 Иванов 5").get()
        #expect(parsed.schoolClass == "7А" && parsed.subject == "русский язык" && parsed.lessonNumber == 2)
        #expect(parsed.date == SchoolDate(year: 2026, month: 11, day: 23))
        #expect(parsed.marks == [.init(student: "Иванов", value: .grade(5), kind: nil, comment: nil)])
        // A bare number is a mark, never a lesson number.
        let bare = try parse("7А алгебра Иванов 3").get()
        #expect(bare.lessonNumber == nil && bare.date == nil && bare.marks.first?.value == .grade(3))
        guard case .failure(let failure) = parse("7А физика Иванов 5") else { Issue.record("физика parsed"); return }
        #expect(failure.error as? JournalError == .noSuchSubject("физика"))
    }
}
