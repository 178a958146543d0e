import ClassbookDomain
import ClassbookText
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
            shown.append(i.t("report.page", ["current": current, "pages": pages])
                         + (current < pages ? i.t("report.nextPage", ["next": next, "current": current + 1]) : "."))
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
                usage: Localized("cmd.report.usage"),
                summary: Localized("cmd.report.summary"),
                details: Localized("cmd.report.details"),
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
                usage: Localized("cmd.extract.usage"),
                summary: Localized("cmd.extract.summary"),
                details: Localized("cmd.extract.details"),
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
                            ? i.t("report.recordedExtractWasGiven", ["mondayDayMonth": week.monday.dayMonth, "sundayDayMonth": week.sunday.dayMonth, "studentShortName": student.shortName])
                            : i.t("report.weekSExtractWas", ["studentShortName": student.shortName]))
                    case "missing", "невыданы", "не", "кому":
                        guard words.count >= 2 else { throw JournalError.nothingToDo }
                        let (schoolClass, students) = try await reports.missingHandovers(className: words[1], week: date, for: principal)
                        let week = DutiesService.Week(containing: date)
                        return BotReply(students.isEmpty
                            ? i.t("report.everyFamilyPaperHas", ["schoolClassName": schoolClass.name, "mondayDayMonth": week.monday.dayMonth, "sundayDayMonth": week.sunday.dayMonth])
                            : i.t("report.extractYetGiven", ["schoolClassName": schoolClass.name, "mondayDayMonth": week.monday.dayMonth, "sundayDayMonth": week.sunday.dayMonth])
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
