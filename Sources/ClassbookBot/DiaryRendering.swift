import ClassbookDomain
import Foundation

/// Turns diary reports into reply lines in the person's language.
struct DiaryRendering: Sendable {
    let timeZone: TimeZone
    /// `/marks` replies as last rendered. The report is the stamp: one that `DiaryService`
    /// kept (`MarksReportMemo`) compares equal to itself in a few steps, its arrays being the
    /// same storage, and the lines depend on nothing else but the language.
    let markReplies = StampedMemo<MarkReplyKey, DiaryService.MarksReport, [String]>()

    struct MarkReplyKey: Hashable, Sendable {
        var student: StudentID
        var period: Int
        var language: Language
    }

    func marks(_ report: DiaryService.MarksReport, _ i: BotInvocation) -> [String] {
        let key = MarkReplyKey(student: report.student.id, period: report.period.ordinal, language: i.language)
        if let lines = markReplies.value(key, stamp: report) { return lines }
        let lines = renderMarks(report, i)
        markReplies.store(lines, for: key, stamp: report)
        return lines
    }

    private func renderMarks(_ report: DiaryService.MarksReport, _ i: BotInvocation) -> [String] {
        let header = "\(report.student.shortName), \(report.student.className) — "
            + i.t("оценки, \(report.period.name)", "marks, term \(report.period.ordinal)")
            + " (\(report.period.start.dayMonth)–\(report.period.end.dayMonth))"
        guard !report.subjects.isEmpty else {
            return [header + ": " + i.t("оценок пока нет.", "no marks yet.")]
        }
        var lines = [header + ":"]
        for subject in report.subjects {
            let values = subject.marks.map { mark($0, i) }.joined(separator: " ")
            let average = subject.average.map { i.t(" — средний ", " — average ") + number($0, i) } ?? ""
            let finals = report.finals.filter { $0.subject == subject.subject }.map { final in
                (final.period == 0 ? i.t(", за год ", ", year ") : i.t(", итог ", ", final ")) + markText(final.value, i)
            }.joined()
            lines.append("\(subject.subject): \(values)\(average)\(finals)")
        }
        let weight = { (kind: MarkKind) in self.weight(report.rules.weight(of: kind.rawValue), i) }
        lines.append(i.t("к — контрольная (вес \(weight(.control))), с — самостоятельная (\(weight(.independent))), т — тест (\(weight(.test))), д — домашняя (\(weight(.homework))), без буквы — ответ (\(weight(.oral))). Подробнее: /help marks",
                         "к control work (weight \(weight(.control))), с independent (\(weight(.independent))), т test (\(weight(.test))), д homework (\(weight(.homework))), plain answer in class (\(weight(.oral))). More: /help marks"))
        return lines
    }

    /// `5`, `4к` for a control work, `зач` for a pass.
    private func mark(_ entry: MarkEntry, _ i: BotInvocation) -> String {
        markText(entry.value, i) + Self.kindSuffix(entry.kind)
    }

    /// The letter after a mark that tells its kind: к control work, с independent work, т test, д homework.
    static func kindSuffix(_ kind: String) -> String {
        switch kind {
        case MarkKind.control.rawValue: "к"
        case MarkKind.independent.rawValue: "с"
        case MarkKind.test.rawValue: "т"
        case MarkKind.homework.rawValue: "д"
        default: ""
        }
    }

    func absences(_ report: DiaryService.AbsencesReport, _ i: BotInvocation) -> [String] {
        let header = "\(report.student.shortName), \(report.student.className) — "
            + i.t("пропуски, \(report.period.name)", "absences, term \(report.period.ordinal)")
        guard !report.absences.isEmpty else {
            return [header + ": " + i.t("пропусков нет.", "none.")]
        }
        var lines = [header + ": " + i.t("уроков — \(report.absences.count), из них по уважительной причине — \(report.excusedCount).",
                                         "\(report.absences.count) lessons, \(report.excusedCount) of them excused.")]
        for absence in report.absences {
            lines.append(i.t("\(absence.date.dayMonth), \(absence.lessonNumber)-й урок, \(absence.subject) — \(absence.reason.rawValue) (\(reasonText(absence.reason, i)))",
                             "\(absence.date.dayMonth), lesson \(absence.lessonNumber), \(absence.subject) — \(absence.reason.rawValue) (\(reasonText(absence.reason, i)))"))
        }
        return lines
    }

    private func reasonText(_ reason: AbsenceReason, _ i: BotInvocation) -> String {
        switch reason {
        case .unexcused: i.t("без уважительной причины", "unexcused")
        case .excused: i.t("по уважительной причине", "excused")
        case .illness: i.t("болезнь", "illness")
        case .late: i.t("опоздание", "late")
        }
    }

    func acknowledgement(_ outcome: DiaryService.AcknowledgementOutcome, student: Student, _ i: BotInvocation) -> [String] {
        switch outcome {
        case .recorded(let ack):
            return [i.t("Записано: вы ознакомились с дневником (\(student.shortName), \(student.className)) \(time(ack.at)) — оценок: \(ack.markCount), пропусков: \(ack.absenceCount).",
                        "Recorded: you acknowledged the diary of \(student.shortName) (\(student.className)) at \(time(ack.at)) — \(ack.markCount) marks, \(ack.absenceCount) absences.")]
        case .nothingNew(let last):
            let since = last.map { i.t(" Последнее ознакомление: \(time($0.at)).", " Last acknowledged: \(time($0.at)).") } ?? ""
            return [i.t("Новых записей в дневнике (\(student.shortName)) нет, подтверждать нечего.", "There are no new entries in the diary of \(student.shortName); nothing to acknowledge.") + since]
        }
    }

    func consentStatus(_ record: ConsentRecord?, _ i: BotInvocation) -> [String] {
        guard let record else {
            return [i.t("Согласие на обработку персональных данных и получение информации в электронном виде (152-ФЗ) не записано.",
                        "Your consent to personal-data processing and to receiving information electronically (152-FZ) is not recorded."),
                    i.t("Ответьте /consent да или /consent нет.", "Answer /consent yes or /consent no.")]
        }
        switch record.decision {
        case .granted:
            return [i.t("Согласие на обработку персональных данных и получение информации в электронном виде дано \(time(record.at)). Отозвать: /consent нет",
                        "You consented to personal-data processing and electronic information at \(time(record.at)). To withdraw: /consent no")]
        case .refused:
            return [i.t("Отказ от обработки персональных данных в электронном виде записан \(time(record.at)). Дать согласие: /consent да",
                        "Your refusal of electronic personal-data processing was recorded at \(time(record.at)). To consent: /consent yes")]
        }
    }

    func consentRecorded(_ record: ConsentRecord, _ i: BotInvocation) -> [String] {
        switch record.decision {
        case .granted:
            return [i.t("Записано: согласие на обработку персональных данных и получение информации в электронном виде дано \(time(record.at)).",
                        "Recorded: you consented to personal-data processing and electronic information at \(time(record.at)).")]
        case .refused:
            return [i.t("Записан отказ от \(time(record.at)). Сведения об успеваемости будут выдаваться на бумаге через классного руководителя.",
                        "Recorded your refusal at \(time(record.at)). The class teacher will give you the diary on paper.")]
        }
    }

    /// `23.11.2026 14:05` in the school's time zone.
    func time(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%02d.%02d.%04d %02d:%02d", c.day!, c.month!, c.year!, c.hour!, c.minute!)
    }

    func markText(_ value: MarkValue, _ i: BotInvocation) -> String {
        switch value {
        case .grade(let grade): String(grade)
        case .pass: i.t("зач", "pass")
        case .fail: i.t("незач", "fail")
        }
    }

    /// `2`, `1,5`: a weight without trailing zeros.
    func weight(_ value: Double, _ i: BotInvocation) -> String {
        let text = value == value.rounded() ? String(Int(value)) : String(value)
        return i.language == .ru ? String(text.map { $0 == "." ? "," : $0 }) : text
    }

    /// `4,25` in Russian, `4.25` in English.
    func number(_ value: Fraction, _ i: BotInvocation) -> String {
        NumberText.twoDecimals(value, comma: i.language == .ru)
    }
}
