import ClassbookDomain
import ClassbookText
import Foundation

/// The class teacher's duties as commands, and the guardian's absence note.
enum DutyCommands {
    static func table(duties: DutiesService, render: DutyRendering, delivery: any BotDelivery) -> [BotCommand] {
        let week: @Sendable (BotRequest) -> DutiesService.Week = {
            DutiesService.Week(containing: $0.arguments.date ?? duties.journal.today)
        }
        return [
            BotCommand(
                name: "consents", aliases: ["согласия"], action: .superviseClass,
                usage: Localized("cmd.consents.usage"), summary: Localized("cmd.consents.summary"),
                details: Localized("cmd.consents.details"), grammar: [.ledClass],
                run: { r in
                    let (scope, rows) = try await duties.consents(
                        className: (try r.arguments.schoolClass.required()), for: r.principal)
                    return Reply { w in render.consents(scope, rows, w) }
                }),
            BotCommand(
                name: "acks", aliases: ["ознакомления"], action: .superviseClass,
                usage: Localized("cmd.acks.usage"), summary: Localized("cmd.acks.summary"),
                details: Localized("cmd.acks.details"),
                grammar: [.ledClass, .optional(.date)],
                run: { r in
                    let (scope, rows) = try await duties.activity(
                        className: (try r.arguments.schoolClass.required()), week: week(r), for: r.principal)
                    return Reply { w in render.acks(scope, week(r), rows, w) }
                }),
            BotCommand(
                name: "activity", aliases: ["активность"], action: .superviseClass,
                usage: Localized("cmd.activity.usage"), summary: Localized("cmd.activity.summary"),
                details: Localized("cmd.activity.details"), grammar: [.ledClass, .optional(.date)],
                run: { r in
                    let (scope, rows) = try await duties.activity(
                        className: (try r.arguments.schoolClass.required()), week: week(r), for: r.principal)
                    return Reply { w in render.activity(scope, week(r), rows, w) }
                }),
            BotCommand(
                name: "note", aliases: ["объяснительная", "записка"], action: .submitAbsenceNote,
                usage: Localized("cmd.note.usage"), summary: Localized("cmd.note.summary"),
                details: Localized("cmd.note.details"),
                grammar: [.optional(.child), .required(.dates), .required(.text)],
                run: { r in
                    let a = r.arguments
                    let id = try await duties.submitNote(
                        student: (try a.child.required()), dates: a.dates, reason: (try a.freeText.required()),
                        for: r.principal)
                    let child = try a.child.required()
                    return Reply { w in [render.noteSubmitted(id, child, a.dates, w)] }
                }),
            BotCommand(
                name: "notes", aliases: ["записки"], action: .decideAbsenceNote,
                usage: Localized("cmd.notes.usage"), summary: Localized("cmd.notes.summary"),
                details: Localized("cmd.notes.details"),
                grammar: [.ledClass],
                run: { r in
                    let (scope, notes) = try await duties.pendingNotes(
                        className: (try r.arguments.schoolClass.required()), for: r.principal)
                    return Reply { w in render.notes(scope, notes, w) }
                }),
            decision(accept: true, duties: duties, render: render),
            decision(accept: false, duties: duties, render: render),
            BotCommand(
                name: "filling", aliases: ["заполнение"], action: .superviseClass,
                usage: Localized("cmd.filling.usage"), summary: Localized("cmd.filling.summary"),
                details: Localized("cmd.filling.details"),
                grammar: [.ledClass],
                run: { r in
                    let (scope, filling) = try await duties.filling(
                        className: (try r.arguments.schoolClass.required()), for: r.principal)
                    return Reply { w in render.filling(title: "\(scope.schoolClass.name): ", filling, w) }
                }),
            BotCommand(
                name: "risk", aliases: ["риск", "неуспевающие"], action: .superviseClass,
                usage: Localized("cmd.risk.usage"), summary: Localized("cmd.risk.summary"),
                details: Localized("cmd.risk.details"),
                grammar: [.ledClass],
                run: { r in
                    let (scope, students) = try await duties.atRisk(
                        className: (try r.arguments.schoolClass.required()), for: r.principal)
                    return Reply { w in render.atRisk(scope, students, w) }
                }),
            BotCommand(
                name: "checked", aliases: ["проверено", "сверено"], action: .manageClassList,
                usage: Localized("cmd.checked.usage"), summary: Localized("cmd.checked.summary"),
                details: Localized("cmd.checked.details"),
                grammar: [.ledClass, .optional(.people)],
                run: { r in
                    let a = r.arguments
                    if a.people.isEmpty {
                        let (scope, due) = try await duties.dataCheckDue(
                            className: (try a.schoolClass.required()), for: r.principal)
                        return Reply { w in render.dataCheckDue(scope, due, w) }
                    }
                    let checked = try await duties.markChecked(
                        students: a.people, className: (try a.schoolClass.required()), for: r.principal)
                    return Reply { w in [render.checked(checked, w)] }
                }),
            BotCommand(
                name: "credentials", aliases: ["доступы", "пароли"],
                usage: Localized("cmd.credentials.usage"), summary: Localized("cmd.credentials.summary"),
                details: Localized("cmd.credentials.details"),
                forms: [
                    .init([.keyword(["reset", "сброс"]), .ledClass, .required(.person)], action: .issueCredentials) {
                        r in
                        let a = r.arguments
                        let issued = try await duties.resetCredential(
                            person: (try a.person.required()), className: (try a.schoolClass.required()),
                            for: r.principal)
                        let schoolClass = try a.schoolClass.required()
                        return Reply { w in render.credentials(className: schoolClass, [issued], w) }
                    },
                    .init([.ledClass], action: .issueCredentials) { r in
                        let (scope, issued) = try await duties.issueCredentials(
                            className: (try r.arguments.schoolClass.required()), for: r.principal)
                        return Reply { w in render.credentials(className: scope.schoolClass.name, issued, w) }
                    }
                ]),
            BotCommand(
                name: "passwd", aliases: ["пароль"], action: .manageOwnSettings,
                usage: Localized("cmd.passwd.usage"), summary: Localized("cmd.passwd.summary"),
                details: Localized("cmd.passwd.details"),
                // Text, not a word: a refusal of a password typed with spaces must not repeat it.
                grammar: [.optional(.text)],
                run: { r in
                    guard let password = r.arguments.freeText, !password.contains(" ") else {
                        throw JournalError.weakPassword
                    }
                    try await duties.changeOwnPassword(password, for: r.principal)
                    // Whoever else was logged in with the old password is logged out.
                    return Reply(effects: [.passwordReplaced, .closeOtherSessions(reason: "Password changed")]) { w in
                        [w.t("duty.passwordChangedAllCommands")]
                    }
                }
            ).asConfidential(),
            BotCommand(
                name: "digest", aliases: ["сводка", "дайджест"],
                usage: Localized("cmd.digest.usage"), summary: Localized("cmd.digest.summary"),
                details: Localized("cmd.digest.details"),
                forms: [
                    .init([.required(.schoolClass)], actions: [.superviseClass, .reviewOwnJournal, .superviseSchool]) {
                        r in
                        let digest = try await duties.classDigest(
                            className: (try r.arguments.schoolClass.required()), for: r.principal)
                        return Reply { w in render.classDigest(digest, w) }
                    },
                    .init([], actions: [.superviseClass, .reviewOwnJournal, .superviseSchool]) { r in
                        let digest = try await duties.digest(for: r.principal)
                        return Reply { w in render.digest(digest, w) }
                    }
                ])
        ]
    }

    static func decision(accept: Bool, duties: DutiesService, render: DutyRendering) -> BotCommand {
        BotCommand(
            name: accept ? "accept" : "reject", aliases: accept ? ["принять"] : ["отклонить"],
            action: .decideAbsenceNote,
            usage: accept ? Localized("cmd.accept.usage") : Localized("cmd.reject.usage"),
            summary: accept ? Localized("cmd.accept.summary") : Localized("cmd.reject.summary"),
            details: accept ? Localized("cmd.accept.details") : Localized("cmd.reject.details"),
            grammar: [.required(.number), .optional(.text)],
            run: { r in
                let (note, excused) = try await duties.decide(
                    note: (try r.arguments.id.required()), accept: accept, comment: r.arguments.freeText,
                    for: r.principal)
                return Reply { w in [render.decided(note, excused: excused, w)] }
            })
    }
}
