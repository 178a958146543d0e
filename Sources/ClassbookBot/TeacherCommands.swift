import ClassbookDomain
import ClassbookText
import Foundation

/// Commands of subject teachers: they fill the journal of their own classes and subjects.
enum TeacherCommands {
    static func table(journal: JournalService, render: JournalRendering) -> [BotCommand] {
        /// `7А алгебра [24.11] [№3]`: the lesson a journal command is about.
        let lesson: [ArgumentPart] = [
            .required(.schoolClass), .required(.subject), .optional(.date), .optional(.lessonNumber)
        ]
        return [
            BotCommand(
                name: "lesson", aliases: ["урок"], action: .editJournal,
                usage: Localized("cmd.lesson.usage"), summary: Localized("cmd.lesson.summary"),
                details: Localized("cmd.lesson.details"),
                grammar: lesson + [.required(.lessonFields)],
                run: { r in
                    let a = r.arguments
                    let saved = try await journal.recordLesson(
                        (try a.lessonFields.required()), className: (try a.schoolClass.required()),
                        subject: (try a.subject.required()),
                        date: a.date ?? journal.today, number: a.lessonNumber, for: r.principal)
                    let schoolClass = try a.schoolClass.required()
                    return Reply { w in render.lessonSaved(saved, className: schoolClass, w) }
                }),
            BotCommand(
                name: "mark", aliases: ["оценка", "отметка"], action: .editJournal,
                usage: Localized("cmd.mark.usage"), summary: Localized("cmd.mark.summary"),
                details: Localized("cmd.mark.details"),
                grammar: lesson + [.required(.marks)],
                run: { r in
                    let a = r.arguments
                    let (saved, results) = try await journal.enterMarks(
                        a.marks, className: (try a.schoolClass.required()), subject: (try a.subject.required()),
                        date: a.date ?? journal.today, number: a.lessonNumber, for: r.principal)
                    return Reply { w in render.marksSaved(saved, results, w) }
                }),
            BotCommand(
                name: "unmark", aliases: ["удалитьоценку"], action: .editJournal,
                usage: Localized("cmd.unmark.usage"), summary: Localized("cmd.unmark.summary"),
                details: Localized("cmd.unmark.details"),
                grammar: lesson + [.required(.person), .optional(.markKind)],
                run: { r in
                    let a = r.arguments
                    let date = a.date ?? journal.today
                    let (student, count) = try await journal.deleteMarks(
                        student: (try a.person.required()), kind: a.markKind, className: (try a.schoolClass.required()),
                        subject: (try a.subject.required()), date: date, number: a.lessonNumber,
                        for: r.principal)
                    return Reply { w in [render.marksDeleted(student, count: count, date: date, w)] }
                }),
            BotCommand(
                name: "absent", aliases: ["пропуск", "нб"], action: .editJournal,
                usage: Localized("cmd.absent.usage"), summary: Localized("cmd.absent.summary"),
                details: Localized("cmd.absent.details"),
                grammar: lesson + [.required(.absences)],
                run: { r in
                    let a = r.arguments
                    let (saved, results) = try await journal.recordAbsences(
                        a.absences, className: (try a.schoolClass.required()), subject: (try a.subject.required()),
                        date: a.date ?? journal.today, number: a.lessonNumber,
                        for: r.principal)
                    return Reply { w in render.absencesSaved(saved, results, w) }
                }),
            BotCommand(
                name: "present", aliases: ["былнауроке", "присутствовал"], action: .editJournal,
                usage: Localized("cmd.present.usage"), summary: Localized("cmd.present.summary"),
                details: Localized("cmd.present.details"), grammar: lesson + [.required(.person)],
                run: { r in
                    let a = r.arguments
                    let date = a.date ?? journal.today
                    let (student, outcome) = try await journal.deleteAbsence(
                        student: (try a.person.required()), className: (try a.schoolClass.required()),
                        subject: (try a.subject.required()),
                        date: date, number: a.lessonNumber, for: r.principal)
                    return Reply { w in [render.absenceDeleted(student, outcome: outcome, date: date, w)] }
                }),
            BotCommand(
                name: "final", aliases: ["итог", "итоговая"], action: .editJournal,
                usage: Localized("cmd.final.usage"), summary: Localized("cmd.final.summary"),
                details: Localized("cmd.final.details"),
                grammar: [.required(.schoolClass), .required(.subject), .optional(.finalPeriod), .optional(.finals)],
                run: { r in
                    let a = r.arguments
                    if a.finals.isEmpty {
                        let (scope, ordinal, proposals) = try await journal.proposeFinals(
                            className: (try a.schoolClass.required()), subject: (try a.subject.required()),
                            period: a.finalPeriod, for: r.principal)
                        return Reply { w in render.finalProposals(scope, ordinal: ordinal, proposals, w) }
                    }
                    let (ordinal, results) = try await journal.setFinals(
                        a.finals, className: (try a.schoolClass.required()), subject: (try a.subject.required()),
                        period: a.finalPeriod, for: r.principal)
                    return Reply { w in render.finalsSaved(ordinal: ordinal, results, w) }
                }),
            BotCommand(
                name: "test", aliases: ["кр", "контрольная"], action: .editJournal,
                usage: Localized("cmd.test.usage"), summary: Localized("cmd.test.summary"),
                details: Localized("cmd.test.details"),
                grammar: [
                    .required(.schoolClass), .required(.subject), .required(.date), .optional(.lessonNumber),
                    .optional(.text)
                ],
                run: { r in
                    let a = r.arguments
                    let saved = try await journal.scheduleControlWork(
                        topic: a.freeText ?? "", className: (try a.schoolClass.required()),
                        subject: (try a.subject.required()),
                        date: (try a.date.required()), number: a.lessonNumber, for: r.principal)
                    let schoolClass = try a.schoolClass.required()
                    return Reply { w in render.controlWorkScheduled(saved, className: schoolClass, w) }
                }),
            remarkCommand(.remark, journal: journal, render: render),
            remarkCommand(.recommendation, journal: journal, render: render),
            BotCommand(
                name: "unremark", aliases: ["удалитьзамечание"], action: .writeRemark,
                usage: Localized("cmd.unremark.usage"), summary: Localized("cmd.unremark.summary"),
                details: Localized("cmd.unremark.details"), grammar: [.required(.schoolClass), .required(.person)],
                run: { r in
                    let (student, remark) = try await journal.deleteRemark(
                        student: (try r.arguments.person.required()),
                        className: (try r.arguments.schoolClass.required()),
                        for: r.principal)
                    return Reply { w in [render.remarkDeleted(student, remark, w)] }
                })
        ]
    }

    static func remarkCommand(_ kind: Remark.Kind, journal: JournalService, render: JournalRendering) -> BotCommand {
        let remark = kind == .remark
        return BotCommand(
            name: remark ? "remark" : "recommend", aliases: remark ? ["замечание"] : ["рекомендация"],
            action: .writeRemark,
            usage: remark ? Localized("cmd.remark.usage") : Localized("cmd.recommend.usage"),
            summary: remark ? Localized("cmd.remark.summary") : Localized("cmd.recommend.summary"),
            details: remark ? Localized("cmd.remark.details") : Localized("cmd.recommend.details"),
            grammar: [.required(.schoolClass), .required(.addressedText)],
            run: { r in
                let (person, text) = (try r.arguments.addressed.required())
                let (student, saved) = try await journal.addRemark(
                    kind, text: text, student: person, className: (try r.arguments.schoolClass.required()),
                    for: r.principal)
                return Reply { w in [render.remarkSaved(student, saved, w)] }
            })
    }
}
