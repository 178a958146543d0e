import ClassbookDomain
import Foundation

/// The bot's command table. A new command is one entry here plus one domain service call.
enum BotCommands {
    static func table(accounts: AccountService, diary: DiaryService, journal: JournalService, duties: DutiesService,
                      messaging: MessagingService, boards: BoardService, security: SecurityService, delivery: any BotDelivery) -> [BotCommand] {
        let render = DiaryRendering(timeZone: diary.timeZone)

        var commands: [BotCommand] = [
            BotCommand(
                name: "help", aliases: ["помощь", "справка", "h", "?"], action: nil,
                usage: Localized(ru: "/help [команда]", en: "/help [command]"),
                summary: Localized(ru: "список команд или справка по одной", en: "the list of commands, or help on one"),
                details: Localized(ru: "Без аргумента — все доступные вам команды.", en: "Without an argument, every command available to you."),
                run: { _ in BotReply(lines: []) }),
            BotCommand(
                name: "marks", aliases: ["оценки"], action: .readDiary,
                usage: Localized(ru: "/marks [ребёнок] [предмет] [период]", en: "/marks [child] [subject] [period]"),
                summary: Localized(ru: "оценки по предметам и средний балл", en: "marks by subject with the average"),
                details: Localized(
                    ru: "Оценки за текущий учебный период (или названный: 1, 2, «2 четверть»), по предметам, со средневзвешенным баллом. Ребёнка называют по фамилии или имени (достаточно начала), если детей несколько. Пример: /marks Пётр алгебра 2",
                    en: "Marks for the current reporting period (or the one named: 1, 2, \"Q2\"), by subject, with the weighted average. Name the child by surname or first name (the beginning is enough) when you have several. Example: /marks Peter algebra 2"),
                run: { i in
                    let principal = i.principal!
                    let parsed = try await DiaryArguments.parse(i.arguments, principal: principal, diary: diary, allowsSubject: true)
                    let report = try await diary.marks(of: parsed.student, subject: parsed.subject, period: parsed.period, for: principal)
                    return BotReply(lines: render.marks(report, i))
                }),
            BotCommand(
                name: "absences", aliases: ["пропуски"], actions: [.readDiary, .superviseClass],
                usage: Localized(ru: "/absences [ребёнок] [период] | /absences класс [дата недели]", en: "/absences [child] [period] | /absences class [a date in the week]"),
                summary: Localized(ru: "пропущенные уроки и причины", en: "missed lessons and their reasons"),
                details: Localized(
                    ru: "Пропуски за учебный период: дата, урок, предмет и причина (Н — без уважительной причины, УП — уважительная, Б — болезнь, ОП — опоздание). Классному руководителю: /absences 7А [дата] — пропуски «Н» класса за неделю, к проверке.",
                    en: "Missed lessons in the period: date, lesson, subject and reason (Н unexcused, УП excused, Б illness, ОП late). For a class teacher: /absences 7А [date] — the class's unexcused absences of the week, to check."),
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
                usage: Localized(ru: "/ack [ребёнок]", en: "/ack [child]"),
                summary: Localized(ru: "подтвердить ознакомление с дневником", en: "acknowledge that you have seen the diary"),
                details: Localized(
                    ru: "Записывает, что вы ознакомились со всеми записями дневника ребёнка на этот момент: кто, когда и какие записи.",
                    en: "Records that you have seen every entry of the child's diary up to now: who, when, and which entries."),
                run: { i in
                    let principal = i.principal!
                    let student = try await diary.resolveStudent(i.arguments.isEmpty ? nil : i.arguments.joined(separator: " "), for: principal)
                    return BotReply(lines: render.acknowledgement(try await diary.acknowledge(student, for: principal), student: student, i))
                }),
            BotCommand(
                name: "consent", aliases: ["согласие"], action: .manageOwnConsent,
                usage: Localized(ru: "/consent [да|нет]", en: "/consent [yes|no]"),
                summary: Localized(ru: "согласие на обработку персональных данных", en: "consent to personal-data processing"),
                details: Localized(
                    ru: "Без аргумента показывает ваше решение. /consent да — согласие на обработку персональных данных и получение информации в электронном виде (152-ФЗ); /consent нет — отказ: он записывается с датой, сведения будут выдаваться на бумаге.",
                    en: "Without an argument, shows your decision. /consent yes consents to personal-data processing and to receiving information electronically (152-FZ); /consent no refuses: the refusal is recorded with its date and information is given on paper."),
                run: { i in
                    let principal = i.principal!
                    guard let word = i.arguments.first else {
                        return BotReply(lines: render.consentStatus(try await diary.consent(of: principal), i))
                    }
                    let yes = ["yes", "да", "y", "д", "согласен", "согласна"]
                    let no = ["no", "нет", "n", "н", "отказ"]
                    let lowered = word.lowercased()
                    guard i.arguments.count == 1, yes.contains(lowered) || no.contains(lowered) else {
                        return BotReply(i.t("Ответьте /consent да или /consent нет.", "Answer /consent yes or /consent no."))
                    }
                    let record = try await diary.recordConsent(yes.contains(lowered) ? .granted : .refused, for: principal)
                    return BotReply(lines: render.consentRecorded(record, i))
                }),
            BotCommand(
                name: "lang", aliases: ["язык", "language"], action: .manageOwnSettings,
                usage: Localized(ru: "/lang ru|en", en: "/lang ru|en"),
                summary: Localized(ru: "язык ответов", en: "the language of replies"),
                details: Localized(ru: "/lang en — отвечать по-английски, /lang ru — по-русски.", en: "/lang ru for Russian, /lang en for English."),
                run: { i in
                    let principal = i.principal!
                    guard i.arguments.count == 1, let language = Language(rawValue: i.arguments[0].lowercased()) else {
                        return BotReply(i.t("Укажите язык: /lang ru или /lang en. Сейчас: \(i.language.rawValue).",
                                            "Name a language: /lang ru or /lang en. Now: \(i.language.rawValue)."))
                    }
                    try await accounts.setLanguage(language, for: principal)
                    return BotReply(lines: [language == .ru ? "Теперь я отвечаю по-русски." : "I will answer in English from now on."],
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
                return [i.t("Нет такой команды среди доступных вам: «\(name)». Список: /help",
                            "No such command among yours: \"\(name)\". List: /help")]
            }
            let aliases = command.aliases.filter { $0.count > 2 }.map { "/" + $0 }
            return [command.usage(i.language) + " — " + command.summary(i.language),
                    command.details(i.language)]
                + (aliases.isEmpty ? [] : [i.t("Другие имена: ", "Also: ") + aliases.joined(separator: ", ")])
        }
        return [i.t("Команды (пишите их мне в личные сообщения, с «/» или без):", "Commands (send them to me in a private message, with or without \"/\"):")]
            + available.map { "\($0.usage(i.language)) — \($0.summary(i.language))" }
            + [i.t("Подробнее: /help команда", "More: /help command")]
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
