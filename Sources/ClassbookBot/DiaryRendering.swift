import ClassbookDomain
import ClassbookText
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

    func marks(_ report: DiaryService.MarksReport, _ i: any Wording) -> [String] {
        let key = MarkReplyKey(student: report.student.id, period: report.period.ordinal, language: i.language)
        if let lines = markReplies.value(key, stamp: report) { return lines }
        let lines = renderMarks(report, i)
        markReplies.store(lines, for: key, stamp: report)
        return lines
    }

    private func renderMarks(_ report: DiaryService.MarksReport, _ i: any Wording) -> [String] {
        let header =
            "\(report.student.shortName), \(report.student.className) — "
            + i.t("diary.marksTerm", ["periodName": report.period.name, "ordinal": report.period.ordinal])
            + " (\(report.period.start.dayMonth)–\(report.period.end.dayMonth))"
        guard !report.subjects.isEmpty else {
            return [header + ": " + i.t("diary.marksYet")]
        }
        var lines = [header + ":"]
        for subject in report.subjects {
            let values = subject.marks.map { mark($0, i) }.joined(separator: " ")
            let average = subject.average.map { i.t("diary.average") + number($0, i) } ?? ""
            let finals = report.finals.filter { $0.subject == subject.subject }.map { final in
                (final.period == 0 ? i.t("diary.year") : i.t("diary.final")) + markText(final.value, i)
            }.joined()
            lines.append("\(subject.subject): \(values)\(average)\(finals)")
        }
        let weight = { (kind: MarkKind) in self.weight(report.rules.weight(of: kind.rawValue), i) }
        lines.append(
            i.t(
                "diary.controlWorkWeightIndependent",
                [
                    "weight": weight(.control), "weight2": weight(.independent), "weight3": weight(.test),
                    "weight4": weight(.homework), "weight5": weight(.oral)
                ]))
        return lines
    }

    /// `5`, `4к` for a control work, `зач` for a pass.
    private func mark(_ entry: MarkEntry, _ i: any Wording) -> String {
        markText(entry.value, i) + Self.kindSuffix(entry.kind, i)
    }

    /// The letter after a mark that tells its kind: к control work, с independent work, т test, д homework.
    static func kindSuffix(_ kind: String, _ i: any Wording) -> String {
        switch kind {
        case MarkKind.control.rawValue: i.t("mark.letter.control")
        case MarkKind.independent.rawValue: i.t("mark.letter.independent")
        case MarkKind.test.rawValue: i.t("mark.letter.test")
        case MarkKind.homework.rawValue: i.t("mark.letter.homework")
        default: ""
        }
    }

    func absences(_ report: DiaryService.AbsencesReport, _ i: any Wording) -> [String] {
        let header =
            "\(report.student.shortName), \(report.student.className) — "
            + i.t("diary.absencesTerm", ["periodName": report.period.name, "ordinal": report.period.ordinal])
        guard !report.absences.isEmpty else {
            return [header + ": " + i.t("diary.none")]
        }
        var lines = [
            header + ": "
                + i.t(
                    "diary.lessonsThemExcused",
                    ["absencesCount": report.absences.count, "excusedCount": report.excusedCount])
        ]
        for absence in report.absences {
            lines.append(
                i.t(
                    "diary.lesson",
                    [
                        "dateDayMonth": absence.date.dayMonth, "lessonNumber": absence.lessonNumber,
                        "subject": absence.subject, "reasonRawValue": absence.reason.rawValue,
                        "reasonText": reasonText(absence.reason, i)
                    ]))
        }
        return lines
    }

    private func reasonText(_ reason: AbsenceReason, _ i: any Wording) -> String {
        switch reason {
        case .unexcused: i.t("diary.unexcused")
        case .excused: i.t("diary.excused")
        case .illness: i.t("diary.illness")
        case .late: i.t("diary.late")
        }
    }

    func acknowledgement(_ outcome: DiaryService.AcknowledgementOutcome, student: Student, _ i: any Wording) -> [String]
    {
        switch outcome {
        case .recorded(let ack):
            return [
                i.t(
                    "diary.recordedAcknowledgedDiaryMarks",
                    [
                        "studentShortName": student.shortName, "className": student.className, "time": time(ack.at),
                        "markCount": ack.markCount, "absenceCount": ack.absenceCount
                    ])
            ]
        case .nothingNew(let last):
            let since = last.map { i.t("diary.lastAcknowledged", ["time": time($0.at)]) } ?? ""
            return [i.t("diary.thereAreNewEntries", ["studentShortName": student.shortName]) + since]
        }
    }

    func consentStatus(_ record: ConsentRecord?, _ i: any Wording) -> [String] {
        guard let record else {
            return [
                i.t("diary.consentPersonalDataProcessing"),
                i.t("diary.answerConsentYesConsent")
            ]
        }
        switch record.decision {
        case .granted:
            return [i.t("diary.consentedPersonalDataProcessing", ["time": time(record.at)])]
        case .refused:
            return [i.t("diary.refusalElectronicPersonalData", ["time": time(record.at)])]
        }
    }

    func consentRecorded(_ record: ConsentRecord, _ i: any Wording) -> [String] {
        switch record.decision {
        case .granted:
            return [i.t("diary.recordedConsentedPersonalData", ["time": time(record.at)])]
        case .refused:
            return [i.t("diary.recordedRefusalClassTeacher", ["time": time(record.at)])]
        }
    }

    /// `23.11.2026 14:05` in the school's time zone.
    func time(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%02d.%02d.%04d %02d:%02d", c.day!, c.month!, c.year!, c.hour!, c.minute!)
    }

    func markText(_ value: MarkValue, _ i: any Wording) -> String {
        switch value {
        case .grade(let grade): String(grade)
        case .pass: i.t("diary.pass")
        case .fail: i.t("diary.fail")
        }
    }

    /// `2`, `1,5`: a weight without trailing zeros.
    func weight(_ value: Double, _ i: any Wording) -> String {
        let text = value == value.rounded() ? String(Int(value)) : String(value)
        return i.language == .ru ? String(text.map { $0 == "." ? "," : $0 }) : text
    }

    /// `4,25` in Russian, `4.25` in English.
    func number(_ value: Fraction, _ i: any Wording) -> String {
        NumberText.twoDecimals(value, comma: i.language == .ru)
    }
}
