import ClassbookDomain
import ClassbookText
import Foundation

/// Commands of class teachers (their class) and the administration (the whole school).
enum ClassTeacherCommands {
    static func table(journal: JournalService, render: JournalRendering) -> [BotCommand] {
        /// The class is the first word, or left out by a class teacher of one class.
        @Sendable func classAndRest(_ i: BotInvocation) async throws -> (String, [String]) {
            if let first = i.arguments.first, first.first?.isNumber == true { return (first, Array(i.arguments.dropFirst())) }
            guard let led = try await journal.ledClassName(for: i.principal!) else { throw JournalError.noSuchClass(i.arguments.first ?? "") }
            return (led, i.arguments)
        }

        return [
            BotCommand(
                name: "journal", aliases: ["журнал"], action: .readJournal,
                usage: Localized("cmd.journal.usage"),
                summary: Localized("cmd.journal.summary"),
                details: Localized("cmd.journal.details"),
                run: { i in
                    let a = try JournalArguments.parse(i.arguments, subjects: try await journal.journal.subjects(), today: journal.today)
                    let sheet = try await journal.sheet(className: a.className, subject: a.subject, week: a.date, for: i.principal!)
                    return BotReply(lines: render.sheet(sheet, i))
                }),
            BotCommand(
                name: "excuse", aliases: ["уважительная", "оправдать"], action: .excuseAbsence,
                usage: Localized("cmd.excuse.usage"),
                summary: Localized("cmd.excuse.summary"),
                details: Localized("cmd.excuse.details"),
                run: { i in
                    let (className, words) = try await classAndRest(i)
                    var nameWords: [String] = []
                    var dates: [SchoolDate] = []
                    var reason = AbsenceReason.excused
                    for word in words {
                        if let date = SchoolDate(spoken: word, today: journal.today) {
                            dates.append(date)
                        } else if !dates.isEmpty, let parsed = JournalArguments.absenceReason(word) {
                            reason = parsed
                        } else if dates.isEmpty {
                            nameWords.append(word)
                        } else {
                            throw JournalError.invalidDate(word)
                        }
                    }
                    guard !nameWords.isEmpty else { throw JournalError.nothingToDo }
                    let (student, count) = try await journal.excuse(student: nameWords.joined(separator: " "), className: className,
                                                                    dates: dates, reason: reason, for: i.principal!)
                    return BotReply(render.excused(student, count: count, reason: reason, i))
                }),
            BotCommand(
                name: "group", aliases: ["группа", "группы"], action: .manageGroups,
                usage: Localized("cmd.group.usage"),
                summary: Localized("cmd.group.summary"),
                details: Localized("cmd.group.details"),
                run: { i in
                    let (className, words) = try await classAndRest(i)
                    let principal = i.principal!
                    guard let first = words.first else {
                        let (scope, groups, students) = try await journal.groups(className: className, for: principal)
                        return BotReply(lines: render.groups(scope, groups, students, i))
                    }
                    if ["new", "создать", "новая"].contains(first.lowercased()) {
                        guard words.count >= 2 else { throw JournalError.emptyText }
                        let subject = words.count > 2 ? words.dropFirst(2).joined(separator: " ") : nil
                        let group = try await journal.createGroup(name: words[1], subject: subject, className: className, for: principal)
                        return BotReply(render.groupCreated(group, i))
                    }
                    guard words.count >= 3, let verb = ["add": true, "добавить": true, "remove": false, "убрать": false][words[1].lowercased()] else {
                        throw JournalError.nothingToDo
                    }
                    let names = JournalArguments.entries(Array(words.dropFirst(2))).map { $0.joined(separator: " ") }
                    let (group, students, changed) = try await journal.changeGroup(first, students: names, add: verb, className: className,
                                                                                   for: principal)
                    return BotReply(render.groupChanged(group, students, added: verb, changed: changed, i))
                }),
            BotCommand(
                name: "arrive", aliases: ["прибыл", "прибыла", "зачислить"], action: .manageClassList,
                usage: Localized("cmd.arrive.usage"),
                summary: Localized("cmd.arrive.summary"),
                details: Localized("cmd.arrive.details"),
                run: { i in
                    var words = Array(i.arguments.dropFirst())
                    guard let className = i.arguments.first else { throw JournalError.nothingToDo }
                    var date: SchoolDate?
                    if let last = words.last, let parsed = SchoolDate(spoken: last, today: journal.today) {
                        date = parsed
                        words.removeLast()
                    }
                    guard (2...3).contains(words.count) else { throw JournalError.invalidName(words.joined(separator: " ")) }
                    let student = try await journal.arrive(lastName: words[0], firstName: words[1], middleName: words.count > 2 ? words[2] : "",
                                                           on: date, note: "", className: className, for: i.principal!)
                    return BotReply(render.arrived(student, date: date ?? journal.today, i))
                }),
            BotCommand(
                name: "depart", aliases: ["выбыл", "выбыла", "отчислить"], action: .manageClassList,
                usage: Localized("cmd.depart.usage"),
                summary: Localized("cmd.depart.summary"),
                details: Localized("cmd.depart.details"),
                run: { i in
                    guard let className = i.arguments.first, i.arguments.count >= 2 else { throw JournalError.nothingToDo }
                    let words = Array(i.arguments.dropFirst())
                    var nameWords: [String] = []
                    var date: SchoolDate?
                    var note: [String] = []
                    for word in words {
                        if date == nil, !nameWords.isEmpty, let parsed = SchoolDate(spoken: word, today: journal.today) {
                            date = parsed
                        } else if date == nil && note.isEmpty {
                            nameWords.append(word)
                        } else {
                            note.append(word)
                        }
                    }
                    let student = try await journal.depart(student: nameWords.joined(separator: " "), on: date, note: note.joined(separator: " "),
                                                           className: className, for: i.principal!)
                    return BotReply(render.departed(student, date: date ?? journal.today, i))
                }),
            BotCommand(
                name: "profile", aliases: ["анкета"],
                action: .readPersonalData,
                usage: Localized("cmd.profile.usage"),
                summary: Localized("cmd.profile.summary"),
                details: Localized("cmd.profile.details"),
                run: { i in
                    guard let className = i.arguments.first, i.arguments.count >= 2 else { throw JournalError.nothingToDo }
                    let words = Array(i.arguments.dropFirst())
                    if let index = words.indices.first(where: { $0 > 0 && PersonalField.parse(words[$0]) != nil }), index + 1 < words.count {
                        let field = PersonalField.parse(words[index])!
                        let (student, outcome) = try await journal.setPersonalData(
                            student: words[..<index].joined(separator: " "), field: field,
                            value: words[(index + 1)...].joined(separator: " "), className: className, for: i.principal!)
                        return BotReply(render.personalDataSaved(student, field: field, outcome: outcome, i))
                    }
                    let record = try await journal.personalData(student: words.joined(separator: " "), className: className, for: i.principal!)
                    return BotReply(lines: render.personalData(record, i))
                }),
            BotCommand(
                name: "change", aliases: ["замена", "изменение"], action: .changeTimetable,
                usage: Localized("cmd.change.usage"),
                summary: Localized("cmd.change.summary"),
                details: Localized("cmd.change.details"),
                run: { i in
                    let words = i.arguments
                    guard words.count >= 4, let date = SchoolDate(spoken: words[1], today: journal.today) else { throw JournalError.invalidDate(words.dropFirst().first ?? "") }
                    guard let number = JournalArguments.lessonNumber(words[2]) ?? Int(words[2]) else { throw JournalError.nothingToDo }
                    let change: TimetableChange
                    switch words[3].lowercased() {
                    case "замена", "substitute", "substitution":
                        guard words.count == 5 else { throw JournalError.noSuchTeacher("") }
                        change = try await journal.substitute(login: words[4])
                    case "отмена", "cancel", "cancelled":
                        change = .cancelled
                    case "перенос", "move", "moved":
                        guard words.count == 6, let to = SchoolDate(spoken: words[4], today: journal.today),
                              let toNumber = JournalArguments.lessonNumber(words[5]) ?? Int(words[5]) else {
                            throw JournalError.invalidDate(words.dropFirst(4).joined(separator: " "))
                        }
                        change = .moved(to: to, number: toNumber)
                    default:
                        throw JournalError.nothingToDo
                    }
                    let record = try await journal.changeTimetable(change, className: words[0], date: date, number: number, for: i.principal!)
                    return BotReply(render.timetableChanged(record, className: words[0], i))
                }),
        ]
    }
}
