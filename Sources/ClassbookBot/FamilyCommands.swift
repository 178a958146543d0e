import ClassbookDomain
import ClassbookText
import Foundation

/// What guardians and students read in the diary beyond marks and absences.
enum FamilyCommands {
    static func table(diary: DiaryService, render: JournalRendering) -> [BotCommand] {
        let child: [ArgumentPart] = [.optional(.child)]
        let childAndDays: [ArgumentPart] = [.optional(.child), .optional(.days)]
        return [
            BotCommand(
                name: "homework", aliases: ["дз", "задание", "задания"], action: .readDiary,
                usage: Localized("cmd.homework.usage"), summary: Localized("cmd.homework.summary"),
                details: Localized("cmd.homework.details"), grammar: childAndDays,
                run: { r in
                    let (student, days) = ((try r.arguments.child.required()), r.arguments.days)
                    let (_, items) = try await diary.homework(of: student, days: days, for: r.principal)
                    return Reply { w in render.homework(student, days: days, items, w) }
                }),
            BotCommand(
                name: "schedule", aliases: ["расписание"], action: .readDiary,
                usage: Localized("cmd.schedule.usage"), summary: Localized("cmd.schedule.summary"),
                details: Localized("cmd.schedule.details"), grammar: childAndDays,
                run: { r in
                    let student = (try r.arguments.child.required())
                    let chosen = r.arguments.days ?? .day(diary.today)
                    let lessons = try await diary.schedule(of: student, days: chosen, for: r.principal)
                    return Reply { w in render.schedule(student, days: chosen, lessons, w) }
                }),
            BotCommand(
                name: "tests", aliases: ["контрольные"], action: .readDiary,
                usage: Localized("cmd.tests.usage"), summary: Localized("cmd.tests.summary"),
                details: Localized("cmd.tests.details"),
                grammar: child,
                run: { r in
                    let student = (try r.arguments.child.required())
                    let (period, lessons) = try await diary.controlWorks(of: student, for: r.principal)
                    return Reply { w in render.controlWorks(student, period: period, lessons, today: diary.today, w) }
                }),
            BotCommand(
                name: "holidays", aliases: ["каникулы"], action: .readCalendar,
                usage: Localized("cmd.holidays.usage"), summary: Localized("cmd.holidays.summary"),
                details: Localized("cmd.holidays.details"),
                run: { r in
                    let holidays = try await diary.holidays(for: r.principal)
                    return Reply { w in render.holidays(holidays, w) }
                }),
            BotCommand(
                name: "teachers", aliases: ["учителя"], action: .readDiary,
                usage: Localized("cmd.teachers.usage"), summary: Localized("cmd.teachers.summary"),
                details: Localized("cmd.teachers.details"), grammar: child,
                run: { r in
                    let student = (try r.arguments.child.required())
                    let (classTeacher, assignments) = try await diary.teachers(of: student, for: r.principal)
                    return Reply { w in render.teachers(student, classTeacher: classTeacher, assignments, w) }
                }),
            BotCommand(
                name: "remarks", aliases: ["замечания", "рекомендации"], action: .readDiary,
                usage: Localized("cmd.remarks.usage"), summary: Localized("cmd.remarks.summary"),
                details: Localized("cmd.remarks.details"), grammar: child,
                run: { r in
                    let student = (try r.arguments.child.required())
                    let (period, remarks) = try await diary.remarks(of: student, for: r.principal)
                    return Reply { w in render.remarks(student, period: period, remarks, w) }
                }),
            BotCommand(
                name: "history", aliases: ["история"], action: .readMarkHistory,
                usage: Localized("cmd.history.usage"), summary: Localized("cmd.history.summary"),
                details: Localized("cmd.history.details"),
                grammar: [.optional(.child), .diarySubject, .optional(.period)],
                run: { r in
                    let a = r.arguments
                    let (period, events) = try await diary.markHistory(
                        of: (try a.child.required()), subject: a.subject, period: a.period, for: r.principal)
                    let child = try a.child.required()
                    return Reply { w in render.history(child, period: period, events, w) }
                })
        ]
    }
}
