import ClassbookDomain
import ClassbookText

/// A paper extract as text lines (chat) or a printed page (PDF), in a language: printed
/// extracts are school documents in Russian, a chat reply is in its reader's language.
public enum ExtractRenderer {
    static func mark(_ entry: MarkEntry, _ language: Language) -> String {
        let value =
            switch entry.value {
            case .grade(let grade): String(grade)
            case .pass: language.t("extract.pass")
            case .fail: language.t("extract.fail")
            }
        let kind =
            switch entry.kind {
            case MarkKind.control.rawValue: language.t("extract.kind.control")
            case MarkKind.independent.rawValue: language.t("extract.kind.independent")
            case MarkKind.test.rawValue: language.t("extract.kind.test")
            case MarkKind.homework.rawValue: language.t("extract.kind.homework")
            default: ""
            }
        return value + kind
    }

    static func title(_ extract: Extract, _ language: Language) -> String {
        language.t(
            "extract.title",
            [
                "student": extract.student.shortName, "class": extract.student.className, "from": extract.from.russian,
                "through": extract.through.russian
            ])
    }

    /// `24.11 Алгебра 5; …`, or `нет`.
    static func items(_ items: [String], _ language: Language) -> String {
        items.isEmpty ? language.t("extract.none") : items.joined(separator: "; ")
    }

    public static func lines(_ extract: Extract, _ language: Language) -> [String] {
        let marks = extract.marks.map { "\($0.date.dayMonth) \($0.subject) \(mark($0, language))" }
        let absences = extract.absences.map {
            "\($0.date.dayMonth) №\($0.lessonNumber) \($0.subject) \($0.reason.rawValue)"
        }
        let homework = extract.homework.map { "\($0.date.dayMonth) \($0.subject): \($0.text)" }
        let remarks = extract.remarks.map { "\($0.date.dayMonth) \($0.authorName): \($0.text)" }
        return [
            title(extract, language),
            language.t("extract.marks", ["items": items(marks, language)]),
            language.t("extract.absences", ["items": items(absences, language)]),
            language.t("extract.homework", ["items": items(homework, language)]),
            language.t("extract.remarks", ["items": items(remarks, language)]),
            language.t("extract.classTeacher", ["name": extract.classTeacher])
        ]
    }

    /// One extract a page.
    public static func document(_ extracts: [Extract], _ language: Language) -> PrintDocument {
        var document = PrintDocument(
            title: extracts.count == 1 ? title(extracts[0], language) : language.t("extract.titles"))
        for (index, extract) in extracts.enumerated() {
            if index > 0 { document.blocks.append(.pageBreak) }
            document.blocks += [
                .heading(language.t("extract.heading")),
                .paragraph(
                    language.t(
                        "extract.studentAndPeriod",
                        [
                            "student": extract.student.shortName, "class": extract.student.className,
                            "from": extract.from.russian, "through": extract.through.russian
                        ]))
            ]
            let date = language.t("extract.column.date"), subject = language.t("extract.column.subject")
            document.blocks.append(
                .table(
                    header: [date, subject, language.t("extract.column.mark")],
                    rows: extract.marks.map { [$0.date.russian, $0.subject, mark($0, language)] }, widths: [1, 2.5, 2]))
            if extract.marks.isEmpty { document.blocks.append(.note(language.t("extract.noMarks"))) }
            document.blocks.append(
                .table(
                    header: [date, language.t("extract.column.lesson"), subject, language.t("extract.column.reason")],
                    rows: extract.absences.map {
                        [$0.date.russian, String($0.lessonNumber), $0.subject, $0.reason.rawValue]
                    },
                    widths: [1, 0.6, 2.5, 1]))
            if extract.absences.isEmpty { document.blocks.append(.note(language.t("extract.noAbsences"))) }
            document.blocks.append(
                .table(
                    header: [date, subject, language.t("extract.column.homework")],
                    rows: extract.homework.map { [$0.date.russian, $0.subject, $0.text] }, widths: [1, 2, 4]))
            if !extract.remarks.isEmpty {
                document.blocks.append(
                    .table(
                        header: [date, language.t("extract.column.teacher"), language.t("extract.column.remark")],
                        rows: extract.remarks.map { [$0.date.russian, $0.authorName, $0.text] }, widths: [1, 2, 4]))
            }
            document.blocks += [
                .note(language.t("extract.reasons")),
                .signature(language.t("extract.classTeacherSignature", ["name": extract.classTeacher])),
                .signature(language.t("extract.guardianSignature"))
            ]
        }
        return document
    }
}
