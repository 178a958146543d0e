import ClassbookDomain

/// A paper extract as text lines (chat) or a printed page (PDF).
public enum ExtractRenderer {
    static func mark(_ entry: MarkEntry) -> String {
        let value =
            switch entry.value {
            case .grade(let grade): String(grade)
            case .pass: "зач"
            case .fail: "незач"
            }
        let kind =
            switch entry.kind {
            case "control": " (контрольная)"
            case "independent": " (самостоятельная)"
            case "test": " (тест)"
            case "homework": " (домашняя)"
            default: ""
            }
        return value + kind
    }

    static func title(_ extract: Extract) -> String {
        "Выписка из электронного дневника: \(extract.student.shortName), \(extract.student.className), "
            + "\(extract.from.russian) – \(extract.through.russian)"
    }

    public static func lines(_ extract: Extract) -> [String] {
        var lines = [title(extract)]
        lines.append(
            "Оценки: "
                + (extract.marks.isEmpty
                    ? "нет"
                    : extract.marks.map { "\($0.date.dayMonth) \($0.subject) \(mark($0))" }.joined(separator: "; ")))
        lines.append(
            "Пропуски: "
                + (extract.absences.isEmpty
                    ? "нет"
                    : extract.absences.map {
                        "\($0.date.dayMonth) №\($0.lessonNumber) \($0.subject) \($0.reason.rawValue)"
                    }.joined(separator: "; ")))
        lines.append(
            "Домашние задания: "
                + (extract.homework.isEmpty
                    ? "нет"
                    : extract.homework.map { "\($0.date.dayMonth) \($0.subject): \($0.text)" }.joined(separator: "; ")))
        lines.append(
            "Замечания и рекомендации: "
                + (extract.remarks.isEmpty
                    ? "нет"
                    : extract.remarks.map {
                        "\($0.date.dayMonth) \($0.authorName): "
                            + "\($0.text)"
                    }.joined(separator: "; "))
        )
        lines.append("Классный руководитель: \(extract.classTeacher)")
        return lines
    }

    /// One extract a page.
    public static func document(_ extracts: [Extract]) -> PrintDocument {
        var document = PrintDocument(
            title: extracts.count == 1 ? title(extracts[0]) : "Выписки из электронного дневника")
        for (index, extract) in extracts.enumerated() {
            if index > 0 { document.blocks.append(.pageBreak) }
            document.blocks += [
                .heading("Выписка из электронного дневника"),
                .paragraph(
                    "Обучающийся: \(extract.student.shortName), класс \(extract.student.className). Период: "
                        + "\(extract.from.russian) – \(extract.through.russian)."
                )
            ]
            document.blocks.append(
                .table(
                    header: ["Дата", "Предмет", "Отметка"],
                    rows: extract.marks.map { [$0.date.russian, $0.subject, mark($0)] }, widths: [1, 2.5, 2]))
            if extract.marks.isEmpty { document.blocks.append(.note("Отметок за период нет.")) }
            document.blocks.append(
                .table(
                    header: ["Дата", "Урок", "Предмет", "Причина"],
                    rows: extract.absences.map {
                        [$0.date.russian, String($0.lessonNumber), $0.subject, $0.reason.rawValue]
                    },
                    widths: [1, 0.6, 2.5, 1]))
            if extract.absences.isEmpty { document.blocks.append(.note("Пропусков нет.")) }
            document.blocks.append(
                .table(
                    header: ["Дата", "Предмет", "Домашнее задание"],
                    rows: extract.homework.map { [$0.date.russian, $0.subject, $0.text] }, widths: [1, 2, 4]))
            if !extract.remarks.isEmpty {
                document.blocks.append(
                    .table(
                        header: ["Дата", "Учитель", "Замечание, рекомендация"],
                        rows: extract.remarks.map { [$0.date.russian, $0.authorName, $0.text] }, widths: [1, 2, 4]))
            }
            document.blocks += [
                .note("Н — без уважительной причины, УП — по уважительной, Б — болезнь, ОП — опоздание."),
                .signature("Классный руководитель: \(extract.classTeacher) (подпись)"),
                .signature("Родитель (законный представитель): ознакомлен(а) (подпись, расшифровка, дата)")
            ]
        }
        return document
    }
}
