import ClassbookDomain
import ClassbookText
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
                usage: Localized("cmd.consents.usage"),
                summary: Localized("cmd.consents.summary"),
                details: Localized("cmd.consents.details"),
                run: { i in
                    let (className, _) = try await classAndRest(i)
                    let (scope, rows) = try await duties.consents(className: className, for: i.principal!)
                    return BotReply(lines: render.consents(scope, rows, i))
                }),
            BotCommand(
                name: "acks", aliases: ["ознакомления"], action: .superviseClass,
                usage: Localized("cmd.acks.usage"),
                summary: Localized("cmd.acks.summary"),
                details: Localized("cmd.acks.details"),
                run: { i in
                    let (className, week) = try await classAndWeek(i)
                    let (scope, rows) = try await duties.activity(className: className, week: week, for: i.principal!)
                    return BotReply(lines: render.acks(scope, week, rows, i))
                }),
            BotCommand(
                name: "activity", aliases: ["активность"], action: .superviseClass,
                usage: Localized("cmd.activity.usage"),
                summary: Localized("cmd.activity.summary"),
                details: Localized("cmd.activity.details"),
                run: { i in
                    let (className, week) = try await classAndWeek(i)
                    let (scope, rows) = try await duties.activity(className: className, week: week, for: i.principal!)
                    return BotReply(lines: render.activity(scope, week, rows, i))
                }),
            BotCommand(
                name: "note", aliases: ["объяснительная", "записка"], action: .submitAbsenceNote,
                usage: Localized("cmd.note.usage"),
                summary: Localized("cmd.note.summary"),
                details: Localized("cmd.note.details"),
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
                usage: Localized("cmd.notes.usage"),
                summary: Localized("cmd.notes.summary"),
                details: Localized("cmd.notes.details"),
                run: { i in
                    let (className, _) = try await classAndRest(i)
                    let (scope, notes) = try await duties.pendingNotes(className: className, for: i.principal!)
                    return BotReply(lines: render.notes(scope, notes, i))
                }),
            decision(accept: true, duties: duties, render: render),
            decision(accept: false, duties: duties, render: render),
            BotCommand(
                name: "filling", aliases: ["заполнение"], action: .superviseClass,
                usage: Localized("cmd.filling.usage"),
                summary: Localized("cmd.filling.summary"),
                details: Localized("cmd.filling.details"),
                run: { i in
                    let (className, _) = try await classAndRest(i)
                    let (scope, filling) = try await duties.filling(className: className, for: i.principal!)
                    return BotReply(lines: render.filling(title: "\(scope.schoolClass.name): ", filling, i))
                }),
            BotCommand(
                name: "risk", aliases: ["риск", "неуспевающие"], action: .superviseClass,
                usage: Localized("cmd.risk.usage"),
                summary: Localized("cmd.risk.summary"),
                details: Localized("cmd.risk.details"),
                run: { i in
                    let (className, _) = try await classAndRest(i)
                    let (scope, students) = try await duties.atRisk(className: className, for: i.principal!)
                    return BotReply(lines: render.atRisk(scope, students, i))
                }),
            BotCommand(
                name: "checked", aliases: ["проверено", "сверено"], action: .manageClassList,
                usage: Localized("cmd.checked.usage"),
                summary: Localized("cmd.checked.summary"),
                details: Localized("cmd.checked.details"),
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
                usage: Localized("cmd.credentials.usage"),
                summary: Localized("cmd.credentials.summary"),
                details: Localized("cmd.credentials.details"),
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
                usage: Localized("cmd.passwd.usage"),
                summary: Localized("cmd.passwd.summary"),
                details: Localized("cmd.passwd.details"),
                run: { i in
                    guard i.arguments.count == 1 else { throw JournalError.weakPassword }
                    try await duties.changeOwnPassword(i.arguments[0], for: i.principal!)
                    // Whoever else was logged in with the old password is logged out.
                    await delivery.closeSessions(of: i.principal!.account.id, except: i.principal!.sessionID, reason: "Password changed")
                    return BotReply(lines: [i.t("duty.passwordChangedAllCommands")],
                                    passwordChanged: true)
                }).asConfidential(),
            BotCommand(
                name: "digest", aliases: ["сводка", "дайджест"], actions: [.superviseClass, .reviewOwnJournal, .superviseSchool],
                usage: Localized("cmd.digest.usage"),
                summary: Localized("cmd.digest.summary"),
                details: Localized("cmd.digest.details"),
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
            usage: accept ? Localized("cmd.accept.usage") : Localized("cmd.reject.usage"),
            summary: accept ? Localized("cmd.accept.summary") : Localized("cmd.reject.summary"),
            details: accept ? Localized("cmd.accept.details") : Localized("cmd.reject.details"),
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
