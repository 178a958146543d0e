import ClassbookDomain
import ClassbookText
import ClassbookPrint
import Foundation

/// Reports and paper extracts in chat: compact and paged.
enum ReportCommands {
    static let pageSize = 20

    /// Lines `page` of a long answer, with where to go next.
    static func page(_ lines: [String], number: Int, next: String, _ i: any Wording) -> [String] {
        let pages = max(1, (lines.count + pageSize - 1) / pageSize)
        let current = min(max(1, number), pages)
        var shown = Array(lines.dropFirst((current - 1) * pageSize).prefix(pageSize))
        if pages > 1 {
            shown.append(
                i.t("report.page", ["current": current, "pages": pages])
                    + (current < pages ? i.t("report.nextPage", ["next": next, "current": current + 1]) : "."))
        }
        return shown
    }

    /// The words of a request without its `стр N`: what the "next page" hint repeats.
    static func withoutPage(_ arguments: Arguments) -> String {
        (arguments.page == nil ? arguments.words : Array(arguments.words.dropLast(2))).joined(separator: " ")
    }

    static func table(reports: ReportService) -> [BotCommand] {
        let today: @Sendable () -> SchoolDate = { reports.journal.today }
        return [
            BotCommand(
                name: "report", aliases: ["отчёт", "отчет"], action: .buildReports,
                usage: Localized("cmd.report.usage"), summary: Localized("cmd.report.summary"),
                details: Localized("cmd.report.details"),
                grammar: [.required(.reportKind), .required(.schoolClass), .optional(.text), .optional(.page)],
                run: { r in
                    let a = r.arguments
                    var request = ReportService.Request(
                        kind: (try a.reportKind.required()), className: (try a.schoolClass.required()))
                    switch (try a.reportKind.required()) {
                    case .attendance: request.month = a.freeText
                    case .analytics: request.student = a.freeText
                    default: request.period = a.freeText
                    }
                    let report = try await reports.report(request, for: r.principal)
                    return Reply { w in
                        page(
                            ReportRenderer.lines(report.text(w.language)), number: a.page ?? 1,
                            next: "/report " + withoutPage(a), w)
                    }
                }),
            BotCommand(
                name: "extract", aliases: ["выписка"],
                usage: Localized("cmd.extract.usage"), summary: Localized("cmd.extract.summary"),
                details: Localized("cmd.extract.details"),
                forms: [
                    .init(
                        [
                            .keyword(["given", "выдана", "выдано"]), .required(.schoolClass), .required(.person),
                            .optional(.date)
                        ],
                        action: .buildReports
                    ) { r in
                        let a = r.arguments
                        let date = a.date ?? today()
                        let (student, recorded) = try await reports.recordHandover(
                            student: (try a.person.required()), className: (try a.schoolClass.required()), week: date,
                            for: r.principal)
                        let week = DutiesService.Week(containing: date)
                        return Reply { w in
                            [
                                recorded
                                    ? w.t(
                                        "report.recordedExtractWasGiven",
                                        [
                                            "mondayDayMonth": week.monday.dayMonth,
                                            "sundayDayMonth": week.sunday.dayMonth,
                                            "studentShortName": student.shortName
                                        ])
                                    : w.t("report.weekSExtractWas", ["studentShortName": student.shortName])
                            ]
                        }
                    },
                    .init(
                        [.keyword(["missing", "невыданы", "не", "кому"]), .required(.schoolClass), .optional(.date)],
                        action: .buildReports
                    ) { r in
                        let date = r.arguments.date ?? today()
                        let (schoolClass, students) = try await reports.missingHandovers(
                            className: (try r.arguments.schoolClass.required()), week: date,
                            for: r.principal)
                        let week = DutiesService.Week(containing: date)
                        let (name, monday, sunday) = (schoolClass.name, week.monday.dayMonth, week.sunday.dayMonth)
                        guard !students.isEmpty else {
                            return Reply(
                                Localized(
                                    "report.everyFamilyPaperHas",
                                    [
                                        "schoolClassName": name, "mondayDayMonth": monday, "sundayDayMonth": sunday
                                    ]))
                        }
                        let missing = students.map(\.shortName).joined(separator: ", ")
                        return Reply { w in
                            [
                                w.t(
                                    "report.extractYetGiven",
                                    [
                                        "schoolClassName": name, "mondayDayMonth": monday, "sundayDayMonth": sunday
                                    ]) + missing
                            ]
                        }
                    },
                    .init([.required(.schoolClass), .required(.person), .optional(.date)], action: .buildReports) { r in
                        let a = r.arguments
                        let extract = try await reports.extract(
                            student: (try a.person.required()), className: (try a.schoolClass.required()),
                            range: .week(a.date ?? today()),
                            for: r.principal)
                        return Reply { w in ExtractRenderer.lines(extract, w.language) }
                    }
                ])
        ]
    }
}
