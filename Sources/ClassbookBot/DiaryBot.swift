import ClassbookDomain
import ClassbookText
import Foundation

/// The `diary` bot: reads a line of text, finds the command in its table, checks the
/// person's roles, runs it and returns the reply lines in the person's language.
///
/// A class: every session shares the one bot, and a command reaches it through one
/// reference rather than a copy of its services (a struct this size cost a retain and a
/// release of each of their stores on every command).
public final class DiaryBot: Sendable {
    public let accounts: AccountService
    public let diary: DiaryService
    public let journal: JournalService
    public let duties: DutiesService
    public let commands: [BotCommand]
    let delivery: any BotDelivery
    /// Each command's position in `commands` by its name and by each alias (the first
    /// command to claim a word keeps it): one hash look-up a message instead of comparing
    /// the word with every name and alias.
    private let positions: [String: Int]

    public init(
        accounts: AccountService, diary: DiaryService, journal: JournalService, duties: DutiesService,
        messaging: MessagingService, boards: BoardService, security: SecurityService,
        delivery: any BotDelivery = NoDelivery()
    ) {
        self.accounts = accounts
        self.diary = diary
        self.journal = journal
        self.duties = duties
        self.delivery = delivery
        commands = BotCommands.table(
            accounts: accounts, diary: diary, journal: journal, duties: duties, messaging: messaging, boards: boards,
            security: security, delivery: delivery)
        var positions: [String: Int] = [:]
        for (position, command) in commands.enumerated() {
            for word in [command.name] + command.aliases where positions[word] == nil { positions[word] = position }
        }
        self.positions = positions
    }

    /// A person's weekly digest, in their language (for the scheduler); `run` shares work
    /// between the digests of one run.
    public func digestLines(for principal: Principal, run: DigestRun? = nil) async throws -> [String] {
        try await Self.digestLines(for: principal, duties: duties, timeZone: diary.timeZone, run: run)
    }

    /// A person's weekly digest as the bot words it, without a bot (for `classbook digest`).
    public static func digestLines(
        for principal: Principal, duties: DutiesService, timeZone: TimeZone,
        run: DigestRun? = nil
    ) async throws -> [String] {
        let digest = try await duties.digest(for: principal, run: run)
        guard !digest.isEmpty else { return [] }
        let i = BotInvocation(principal: principal, language: principal.account.language, arguments: [])
        return DutyRendering(journal: JournalRendering(base: DiaryRendering(timeZone: timeZone))).digest(digest, i)
    }

    /// Every recipient's digest for one run, eight at a time (the work is mostly reads, which
    /// GRDB spreads over its readers), in the recipients' order; empty digests left out.
    public static func digests(
        for recipients: [Account], sessionID: String, duties: DutiesService,
        timeZone: TimeZone
    ) async throws -> [(AccountID, [String])] {
        let run = DigestRun()
        let results = try await recipients.concurrentMap(width: 8) { account in
            try await digestLines(
                for: Principal(account: account, sessionID: sessionID), duties: duties, timeZone: timeZone, run: run)
        }
        return zip(recipients, results).filter { !$0.1.isEmpty }.map { ($0.0.id, $0.1) }
    }

    /// The command a word names (`marks`, `/оценки`, `MARKS`), if any.
    public func command(named word: String) -> BotCommand? {
        var key = word.lowercased()
        if key.hasPrefix("/") { key.removeFirst() }
        return positions[key].map { commands[$0] }
    }

    /// Answers one message sent to the bot.
    public func respond(to text: String, from principal: Principal?) async -> BotReply {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let language = principal?.account.language ?? .ru
        guard let first = words.first else {
            return BotReply(language.t("bot.typeCommandExampleHelp"))
        }
        return await run(first, arguments: Array(words.dropFirst()), principal: principal, language: language)
    }

    /// Runs a command given as a verb and its arguments (the raw-verb path: `MARKS 7А`).
    public func run(_ name: String, arguments: [String], principal: Principal?) async -> BotReply {
        await run(name, arguments: arguments, principal: principal, language: principal?.account.language ?? .ru)
    }

    private func run(_ name: String, arguments: [String], principal: Principal?, language: Language) async -> BotReply {
        let invocation = BotInvocation(principal: principal, language: language, arguments: arguments)
        guard let command = command(named: name) else {
            return .refusal(invocation.t("bot.unknownCommandCommandsHelp", ["name": name]))
        }
        var reply = await run(command, invocation, principal: principal)
        reply.command = command.name
        reply.confidential = command.confidential
        return reply
    }

    /// Whether a message to the bot names a confidential command (`/passwd NEW`): the server
    /// then does not echo it to the account's other devices.
    public func isConfidential(_ text: String) -> Bool {
        guard let word = text.split(separator: " ", maxSplits: 1).first else { return false }
        return command(named: String(word))?.confidential == true
    }

    static func describe(_ error: DiaryError, _ i: BotInvocation) -> [String] {
        switch error {
        case .noSuchChild:
            return [i.t("bot.suchChildAmongYours")]
        case .noStudents:
            return [i.t("bot.studentLinkedAccountPlease")]
        case .studentRequired(let students):
            return [i.t("bot.nameChild") + students.map { "\($0.shortName) (\($0.className))" }.joined(separator: ", ")]
        case .ambiguousStudent(let students):
            return [
                i.t("bot.whichOneDoMean")
                    + students.map { "\($0.shortName) (\($0.className))" }.joined(separator: ", ")
            ]
        case .noSuchPeriod(let text):
            return [i.t("bot.suchReportingPeriodGive", ["text": text])]
        case .noSuchSubject(let text):
            // Also what a name of someone else's child ends up as: the reply must not tell the two apart.
            return [i.t("bot.foundNothingSubjectMarks", ["text": text])]
        case .unrecognized(let text):
            // Someone else's child's name ends up here too: the reply must not tell the two apart.
            return [i.t("bot.didUnderstandChildYours", ["text": text])]
        case .noPeriods:
            return [i.t("bot.schoolYearHasBeen")]
        case .notAllowed:
            return [i.t("bot.areAllowedDo")]
        }
    }
}
