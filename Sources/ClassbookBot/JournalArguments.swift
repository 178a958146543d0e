import ClassbookDomain
import ClassbookText
import Foundation

/// The words of the journal's arguments as teachers type them: lesson numbers, marks, kinds,
/// reasons, comma lists; the grammar (`GrammarParser`) reads them with these.
enum JournalArguments {
    /// `№3`, `#3`, `3-й`… only with a marker, so a mark `3` is never taken for a lesson number.
    static func lessonNumber(_ word: String) -> Int? {
        for prefix in ["№", "#", "урок"] where word.lowercased().hasPrefix(prefix) {
            if let number = Int(word.dropFirst(prefix.count)), (1...12).contains(number) { return number }
        }
        return nil
    }

    /// `5`, `зач`, `незач` (and `pass`, `fail`).
    static func markValue(_ word: String) -> MarkValue? {
        switch word.lowercased() {
        case "зач", "зачёт", "зачет", "pass": .pass
        case "незач", "незачёт", "незачет", "fail": .fail
        default: Int(word).flatMap { (1...5).contains($0) ? MarkValue.grade($0) : nil }
        }
    }

    /// `кр` → control, `ср` → independent, `тест`, `дз`, `уо` (and the English codes).
    static func markKind(_ word: String) -> String? {
        let kinds: [String: MarkKind] = [
            "кр": .control, "к": .control, "контрольная": .control, "control": .control,
            "ср": .independent, "с": .independent, "самостоятельная": .independent, "independent": .independent,
            "тест": .test, "т": .test, "test": .test,
            "дз": .homework, "homework": .homework,
            "уо": .oral, "устно": .oral, "ответ": .oral, "oral": .oral
        ]
        return kinds[word.lowercased()]?.rawValue
    }

    /// `н`, `уп`, `б`, `оп`.
    static func absenceReason(_ word: String) -> AbsenceReason? {
        AbsenceReason(rawValue: word.uppercased())
            ?? ["illness": .illness, "late": .late, "excused": .excused, "unexcused": .unexcused][word.lowercased()]
    }

    /// Splits `Иванов 5, Петров 4 кр (у доски)` into entries at commas outside parentheses.
    static func entries(_ words: [String]) -> [[String]] {
        var result: [[String]] = [[]]
        var depth = 0
        for word in words {
            var current = ""
            for character in word {
                if character == "(" { depth += 1 }
                if character == ")" { depth = max(0, depth - 1) }
                if character == "," && depth == 0 {
                    if !current.isEmpty { result[result.count - 1].append(current) }
                    current = ""
                    result.append([])
                } else {
                    current.append(character)
                }
            }
            if !current.isEmpty { result[result.count - 1].append(current) }
        }
        return result.filter { !$0.isEmpty }
    }

    /// One `Иванов П 5 кр (у доски)` entry.
    static func markRequest(_ words: [String]) throws -> JournalService.MarkRequest {
        guard let valueIndex = words.indices.first(where: { $0 > 0 && markValue(words[$0]) != nil }) else {
            throw JournalError.invalidMark(words.joined(separator: " "))
        }
        var kind: String?
        var commentWords: [String] = []
        for word in words[(valueIndex + 1)...] {
            if commentWords.isEmpty, kind == nil, !word.hasPrefix("("), let parsed = markKind(word) {
                kind = parsed
            } else {
                commentWords.append(word)
            }
        }
        var comment = commentWords.joined(separator: " ")
        if comment.hasPrefix("(") && comment.hasSuffix(")") { comment = String(comment.dropFirst().dropLast()) }
        guard commentWords.isEmpty || !comment.isEmpty else {
            throw JournalError.invalidMark(words.joined(separator: " "))
        }
        if !commentWords.isEmpty && !(commentWords.first!.hasPrefix("(")) {
            throw JournalError.invalidKind(commentWords[0])
        }
        return JournalService.MarkRequest(
            student: words[..<valueIndex].joined(separator: " "), value: markValue(words[valueIndex])!,
            kind: kind, comment: comment.isEmpty ? nil : comment)
    }

    /// `тема: … дз: …` (or `topic:`/`homework:`); a field left out is not changed, `дз: -` clears it.
    static func lessonUpdate(_ words: [String]) -> LessonUpdate {
        var update = LessonUpdate()
        var field: String?
        var collected: [String: [String]] = [:]
        let markers: [String: String] = [
            "тема:": "topic", "topic:": "topic", "дз:": "homework", "homework:": "homework", "задание:": "homework"
        ]
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
