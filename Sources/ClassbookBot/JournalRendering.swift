import ClassbookDomain
import Foundation

/// Replies of the journal commands, in the person's language.
struct JournalRendering: Sendable {
    let base: DiaryRendering

    private static let weekdaysRU = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
    private static let weekdaysEN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    func day(_ date: SchoolDate, _ i: BotInvocation) -> String {
        "\(i.t(Self.weekdaysRU[date.isoWeekday - 1], Self.weekdaysEN[date.isoWeekday - 1])) \(date.dayMonth)"
    }

    func markValue(_ value: MarkValue, _ i: BotInvocation) -> String {
        base.markText(value, i)
    }

    /// `5`, `4к`: the value with the kind's letter, as the diary shows marks.
    func mark(_ value: MarkValue, kind: String, _ i: BotInvocation) -> String {
        markValue(value, i) + DiaryRendering.kindSuffix(kind)
    }

    private func outcome(_ outcome: WriteOutcome, _ i: BotInvocation) -> String {
        switch outcome {
        case .created: ""
        case .changed: i.t(" (исправлено)", " (corrected)")
        case .unchanged: i.t(" (без изменений)", " (unchanged)")
        case .deleted: i.t(" (удалено)", " (deleted)")
        case .notFound: i.t(" (не найдено)", " (not found)")
        }
    }

    private func lessonTitle(_ lesson: Lesson, _ i: BotInvocation) -> String {
        "\(lesson.subject.name), \(day(lesson.date, i)), " + i.t("\(lesson.number)-й урок", "lesson \(lesson.number)")
    }

    // MARK: Teachers

    func lessonSaved(_ lesson: Lesson, className: String, _ i: BotInvocation) -> [String] {
        [i.t("Записано: ", "Saved: ") + "\(className), " + lessonTitle(lesson, i) + ".",
         i.t("Тема: ", "Topic: ") + (lesson.topic ?? "—") + i.t("; дз: ", "; homework: ") + (lesson.homework ?? "—")
            + (lesson.isControlWork ? i.t(" (контрольная работа)", " (control work)") : "")]
    }

    func marksSaved(_ lesson: Lesson, _ results: [JournalService.MarkResult], _ i: BotInvocation) -> [String] {
        [i.t("Записано: ", "Saved: ") + lessonTitle(lesson, i) + ": "
            + results.map { "\($0.student.shortName) — \(mark($0.value, kind: $0.kind, i))\(outcome($0.outcome, i))" }.joined(separator: ", ") + "."]
    }

    func marksDeleted(_ student: Student, count: Int, date: SchoolDate, _ i: BotInvocation) -> String {
        count == 0
            ? i.t("\(student.shortName): оценок за этот урок (\(date.dayMonth)) нет.", "\(student.shortName) has no marks in that lesson (\(date.dayMonth)).")
            : i.t("Удалено оценок: \(count) (\(student.shortName), \(date.dayMonth)). Удаление видно в истории оценок.",
                  "Deleted \(count) mark(s) of \(student.shortName) (\(date.dayMonth)). The deletion shows in the marks' history.")
    }

    func absencesSaved(_ lesson: Lesson, _ results: [JournalService.AbsenceResult], _ i: BotInvocation) -> [String] {
        [i.t("Записано: ", "Saved: ") + lessonTitle(lesson, i) + ": "
            + results.map { "\($0.student.shortName) — \($0.reason.rawValue)\(outcome($0.outcome, i))" }.joined(separator: ", ") + "."]
    }

    func absenceDeleted(_ student: Student, outcome: WriteOutcome, date: SchoolDate, _ i: BotInvocation) -> String {
        outcome == .deleted
            ? i.t("Пропуск снят: \(student.shortName), \(date.dayMonth).", "Absence removed: \(student.shortName), \(date.dayMonth).")
            : i.t("\(student.shortName): пропуска на этом уроке (\(date.dayMonth)) нет.", "\(student.shortName) has no absence in that lesson (\(date.dayMonth)).")
    }

    func finalProposals(_ scope: JournalService.Scope, ordinal: Int, _ proposals: [JournalService.FinalProposal], _ i: BotInvocation) -> [String] {
        let period = ordinal == 0 ? i.t("год", "the year") : i.t("период \(ordinal)", "period \(ordinal)")
        var lines = ["\(scope.schoolClass.name), \(scope.subject?.name ?? ""), " + i.t("итоговые, \(period)", "finals for \(period)")
                     + i.t(" (средний → предлагаемая; выставлено):", " (average → suggested; set):")]
        for proposal in proposals {
            let average = proposal.average.map { base.number($0, i) } ?? "—"
            let suggested = proposal.suggested.map(String.init) ?? "—"
            let current = proposal.current.map { markValue($0, i) } ?? "—"
            lines.append("\(proposal.student.shortName): \(average) → \(suggested); \(current)")
        }
        lines.append(i.t("Выставить: /final класс предмет период Фамилия оценка, …", "To set: /final class subject period Surname mark, …"))
        return lines
    }

    func finalsSaved(ordinal: Int, _ results: [(Student, MarkValue?, WriteOutcome)], _ i: BotInvocation) -> [String] {
        let period = ordinal == 0 ? i.t("за год", "for the year") : i.t("за период \(ordinal)", "for period \(ordinal)")
        return [i.t("Итоговые \(period): ", "Finals \(period): ")
                + results.map { "\($0.0.shortName) — \($0.1.map { markValue($0, i) } ?? "-")\(outcome($0.2, i))" }.joined(separator: ", ") + "."]
    }

    func controlWorkScheduled(_ lesson: Lesson, className: String, _ i: BotInvocation) -> [String] {
        [i.t("Контрольная работа назначена: ", "Control work scheduled: ") + "\(className), " + lessonTitle(lesson, i)
            + (lesson.topic.map { " — \($0)" } ?? "") + "."]
    }

    func remarkDeleted(_ student: Student, _ remark: Remark?, _ i: BotInvocation) -> String {
        guard let remark else {
            return i.t("Ваших записей в дневнике \(student.shortName) нет.", "You have written nothing in the diary of \(student.shortName).")
        }
        return i.t("Удалено из дневника \(student.shortName): «\(remark.text)» (\(remark.date.dayMonth)).",
                   "Deleted from the diary of \(student.shortName): \"\(remark.text)\" (\(remark.date.dayMonth)).")
    }

    func remarkSaved(_ student: Student, _ remark: Remark, _ i: BotInvocation) -> String {
        (remark.kind == .remark ? i.t("Замечание записано в дневник: ", "Remark written to the diary of ")
            : i.t("Рекомендация записана в дневник: ", "Recommendation written to the diary of ")) + "\(student.shortName) (\(student.className))."
    }

    // MARK: Class teachers

    func sheet(_ sheet: JournalService.JournalSheet, _ i: BotInvocation) -> [String] {
        var lines = ["\(sheet.schoolClass.name), \(sheet.subject.name), \(sheet.from.dayMonth)–\(sheet.through.dayMonth):"]
        guard !sheet.lessons.isEmpty else { return [lines[0] + " " + i.t("уроков нет.", "no lessons.")] }
        let names = Dictionary(sheet.students.map { ($0.id, $0.shortName) }, uniquingKeysWith: { a, _ in a })
        for lesson in sheet.lessons {
            var entries: [String] = []
            for (student, entry) in sheet.marks[lesson.id] ?? [] {
                entries.append("\(names[student] ?? "#\(student.rawValue)") \(mark(entry.value, kind: entry.kind, i))")
            }
            for (student, entry) in sheet.absences[lesson.id] ?? [] {
                entries.append("\(names[student] ?? "#\(student.rawValue)") \(entry.reason.rawValue)")
            }
            lines.append("\(day(lesson.date, i)) №\(lesson.number)" + (lesson.isControlWork ? i.t(" [кр]", " [control]") : "")
                         + ": \(lesson.topic ?? i.t("тема не записана", "no topic")); " + i.t("дз: ", "homework: ") + (lesson.homework ?? "—")
                         + (entries.isEmpty ? "" : " | " + entries.joined(separator: ", ")))
        }
        return lines
    }

    func excused(_ student: Student, count: Int, reason: AbsenceReason, _ i: BotInvocation) -> String {
        count == 0
            ? i.t("\(student.shortName): пропусков «Н» в эти дни нет.", "\(student.shortName) has no unexcused absences on those days.")
            : i.t("Пропусков отмечено как «\(reason.rawValue)»: \(count) (\(student.shortName)).",
                  "\(count) absence(s) of \(student.shortName) are now \(reason.rawValue).")
    }

    func groups(_ scope: JournalService.Scope, _ groups: [StudyGroup], _ students: [Student], _ i: BotInvocation) -> [String] {
        guard !groups.isEmpty else {
            return [i.t("В классе \(scope.schoolClass.name) нет учебных групп. Создать: /group \(scope.schoolClass.name) new имя [предмет]",
                        "Class \(scope.schoolClass.name) has no study groups. Create one: /group \(scope.schoolClass.name) new name [subject]")]
        }
        let names = Dictionary(students.map { ($0.id, $0.shortName) }, uniquingKeysWith: { a, _ in a })
        return [i.t("Учебные группы \(scope.schoolClass.name):", "Study groups of \(scope.schoolClass.name):")]
            + groups.map { group in
                "\(group.name)" + (group.subject.map { " (\($0))" } ?? "") + ": "
                    + (group.members.isEmpty ? "—" : group.members.compactMap { names[$0] }.joined(separator: ", "))
            }
    }

    func groupCreated(_ group: StudyGroup, _ i: BotInvocation) -> String {
        i.t("Группа «\(group.name)» создана. Добавить учеников: /group класс \(group.name) add Фамилия, …",
            "Group \"\(group.name)\" created. Add students: /group class \(group.name) add Surname, …")
    }

    func groupChanged(_ group: StudyGroup, _ students: [Student], added: Bool, changed: Int, _ i: BotInvocation) -> String {
        let names = students.map(\.shortName).joined(separator: ", ")
        return added ? i.t("В группу «\(group.name)» добавлено: \(changed) (\(names)).", "Added to \"\(group.name)\": \(changed) (\(names)).")
            : i.t("Из группы «\(group.name)» убрано: \(changed) (\(names)).", "Removed from \"\(group.name)\": \(changed) (\(names)).")
    }

    func arrived(_ student: Student, date: SchoolDate, _ i: BotInvocation) -> String {
        i.t("\(student.shortName) зачислен(а) в \(student.className) с \(date.russian).", "\(student.shortName) joined \(student.className) on \(date.russian).")
    }

    func departed(_ student: Student, date: SchoolDate, _ i: BotInvocation) -> String {
        i.t("\(student.shortName) выбыл(а) из \(student.className) \(date.russian). Записи сохранены.",
            "\(student.shortName) left \(student.className) on \(date.russian). The records are kept.")
    }

    func fieldName(_ field: PersonalField, _ i: BotInvocation) -> String {
        switch field {
        case .lastName: i.t("фамилия", "surname")
        case .firstName: i.t("имя", "first name")
        case .middleName: i.t("отчество", "patronymic")
        case .birthDate: i.t("дата рождения", "date of birth")
        case .address: i.t("адрес", "address")
        case .phone: i.t("телефон", "phone")
        case .email: i.t("почта", "email")
        case .document: i.t("документ", "document")
        }
    }

    func personalData(_ record: JournalService.PersonalRecord, _ i: BotInvocation) -> [String] {
        [i.t("Анкетные данные: ", "Personal data: ") + "\(record.student.shortName) (\(record.student.className))"]
            + record.fields.map { "\(fieldName($0.0, i)): \($0.1)" }
            + record.guardians.map { guardian in
                i.t("законный представитель: ", "guardian: ") + guardian.name
                    + guardian.details.map { ", \(fieldName($0.0, i)) \($0.1)" }.joined()
            }
    }

    func personalDataSaved(_ student: Student, field: PersonalField, outcome: WriteOutcome, _ i: BotInvocation) -> String {
        outcome == .unchanged ? i.t("Без изменений.", "Unchanged.")
            : i.t("Записано: \(fieldName(field, i)) — \(student.className), \(student.shortName).",
                  "Saved: \(fieldName(field, i)) of \(student.shortName) (\(student.className)).")
    }

    func timetableChanged(_ record: TimetableChangeRecord, className: String, _ i: BotInvocation) -> String {
        let slot = "\(className), \(day(record.date, i)), " + i.t("\(record.number)-й урок", "lesson \(record.number)")
        switch record.change {
        case .substitution(_, let name): return i.t("Замена записана: \(slot) ведёт \(name).", "Substitution saved: \(slot) is taught by \(name).")
        case .cancelled: return i.t("Отмена записана: \(slot).", "Cancellation saved: \(slot).")
        case .moved(let date, let number):
            return i.t("Перенос записан: \(slot) → \(day(date, i)), \(number)-й урок.", "Move saved: \(slot) → \(day(date, i)), lesson \(number).")
        }
    }

    // MARK: Families

    private func header(_ student: Student, _ what: String) -> String { "\(student.shortName), \(student.className) — \(what)" }

    func homework(_ student: Student, days: DiaryService.Days?, _ items: [DiaryService.HomeworkItem], _ i: BotInvocation) -> [String] {
        let range = days.map { days -> String in
            let (from, through) = days.range()
            return " " + (from == through ? day(from, i) : "\(from.dayMonth)–\(through.dayMonth)")
        } ?? ""
        let title = header(student, i.t("домашние задания", "homework")) + range
        guard !items.isEmpty else { return [title + ": " + i.t("заданий нет.", "none.")] }
        return [title + ":"] + items.map { "\(day($0.date, i)), \($0.subject): \($0.text)" }
    }

    func schedule(_ student: Student, days: DiaryService.Days, _ lessons: [ScheduledLesson], _ i: BotInvocation) -> [String] {
        let (from, through) = days.range()
        let title = header(student, i.t("расписание", "timetable")) + " " + (from == through ? day(from, i) : "\(from.dayMonth)–\(through.dayMonth)")
        guard !lessons.isEmpty else { return [title + ": " + i.t("уроков нет.", "no lessons.")] }
        var lines = [title + ":"]
        for lesson in lessons {
            var text = (from == through ? "" : "\(day(lesson.date, i)) ") + "\(lesson.number). \(lesson.subject)"
            if let group = lesson.groupName { text += " (\(group))" }
            switch lesson.status {
            case .asPlanned: text += ", \(lesson.teacherName)"
            case .substituted(let name): text += i.t(" — ЗАМЕНА: \(name)", " — SUBSTITUTE: \(name)")
            case .cancelled: text += i.t(" — ОТМЕНЁН", " — CANCELLED")
            case .movedTo(let date, let number): text += i.t(" — ПЕРЕНЕСЁН на \(day(date, i)), \(number)-й урок", " — MOVED to \(day(date, i)), lesson \(number)")
            case .movedFrom(let date, let number): text += i.t(" — перенесён с \(day(date, i)), \(number)-го урока", " — moved from \(day(date, i)), lesson \(number)")
            }
            if lesson.isControlWork { text += i.t(" [контрольная]", " [control work]") }
            lines.append(text)
        }
        return lines
    }

    func controlWorks(_ student: Student, period: Period, _ lessons: [Lesson], today: SchoolDate, _ i: BotInvocation) -> [String] {
        let title = header(student, i.t("контрольные работы, \(period.name)", "control works, term \(period.ordinal)"))
        guard !lessons.isEmpty else { return [title + ": " + i.t("нет.", "none.")] }
        return [title + ":"] + lessons.map { lesson in
            "\(day(lesson.date, i)), \(lesson.subject.name)" + (lesson.topic.map { ": \($0)" } ?? "")
                + (lesson.date > today ? i.t(" (предстоит)", " (upcoming)") : "")
        }
    }

    func holidays(_ holidays: [Holiday], _ i: BotInvocation) -> [String] {
        guard !holidays.isEmpty else { return [i.t("Каникулы не заданы.", "No holidays are set.")] }
        return [i.t("Каникулы:", "Holidays:")] + holidays.map { "\($0.name): \($0.start.russian) – \($0.end.russian)" }
    }

    func teachers(_ student: Student, classTeacher: String?, _ assignments: [Assignment], _ i: BotInvocation) -> [String] {
        var lines = [header(student, i.t("учителя", "teachers")) + ":"]
        if let classTeacher { lines.append(i.t("Классный руководитель: ", "Class teacher: ") + classTeacher) }
        lines += assignments.map { "\($0.subject.name)" + ($0.groupName.map { " (\($0))" } ?? "") + ": \($0.teacherName)" }
        return lines
    }

    func remarks(_ student: Student, period: Period, _ remarks: [Remark], _ i: BotInvocation) -> [String] {
        let title = header(student, i.t("замечания и рекомендации, \(period.name)", "remarks and recommendations, term \(period.ordinal)"))
        guard !remarks.isEmpty else { return [title + ": " + i.t("нет.", "none.")] }
        return [title + ":"] + remarks.map { remark in
            let kind = remark.kind == .remark ? i.t("замечание", "remark") : i.t("рекомендация", "recommendation")
            return "\(remark.date.dayMonth), \(kind)" + (remark.subject.map { " (\($0))" } ?? "") + ", \(remark.authorName): \(remark.text)"
        }
    }

    func history(_ student: Student, period: Period, _ events: [MarkHistoryEvent], _ i: BotInvocation) -> [String] {
        let title = header(student, i.t("история оценок, \(period.name)", "history of marks, term \(period.ordinal)"))
        guard !events.isEmpty else { return [title + ": " + i.t("записей нет.", "nothing recorded.")] }
        return [title + ":"] + events.map { event in
            let who = event.actorName.isEmpty ? i.t("загружено администратором", "loaded by the administrator") : event.actorName
            let what: String
            switch event.change {
            case .set(let state): what = i.t("поставлена ", "set ") + mark(state.value, kind: state.kind, i)
            case .changed(let from, let to): what = i.t("исправлена ", "changed ") + "\(mark(from.value, kind: from.kind, i)) → \(mark(to.value, kind: to.kind, i))"
            case .deleted(let state): what = i.t("удалена ", "deleted ") + mark(state.value, kind: state.kind, i)
            }
            return "\(base.time(event.at)): \(event.subject), " + i.t("урок \(event.lessonDate.dayMonth)", "lesson of \(event.lessonDate.dayMonth)")
                + " — \(what) (\(who))"
        }
    }
}
