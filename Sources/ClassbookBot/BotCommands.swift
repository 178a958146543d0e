import ClassbookDomain
import ClassbookText
import Foundation

/// The bot's command table. A new command is one entry here plus one domain service call.
enum BotCommands {
    static func table(
        accounts: AccountService, diary: DiaryService, journal: JournalService, duties: DutiesService,
        messaging: MessagingService, boards: BoardService, security: SecurityService, delivery: any BotDelivery
    ) -> [BotCommand] {
        let render = DiaryRendering(timeZone: diary.timeZone)

        var commands: [BotCommand] = [
            BotCommand(
                name: "help", aliases: ["помощь", "справка", "h", "?"],
                usage: Localized("cmd.help.usage"), summary: Localized("cmd.help.summary"),
                details: Localized("cmd.help.details"),
                forms: [.anyone([.optional(.word)]) { _ in Reply { w in [] } }]),
            BotCommand(
                name: "marks", aliases: ["оценки"], action: .readDiary,
                usage: Localized("cmd.marks.usage"), summary: Localized("cmd.marks.summary"),
                details: Localized("cmd.marks.details"),
                grammar: [.optional(.child), .diarySubject, .optional(.period)],
                run: { r in
                    let a = r.arguments
                    let report = try await diary.marks(
                        of: (try a.child.required()), subject: a.subject, period: a.period, for: r.principal)
                    return Reply { w in render.marks(report, w) }
                }),
            BotCommand(
                name: "absences", aliases: ["пропуски"],
                usage: Localized("cmd.absences.usage"), summary: Localized("cmd.absences.summary"),
                details: Localized("cmd.absences.details"),
                forms: [
                    // `/absences 7А [date]`: a class's unexcused absences of a week, to check.
                    .init([.required(.schoolClass), .optional(.date)], action: .superviseClass) { r in
                        let week = DutiesService.Week(containing: r.arguments.date ?? diary.today)
                        let (scope, absences, notes) = try await duties.unexcused(
                            className: (try r.arguments.schoolClass.required()), week: week,
                            for: r.principal)
                        return Reply { w in
                            DutyRendering(journal: JournalRendering(base: render)).unexcused(
                                scope, week, absences, notes, w)
                        }
                    },
                    .init([.optional(.child), .optional(.period)], action: .readDiary) { r in
                        let report = try await diary.absences(
                            of: (try r.arguments.child.required()), period: r.arguments.period, for: r.principal)
                        return Reply { w in render.absences(report, w) }
                    }
                ]),
            BotCommand(
                name: "ack", aliases: ["ознакомлен", "ознакомлена"], action: .acknowledgeDiary,
                usage: Localized("cmd.ack.usage"), summary: Localized("cmd.ack.summary"),
                details: Localized("cmd.ack.details"),
                grammar: [.optional(.child)],
                run: { r in
                    let student = (try r.arguments.child.required())
                    let outcome = try await diary.acknowledge(student, for: r.principal)
                    return Reply { w in render.acknowledgement(outcome, student: student, w) }
                }),
            BotCommand(
                name: "consent", aliases: ["согласие"], action: .manageOwnConsent,
                usage: Localized("cmd.consent.usage"), summary: Localized("cmd.consent.summary"),
                details: Localized("cmd.consent.details"),
                grammar: [
                    .keyword(
                        ["yes", "да", "y", "д", "согласен", "согласна"], ["no", "нет", "n", "н", "отказ"],
                        optional: true)
                ],
                run: { r in
                    guard let answer = r.arguments.keyword else {
                        let consent = try await diary.consent(of: r.principal)
                        return Reply { w in render.consentStatus(consent, w) }
                    }
                    let record = try await diary.recordConsent(answer == "yes" ? .granted : .refused, for: r.principal)
                    return Reply { w in render.consentRecorded(record, w) }
                }),
            BotCommand(
                name: "lang", aliases: ["язык", "language"], action: .manageOwnSettings,
                usage: Localized("cmd.lang.usage"), summary: Localized("cmd.lang.summary"),
                details: Localized("cmd.lang.details"),
                grammar: [.keyword(["ru"], ["en"], optional: true)],
                run: { r in
                    guard let chosen = r.arguments.keyword, let language = Language(rawValue: chosen) else {
                        return Reply(
                            Localized(
                                "bot.nameLanguageLangRu", ["languageRawValue": r.principal.account.language.rawValue]))
                    }
                    try await accounts.setLanguage(language, for: r.principal)
                    return Reply(lines: [Localized("bot.languageSet")], effects: [.switchLanguage(language)])
                })
        ]
        let journalRender = JournalRendering(base: render)
        commands += FamilyCommands.table(diary: diary, render: journalRender)
        commands += TeacherCommands.table(journal: journal, render: journalRender)
        commands += ClassTeacherCommands.table(journal: journal, render: journalRender)
        let dutyRender = DutyRendering(journal: journalRender)
        commands += DutyCommands.table(duties: duties, render: dutyRender, delivery: delivery)
        commands += ReportCommands.table(reports: ReportService(journal: journal, duties: duties))
        commands += MessagingCommands.table(messaging: messaging, delivery: delivery, render: render)
        commands += BoardCommands.table(boards: boards, delivery: delivery, render: render)
        commands += SecurityCommands.table(security: security, accounts: accounts, delivery: delivery, render: render)
        // /help lists the table it belongs to.
        let listing = commands
        commands[0].forms = [.anyone([.optional(.word)]) { r in Reply { w in help(listing, r, w) } }]
        return commands
    }

    static func help(_ commands: [BotCommand], _ r: GuestRequest, _ i: any Wording) -> [String] {
        let available = commands.filter { $0.isAllowed(for: r.principal) }
        if let name = r.arguments.word {
            var key = name.lowercased()
            if key.hasPrefix("/") { key.removeFirst() }
            guard let command = available.first(where: { $0.name == key || $0.aliases.contains(key) }) else {
                return [i.t("bot.suchCommandAmongYours", ["name": name])]
            }
            let aliases = command.aliases.filter { $0.count > 2 }.map { "/" + $0 }
            return [
                command.usage(i.language) + " — " + command.summary(i.language),
                command.details(i.language)
            ]
                + (aliases.isEmpty ? [] : [i.t("bot.also") + aliases.joined(separator: ", ")])
        }
        return [i.t("bot.commandsSendThemMe")]
            + available.map { "\($0.usage(i.language)) — \($0.summary(i.language))" }
            + [i.t("bot.moreHelpCommand")]
    }
}
