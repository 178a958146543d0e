@testable import ClassbookBot
import ClassbookDomain
import ClassbookText
import Foundation
import Testing

/// The commands' grammar: every form reads the forms the table documents, and a line no form
/// reads gets the one refusal that says what was expected, with the usage and an example.
@Suite("Command grammar")
struct GrammarTests {
    static let today = SchoolDate(year: 2026, month: 11, day: 20)

    static func shape(_ line: String, _ form: BotCommand.Form) -> Bool {
        let words = line.split(separator: " ").map(String.init).dropFirst()
        let parser = GrammarParser(
            words: Array(words), parts: form.parts, today: today, children: [], subjects: [], shapeOnly: true)
        if case .success = parser.parse() { return true }
        return false
    }

    @Test("each form reads its own example, and each example the help gives reads by a form of its command")
    func documentedForms() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        var examples = 0
        for command in school.bot.commands {
            for (index, form) in command.forms.enumerated() {
                for language in Language.allCases {
                    let example = form.example(command: command.name, language)
                    #expect(Self.shape(example, form), "/\(command.name) form \(index + 1): \(example)")
                }
            }
            // «Пример: /mark 7А алгебра Иванов 5, Петров 4 кр» in the command's help, up to the
            // end of the sentence or the next example.
            for language in Language.allCases {
                let details = command.details(language)
                for marker in ["Пример: ", "Example: "] {
                    var rest = Substring(details)
                    while let range = rest.range(of: marker + "/" + command.name + " ") {
                        var line = String(rest[range.upperBound...].prefix { $0 != ";" && $0 != "\n" })
                        line = "/" + command.name + " " + line.trimmingCharacters(in: .whitespaces)
                        if line.hasSuffix(".") { line.removeLast() }
                        #expect(command.forms.contains { Self.shape(line, $0) }, "\(language): \(line)")
                        examples += 1
                        rest = rest[range.upperBound...]
                    }
                }
            }
        }
        #expect(examples >= 15, "the help's examples were found: \(examples)")
    }

    @Test("the diary's words: a child, a subject of any length, a period at the end")
    func diaryForm() throws {
        let children = [
            Student(
                id: StudentID(1), lastName: "Иванов", firstName: "Пётр", classID: ClassID(1), className: "7А",
                grade: 7),
            Student(
                id: StudentID(2), lastName: "Иванова", firstName: "Мария", classID: ClassID(1), className: "5Б",
                grade: 5)
        ]
        let marks: [ArgumentPart] = [.optional(.child), .diarySubject, .optional(.period)]
        func parse(_ line: String, _ children: [Student]) -> Result<Arguments, GrammarFailure> {
            GrammarParser(
                words: line.split(separator: " ").map(String.init), parts: marks, today: Self.today, children: children,
                subjects: []
            ).parse()
        }
        let full = try parse("Мария русский язык 2 четверть", children).get()
        #expect(full.child?.firstName == "Мария" && full.subject == "русский язык" && full.period == "2 четверть")
        let only = try parse("алгебра", [children[0]]).get()
        #expect(only.child?.firstName == "Пётр" && only.subject == "алгебра" && only.period == nil)
        guard case .failure(let which) = parse("", children) else { Issue.record("no child chosen"); return }
        #expect(which.error as? DiaryError == .studentRequired(children))
        guard case .failure(let ambiguous) = parse("Иванов алгебра", children) else {
            Issue.record("ambiguous"); return
        }
        #expect(ambiguous.error as? DiaryError == .ambiguousStudent(children))
    }

    @Test("the middle takes the fewest words: a date and a note after a name, a page after a period")
    func middle() throws {
        func parse(_ line: String, _ parts: [ArgumentPart]) throws -> Arguments {
            try GrammarParser(
                words: line.split(separator: " ").map(String.init), parts: parts, today: Self.today, children: [],
                subjects: []
            ).parse().get()
        }
        let depart = try parse(
            "7А Иванов Пётр 30.12 в другую школу",
            [.required(.schoolClass), .required(.person), .required(.date), .optional(.text)])
        #expect(
            depart.person == "Иванов Пётр" && depart.date == SchoolDate(year: 2026, month: 12, day: 30)
                && depart.freeText == "в другую школу")
        let report = try parse(
            "results 7А 2 стр 3", [.required(.reportKind), .required(.schoolClass), .optional(.text), .optional(.page)])
        #expect(report.freeText == "2" && report.page == 3)
        let excuse = try parse(
            "7А Петров 23.11 24.11 б", [.ledClass, .required(.person), .required(.dates), .optional(.reason)])
        #expect(excuse.person == "Петров" && excuse.dates.count == 2 && excuse.reason == .illness)
        let change = try parse(
            "7А 24.11 2 move 25.11 №3",
            ClassTeacherCommands.lessonSlot
                + [.keyword(["move"]), .required(.date), .required(.lessonSlot)])
        #expect(
            change.lessonNumber == 2 && change.secondLessonNumber == 3
                && change.secondDate == SchoolDate(year: 2026, month: 11, day: 25))
    }

    @Test("a list of dates takes every date in a row, also on a line of 250 words")
    func longLines() throws {
        let excuse: [ArgumentPart] = [.ledClass, .required(.person), .required(.dates), .optional(.reason)]
        func parse(_ words: [String]) -> Result<Arguments, GrammarFailure> {
            GrammarParser(words: words, parts: excuse, today: Self.today, children: [], subjects: []).parse()
        }
        let dates = Array(repeating: "23.11", count: 240)
        let read = try parse(["Петров"] + dates + ["б"]).get()
        #expect(read.person == "Петров" && read.dates.count == 240 && read.reason == .illness)
        // Words after the dates that are no reason: the line is refused where they stand.
        guard case .failure(let failure) = parse(["Петров"] + dates + ["вчера-позавчера", "x"]) else {
            Issue.record("a line with words after its dates was read")
            return
        }
        #expect(failure.position >= 241)
    }

    @Test(
        "a malformed line gets one refusal: what was expected, the usage, an example",
        arguments: [
            ("/mark 7А", "Не хватает данных: предмет", "/mark 7А алгебра Иванов 5, Петров 4 кр"),
            ("/journal", "Не хватает данных: класс", "/journal 7А алгебра"),
            ("/consent может", "Не понял «может»: здесь нужно указать да|нет", "/consent да"),
            ("/lang de", "Не понял «de»: здесь нужно указать ru|en", "/lang ru"),
            ("/read первое", "Не понял «первое»: здесь нужно указать номер", "/read 12"),
            ("/holidays завтра", "Лишнее в команде: «завтра»", "/holidays"),
            ("/letters", "Не хватает данных: класс", "/letters 7А"),
            ("/thread", "Не хватает данных: номер", "/thread 12"),
            ("/hide 3", "Не хватает данных: текст", "/hide 12 текст")
        ])
    func malformed(_ line: String, _ start: String, _ example: String) async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        // One account with every role may use every form: what is refused is the shape only.
        let principal = try await school.principal("admin", roles: Set(Role.allCases))
        let reply = await school.bot.respond(to: line, from: principal)
        #expect(reply.isRefusal, "\(line): \(reply.lines)")
        let text = reply.lines.joined(separator: "\n")
        #expect(
            text.contains(start) && text.contains("Формат: /") && text.contains("Пример: ") && text.contains(example),
            "\(line): \(text)")
    }

    @Test("the refusal is in the person's language")
    func english() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        var principal = try await school.principal("admin", roles: Set(Role.allCases))
        principal.account.language = .en
        let reply = await school.bot.respond(to: "/mark 7А алгебра", from: principal)
        #expect(
            reply.lines == [
                "Something is missing: surnames and marks. Usage: /mark class subject [date] [#N] Surname mark "
                    + "[kind] [(comment)], …. "
                    + "Example: /mark 7А algebra Ivanov 5, Petrov 4 кр"
            ])
    }
}
