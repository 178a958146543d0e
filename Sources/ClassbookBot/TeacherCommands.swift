import ClassbookDomain
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
                usage: Localized(ru: "/lesson класс предмет [дата] [№урока] тема: … дз: …", en: "/lesson class subject [date] [#N] topic: … homework: …"),
                summary: Localized(ru: "тема урока и домашнее задание", en: "a lesson's topic and homework"),
                details: Localized(
                    ru: "Записывает тему и (или) домашнее задание урока. Дата — сегодня, если не указана (24.11, вчера); урок — по расписанию, или №3. Пример: /lesson 7А алгебра тема: Системы уравнений дз: §12, №3–5",
                    en: "Records a lesson's topic and/or homework. The date is today unless given (24.11, yesterday); the lesson is found in the timetable, or give #3. Example: /lesson 7А algebra topic: Systems of equations homework: §12"),
                run: { i in
                    let a = try await parse(i)
                    let update = lessonUpdate(a.rest)
                    let lesson = try await journal.recordLesson(update, className: a.className, subject: a.subject, date: a.date,
                                                                number: a.number, for: i.principal!)
                    return BotReply(lines: render.lessonSaved(lesson, className: a.className, i))
                }),
            BotCommand(
                name: "mark", aliases: ["оценка", "отметка"], action: .editJournal,
                usage: Localized(ru: "/mark класс предмет [дата] [№урока] Фамилия оценка [вид] [(комментарий)], …",
                                 en: "/mark class subject [date] [#N] Surname mark [kind] [(comment)], …"),
                summary: Localized(ru: "поставить оценки одному ученику или всему классу", en: "enter marks for one student or a whole class"),
                details: Localized(
                    ru: "Оценки 1–5, зач, незач. Вид: кр — контрольная, ср — самостоятельная, тест, дз, уо — ответ на уроке (по умолчанию; на контрольной — кр). Повторная оценка того же вида за тот же урок исправляет прежнюю. Если хоть одна фамилия не найдена, ничего не записывается. Пример: /mark 7А алгебра Иванов 5, Петров 4 кр, Сидорова 3 (у доски)",
                    en: "Marks 1–5, pass, fail. Kind: кр control work, ср independent work, тест test, дз homework, уо answer in class (the default; in a control work, кр). A second mark of the same kind in the same lesson corrects the first. If any surname is not found, nothing is written. Example: /mark 7А algebra Ivanov 5, Petrov 4 кр"),
                run: { i in
                    let a = try await parse(i)
                    let requests = try JournalArguments.entries(a.rest).map(JournalArguments.markRequest)
                    let (lesson, results) = try await journal.enterMarks(requests, className: a.className, subject: a.subject, date: a.date,
                                                                         number: a.number, for: i.principal!)
                    return BotReply(lines: render.marksSaved(lesson, results, i))
                }),
            BotCommand(
                name: "unmark", aliases: ["удалитьоценку"], action: .editJournal,
                usage: Localized(ru: "/unmark класс предмет [дата] [№урока] Фамилия [вид]", en: "/unmark class subject [date] [#N] Surname [kind]"),
                summary: Localized(ru: "удалить оценку, поставленную по ошибке", en: "delete a mark entered by mistake"),
                details: Localized(
                    ru: "Удаляет оценки ученика за урок (только указанного вида, если он назван). Удаление видно родителям в /history.",
                    en: "Deletes the student's marks in the lesson (only of the kind named, if any). Guardians see the deletion in /history."),
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
                usage: Localized(ru: "/absent класс предмет [дата] [№урока] Фамилия [н|уп|б|оп], …", en: "/absent class subject [date] [#N] Surname [н|уп|б|оп], …"),
                summary: Localized(ru: "отметить отсутствующих на уроке", en: "record who missed a lesson"),
                details: Localized(
                    ru: "Причина: н — без уважительной (по умолчанию), уп — уважительная, б — болезнь, оп — опоздание. Пример: /absent 7А алгебра Иванов, Петров оп",
                    en: "Reason: н unexcused (the default), уп excused, б illness, оп late. Example: /absent 7А algebra Ivanov, Petrov оп"),
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
                usage: Localized(ru: "/present класс предмет [дата] [№урока] Фамилия", en: "/present class subject [date] [#N] Surname"),
                summary: Localized(ru: "снять пропуск, отмеченный по ошибке", en: "remove an absence recorded by mistake"),
                details: Localized(ru: "Удаляет пропуск ученика на уроке.", en: "Removes the student's absence from the lesson."),
                run: { i in
                    let a = try await parse(i)
                    guard !a.rest.isEmpty else { throw JournalError.nothingToDo }
                    let (student, outcome) = try await journal.deleteAbsence(student: a.rest.joined(separator: " "), className: a.className,
                                                                             subject: a.subject, date: a.date, number: a.number, for: i.principal!)
                    return BotReply(render.absenceDeleted(student, outcome: outcome, date: a.date, i))
                }),
            BotCommand(
                name: "final", aliases: ["итог", "итоговая"], action: .editJournal,
                usage: Localized(ru: "/final класс предмет [период|год] [Фамилия оценка, …]", en: "/final class subject [period|year] [Surname mark, …]"),
                summary: Localized(ru: "итоговые оценки: расчёт и выставление", en: "final marks: suggested and set"),
                details: Localized(
                    ru: "Без оценок показывает средневзвешенный балл каждого ученика и предлагаемую итоговую (по порогу округления школы). С оценками выставляет их; «-» вместо оценки удаляет выставленную. Пример: /final 7А алгебра 2 Иванов 5, Петров 4; /final 7А алгебра год",
                    en: "Without marks, shows each student's weighted average and the suggested final (by the school's rounding threshold). With marks, sets them; \"-\" for a mark deletes the final set. Example: /final 7А algebra 2 Ivanov 5, Petrov 4"),
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
                usage: Localized(ru: "/test класс предмет дата [№урока] [тема]", en: "/test class subject date [#N] [topic]"),
                summary: Localized(ru: "назначить контрольную работу", en: "schedule a control work"),
                details: Localized(
                    ru: "Отмечает урок в этот день контрольной работой; родители видят её в /tests и в расписании. Пример: /test 7А алгебра 27.11 Системы уравнений",
                    en: "Marks that day's lesson as a control work; guardians see it in /tests and in the schedule. Example: /test 7А algebra 27.11 Systems of equations"),
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
                usage: Localized(ru: "/unremark класс Фамилия", en: "/unremark class Surname"),
                summary: Localized(ru: "удалить своё последнее замечание или рекомендацию ученику", en: "delete your latest remark or recommendation to a student"),
                details: Localized(ru: "Удаляет последнюю запись, которую вы сделали в дневник этого ученика. Пример: /unremark 7А Иванов",
                                   en: "Deletes the latest note you wrote in this student's diary. Example: /unremark 7А Ivanov"),
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
            usage: Localized(ru: remark ? "/remark класс Фамилия: текст" : "/recommend класс Фамилия: текст",
                             en: remark ? "/remark class Surname: text" : "/recommend class Surname: text"),
            summary: remark ? Localized(ru: "замечание в дневник ученика", en: "a remark in a student's diary")
                : Localized(ru: "рекомендация в дневник ученика", en: "a recommendation in a student's diary"),
            details: Localized(
                ru: "Пишет в дневник ученика; родители видят это в /remarks. Фамилию отделяют двоеточием. Пример: /\(remark ? "remark" : "recommend") 7А Иванов: \(remark ? "не выполнил домашнее задание" : "повторить формулы сокращённого умножения")",
                en: "Writes into the student's diary; guardians see it in /remarks. End the surname with a colon. Example: /\(remark ? "remark" : "recommend") 7А Ivanov: \(remark ? "no homework today" : "revise the formulas")"),
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
