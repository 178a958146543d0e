import ClassbookDomain
import ClassbookText

extension DiaryBot {
    /// Runs a command found: access and login once, the one-time password rule, the grammar,
    /// the handler, its effects, and its errors as replies.
    func run(_ command: BotCommand, _ invocation: BotInvocation, principal: Principal?) async -> BotReply {
        guard command.forms.contains(where: { $0.isAllowed(for: principal) }) else {
            return .refusal(invocation.t("bot.commandAvailableCommandsHelp", ["commandName": command.name]))
        }
        // A one-time password must be replaced before anything else.
        if principal?.account.mustChangePassword == true && !["passwd", "help", "lang"].contains(command.name) {
            return .refusal(invocation.t("bot.loggedOneTimePassword"))
        }
        do {
            let (form, arguments) = try await parse(invocation.arguments, command: command, principal: principal)
            let reply: Reply
            switch form.handler {
            case .anyone(let run):
                reply = try await run(GuestRequest(principal: principal, arguments: arguments))
            case .member(let run):
                // A form with actions is allowed to logged-in people only (`Form.isAllowed`).
                guard let principal else { throw DiaryError.notAllowed }
                reply = try await run(BotRequest(principal: principal, arguments: arguments))
                for case .closeOtherSessions(let reason) in reply.effects {
                    await delivery.closeSessions(of: principal.account.id, except: principal.sessionID, reason: reason)
                }
            }
            return Self.render(reply, invocation)
        } catch is FormNotAllowed {
            return BotReply(lines: Self.describe(DiaryError.notAllowed, invocation), isRefusal: true)
        } catch let error as GrammarRefusal {
            return .refusal(Self.describe(error, command: command, invocation))
        } catch let error as DiaryError {
            return BotReply(lines: Self.describe(error, invocation), isRefusal: true)
        } catch let error as JournalError {
            return BotReply(lines: Self.describe(error, command: command, invocation), isRefusal: true)
        } catch {
            return BotReply(lines: [invocation.t("bot.commandFailedBecauseInternal")], isFailure: true)
        }
    }

    /// A handler's reply in the person's language, the one place replies are put into words:
    /// in the new language when the reply switches it.
    static func render(_ reply: Reply, _ invocation: BotInvocation) -> BotReply {
        var wording = invocation
        for case .switchLanguage(let language) in reply.effects { wording.language = language }
        return BotReply(lines: reply.render(wording), effects: reply.effects, isRefusal: reply.isRefusal)
    }

    /// The first form that reads the words, and what it read; else the failure that got
    /// furthest, or the domain's refusal it carries.
    private func parse(_ words: [String], command: BotCommand, principal: Principal?) async throws -> (
        BotCommand.Form, Arguments
    ) {
        var children: [Student] = []
        if let principal, command.readsChildren {
            children = try await diary.students(visibleTo: principal)
        }
        let subjects = command.readsSubjects ? try await journal.journal.subjects() : []
        var best: (failure: GrammarFailure, form: BotCommand.Form)?
        // The forms in the table's order; the first that reads the words decides. One the
        // person may not use is read by its shape alone (`/breach review login` of a guardian,
        // `/profile 7А Иванов телефон …` of the deputy), and is refused as not theirs.
        for form in command.forms {
            guard form.isAllowed(for: principal) else {
                let parser = GrammarParser(
                    words: words, parts: form.parts, today: journal.today, children: [], subjects: [], shapeOnly: true)
                if case .success = parser.parse() { throw FormNotAllowed() }
                continue
            }
            let parser = GrammarParser(
                words: words, parts: form.parts, today: journal.today, children: children, subjects: subjects)
            switch parser.parse() {
            case .success(var arguments):
                try await resolveDefaults(form, &arguments, words: words, principal: principal)
                return (form, arguments)
            case .failure(let failure):
                if best == nil || failure.position > best!.failure.position { best = (failure, form) }
            }
        }
        guard let (failure, form) = best else { throw DiaryError.notAllowed }
        // Words not understood where a child may be named: told as the diary tells a name it
        // does not know, so another family's child's name reads like nobody's.
        if form.parts.first?.kind == .child, !(failure.error is DiaryError), failure.position < words.count {
            if children.count > 1 && failure.position == 0 { throw DiaryError.noSuchChild }
            if case .unexpected(let text) = failure.problem {
                throw children.count > 1 ? DiaryError.noSuchChild : DiaryError.unrecognized(text)
            }
            if failure.position == 0 { throw DiaryError.unrecognized(words.joined(separator: " ")) }
        }
        if let error = failure.error { throw error }
        var refusal = failure
        refusal.error = nil
        throw GrammarRefusal(failure: refusal, form: form)
    }

    /// An optional class left out: the class the person leads.
    private func resolveDefaults(
        _ form: BotCommand.Form, _ arguments: inout Arguments, words: [String],
        principal: Principal?
    ) async throws {
        guard let principal, form.parts.contains(where: \.defaultsToLedClass), arguments.schoolClass == nil else {
            return
        }
        guard let led = try await journal.ledClassName(for: principal) else {
            throw JournalError.noSuchClass(words.first ?? "")
        }
        arguments.set(.schoolClass, .text(led))
    }

    /// A line no form reads: what was expected, the usage and an example.
    static func describe(_ refusal: GrammarRefusal, command: BotCommand, _ i: BotInvocation) -> String {
        let usage = command.usage(i.language)
        let example = refusal.form.example(command: command.name, i.language)
        switch refusal.failure.problem {
        case .missing(let part):
            if let refusal = part.whenMissing { return refusal(i.language) }
            return i.t("grammar.missing", ["what": part.title(i.language), "usage": usage, "example": example])
        case .invalid(let part, let word):
            return i.t(
                "grammar.invalid", ["word": word, "what": part.title(i.language), "usage": usage, "example": example])
        case .unexpected(let words):
            return i.t("grammar.unexpected", ["words": words, "usage": usage, "example": example])
        }
    }
}

/// The words fit only a form the person may not use.
struct FormNotAllowed: Error {}

/// A grammar failure told as the grammar's refusal, with the form it was read by.
struct GrammarRefusal: Error {
    var failure: GrammarFailure
    var form: BotCommand.Form
}

extension BotCommand.Form {
    /// `/mark 7А алгебра Иванов 5, Петров 4 кр`: the required parts, with the examples of their kinds.
    public func example(command: String, _ language: Language) -> String {
        let required = parts.filter { !$0.isOptional }
        return (["/" + command] + (required.isEmpty ? parts : required).map { $0.example(language) }).joined(
            separator: " ")
    }
}
