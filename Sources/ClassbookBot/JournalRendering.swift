import ClassbookDomain
import ClassbookText
import Foundation

/// Replies of the journal commands, in the person's language.
struct JournalRendering: Sendable {
    let base: DiaryRendering

    func day(_ date: SchoolDate, _ i: any Wording) -> String {
        "\(weekday(date.isoWeekday, i)) \(date.dayMonth)"
    }

    /// `пн`, `Mon`: ISO weekday 1 is Monday.
    func weekday(_ isoWeekday: Int, _ i: any Wording) -> String {
        switch isoWeekday {
        case 1: i.t("weekday.short.1")
        case 2: i.t("weekday.short.2")
        case 3: i.t("weekday.short.3")
        case 4: i.t("weekday.short.4")
        case 5: i.t("weekday.short.5")
        case 6: i.t("weekday.short.6")
        default: i.t("weekday.short.7")
        }
    }

    func markValue(_ value: MarkValue, _ i: any Wording) -> String {
        base.markText(value, i)
    }

    /// `5`, `4к`: the value with the kind's letter, as the diary shows marks.
    func mark(_ value: MarkValue, kind: String, _ i: any Wording) -> String {
        markValue(value, i) + DiaryRendering.kindSuffix(kind, i)
    }

    private func outcome(_ outcome: WriteOutcome, _ i: any Wording) -> String {
        switch outcome {
        case .created: ""
        case .changed: i.t("journal.corrected")
        case .unchanged: i.t("journal.unchanged")
        case .deleted: i.t("journal.deleted")
        case .notFound: i.t("journal.found")
        }
    }

    private func lessonTitle(_ lesson: Lesson, _ i: any Wording) -> String {
        "\(lesson.subject.name), \(day(lesson.date, i)), " + i.t("journal.lesson", ["number": lesson.number])
    }

    // MARK: Teachers

    func lessonSaved(_ lesson: Lesson, className: String, _ i: any Wording) -> [String] {
        [
            i.t("journal.saved") + "\(className), " + lessonTitle(lesson, i) + ".",
            i.t("journal.topic") + (lesson.topic ?? "—") + i.t("journal.homework") + (lesson.homework ?? "—")
                + (lesson.isControlWork ? i.t("journal.controlWork") : "")
        ]
    }

    func marksSaved(_ lesson: Lesson, _ results: [JournalService.MarkResult], _ i: any Wording) -> [String] {
        [
            i.t("journal.saved") + lessonTitle(lesson, i) + ": "
                + results.map {
                    "\($0.student.shortName) — \(mark($0.value, kind: $0.kind, i))\(outcome($0.outcome, i))"
                }.joined(separator: ", ") + "."
        ]
    }

    func marksDeleted(_ student: Student, count: Int, date: SchoolDate, _ i: any Wording) -> String {
        count == 0
            ? i.t("journal.hasMarksLesson", ["studentShortName": student.shortName, "dateDayMonth": date.dayMonth])
            : i.t(
                "journal.deletedMarkSDeletion",
                ["count": count, "studentShortName": student.shortName, "dateDayMonth": date.dayMonth])
    }

    func absencesSaved(_ lesson: Lesson, _ results: [JournalService.AbsenceResult], _ i: any Wording) -> [String] {
        [
            i.t("journal.saved") + lessonTitle(lesson, i) + ": "
                + results.map { "\($0.student.shortName) — \($0.reason.rawValue)\(outcome($0.outcome, i))" }.joined(
                    separator: ", ") + "."
        ]
    }

    func absenceDeleted(_ student: Student, outcome: WriteOutcome, date: SchoolDate, _ i: any Wording) -> String {
        outcome == .deleted
            ? i.t("journal.absenceRemoved", ["studentShortName": student.shortName, "dateDayMonth": date.dayMonth])
            : i.t("journal.hasAbsenceLesson", ["studentShortName": student.shortName, "dateDayMonth": date.dayMonth])
    }

    func finalProposals(
        _ scope: JournalService.Scope, ordinal: Int, _ proposals: [JournalService.FinalProposal], _ i: any Wording
    ) -> [String] {
        let period = ordinal == 0 ? i.t("journal.year") : i.t("journal.period", ["ordinal": ordinal])
        var lines = [
            "\(scope.schoolClass.name), \(scope.subject?.name ?? ""), " + i.t("journal.finals", ["period": period])
                + i.t("journal.averageSuggestedSet")
        ]
        for proposal in proposals {
            let average = proposal.average.map { base.number($0, i) } ?? "—"
            let suggested = proposal.suggested.map(String.init) ?? "—"
            let current = proposal.current.map { markValue($0, i) } ?? "—"
            lines.append("\(proposal.student.shortName): \(average) → \(suggested); \(current)")
        }
        lines.append(i.t("journal.setFinalClassSubject"))
        return lines
    }

    func finalsSaved(ordinal: Int, _ results: [(Student, MarkValue?, WriteOutcome)], _ i: any Wording) -> [String] {
        let period = ordinal == 0 ? i.t("journal.year2") : i.t("journal.period2", ["ordinal": ordinal])
        return [
            i.t("journal.finals2", ["period": period])
                + results.map { "\($0.0.shortName) — \($0.1.map { markValue($0, i) } ?? "-")\(outcome($0.2, i))" }
                .joined(separator: ", ") + "."
        ]
    }

    func controlWorkScheduled(_ lesson: Lesson, className: String, _ i: any Wording) -> [String] {
        [
            i.t("journal.controlWorkScheduled") + "\(className), " + lessonTitle(lesson, i)
                + (lesson.topic.map { " — \($0)" } ?? "") + "."
        ]
    }

    func remarkDeleted(_ student: Student, _ remark: Remark?, _ i: any Wording) -> String {
        guard let remark else {
            return i.t("journal.haveWrittenNothingDiary", ["studentShortName": student.shortName])
        }
        return i.t(
            "journal.deletedFromDiary",
            ["studentShortName": student.shortName, "text": remark.text, "dateDayMonth": remark.date.dayMonth])
    }

    func remarkSaved(_ student: Student, _ remark: Remark, _ i: any Wording) -> String {
        (remark.kind == .remark
            ? i.t("journal.remarkWrittenDiary")
            : i.t("journal.recommendationWrittenDiary")) + "\(student.shortName) (\(student.className))."
    }

    // MARK: Class teachers

    func sheet(_ sheet: JournalService.JournalSheet, _ i: any Wording) -> [String] {
        var lines = [
            "\(sheet.schoolClass.name), \(sheet.subject.name), \(sheet.from.dayMonth)–\(sheet.through.dayMonth):"
        ]
        guard !sheet.lessons.isEmpty else { return [lines[0] + " " + i.t("journal.lessons")] }
        let names = Dictionary(sheet.students.map { ($0.id, $0.shortName) }, uniquingKeysWith: { a, _ in a })
        for lesson in sheet.lessons {
            var entries: [String] = []
            for (student, entry) in sheet.marks[lesson.id] ?? [] {
                entries.append("\(names[student] ?? "#\(student.rawValue)") \(mark(entry.value, kind: entry.kind, i))")
            }
            for (student, entry) in sheet.absences[lesson.id] ?? [] {
                entries.append("\(names[student] ?? "#\(student.rawValue)") \(entry.reason.rawValue)")
            }
            lines.append(
                "\(day(lesson.date, i)) №\(lesson.number)" + (lesson.isControlWork ? i.t("journal.control") : "")
                    + ": \(lesson.topic ?? i.t("journal.topic2")); " + i.t("journal.homework2")
                    + (lesson.homework ?? "—")
                    + (entries.isEmpty ? "" : " | " + entries.joined(separator: ", ")))
        }
        return lines
    }

    func excused(_ student: Student, count: Int, reason: AbsenceReason, _ i: any Wording) -> String {
        count == 0
            ? i.t("journal.hasUnexcusedAbsencesThose", ["studentShortName": student.shortName])
            : i.t(
                "journal.absenceSAreNow",
                ["reasonRawValue": reason.rawValue, "count": count, "studentShortName": student.shortName])
    }

    func groups(_ scope: JournalService.Scope, _ groups: [StudyGroup], _ students: [Student], _ i: any Wording)
        -> [String]
    {
        guard !groups.isEmpty else {
            return [i.t("journal.classHasStudyGroups", ["schoolClassName": scope.schoolClass.name])]
        }
        let names = Dictionary(students.map { ($0.id, $0.shortName) }, uniquingKeysWith: { a, _ in a })
        return [i.t("journal.studyGroups", ["schoolClassName": scope.schoolClass.name])]
            + groups.map { group in
                "\(group.name)" + (group.subject.map { " (\($0))" } ?? "") + ": "
                    + (group.members.isEmpty ? "—" : group.members.compactMap { names[$0] }.joined(separator: ", "))
            }
    }

    func groupCreated(_ group: StudyGroup, _ i: any Wording) -> String {
        i.t("journal.groupCreatedAddStudents", ["groupName": group.name])
    }

    func groupChanged(_ group: StudyGroup, _ students: [Student], added: Bool, changed: Int, _ i: any Wording) -> String
    {
        let names = students.map(\.shortName).joined(separator: ", ")
        return added
            ? i.t("journal.added", ["groupName": group.name, "changed": changed, "names": names])
            : i.t("journal.removedFrom", ["groupName": group.name, "changed": changed, "names": names])
    }

    func arrived(_ student: Student, date: SchoolDate, _ i: any Wording) -> String {
        i.t(
            "journal.joined",
            ["studentShortName": student.shortName, "className": student.className, "russian": date.russian])
    }

    func departed(_ student: Student, date: SchoolDate, _ i: any Wording) -> String {
        i.t(
            "journal.leftRecordsAreKept",
            ["studentShortName": student.shortName, "className": student.className, "russian": date.russian])
    }

    func fieldName(_ field: PersonalField, _ i: any Wording) -> String {
        switch field {
        case .lastName: i.t("journal.surname")
        case .firstName: i.t("journal.firstName")
        case .middleName: i.t("journal.patronymic")
        case .birthDate: i.t("journal.dateBirth")
        case .address: i.t("journal.address")
        case .phone: i.t("journal.phone")
        case .email: i.t("journal.email")
        case .document: i.t("journal.document")
        }
    }

    func personalData(_ record: JournalService.PersonalRecord, _ i: any Wording) -> [String] {
        [i.t("journal.personalData") + "\(record.student.shortName) (\(record.student.className))"]
            + record.fields.map { "\(fieldName($0.0, i)): \($0.1)" }
            + record.guardians.map { guardian in
                i.t("journal.guardian") + guardian.name
                    + guardian.details.map { ", \(fieldName($0.0, i)) \($0.1)" }.joined()
            }
    }

    func personalDataSaved(_ student: Student, field: PersonalField, outcome: WriteOutcome, _ i: any Wording) -> String
    {
        outcome == .unchanged
            ? i.t("journal.unchanged2")
            : i.t(
                "journal.saved2",
                [
                    "fieldName": fieldName(field, i), "className": student.className,
                    "studentShortName": student.shortName
                ])
    }

    func timetableChanged(_ record: TimetableChangeRecord, className: String, _ i: any Wording) -> String {
        let slot = "\(className), \(day(record.date, i)), " + i.t("journal.lesson", ["number": record.number])
        switch record.change {
        case .substitution(_, let name): return i.t("journal.substitutionSavedTaught", ["slot": slot, "name": name])
        case .cancelled: return i.t("journal.cancellationSaved", ["slot": slot])
        case .moved(let date, let number):
            return i.t("journal.moveSavedLesson", ["slot": slot, "day": day(date, i), "number": number])
        }
    }

    // MARK: Families

    private func header(_ student: Student, _ what: String) -> String {
        "\(student.shortName), \(student.className) — \(what)"
    }

    func homework(_ student: Student, days: DiaryService.Days?, _ items: [DiaryService.HomeworkItem], _ i: any Wording)
        -> [String]
    {
        let range =
            days.map { days -> String in
                let (from, through) = days.range()
                return " " + (from == through ? day(from, i) : "\(from.dayMonth)–\(through.dayMonth)")
            } ?? ""
        let title = header(student, i.t("journal.homework3")) + range
        guard !items.isEmpty else { return [title + ": " + i.t("journal.none")] }
        return [title + ":"] + items.map { "\(day($0.date, i)), \($0.subject): \($0.text)" }
    }

    func schedule(_ student: Student, days: DiaryService.Days, _ lessons: [ScheduledLesson], _ i: any Wording)
        -> [String]
    {
        let (from, through) = days.range()
        let title =
            header(student, i.t("journal.timetable")) + " "
            + (from == through ? day(from, i) : "\(from.dayMonth)–\(through.dayMonth)")
        guard !lessons.isEmpty else { return [title + ": " + i.t("journal.lessons")] }
        var lines = [title + ":"]
        for lesson in lessons {
            var text = (from == through ? "" : "\(day(lesson.date, i)) ") + "\(lesson.number). \(lesson.subject)"
            if let group = lesson.groupName { text += " (\(group))" }
            switch lesson.status {
            case .asPlanned: text += ", \(lesson.teacherName)"
            case .substituted(let name): text += i.t("journal.substitute", ["name": name])
            case .cancelled: text += i.t("journal.cancelled")
            case .movedTo(let date, let number):
                text += i.t("journal.movedLesson", ["day": day(date, i), "number": number])
            case .movedFrom(let date, let number):
                text += i.t("journal.movedFromLesson", ["day": day(date, i), "number": number])
            }
            if lesson.isControlWork { text += i.t("journal.controlWork2") }
            lines.append(text)
        }
        return lines
    }

    func controlWorks(_ student: Student, period: Period, _ lessons: [Lesson], today: SchoolDate, _ i: any Wording)
        -> [String]
    {
        let title = header(
            student, i.t("journal.controlWorksTerm", ["periodName": period.name, "ordinal": period.ordinal]))
        guard !lessons.isEmpty else { return [title + ": " + i.t("journal.none2")] }
        return [title + ":"]
            + lessons.map { lesson in
                "\(day(lesson.date, i)), \(lesson.subject.name)" + (lesson.topic.map { ": \($0)" } ?? "")
                    + (lesson.date > today ? i.t("journal.upcoming") : "")
            }
    }

    func holidays(_ holidays: [Holiday], _ i: any Wording) -> [String] {
        guard !holidays.isEmpty else { return [i.t("journal.holidaysAreSet")] }
        return [i.t("journal.holidays")] + holidays.map { "\($0.name): \($0.start.russian) – \($0.end.russian)" }
    }

    func teachers(_ student: Student, classTeacher: String?, _ assignments: [Assignment], _ i: any Wording) -> [String]
    {
        var lines = [header(student, i.t("journal.teachers")) + ":"]
        if let classTeacher { lines.append(i.t("journal.classTeacher") + classTeacher) }
        lines += assignments.map {
            "\($0.subject.name)" + ($0.groupName.map { " (\($0))" } ?? "") + ": \($0.teacherName)"
        }
        return lines
    }

    func remarks(_ student: Student, period: Period, _ remarks: [Remark], _ i: any Wording) -> [String] {
        let title = header(
            student, i.t("journal.remarksRecommendationsTerm", ["periodName": period.name, "ordinal": period.ordinal]))
        guard !remarks.isEmpty else { return [title + ": " + i.t("journal.none2")] }
        return [title + ":"]
            + remarks.map { remark in
                let kind = remark.kind == .remark ? i.t("journal.remark") : i.t("journal.recommendation")
                return "\(remark.date.dayMonth), \(kind)" + (remark.subject.map { " (\($0))" } ?? "")
                    + ", \(remark.authorName): \(remark.text)"
            }
    }

    func history(_ student: Student, period: Period, _ events: [MarkHistoryEvent], _ i: any Wording) -> [String] {
        let title = header(
            student, i.t("journal.historyMarksTerm", ["periodName": period.name, "ordinal": period.ordinal]))
        guard !events.isEmpty else { return [title + ": " + i.t("journal.nothingRecorded")] }
        return [title + ":"]
            + events.map { event in
                let who = event.actorName.isEmpty ? i.t("journal.loadedAdministrator") : event.actorName
                let what: String
                switch event.change {
                case .set(let state): what = i.t("journal.set") + mark(state.value, kind: state.kind, i)
                case .changed(let from, let to):
                    what =
                        i.t("journal.changed")
                        + "\(mark(from.value, kind: from.kind, i)) → \(mark(to.value, kind: to.kind, i))"
                case .deleted(let state): what = i.t("journal.deleted2") + mark(state.value, kind: state.kind, i)
                }
                return "\(base.time(event.at)): \(event.subject), "
                    + i.t("journal.lesson2", ["lessonDateDayMonth": event.lessonDate.dayMonth])
                    + " — \(what) (\(who))"
            }
    }
}
