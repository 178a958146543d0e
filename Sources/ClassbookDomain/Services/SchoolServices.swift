import Foundation

/// A school's domain services, wired once: the one place that builds them, for `classbook serve`
/// and every CLI command alike, from the repositories of one store and the school's settings
/// (time zone, who may open rooms). So the server and the CLI cannot count days in different
/// zones or with different rules.
public struct SchoolServices: Sendable {
    /// One store's repositories.
    public struct Repositories: Sendable {
        public var accounts: any AccountRepository
        public var diary: any DiaryRepository
        public var journal: any JournalRepository
        public var duties: any DutiesRepository
        public var messaging: any MessagingRepository
        public var boards: any BoardRepository
        public var security: any SecurityRepository

        public init(
            accounts: any AccountRepository, diary: any DiaryRepository, journal: any JournalRepository,
            duties: any DutiesRepository,
            messaging: any MessagingRepository, boards: any BoardRepository, security: any SecurityRepository
        ) {
            self.accounts = accounts
            self.diary = diary
            self.journal = journal
            self.duties = duties
            self.messaging = messaging
            self.boards = boards
            self.security = security
        }
    }

    /// What the server hangs on the services: a guardian's look at the diary (recorded for the
    /// class teacher's activity review) and journal events saved for notification (the server's
    /// dispatcher; without it they wait in the store for the next server's). The CLI has none.
    public struct Hooks: Sendable {
        public var onDiaryView: (@Sendable (AccountID, StudentID) async -> Void)?
        public var onJournalEvents: (@Sendable () async -> Void)?

        public init(
            onDiaryView: (@Sendable (AccountID, StudentID) async -> Void)? = nil,
            onJournalEvents: (@Sendable () async -> Void)? = nil
        ) {
            self.onDiaryView = onDiaryView
            self.onJournalEvents = onJournalEvents
        }
    }

    public let repositories: Repositories
    public let clock: any SchoolClock
    public let timeZone: TimeZone
    public let accounts: AccountService
    public let diary: DiaryService
    public let journal: JournalService
    public let duties: DutiesService
    public let messaging: MessagingService
    public let boards: BoardService
    public let conversations: ConversationService
    public let security: SecurityService
    public let reports: ReportService

    public init(
        repositories: Repositories, clock: any SchoolClock = SystemClock(), timeZone: TimeZone,
        roomCreation: RoomCreation = .everyone,
        hasher: PasswordHasher = PasswordHasher(), executor: any BlockingExecutor, hooks: Hooks = Hooks()
    ) {
        self.repositories = repositories
        self.clock = clock
        self.timeZone = timeZone
        accounts = AccountService(accounts: repositories.accounts, hasher: hasher, executor: executor, clock: clock)
        var diary = DiaryService(
            diary: repositories.diary, journal: repositories.journal, clock: clock, timeZone: timeZone)
        diary.onDiaryView = hooks.onDiaryView
        var journal = JournalService(
            journal: repositories.journal, diary: repositories.diary, clock: clock, timeZone: timeZone)
        journal.onEventsSaved = hooks.onJournalEvents
        self.diary = diary
        self.journal = journal
        duties = DutiesService(
            duties: repositories.duties, journal: journal, diary: diary, hasher: hasher, executor: executor)
        messaging = MessagingService(messaging: repositories.messaging, journal: journal)
        boards = BoardService(boards: repositories.boards, journal: journal, diary: diary)
        conversations = ConversationService(boards: boards, roomCreation: roomCreation)
        security = SecurityService(security: repositories.security, duties: duties)
        reports = ReportService(journal: journal, duties: duties)
    }

    /// Today in the school's time zone.
    public var today: SchoolDate { SchoolDate(clock.now(), in: timeZone) }
}
