import ClassbookDomain
import Foundation

/// Why the words do not fit a form: what was expected where, or a refusal of the domain's
/// that says it better (a date it cannot read, a subject the school does not teach).
struct GrammarFailure: Error {
    enum Problem {
        /// A required part has no words left.
        case missing(ArgumentPart)
        /// The word at the position is not what the part takes.
        case invalid(ArgumentPart, String)
        /// Words are left over after the last part.
        case unexpected(String)
    }

    /// How far the parse got: the failure that got furthest is the one told.
    var position: Int
    var problem: Problem
    /// The domain's refusal to give instead of the grammar's.
    var error: (any Error)?
}

/// Reads a line's words by a form's parts.
///
/// Parts are matched in order; each kind offers the ways it can take words at a position
/// (a child's two words or one, a subject's three words to one, an optional part none), and
/// the first way that lets every later part match and uses every word wins. The kinds that
/// take the middle (a person, a list of marks, free text) try the fewest words first, so the
/// parts after them (a date, a mark's kind) get theirs: `/depart 7А Иванов 30.12 в другую школу`.
/// A list of dates takes every date in a row. Each word is read as a date once, so a line costs
/// at most the square of its words in steps (a 250-word `/excuse` line: 0.57 s of parsing in a
/// debug build when every count of a row of dates was a way, 8 ms since).
struct GrammarParser {
    let words: [String]
    let parts: [ArgumentPart]
    let today: SchoolDate
    /// The person's children, when a part is a child.
    let children: [Student]
    /// The school's subjects, when a part is a subject.
    let subjects: [Subject]
    /// Whether the words fit the form's shape, whoever the children and whatever the subjects:
    /// a child is any one or two words, a subject any one to three.
    let shapeOnly: Bool
    /// Each word as a date, when a part reads dates (or tells a class from a date).
    private let spokenDates: [SchoolDate?]
    /// How many dates stand in a row from each word.
    private let datesInARow: [Int]

    init(
        words: [String], parts: [ArgumentPart], today: SchoolDate, children: [Student], subjects: [Subject],
        shapeOnly: Bool = false
    ) {
        self.words = words
        self.parts = parts
        self.today = today
        self.children = children
        self.subjects = subjects
        self.shapeOnly = shapeOnly
        let readsDates = parts.contains { [.date, .dates, .days, .schoolClass].contains($0.kind) }
        spokenDates = readsDates ? words.map { SchoolDate(spoken: $0, today: today) } : []
        var inARow = Array(repeating: 0, count: spokenDates.count + 1)
        for index in spokenDates.indices.reversed() where spokenDates[index] != nil {
            inARow[index] = inARow[index + 1] + 1
        }
        datesInARow = inARow
    }

    /// The word at `index` as a date.
    private func date(at index: Int) -> SchoolDate? {
        index < spokenDates.count ? spokenDates[index] : SchoolDate(spoken: words[index], today: today)
    }

    private struct Way {
        var length: Int
        var value: ArgumentValue?
    }

    func parse() -> Result<Arguments, GrammarFailure> {
        var best: GrammarFailure?
        var arguments = Arguments()
        arguments.words = words
        if let parsed = search(part: 0, at: 0, arguments, best: &best) { return .success(parsed) }
        return .failure(best ?? GrammarFailure(position: 0, problem: .unexpected(words.joined(separator: " "))))
    }

    private func search(part index: Int, at position: Int, _ arguments: Arguments, best: inout GrammarFailure?)
        -> Arguments?
    {
        guard index < parts.count else {
            if position == words.count { return arguments }
            note(
                GrammarFailure(position: position, problem: .unexpected(words[position...].joined(separator: " "))),
                &best)
            return nil
        }
        let part = parts[index]
        for way in ways(part, at: position, isLast: index == parts.count - 1, best: &best) {
            var next = arguments
            if let value = way.value { next.set(part.kind, value) }
            if let parsed = search(part: index + 1, at: position + way.length, next, best: &best) { return parsed }
        }
        return nil
    }

    /// Keeps the failure that got furthest; at the same word, the domain's refusal (a mark it
    /// cannot read) says more than the grammar's, and a part that does not take the word more
    /// than "too much".
    private func note(_ failure: GrammarFailure, _ best: inout GrammarFailure?) {
        guard let current = best else { best = failure; return }
        if failure.position != current.position {
            if failure.position > current.position { best = failure }
        } else if failure.error != nil && current.error == nil {
            best = failure
        } else if current.error == nil, case .unexpected = current.problem, case .invalid = failure.problem {
            best = failure
        }
    }

    /// The ways a part can take words at `position`, the preferred first.
    private func ways(_ part: ArgumentPart, at position: Int, isLast: Bool, best: inout GrammarFailure?) -> [Way] {
        let left = words.count - position
        var ways: [Way] = []
        var failure: GrammarFailure?
        if part.takesTheMiddle {
            // The last part takes every word left; one in the middle the fewest first.
            let lengths = isLast ? (left > 0 ? [left] : []) : Array(stride(from: 1, through: left, by: 1))
            for length in lengths {
                switch middle(part, Array(words[position..<(position + length)])) {
                case .success(let value): ways.append(Way(length: length, value: value))
                case .failure(let error):
                    failure =
                        failure
                        ?? GrammarFailure(position: position, problem: .invalid(part, words[position]), error: error)
                }
            }
        } else if left > 0 {
            switch part.kind {
            case .child where shapeOnly, .subject where shapeOnly:
                for length in stride(from: min(part.kind == .child ? 2 : 3, left), through: 1, by: -1) {
                    ways.append(Way(length: length, value: nil))
                }
            case .child:
                for length in stride(from: min(2, left), through: 1, by: -1) {
                    let name = DiaryService.NameQuery(words[position..<(position + length)].joined(separator: " "))
                    let matches = children.filter { name.matches($0) }
                    if matches.count == 1 { ways.append(Way(length: length, value: .student(matches[0]))) }
                    if matches.count > 1 && length == 1 {
                        failure = GrammarFailure(
                            position: position, problem: .invalid(part, words[position]),
                            error: DiaryError.ambiguousStudent(matches))
                    }
                }
            case .subject:
                for length in stride(from: min(3, left), through: 1, by: -1) {
                    let query = words[position..<(position + length)].joined(separator: " ")
                    if subjects.contains(where: { JournalService.subjectMatches($0.name, query) }) {
                        ways.append(Way(length: length, value: .text(query)))
                        break
                    }
                }
                if ways.isEmpty && !part.isOptional {
                    failure = GrammarFailure(
                        position: position, problem: .invalid(part, words[position]),
                        error: JournalError.noSuchSubject(words[position]))
                }
            case .period:
                for length in stride(from: min(2, left), through: 1, by: -1) {
                    let candidate = words[position..<(position + length)].joined(separator: " ")
                    if DiaryService.periodOrdinal(candidate) != nil {
                        ways.append(Way(length: length, value: .text(candidate)))
                    }
                }
            case .dates:
                let count = datesInARow[position]
                if count > 0 {
                    ways.append(
                        Way(length: count, value: .dates(spokenDates[position..<(position + count)].compactMap { $0 })))
                }
                if count == 0 && !part.isOptional {
                    failure = GrammarFailure(
                        position: position, problem: .invalid(part, words[position]),
                        error: JournalError.invalidDate(words[position]))
                }
            case .page:
                if left >= 2, ["стр", "page", "p"].contains(words[position].lowercased()),
                    let number = Int(words[position + 1])
                {
                    ways.append(Way(length: 2, value: .number(number)))
                }
            default:
                if let value = single(part, at: position) {
                    ways.append(Way(length: 1, value: value))
                } else {
                    // Told only when no way reads the line; for an optional part, the domain's
                    // refusal is kept for a part that must be there.
                    let error = part.isOptional ? nil : singleError(part, words[position])
                    failure = GrammarFailure(position: position, problem: .invalid(part, words[position]), error: error)
                }
            }
        }
        if part.kind == .child && !shapeOnly {
            // Left out: the person's only child; else which one is asked, as the diary asks.
            if children.count == 1 {
                ways.append(Way(length: 0, value: .student(children[0])))
            } else if ways.isEmpty {
                let error: DiaryError =
                    children.isEmpty ? .noStudents : left == 0 ? .studentRequired(children) : .noSuchChild
                failure = failure ?? GrammarFailure(position: position, problem: .missing(part), error: error)
            }
        } else if part.isOptional && part.takesTheMiddle && !isLast {
            // None first, so a part after it gets the words it can take: `стр 2`.
            ways.insert(Way(length: 0, value: nil), at: 0)
        } else if part.isOptional {
            ways.append(Way(length: 0, value: nil))
        } else if ways.isEmpty && failure == nil {
            failure = GrammarFailure(
                position: position, problem: left > 0 ? .invalid(part, words[position]) : .missing(part))
        }
        if let failure { note(failure, &best) }
        return ways
    }

    /// A part of one word.
    private func single(_ part: ArgumentPart, at position: Int) -> ArgumentValue? {
        let word = words[position]
        switch part.kind {
        case .schoolClass:
            // `7А`: a digit first and a letter after it; a date or a lesson number is not a class.
            guard word.first?.isNumber == true, word.contains(where: \.isLetter), date(at: position) == nil
            else { return nil }
            return .text(word)
        case .date:
            return date(at: position).map(ArgumentValue.date)
        case .days:
            let lowered = word.lowercased()
            if ["неделя", "неделю", "week"].contains(lowered) { return .days(.week(containing: today)) }
            if ["след", "следующая", "next"].contains(lowered) {
                return .days(.week(containing: today.adding(days: 7)))
            }
            return date(at: position).map { .days(.day($0)) }
        case .finalPeriod:
            return DiaryService.periodOrdinal(word) != nil || ["год", "year"].contains(word.lowercased())
                ? .text(word) : nil
        case .lessonNumber:
            return JournalArguments.lessonNumber(word).map(ArgumentValue.number)
        case .lessonSlot:
            return (JournalArguments.lessonNumber(word) ?? Int(word)).map(ArgumentValue.number)
        case .markKind:
            return JournalArguments.markKind(word).map(ArgumentValue.text)
        case .reason:
            return JournalArguments.absenceReason(word).map(ArgumentValue.reason)
        case .number:
            return Int(word.trimmingCharacters(in: CharacterSet(charactersIn: "#№"))).map(ArgumentValue.number)
        case .word:
            return .text(word)
        case .keyword:
            return part.choice(word).map(ArgumentValue.text)
        case .reportKind:
            return ReportKind.parse(word).map(ArgumentValue.reportKind)
        case .personalField:
            return PersonalField.parse(word).map(ArgumentValue.personalField)
        default:
            return nil
        }
    }

    /// The domain's refusal for a word a part does not take, where it says more than the grammar.
    private func singleError(_ part: ArgumentPart, _ word: String) -> (any Error)? {
        switch part.kind {
        case .schoolClass: JournalError.noSuchClass(word)
        case .date, .days: JournalError.invalidDate(word)
        case .reportKind: JournalError.noSuchReport(word)
        case .personalField: JournalError.noSuchField(word)
        case .markKind: JournalError.invalidKind(word)
        default: nil
        }
    }

    /// A part that takes the middle, from its words.
    private func middle(_ part: ArgumentPart, _ words: [String]) -> Result<ArgumentValue, any Error> {
        let text = words.joined(separator: " ")
        switch part.kind {
        case .people:
            return .success(.people(JournalArguments.entries(words).map { $0.joined(separator: " ") }))
        case .marks:
            return Result { .marks(try JournalArguments.entries(words).map(JournalArguments.markRequest)) }
        case .absences:
            return .success(
                .absences(
                    JournalArguments.entries(words).map { entry -> (student: String, reason: AbsenceReason) in
                        if entry.count > 1, let reason = JournalArguments.absenceReason(entry.last!) {
                            return (entry.dropLast().joined(separator: " "), reason)
                        }
                        return (entry.joined(separator: " "), .unexcused)
                    }))
        case .finals:
            return Result {
                .finals(
                    try JournalArguments.entries(words).map { entry -> (student: String, value: MarkValue?) in
                        // `Иванов -` deletes a final set by mistake.
                        if entry.count > 1, entry.last == "-" { return (entry.dropLast().joined(separator: " "), nil) }
                        guard entry.count > 1, let value = JournalArguments.markValue(entry.last!) else {
                            throw JournalError.invalidMark(entry.joined(separator: " "))
                        }
                        return (entry.dropLast().joined(separator: " "), value)
                    })
            }
        case .lessonFields:
            return .success(.lessonFields(JournalArguments.lessonUpdate(words)))
        case .settings:
            return Result { .settings(try Self.settings(words, part: part)) }
        case .addressedText:
            guard let colon = text.firstIndex(of: ":") else { return .failure(JournalError.emptyText) }
            return .success(.addressed(person: String(text[..<colon]), text: String(text[text.index(after: colon)...])))
        default:
            return .success(.text(text))
        }
    }

    /// `email me@example.ru pace daily`: names (by the part's choices) and their values; an SMS
    /// number may be typed with spaces, `+7 (900) 123-45-67`.
    static func settings(_ words: [String], part: ArgumentPart) throws -> [(name: String, value: String)] {
        var settings: [(name: String, value: String)] = []
        var rest = words[...]
        while let word = rest.popFirst() {
            guard let name = part.choice(word), var value = rest.popFirst() else {
                throw JournalError.invalidSetting(word)
            }
            if name == "sms" {
                while let next = rest.first, next.allSatisfy({ $0.isNumber || "+()-".contains($0) }) {
                    value += next
                    rest.removeFirst()
                }
            }
            settings.append((name, value))
        }
        return settings
    }
}
