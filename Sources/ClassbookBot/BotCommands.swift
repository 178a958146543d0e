import ClassbookDomain
import ClassbookText
import Foundation

/// The bot's command table. A new command is one entry here plus one domain service call.
enum BotCommands {
    static func table(accounts: AccountService, diary: DiaryService, journal: JournalService, duties: DutiesService,
                      messaging: MessagingService, boards: BoardService, security: SecurityService, delivery: any BotDelivery) -> [BotCommand] {
        let render = DiaryRendering(timeZone: diary.timeZone)

        var commands: [BotCommand] = [
            BotCommand(
                name: "help", aliases: ["помощь", "справка", "h", "?"], action: nil,
                usage: Localized("cmd.help.usage"),
                summary: Localized("cmd.help.summary"),
                details: Localized("cmd.help.details"),
                run: { _ in BotReply(lines: []) }),
            BotCommand(
                name: "marks", aliases: ["оценки"], action: .readDiary,
                usage: Localized("cmd.marks.usage"),
                summary: Localized("cmd.marks.summary"),
                details: Localized("cmd.marks.details"),
                run: { i in
                    let principal = i.principal!
                    let parsed = try await DiaryArguments.parse(i.arguments, principal: principal, diary: diary, allowsSubject: true)
                    let report = try await diary.marks(of: parsed.student, subject: parsed.subject, period: parsed.period, for: principal)
                    return BotReply(lines: render.marks(report, i))
                }),
            BotCommand(
                name: "absences", aliases: ["пропуски"], actions: [.readDiary, .superviseClass],
                usage: Localized("cmd.absences.usage"),
                summary: Localized("cmd.absences.summary"),
                details: Localized("cmd.absences.details"),
                run: { i in
                    let principal = i.principal!
                    // `/absences 7А [date]`: a class, not a child.
                    if let first = i.arguments.first, first.first?.isNumber == true, first.contains(where: \.isLetter),
                       SchoolDate(spoken: first, today: diary.today) == nil {
                        var week = DutiesService.Week(containing: diary.today)
                        if i.arguments.count > 1 {
                            guard i.arguments.count == 2, let date = SchoolDate(spoken: i.arguments[1], today: diary.today) else {
                                throw JournalError.invalidDate(i.arguments.dropFirst().joined(separator: " "))
                            }
                            week = DutiesService.Week(containing: date)
                        }
                        let (scope, absences, notes) = try await duties.unexcused(className: first, week: week, for: principal)
                        return BotReply(lines: DutyRendering(journal: JournalRendering(base: render)).unexcused(scope, week, absences, notes, i))
                    }
                    // The child form is the family's; staff name a class.
                    guard !AccessPolicy.roles(allowedTo: .readDiary).isDisjoint(with: principal.account.roles) else { throw DiaryError.notAllowed }
                    let parsed = try await DiaryArguments.parse(i.arguments, principal: principal, diary: diary, allowsSubject: false)
                    let report = try await diary.absences(of: parsed.student, period: parsed.period, for: principal)
                    return BotReply(lines: render.absences(report, i))
                }),
            BotCommand(
                name: "ack", aliases: ["ознакомлен", "ознакомлена"], action: .acknowledgeDiary,
                usage: Localized("cmd.ack.usage"),
                summary: Localized("cmd.ack.summary"),
                details: Localized("cmd.ack.details"),
                run: { i in
                    let principal = i.principal!
                    let student = try await diary.resolveStudent(i.arguments.isEmpty ? nil : i.arguments.joined(separator: " "), for: principal)
                    return BotReply(lines: render.acknowledgement(try await diary.acknowledge(student, for: principal), student: student, i))
                }),
            BotCommand(
                name: "consent", aliases: ["согласие"], action: .manageOwnConsent,
                usage: Localized("cmd.consent.usage"),
                summary: Localized("cmd.consent.summary"),
                details: Localized("cmd.consent.details"),
                run: { i in
                    let principal = i.principal!
                    guard let word = i.arguments.first else {
                        return BotReply(lines: render.consentStatus(try await diary.consent(of: principal), i))
                    }
                    let yes = ["yes", "да", "y", "д", "согласен", "согласна"]
                    let no = ["no", "нет", "n", "н", "отказ"]
                    let lowered = word.lowercased()
                    guard i.arguments.count == 1, yes.contains(lowered) || no.contains(lowered) else {
                        return BotReply(i.t("bot.answerConsentYesConsent"))
                    }
                    let record = try await diary.recordConsent(yes.contains(lowered) ? .granted : .refused, for: principal)
                    return BotReply(lines: render.consentRecorded(record, i))
                }),
            BotCommand(
                name: "lang", aliases: ["язык", "language"], action: .manageOwnSettings,
                usage: Localized("cmd.lang.usage"),
                summary: Localized("cmd.lang.summary"),
                details: Localized("cmd.lang.details"),
                run: { i in
                    let principal = i.principal!
                    guard i.arguments.count == 1, let language = Language(rawValue: i.arguments[0].lowercased()) else {
                        return BotReply(i.t("bot.nameLanguageLangRu", ["languageRawValue": i.language.rawValue]))
                    }
                    try await accounts.setLanguage(language, for: principal)
                    return BotReply(lines: [language.t("bot.iWillAnswerEnglish")],
                                    newLanguage: language)
                }),
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
        commands[0].run = { i in BotReply(lines: help(listing, i)) }
        return commands
    }

    static func help(_ commands: [BotCommand], _ i: BotInvocation) -> [String] {
        let available = commands.filter { $0.isAllowed(for: i.principal) }
        if let name = i.arguments.first {
            var key = name.lowercased()
            if key.hasPrefix("/") { key.removeFirst() }
            guard let command = available.first(where: { $0.name == key || $0.aliases.contains(key) }) else {
                return [i.t("bot.suchCommandAmongYours", ["name": name])]
            }
            let aliases = command.aliases.filter { $0.count > 2 }.map { "/" + $0 }
            return [command.usage(i.language) + " — " + command.summary(i.language),
                    command.details(i.language)]
                + (aliases.isEmpty ? [] : [i.t("bot.also") + aliases.joined(separator: ", ")])
        }
        return [i.t("bot.commandsSendThemMe")]
            + available.map { "\($0.usage(i.language)) — \($0.summary(i.language))" }
            + [i.t("bot.moreHelpCommand")]
    }
}

/// `[child] [subject] [period]` as people type them.
struct DiaryArguments {
    var student: Student
    var subject: String?
    var period: String?

    /// The child comes first (when this person sees several students, or when the first
    /// words name one of them), a period last ("2", "2 четверть"), and what remains is the subject.
    static func parse(_ arguments: [String], principal: Principal, diary: DiaryService, allowsSubject: Bool) async throws -> DiaryArguments {
        var words = arguments
        let visible = try await diary.students(visibleTo: principal)
        var student: Student?
        for count in stride(from: min(2, words.count), through: 1, by: -1) {
            let name = DiaryService.NameQuery(words.prefix(count).joined(separator: " "))
            let matches = visible.filter { name.matches($0) }
            if matches.count == 1 {
                student = matches[0]
                words.removeFirst(count)
                break
            }
            if matches.count > 1 && count == 1 { throw DiaryError.ambiguousStudent(matches) }
        }
        if student == nil {
            if visible.count == 1 {
                student = visible[0]
            } else if visible.isEmpty {
                throw DiaryError.noStudents
            } else if words.isEmpty {
                throw DiaryError.studentRequired(visible)
            } else {
                throw DiaryError.noSuchChild
            }
        }
        var period: String?
        for count in stride(from: min(2, words.count), through: 1, by: -1) {
            let candidate = words.suffix(count).joined(separator: " ")
            if DiaryService.periodOrdinal(candidate) != nil {
                period = candidate
                words.removeLast(count)
                break
            }
        }
        if !allowsSubject && !words.isEmpty {
            // Whatever is left is neither a child of theirs nor a period.
            if visible.count > 1 { throw DiaryError.noSuchChild }
            throw DiaryError.unrecognized(words.joined(separator: " "))
        }
        return DiaryArguments(student: student!, subject: words.isEmpty ? nil : words.joined(separator: " "), period: period)
    }
}
