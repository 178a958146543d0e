import ClassbookDomain
import ClassbookText
import Foundation

/// Commands of class teachers (their class) and the administration (the whole school).
enum ClassTeacherCommands {
    static func table(journal: JournalService, render: JournalRendering) -> [BotCommand] {
        [
            BotCommand(
                name: "journal", aliases: ["журнал"], action: .readJournal,
                usage: Localized("cmd.journal.usage"), summary: Localized("cmd.journal.summary"),
                details: Localized("cmd.journal.details"),
                grammar: [.required(.schoolClass), .required(.subject), .optional(.date)],
                run: { r in
                    let a = r.arguments
                    let sheet = try await journal.sheet(
                        className: (try a.schoolClass.required()), subject: (try a.subject.required()),
                        week: a.date ?? journal.today,
                        for: r.principal)
                    return Reply { w in render.sheet(sheet, w) }
                }),
            BotCommand(
                name: "excuse", aliases: ["уважительная", "оправдать"], action: .excuseAbsence,
                usage: Localized("cmd.excuse.usage"), summary: Localized("cmd.excuse.summary"),
                details: Localized("cmd.excuse.details"),
                grammar: [.ledClass, .required(.person), .required(.dates), .optional(.reason)],
                run: { r in
                    let a = r.arguments
                    let reason = a.reason ?? .excused
                    let (student, count) = try await journal.excuse(
                        student: (try a.person.required()), className: (try a.schoolClass.required()), dates: a.dates,
                        reason: reason, for: r.principal)
                    return Reply { w in [render.excused(student, count: count, reason: reason, w)] }
                }),
            BotCommand(
                name: "group", aliases: ["группа", "группы"],
                usage: Localized("cmd.group.usage"), summary: Localized("cmd.group.summary"),
                details: Localized("cmd.group.details"),
                forms: [
                    .init(
                        [.ledClass, .keyword(["new", "создать", "новая"]), .required(.word), .optional(.text)],
                        action: .manageGroups
                    ) { r in
                        let a = r.arguments
                        let group = try await journal.createGroup(
                            name: (try a.word.required()), subject: a.freeText,
                            className: (try a.schoolClass.required()), for: r.principal)
                        return Reply { w in [render.groupCreated(group, w)] }
                    },
                    .init(
                        [
                            .ledClass, .required(.word), .keyword(["add", "добавить"], ["remove", "убрать"]),
                            .required(.people)
                        ],
                        action: .manageGroups
                    ) { r in
                        let a = r.arguments
                        let add = a.keyword == "add"
                        let (group, students, changed) = try await journal.changeGroup(
                            (try a.word.required()), students: a.people, add: add,
                            className: (try a.schoolClass.required()), for: r.principal)
                        return Reply { w in [render.groupChanged(group, students, added: add, changed: changed, w)] }
                    },
                    .init([.ledClass], action: .manageGroups) { r in
                        let (scope, groups, students) = try await journal.groups(
                            className: (try r.arguments.schoolClass.required()), for: r.principal)
                        return Reply { w in render.groups(scope, groups, students, w) }
                    }
                ]),
            BotCommand(
                name: "arrive", aliases: ["прибыл", "прибыла", "зачислить"], action: .manageClassList,
                usage: Localized("cmd.arrive.usage"), summary: Localized("cmd.arrive.summary"),
                details: Localized("cmd.arrive.details"),
                grammar: [.required(.schoolClass), .required(.person), .optional(.date)],
                run: { r in
                    let a = r.arguments
                    let name = (try a.person.required()).split(separator: " ").map(String.init)
                    guard (2...3).contains(name.count) else {
                        throw JournalError.invalidName((try a.person.required()))
                    }
                    let student = try await journal.arrive(
                        lastName: name[0], firstName: name[1], middleName: name.count > 2 ? name[2] : "",
                        on: a.date, note: "", className: (try a.schoolClass.required()), for: r.principal)
                    return Reply { w in [render.arrived(student, date: a.date ?? journal.today, w)] }
                }),
            BotCommand(
                name: "depart", aliases: ["выбыл", "выбыла", "отчислить"],
                usage: Localized("cmd.depart.usage"), summary: Localized("cmd.depart.summary"),
                details: Localized("cmd.depart.details"),
                forms: [
                    // Where the student goes is said after the date.
                    .init(
                        [.required(.schoolClass), .required(.person), .required(.date), .optional(.text)],
                        action: .manageClassList
                    ) { r in
                        try await depart(r, journal: journal, render: render)
                    },
                    .init([.required(.schoolClass), .required(.person)], action: .manageClassList) { r in
                        try await depart(r, journal: journal, render: render)
                    }
                ]),
            BotCommand(
                name: "profile", aliases: ["анкета"],
                usage: Localized("cmd.profile.usage"), summary: Localized("cmd.profile.summary"),
                details: Localized("cmd.profile.details"),
                forms: [
                    // Read by the administration too; written by the class teacher.
                    .init(
                        [.required(.schoolClass), .required(.person), .required(.personalField), .required(.text)],
                        action: .manageClassList
                    ) { r in
                        let a = r.arguments
                        let (student, outcome) = try await journal.setPersonalData(
                            student: (try a.person.required()), field: (try a.personalField.required()),
                            value: (try a.freeText.required()), className: (try a.schoolClass.required()),
                            for: r.principal)
                        let personalField = try a.personalField.required()
                        return Reply { w in
                            [render.personalDataSaved(student, field: personalField, outcome: outcome, w)]
                        }
                    },
                    .init([.required(.schoolClass), .required(.person)], action: .readPersonalData) { r in
                        let record = try await journal.personalData(
                            student: (try r.arguments.person.required()),
                            className: (try r.arguments.schoolClass.required()),
                            for: r.principal)
                        return Reply { w in render.personalData(record, w) }
                    }
                ]),
            BotCommand(
                name: "change", aliases: ["замена", "изменение"],
                usage: Localized("cmd.change.usage"), summary: Localized("cmd.change.summary"),
                details: Localized("cmd.change.details"),
                forms: [
                    .init(
                        lessonSlot + [.keyword(["substitute", "замена", "substitution"]), .required(.word)],
                        action: .changeTimetable
                    ) { r in
                        try await change(
                            try await journal.substitute(login: (try r.arguments.word.required())), r, journal: journal,
                            render: render)
                    },
                    .init(lessonSlot + [.keyword(["cancel", "отмена", "cancelled"])], action: .changeTimetable) { r in
                        try await change(.cancelled, r, journal: journal, render: render)
                    },
                    .init(
                        lessonSlot + [.keyword(["move", "перенос", "moved"]), .required(.date), .required(.lessonSlot)],
                        action: .changeTimetable
                    ) { r in
                        let a = r.arguments
                        return try await change(
                            .moved(to: (try a.secondDate.required()), number: (try a.secondLessonNumber.required())), r,
                            journal: journal,
                            render: render)
                    }
                ])
        ]
    }

    static func depart(_ r: BotRequest, journal: JournalService, render: JournalRendering) async throws -> Reply {
        let a = r.arguments
        let student = try await journal.depart(
            student: (try a.person.required()), on: a.date, note: a.freeText ?? "",
            className: (try a.schoolClass.required()),
            for: r.principal)
        return Reply { w in [render.departed(student, date: a.date ?? journal.today, w)] }
    }

    /// `7А 24.11 №2`: the lesson a timetable change is about.
    static let lessonSlot: [ArgumentPart] = [.required(.schoolClass), .required(.date), .required(.lessonSlot)]

    static func change(_ change: TimetableChange, _ r: BotRequest, journal: JournalService, render: JournalRendering)
        async throws -> Reply
    {
        let a = r.arguments
        let record = try await journal.changeTimetable(
            change, className: (try a.schoolClass.required()), date: (try a.date.required()),
            number: (try a.lessonNumber.required()),
            for: r.principal)
        let schoolClass = try a.schoolClass.required()
        return Reply { w in [render.timetableChanged(record, className: schoolClass, w)] }
    }
}
