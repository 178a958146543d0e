import ClassbookDomain
import ClassbookPrint
import Foundation

/// Reports and paper extracts in chat: compact and paged.
enum ReportCommands {
    static let pageSize = 20

    /// Lines `page` of a long answer, with where to go next.
    static func page(_ lines: [String], number: Int, next: String, _ i: BotInvocation) -> [String] {
        let pages = max(1, (lines.count + pageSize - 1) / pageSize)
        let current = min(max(1, number), pages)
        var shown = Array(lines.dropFirst((current - 1) * pageSize).prefix(pageSize))
        if pages > 1 {
            shown.append(i.t("Страница \(current) из \(pages)", "Page \(current) of \(pages)")
                         + (current < pages ? i.t(". Дальше: \(next) стр \(current + 1)", ". Next: \(next) page \(current + 1)") : "."))
        }
        return shown
    }

    /// Takes `стр N` / `page N` off the end of the arguments.
    static func pageNumber(_ words: inout [String]) -> Int {
        if words.count >= 2, ["стр", "page", "p"].contains(words[words.count - 2].lowercased()), let number = Int(words.last!) {
            words.removeLast(2)
            return number
        }
        return 1
    }

    static func table(reports: ReportService) -> [BotCommand] {
        let today: @Sendable () -> SchoolDate = { reports.journal.today }
        return [
            BotCommand(
                name: "report", aliases: ["отчёт", "отчет"], action: .buildReports,
                usage: Localized(ru: "/report отчёт класс [период|месяц|Фамилия] [стр N]", en: "/report name class [period|month|Surname] [page N]"),
                summary: Localized(ru: "отчёты классного руководителя", en: "the class teacher's reports"),
                details: Localized(
                    ru: "Отчёты: attendance (посещаемость за месяц: /report attendance 7А 11), preliminary, period, results (итоги), marks (ведомость успеваемости), attendance-sheet, movement (движение), analytics (аналитика; с фамилией — по ученику). Период — номер, по умолчанию текущий. Полные таблицы CSV и PDF: classbook report.",
                    en: "Reports: attendance (a month: /report attendance 7А 11), preliminary, period, results, marks, attendance-sheet, movement, analytics (with a surname, of one student). The period is a number, the current one by default. Full CSV and PDF tables: classbook report."),
                run: { i in
                    var words = i.arguments
                    let number = pageNumber(&words)
                    guard words.count >= 2, let kind = ReportKind.parse(words[0]) else {
                        throw JournalError.noSuchReport(words.first ?? "")
                    }
                    let rest = words.dropFirst(2).joined(separator: " ")
                    var request = ReportService.Request(kind: kind, className: words[1])
                    switch kind {
                    case .attendance: request.month = rest.isEmpty ? nil : rest
                    case .analytics: request.student = rest.isEmpty ? nil : rest
                    default: request.period = rest.isEmpty ? nil : rest
                    }
                    let report = try await reports.report(request, for: i.principal!)
                    return BotReply(lines: page(ReportRenderer.lines(report), number: number, next: "/report " + words.joined(separator: " "), i))
                }),
            BotCommand(
                name: "extract", aliases: ["выписка"], action: .buildReports,
                usage: Localized(ru: "/extract класс Фамилия [дата] | /extract given класс Фамилия [дата] | /extract missing класс [дата]",
                                 en: "/extract class Surname [date] | /extract given class Surname [date] | /extract missing class [date]"),
                summary: Localized(ru: "выписка из дневника для семьи без доступа: просмотр, отметка о выдаче", en: "a paper extract of the diary: view, record the handover"),
                details: Localized(
                    ru: "Выписка за неделю (даты) для родителей без интернета или отказавшихся от электронной формы. given — отметить, что выписка за эту неделю выдана; missing — кому из таких семей выписка за неделю ещё не выдана. Печать: classbook extract.",
                    en: "The week's extract for families without internet or who refused electronic information. given records that this week's was handed over; missing lists those families who have not received it. Printing: classbook extract."),
                run: { i in
                    var words = i.arguments
                    var date = today()
                    if let last = words.last, let parsed = SchoolDate(spoken: last, today: today()), words.count > 1 {
                        date = parsed
                        words.removeLast()
                    }
                    let principal = i.principal!
                    switch words.first?.lowercased() {
                    case "given", "выдана", "выдано":
                        guard words.count >= 3 else { throw JournalError.nothingToDo }
                        let (student, recorded) = try await reports.recordHandover(student: words.dropFirst(2).joined(separator: " "),
                                                                                   className: words[1], week: date, for: principal)
                        let week = DutiesService.Week(containing: date)
                        return BotReply(recorded
                            ? i.t("Записано: выписка за \(week.monday.dayMonth)–\(week.sunday.dayMonth) выдана семье \(student.shortName).",
                                  "Recorded: the extract for \(week.monday.dayMonth)–\(week.sunday.dayMonth) was given to \(student.shortName)'s family.")
                            : i.t("Выдача выписки за эту неделю (\(student.shortName)) уже записана.", "This week's extract of \(student.shortName) was recorded already."))
                    case "missing", "невыданы", "не", "кому":
                        guard words.count >= 2 else { throw JournalError.nothingToDo }
                        let (schoolClass, students) = try await reports.missingHandovers(className: words[1], week: date, for: principal)
                        let week = DutiesService.Week(containing: date)
                        return BotReply(students.isEmpty
                            ? i.t("\(schoolClass.name): все семьи на бумажной форме получили выписку за \(week.monday.dayMonth)–\(week.sunday.dayMonth).",
                                  "\(schoolClass.name): every family on paper has this week's extract.")
                            : i.t("\(schoolClass.name), не выдана выписка за \(week.monday.dayMonth)–\(week.sunday.dayMonth): ",
                                  "\(schoolClass.name), extract not yet given for \(week.monday.dayMonth)–\(week.sunday.dayMonth): ")
                              + students.map(\.shortName).joined(separator: ", "))
                    default:
                        guard words.count >= 2 else { throw JournalError.nothingToDo }
                        let extract = try await reports.extract(student: words.dropFirst().joined(separator: " "), className: words[0],
                                                                range: .week(date), for: principal)
                        return BotReply(lines: ExtractRenderer.lines(extract))
                    }
                }),
        ]
    }
}
