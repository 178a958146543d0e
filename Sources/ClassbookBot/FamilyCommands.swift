import ClassbookDomain
import ClassbookText
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
                usage: Localized("cmd.homework.usage"),
                summary: Localized("cmd.homework.summary"),
                details: Localized("cmd.homework.details"),
                run: { i in
                    let (student, days) = try await childAndDays(i)
                    let (_, items) = try await diary.homework(of: student, days: days, for: i.principal!)
                    return BotReply(lines: render.homework(student, days: days, items, i))
                }),
            BotCommand(
                name: "schedule", aliases: ["расписание"], action: .readDiary,
                usage: Localized("cmd.schedule.usage"),
                summary: Localized("cmd.schedule.summary"),
                details: Localized("cmd.schedule.details"),
                run: { i in
                    let (student, days) = try await childAndDays(i)
                    let chosen = days ?? .day(diary.today)
                    let lessons = try await diary.schedule(of: student, days: chosen, for: i.principal!)
                    return BotReply(lines: render.schedule(student, days: chosen, lessons, i))
                }),
            BotCommand(
                name: "tests", aliases: ["контрольные"], action: .readDiary,
                usage: Localized("cmd.tests.usage"),
                summary: Localized("cmd.tests.summary"),
                details: Localized("cmd.tests.details"),
                run: { i in
                    let student = try await child(i)
                    let (period, lessons) = try await diary.controlWorks(of: student, for: i.principal!)
                    return BotReply(lines: render.controlWorks(student, period: period, lessons, today: diary.today, i))
                }),
            BotCommand(
                name: "holidays", aliases: ["каникулы"], action: .readCalendar,
                usage: Localized("cmd.holidays.usage"),
                summary: Localized("cmd.holidays.summary"),
                details: Localized("cmd.holidays.details"),
                run: { i in BotReply(lines: render.holidays(try await diary.holidays(for: i.principal!), i)) }),
            BotCommand(
                name: "teachers", aliases: ["учителя"], action: .readDiary,
                usage: Localized("cmd.teachers.usage"),
                summary: Localized("cmd.teachers.summary"),
                details: Localized("cmd.teachers.details"),
                run: { i in
                    let student = try await child(i)
                    let (classTeacher, assignments) = try await diary.teachers(of: student, for: i.principal!)
                    return BotReply(lines: render.teachers(student, classTeacher: classTeacher, assignments, i))
                }),
            BotCommand(
                name: "remarks", aliases: ["замечания", "рекомендации"], action: .readDiary,
                usage: Localized("cmd.remarks.usage"),
                summary: Localized("cmd.remarks.summary"),
                details: Localized("cmd.remarks.details"),
                run: { i in
                    let student = try await child(i)
                    let (period, remarks) = try await diary.remarks(of: student, for: i.principal!)
                    return BotReply(lines: render.remarks(student, period: period, remarks, i))
                }),
            BotCommand(
                name: "history", aliases: ["история"], action: .readMarkHistory,
                usage: Localized("cmd.history.usage"),
                summary: Localized("cmd.history.summary"),
                details: Localized("cmd.history.details"),
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
