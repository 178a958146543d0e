import ClassbookDomain
import Foundation

/// The class teacher's duties as commands, and the guardian's absence note.
enum DutyCommands {
    static func table(duties: DutiesService, render: DutyRendering, delivery: any BotDelivery) -> [BotCommand] {
        let today: @Sendable () -> SchoolDate = { duties.journal.today }

        /// `[class] [date in the week]`: the class may be left out by a class teacher of one class.
        @Sendable func classAndWeek(_ i: BotInvocation) async throws -> (String, DutiesService.Week) {
            var words = i.arguments
            var className: String
            if let first = words.first, first.first?.isNumber == true, SchoolDate(spoken: first, today: today()) == nil {
                className = first
                words.removeFirst()
            } else if let led = try await duties.journal.ledClassName(for: i.principal!) {
                className = led
            } else {
                throw JournalError.noSuchClass(words.first ?? "")
            }
            var week = DutiesService.Week(containing: today())
            if let word = words.first {
                guard let date = SchoolDate(spoken: word, today: today()), words.count == 1 else { throw JournalError.invalidDate(words.joined(separator: " ")) }
                week = DutiesService.Week(containing: date)
            }
            return (className, week)
        }

        @Sendable func classAndRest(_ i: BotInvocation) async throws -> (String, [String]) {
            if let first = i.arguments.first, first.first?.isNumber == true { return (first, Array(i.arguments.dropFirst())) }
            guard let led = try await duties.journal.ledClassName(for: i.principal!) else { throw JournalError.noSuchClass(i.arguments.first ?? "") }
            return (led, i.arguments)
        }

        return [
            BotCommand(
                name: "consents", aliases: ["согласия"], action: .superviseClass,
                usage: Localized(ru: "/consents [класс]", en: "/consents [class]"),
                summary: Localized(ru: "согласия родителей на обработку данных: кто дал, кто отказал, кто не ответил", en: "guardians' consents: given, refused, no answer"),
                details: Localized(ru: "Отказавшиеся от электронной формы получают сведения на бумаге (выписки).",
                                   en: "Those who refused electronic information get paper extracts."),
                run: { i in
                    let (className, _) = try await classAndRest(i)
                    let (scope, rows) = try await duties.consents(className: className, for: i.principal!)
                    return BotReply(lines: render.consents(scope, rows, i))
                }),
            BotCommand(
                name: "acks", aliases: ["ознакомления"], action: .superviseClass,
                usage: Localized(ru: "/acks [класс] [дата недели]", en: "/acks [class] [a date in the week]"),
                summary: Localized(ru: "кто из родителей подтвердил ознакомление с дневником за неделю", en: "which guardians acknowledged the diary in the week"),
                details: Localized(ru: "Для каждого родителя — когда он подтвердил ознакомление на этой неделе, или что не подтверждал.",
                                   en: "For each guardian, when they acknowledged the diary that week, or that they did not."),
                run: { i in
                    let (className, week) = try await classAndWeek(i)
                    let (scope, rows) = try await duties.activity(className: className, week: week, for: i.principal!)
                    return BotReply(lines: render.acks(scope, week, rows, i))
                }),
            BotCommand(
                name: "activity", aliases: ["активность"], action: .superviseClass,
                usage: Localized(ru: "/activity [класс] [дата недели]", en: "/activity [class] [a date in the week]"),
                summary: Localized(ru: "активность родителей: входы, просмотры дневника, ознакомления", en: "guardians' activity: logins, diary views, acknowledgements"),
                details: Localized(ru: "Последний вход, число входов и дней просмотра дневника за неделю, ознакомления; кто ни разу не входил.",
                                   en: "Last login, logins and days the diary was viewed in the week, acknowledgements; who never logged in."),
                run: { i in
                    let (className, week) = try await classAndWeek(i)
                    let (scope, rows) = try await duties.activity(className: className, week: week, for: i.principal!)
                    return BotReply(lines: render.activity(scope, week, rows, i))
                }),
            BotCommand(
                name: "note", aliases: ["объяснительная", "записка"], action: .submitAbsenceNote,
                usage: Localized(ru: "/note [ребёнок] дата [дата…] причина", en: "/note [child] date [date…] reason"),
                summary: Localized(ru: "объяснить пропуск классному руководителю", en: "explain an absence to the class teacher"),
                details: Localized(ru: "Классный руководитель примет или отклонит записку; принятая делает пропуски этих дней уважительными. Пример: /note 19.11 20.11 болел, справка будет",
                                   en: "The class teacher accepts or rejects it; an accepted note excuses those days. Example: /note 19.11 20.11 was ill"),
                run: { i in
                    let principal = i.principal!
                    var words = i.arguments
                    guard let firstDate = words.firstIndex(where: { SchoolDate(spoken: $0, today: today()) != nil }) else {
                        throw JournalError.invalidDate(words.joined(separator: " "))
                    }
                    let student = try await duties.diary.resolveStudent(firstDate == 0 ? nil : words[..<firstDate].joined(separator: " "), for: principal)
                    words.removeFirst(firstDate)
                    var dates: [SchoolDate] = []
                    while let word = words.first, let date = SchoolDate(spoken: word, today: today()) {
                        dates.append(date)
                        words.removeFirst()
                    }
                    let id = try await duties.submitNote(student: student, dates: dates, reason: words.joined(separator: " "), for: principal)
                    return BotReply(render.noteSubmitted(id, student, dates, i))
                }),
            BotCommand(
                name: "notes", aliases: ["записки"], action: .decideAbsenceNote,
                usage: Localized(ru: "/notes [класс]", en: "/notes [class]"),
                summary: Localized(ru: "записки родителей о пропусках, ждущие решения", en: "guardians' absence notes waiting for a decision"),
                details: Localized(ru: "Решение: /accept номер или /reject номер [причина].", en: "Decide: /accept number or /reject number [why]."),
                run: { i in
                    let (className, _) = try await classAndRest(i)
                    let (scope, notes) = try await duties.pendingNotes(className: className, for: i.principal!)
                    return BotReply(lines: render.notes(scope, notes, i))
                }),
            decision(accept: true, duties: duties, render: render),
            decision(accept: false, duties: duties, render: render),
            BotCommand(
                name: "filling", aliases: ["заполнение"], action: .superviseClass,
                usage: Localized(ru: "/filling [класс]", en: "/filling [class]"),
                summary: Localized(ru: "заполнение журнала учителями за две недели", en: "how teachers filled the journal in two weeks"),
                details: Localized(ru: "Уроки без темы и задания, контрольные без оценок, предметы без оценок за две недели, итоговые, не выставленные к концу периода.",
                                   en: "Lessons without topic or homework, control works without marks, subjects without marks for two weeks, finals missing at a period's end."),
                run: { i in
                    let (className, _) = try await classAndRest(i)
                    let (scope, filling) = try await duties.filling(className: className, for: i.principal!)
                    return BotReply(lines: render.filling(title: "\(scope.schoolClass.name): ", filling, i))
                }),
            BotCommand(
                name: "risk", aliases: ["риск", "неуспевающие"], action: .superviseClass,
                usage: Localized(ru: "/risk [класс]", en: "/risk [class]"),
                summary: Localized(ru: "ученики в неуспешной ситуации", en: "students at risk of failing"),
                details: Localized(ru: "Средний балл ниже порога по предмету, несколько двоек за две недели или много пропусков (пороги задаёт школа).",
                                   en: "A subject average below the threshold, several 2s in two weeks, or many missed lessons (the school sets the thresholds)."),
                run: { i in
                    let (className, _) = try await classAndRest(i)
                    let (scope, students) = try await duties.atRisk(className: className, for: i.principal!)
                    return BotReply(lines: render.atRisk(scope, students, i))
                }),
            BotCommand(
                name: "checked", aliases: ["проверено", "сверено"], action: .manageClassList,
                usage: Localized(ru: "/checked [класс] [Фамилия, … | все]", en: "/checked [class] [Surname, … | all]"),
                summary: Localized(ru: "ежемесячная сверка анкетных данных", en: "the monthly check of personal data"),
                details: Localized(ru: "Без фамилий — чьи данные не сверялись 30 дней. С фамилиями (или «все») — отметить, что данные сверены.",
                                   en: "Without names, whose data was not checked for 30 days. With names (or \"all\"), record that they were checked."),
                run: { i in
                    let (className, words) = try await classAndRest(i)
                    if words.isEmpty {
                        let (scope, due) = try await duties.dataCheckDue(className: className, for: i.principal!)
                        return BotReply(lines: render.dataCheckDue(scope, due, i))
                    }
                    let names = JournalArguments.entries(words).map { $0.joined(separator: " ") }
                    return BotReply(render.checked(try await duties.markChecked(students: names, className: className, for: i.principal!), i))
                }),
            BotCommand(
                name: "credentials", aliases: ["доступы", "пароли"], action: .issueCredentials,
                usage: Localized(ru: "/credentials [класс] | /credentials reset [класс] Фамилия|логин", en: "/credentials [class] | /credentials reset [class] Surname|login"),
                summary: Localized(ru: "выдать логины и временные пароли ученикам и родителям класса", en: "issue logins and one-time passwords to the class"),
                details: Localized(ru: "Выдаёт временные пароли всем, кто ещё не может войти, и показывает их только вам, один раз. При первом входе каждый задаёт свой пароль. reset — новый временный пароль одному человеку (потерял, узнал кто-то другой).",
                                   en: "Issues one-time passwords to everyone of the class who cannot log in yet, shown only to you, once. Each sets their own at the first login. reset: a new one-time password for one person."),
                run: { i in
                    if let first = i.arguments.first, ["reset", "сброс"].contains(first.lowercased()) {
                        let rest = BotInvocation(principal: i.principal, language: i.language, arguments: Array(i.arguments.dropFirst()))
                        let (className, words) = try await classAndRest(rest)
                        guard !words.isEmpty else { throw JournalError.nothingToDo }
                        let issued = try await duties.resetCredential(person: words.joined(separator: " "), className: className, for: i.principal!)
                        return BotReply(lines: render.credentials(className: className, [issued], i))
                    }
                    let (className, _) = try await classAndRest(i)
                    let (scope, issued) = try await duties.issueCredentials(className: className, for: i.principal!)
                    return BotReply(lines: render.credentials(className: scope.schoolClass.name, issued, i))
                }),
            BotCommand(
                name: "passwd", aliases: ["пароль"], action: .manageOwnSettings,
                usage: Localized(ru: "/passwd НОВЫЙ_ПАРОЛЬ", en: "/passwd NEW_PASSWORD"),
                summary: Localized(ru: "сменить свой пароль", en: "change your password"),
                details: Localized(ru: "Не короче 8 знаков и не совпадает с логином. После входа по временному паролю это первое, что нужно сделать.",
                                   en: "8 characters or more, not the login. After logging in with a one-time password, do this first."),
                run: { i in
                    guard i.arguments.count == 1 else { throw JournalError.weakPassword }
                    try await duties.changeOwnPassword(i.arguments[0], for: i.principal!)
                    // Whoever else was logged in with the old password is logged out.
                    await delivery.closeSessions(of: i.principal!.account.id, except: i.principal!.sessionID, reason: "Password changed")
                    return BotReply(lines: [i.t("Пароль изменён. Теперь доступны все ваши команды: /help", "Password changed. All your commands are available: /help")],
                                    passwordChanged: true)
                }).asConfidential(),
            BotCommand(
                name: "digest", aliases: ["сводка", "дайджест"], actions: [.superviseClass, .reviewOwnJournal, .superviseSchool],
                usage: Localized(ru: "/digest [класс]", en: "/digest [class]"),
                summary: Localized(ru: "еженедельная сводка сейчас", en: "the weekly digest now"),
                details: Localized(ru: "То же, что бот присылает каждую неделю: по вашему классу, вашему журналу, по школе (администрации). С классом — сводка по этому классу.",
                                   en: "What the bot sends every week: your class, your journal, the school (administration). With a class, that class's digest."),
                run: { i in
                    if let className = i.arguments.first {
                        return BotReply(lines: render.classDigest(try await duties.classDigest(className: className, for: i.principal!), i))
                    }
                    return BotReply(lines: render.digest(try await duties.digest(for: i.principal!), i))
                }),
        ]
    }

    static func decision(accept: Bool, duties: DutiesService, render: DutyRendering) -> BotCommand {
        BotCommand(
            name: accept ? "accept" : "reject", aliases: accept ? ["принять"] : ["отклонить"], action: .decideAbsenceNote,
            usage: Localized(ru: accept ? "/accept номер [комментарий]" : "/reject номер [причина]", en: accept ? "/accept number [comment]" : "/reject number [why]"),
            summary: accept ? Localized(ru: "принять записку о пропуске (пропуски станут уважительными)", en: "accept an absence note (the absences become excused)")
                : Localized(ru: "отклонить записку о пропуске", en: "reject an absence note"),
            details: Localized(ru: "Номер записки — из /notes.", en: "The note's number is in /notes."),
            run: { i in
                guard let first = i.arguments.first, let id = Int64(first.trimmingCharacters(in: CharacterSet(charactersIn: "#№"))) else {
                    throw JournalError.nothingToDo
                }
                let comment = i.arguments.dropFirst().joined(separator: " ")
                let (note, excused) = try await duties.decide(note: id, accept: accept, comment: comment.isEmpty ? nil : comment, for: i.principal!)
                return BotReply(render.decided(note, excused: excused, i))
            })
    }
}
