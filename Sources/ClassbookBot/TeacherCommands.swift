import ClassbookDomain
import ClassbookText
import Foundation

/// Commands of subject teachers: they fill the journal of their own classes and subjects.
enum TeacherCommands {
    static func table(journal: JournalService, render: JournalRendering) -> [BotCommand] {

        @Sendable func parse(_ i: BotInvocation, needsSubject: Bool = true) async throws -> JournalArguments {
            try JournalArguments.parse(i.arguments, subjects: try await journal.journal.subjects(), today: journal.today,
                                       needsSubject: needsSubject)
        }

        return [
            BotCommand(
                name: "lesson", aliases: ["урок"], action: .editJournal,
                usage: Localized("cmd.lesson.usage"),
                summary: Localized("cmd.lesson.summary"),
                details: Localized("cmd.lesson.details"),
                run: { i in
                    let a = try await parse(i)
                    let update = lessonUpdate(a.rest)
                    let lesson = try await journal.recordLesson(update, className: a.className, subject: a.subject, date: a.date,
                                                                number: a.number, for: i.principal!)
                    return BotReply(lines: render.lessonSaved(lesson, className: a.className, i))
                }),
            BotCommand(
                name: "mark", aliases: ["оценка", "отметка"], action: .editJournal,
                usage: Localized("cmd.mark.usage"),
                summary: Localized("cmd.mark.summary"),
                details: Localized("cmd.mark.details"),
                run: { i in
                    let a = try await parse(i)
                    let requests = try JournalArguments.entries(a.rest).map(JournalArguments.markRequest)
                    let (lesson, results) = try await journal.enterMarks(requests, className: a.className, subject: a.subject, date: a.date,
                                                                         number: a.number, for: i.principal!)
                    return BotReply(lines: render.marksSaved(lesson, results, i))
                }),
            BotCommand(
                name: "unmark", aliases: ["удалитьоценку"], action: .editJournal,
                usage: Localized("cmd.unmark.usage"),
                summary: Localized("cmd.unmark.summary"),
                details: Localized("cmd.unmark.details"),
                run: { i in
                    let a = try await parse(i)
                    var words = a.rest
                    let kind = words.count > 1 ? JournalArguments.markKind(words.last!) : nil
                    if kind != nil { words.removeLast() }
                    guard !words.isEmpty else { throw JournalError.nothingToDo }
                    let (student, count) = try await journal.deleteMarks(student: words.joined(separator: " "), kind: kind, className: a.className,
                                                                         subject: a.subject, date: a.date, number: a.number, for: i.principal!)
                    return BotReply(render.marksDeleted(student, count: count, date: a.date, i))
                }),
            BotCommand(
                name: "absent", aliases: ["пропуск", "нб"], action: .editJournal,
                usage: Localized("cmd.absent.usage"),
                summary: Localized("cmd.absent.summary"),
                details: Localized("cmd.absent.details"),
                run: { i in
                    let a = try await parse(i)
                    let requests = JournalArguments.entries(a.rest).map { words -> (student: String, reason: AbsenceReason) in
                        if words.count > 1, let reason = JournalArguments.absenceReason(words.last!) {
                            return (words.dropLast().joined(separator: " "), reason)
                        }
                        return (words.joined(separator: " "), .unexcused)
                    }
                    let (lesson, results) = try await journal.recordAbsences(requests, className: a.className, subject: a.subject,
                                                                             date: a.date, number: a.number, for: i.principal!)
                    return BotReply(lines: render.absencesSaved(lesson, results, i))
                }),
            BotCommand(
                name: "present", aliases: ["былнауроке", "присутствовал"], action: .editJournal,
                usage: Localized("cmd.present.usage"),
                summary: Localized("cmd.present.summary"),
                details: Localized("cmd.present.details"),
                run: { i in
                    let a = try await parse(i)
                    guard !a.rest.isEmpty else { throw JournalError.nothingToDo }
                    let (student, outcome) = try await journal.deleteAbsence(student: a.rest.joined(separator: " "), className: a.className,
                                                                             subject: a.subject, date: a.date, number: a.number, for: i.principal!)
                    return BotReply(render.absenceDeleted(student, outcome: outcome, date: a.date, i))
                }),
            BotCommand(
                name: "final", aliases: ["итог", "итоговая"], action: .editJournal,
                usage: Localized("cmd.final.usage"),
                summary: Localized("cmd.final.summary"),
                details: Localized("cmd.final.details"),
                run: { i in
                    let base = try await parse(i)
                    // The period comes right after the subject.
                    var period: String?
                    var args = base.rest
                    if let first = args.first, DiaryService.periodOrdinal(first) != nil || ["год", "year"].contains(first.lowercased()) {
                        period = first
                        args.removeFirst()
                    }
                    if args.isEmpty {
                        let (scope, ordinal, proposals) = try await journal.proposeFinals(className: base.className, subject: base.subject,
                                                                                           period: period, for: i.principal!)
                        return BotReply(lines: render.finalProposals(scope, ordinal: ordinal, proposals, i))
                    }
                    let requests = try JournalArguments.entries(args).map { words -> (student: String, value: MarkValue?) in
                        // `Иванов -` deletes the final set by mistake.
                        if words.count > 1, words.last == "-" { return (words.dropLast().joined(separator: " "), nil) }
                        guard words.count > 1, let value = JournalArguments.markValue(words.last!) else {
                            throw JournalError.invalidMark(words.joined(separator: " "))
                        }
                        return (words.dropLast().joined(separator: " "), value)
                    }
                    let (ordinal, results) = try await journal.setFinals(requests, className: base.className, subject: base.subject,
                                                                          period: period, for: i.principal!)
                    return BotReply(lines: render.finalsSaved(ordinal: ordinal, results, i))
                }),
            BotCommand(
                name: "test", aliases: ["кр", "контрольная"], action: .editJournal,
                usage: Localized("cmd.test.usage"),
                summary: Localized("cmd.test.summary"),
                details: Localized("cmd.test.details"),
                run: { i in
                    let a = try await parse(i)
                    let lesson = try await journal.scheduleControlWork(topic: a.rest.joined(separator: " "), className: a.className,
                                                                       subject: a.subject, date: a.date, number: a.number, for: i.principal!)
                    return BotReply(lines: render.controlWorkScheduled(lesson, className: a.className, i))
                }),
            remarkCommand(.remark, journal: journal, render: render),
            remarkCommand(.recommendation, journal: journal, render: render),
            BotCommand(
                name: "unremark", aliases: ["удалитьзамечание"], action: .writeRemark,
                usage: Localized("cmd.unremark.usage"),
                summary: Localized("cmd.unremark.summary"),
                details: Localized("cmd.unremark.details"),
                run: { i in
                    guard let className = i.arguments.first, i.arguments.count >= 2 else { throw JournalError.nothingToDo }
                    let (student, remark) = try await journal.deleteRemark(student: i.arguments.dropFirst().joined(separator: " "),
                                                                           className: className, for: i.principal!)
                    return BotReply(render.remarkDeleted(student, remark, i))
                }),
        ]
    }

    static func remarkCommand(_ kind: Remark.Kind, journal: JournalService, render: JournalRendering) -> BotCommand {
        let remark = kind == .remark
        return BotCommand(
            name: remark ? "remark" : "recommend", aliases: remark ? ["замечание"] : ["рекомендация"], action: .writeRemark,
            usage: remark ? Localized("cmd.remark.usage") : Localized("cmd.recommend.usage"),
            summary: remark ? Localized("cmd.remark.summary") : Localized("cmd.recommend.summary"),
            details: remark ? Localized("cmd.remark.details") : Localized("cmd.recommend.details"),
            run: { i in
                guard let className = i.arguments.first else { throw JournalError.nothingToDo }
                let text = i.arguments.dropFirst().joined(separator: " ")
                guard let colon = text.firstIndex(of: ":") else { throw JournalError.emptyText }
                let (student, saved) = try await journal.addRemark(kind, text: String(text[text.index(after: colon)...]),
                                                                   student: String(text[..<colon]), className: className, for: i.principal!)
                return BotReply(render.remarkSaved(student, saved, i))
            })
    }

    /// `тема: … дз: …` (or `topic:`/`homework:`); a field left out is not changed, `дз: -` clears it.
    static func lessonUpdate(_ words: [String]) -> LessonUpdate {
        var update = LessonUpdate()
        var field: String?
        var collected: [String: [String]] = [:]
        let markers: [String: String] = ["тема:": "topic", "topic:": "topic", "дз:": "homework", "homework:": "homework", "задание:": "homework"]
        for word in words {
            if let marker = markers[word.lowercased()] {
                field = marker
                collected[marker] = collected[marker] ?? []
            } else if let field {
                collected[field, default: []].append(word)
            }
        }
        func value(_ key: String) -> String? {
            guard let words = collected[key] else { return nil }
            let text = words.joined(separator: " ")
            return text == "-" ? "" : text
        }
        update.topic = value("topic")
        update.homework = value("homework")
        // Plain text with no marker is the topic.
        if collected.isEmpty && !words.isEmpty { update.topic = words.joined(separator: " ") }
        return update
    }
}
