@testable import ClassbookBot
import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB

/// Friday 20 November 2026, 15:00 in Moscow: the demo school's six weeks end that day.
struct TestClock: SchoolClock {
    static let day = SchoolDate(year: 2026, month: 11, day: 20)
    func now() -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Moscow")!
        return calendar.date(from: DateComponents(year: 2026, month: 11, day: 20, hour: 15))!
    }
}

/// A demo school in a real SQLite file, with the bot and services over it. Accounts have no
/// usable password: these tests act as principals directly, not through a login.
struct JournalSchool {
    let directory: String
    let database: ClassbookDatabase
    let output: DemoSchoolGenerator.Output
    let bot: DiaryBot

    static func make(students: Int = 12, seed: UInt64 = 3) async throws -> JournalSchool {
        let directory = NSTemporaryDirectory() + "classbook-journal-" + UUID().uuidString
        let database = try ClassbookDatabase(directory: directory)
        var output = DemoSchoolGenerator(studentCount: students, seed: seed, asOf: TestClock.day).generate()
        for index in output.snapshot.people.indices { output.snapshot.people[index].passwordHash = "!" }
        try await SchoolImporter(database: database).write(
            output.snapshot, context: AuditContext(actor: nil, sessionID: "test", at: Date()))
        let clock = TestClock()
        let diary = DiaryService(diary: database.diary, journal: database.journal, clock: clock)
        let journal = JournalService(journal: database.journal, diary: database.diary, clock: clock)
        let accounts = AccountService(accounts: database.accounts, executor: DetachedThreadExecutor(), clock: clock)
        let duties = DutiesService(
            duties: database.duties, journal: journal, diary: diary, executor: DetachedThreadExecutor())
        return JournalSchool(
            directory: directory, database: database, output: output,
            bot: DiaryBot(
                accounts: accounts, diary: diary, journal: journal, duties: duties,
                messaging: MessagingService(messaging: database.messaging, journal: journal),
                boards: BoardService(boards: database.boards, journal: journal, diary: diary),
                security: SecurityService(security: database.security, duties: duties)))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The account of a login, acting with exactly the roles given (default: all of its own).
    func principal(_ login: String, roles: Set<Role>? = nil) async throws -> Principal {
        let credentials = try await database.accounts.credentials(login: login)
        guard var account = credentials?.account else { throw JournalSchoolError("no account \(login)") }
        if let roles { account.roles = roles }
        return Principal(account: account, sessionID: "test-\(login)")
    }

    func ask(_ text: String, as principal: Principal) async -> [String] {
        await bot.respond(to: text, from: principal).lines
    }

    func scalar<T: DatabaseValueConvertible & Sendable>(_ sql: String, _ arguments: StatementArguments = [])
        async throws -> T?
    {
        try await database.pool.read { try T.fetchOne($0, sql: sql, arguments: arguments) }
    }
}

struct JournalSchoolError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
