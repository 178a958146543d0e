import ClassbookDomain
import Foundation

/// What guardians and students read in the diary beyond marks and absences.
enum FamilyCommands {
    static func table(diary: DiaryService, render: JournalRendering) -> [BotCommand] {

        /// `[child] [date|неделя|след]`.
        @Sendable func childAndDays(_ i: BotInvocation) async throws -> (Student, DiaryService.Days?) {
            let parsed = try await DiaryArguments.parse(i.arguments, principal: i.principal!, diary: diary, allowsSubject: true)
            guard let words = parsed.subject else { return (parsed.student, nil) }
            guard parsed.period == nil, let days = Self.days(words, today: diary.today) else {
                throw DiaryError.unrecognized([words, parsed.period].compactMap { $0 }.joined(separator: " "))
            }
            return (parsed.student, days)
        }

        @Sendable func child(_ i: BotInvocation) async throws -> Student {
            try await diary.resolveStudent(i.arguments.isEmpty ? nil : i.arguments.joined(separator: " "), for: i.principal!)
        }

        return [
            BotCommand(
                name: "homework", aliases: ["дз", "задание", "задания"], action: .readDiary,
                usage: Localized(ru: "/homework [ребёнок] [дата|неделя]", en: "/homework [child] [date|week]"),
                summary: Localized(ru: "домашние задания", en: "homework"),
                details: Localized(
                    ru: "Без даты — последнее задание по каждому предмету. С датой (24.11, завтра) — задания, выданные в этот день; «неделя» — за неделю, «след» — следующая неделя.",
                    en: "Without a date, the latest homework in each subject. With a date (24.11, tomorrow), the homework given that day; \"week\" for the week, \"next\" for next week."),
                run: { i in
                    let (student, days) = try await childAndDays(i)
                    let (_, items) = try await diary.homework(of: student, days: days, for: i.principal!)
                    return BotReply(lines: render.homework(student, days: days, items, i))
                }),
            BotCommand(
                name: "schedule", aliases: ["расписание"], action: .readDiary,
                usage: Localized(ru: "/schedule [ребёнок] [дата|неделя]", en: "/schedule [child] [date|week]"),
                summary: Localized(ru: "расписание с заменами, переносами и отменами", en: "the timetable with substitutions, moves and cancellations"),
                details: Localized(
                    ru: "Без даты — на сегодня (после уроков — на завтра). Замены, переносы, отмены и контрольные отмечены.",
                    en: "Without a date, today (tomorrow after school). Substitutions, moves, cancellations and control works are marked."),
                run: { i in
                    let (student, days) = try await childAndDays(i)
                    let chosen = days ?? .day(diary.today)
                    let lessons = try await diary.schedule(of: student, days: chosen, for: i.principal!)
                    return BotReply(lines: render.schedule(student, days: chosen, lessons, i))
                }),
            BotCommand(
                name: "tests", aliases: ["контрольные"], action: .readDiary,
                usage: Localized(ru: "/tests [ребёнок]", en: "/tests [child]"),
                summary: Localized(ru: "контрольные работы в учебном периоде", en: "control works in the reporting period"),
                details: Localized(ru: "Проведённые и назначенные контрольные работы текущего периода.",
                                   en: "The control works of the current period, held and planned."),
                run: { i in
                    let student = try await child(i)
                    let (period, lessons) = try await diary.controlWorks(of: student, for: i.principal!)
                    return BotReply(lines: render.controlWorks(student, period: period, lessons, today: diary.today, i))
                }),
            BotCommand(
                name: "holidays", aliases: ["каникулы"], action: .readCalendar,
                usage: Localized(ru: "/holidays", en: "/holidays"),
                summary: Localized(ru: "каникулы учебного года", en: "the school year's holidays"),
                details: Localized(ru: "Даты всех каникул текущего учебного года.", en: "The dates of every holiday of this school year."),
                run: { i in BotReply(lines: render.holidays(try await diary.holidays(for: i.principal!), i)) }),
            BotCommand(
                name: "teachers", aliases: ["учителя"], action: .readDiary,
                usage: Localized(ru: "/teachers [ребёнок]", en: "/teachers [child]"),
                summary: Localized(ru: "кто учит ребёнка", en: "who teaches the child"),
                details: Localized(ru: "Классный руководитель и учителя по предметам (с учётом групп ребёнка).",
                                   en: "The class teacher and the subject teachers (with the child's groups)."),
                run: { i in
                    let student = try await child(i)
                    let (classTeacher, assignments) = try await diary.teachers(of: student, for: i.principal!)
                    return BotReply(lines: render.teachers(student, classTeacher: classTeacher, assignments, i))
                }),
            BotCommand(
                name: "remarks", aliases: ["замечания", "рекомендации"], action: .readDiary,
                usage: Localized(ru: "/remarks [ребёнок]", en: "/remarks [child]"),
                summary: Localized(ru: "замечания и рекомендации учителей", en: "teachers' remarks and recommendations"),
                details: Localized(ru: "Записи учителей в дневнике за текущий учебный период.", en: "Teachers' notes in the diary in the current period."),
                run: { i in
                    let student = try await child(i)
                    let (period, remarks) = try await diary.remarks(of: student, for: i.principal!)
                    return BotReply(lines: render.remarks(student, period: period, remarks, i))
                }),
            BotCommand(
                name: "history", aliases: ["история"], action: .readMarkHistory,
                usage: Localized(ru: "/history [ребёнок] [предмет] [период]", en: "/history [child] [subject] [period]"),
                summary: Localized(ru: "когда и кем оценки поставлены, исправлены, удалены", en: "when and by whom marks were set, changed or deleted"),
                details: Localized(
                    ru: "История оценок из журнала изменений, который нельзя незаметно переписать. Пример: /history алгебра",
                    en: "The history of marks from the change log, which cannot be rewritten unnoticed. Example: /history algebra"),
                run: { i in
                    let parsed = try await DiaryArguments.parse(i.arguments, principal: i.principal!, diary: diary, allowsSubject: true)
                    let (period, events) = try await diary.markHistory(of: parsed.student, subject: parsed.subject, period: parsed.period,
                                                                       for: i.principal!)
                    return BotReply(lines: render.history(parsed.student, period: period, events, i))
                }),
        ]
    }

    /// `24.11`, `завтра`, `неделя`/`week`, `след`/`next`.
    static func days(_ text: String, today: SchoolDate) -> DiaryService.Days? {
        let word = text.lowercased()
        if ["неделя", "неделю", "week"].contains(word) { return .week(containing: today) }
        if ["след", "следующая", "next"].contains(word) { return .week(containing: today.adding(days: 7)) }
        return SchoolDate(spoken: text, today: today).map(DiaryService.Days.day)
    }
}
