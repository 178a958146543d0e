import ClassbookDomain
import ClassbookPostgres
import ClassbookServer
import ClassbookStore
import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import ClassbookTestSupport

/// A fixed clock: the demo school's six weeks end on this day, and "now" is its afternoon.
struct FixedClock: SchoolClock {
    static let day = SchoolDate(year: 2026, month: 11, day: 20)
    let instant: Date

    init() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Moscow")!
        instant = calendar.date(from: DateComponents(year: 2026, month: 11, day: 20, hour: 15))!
    }

    func now() -> Date { instant }
}

/// A clock the test moves by hand, for scheduled work such as the weekly digest.
final class ManualClock: SchoolClock {
    private let current: NIOLockedValueBox<Date>

    init(_ start: Date) { current = NIOLockedValueBox(start) }

    /// `2026-11-20 15:01` in Moscow.
    static func moscow(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Moscow")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
    }

    func now() -> Date { current.withLockedValue { $0 } }

    func set(_ date: Date) { current.withLockedValue { $0 = date } }
}

/// A demo school in a fresh temporary directory with real password hashes: a real SQLite file
/// there, or a real PostgreSQL database of its own (`TestDatabase`).
struct TestSchool {
    let directory: String
    let credentials: [DemoSchoolGenerator.Credential]
    let certificatePath: String
    let privateKeyPath: String
    /// The school's PostgreSQL database, when the tests run on PostgreSQL.
    var database: String? = nil

    /// A copy of the template school in a new directory: each test gets its own database.
    static func make(onPostgreSQL: Bool = TestDatabase.isPostgreSQL) async throws -> TestSchool {
        let template = try await TemplateSchool.shared.school(onPostgreSQL: onPostgreSQL)
        let directory = NSTemporaryDirectory() + "classbook-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var names = ["cert.pem", "key.pem"]
        if template.database == nil { names.append(ClassbookDatabase.fileName) }
        for name in names {
            try FileManager.default.copyItem(atPath: template.directory + "/" + name, toPath: directory + "/" + name)
        }
        var database: String?
        if let source = template.database {
            database = try await ThrowawayPostgres.server().newDatabase(copying: source)
        }
        return TestSchool(
            directory: directory, credentials: template.credentials,
            certificatePath: directory + "/cert.pem", privateKeyPath: directory + "/key.pem", database: database)
    }

    /// Opens the school's store (another connection beside a server's, or a test's own).
    func open() throws -> TestStore { try TestStore.open(self) }

    /// Runs `body` on the school's store, opened for it and closed after.
    func withStore<T>(_ body: (TestStore) async throws -> T) async throws -> T {
        let store = try open()
        defer { store.close() }
        return try await body(store)
    }

    /// What `classbook` commands are given to work on this school: `--data`, and `--database`
    /// on PostgreSQL.
    var storeArguments: [String] { ["--data", directory] + (database.map { ["--database", $0] } ?? []) }

    /// Builds a demo school with real password hashes (slow on purpose, so done once per run).
    fileprivate static func build(students: Int, seed: UInt64, onPostgreSQL: Bool) async throws -> TestSchool {
        let directory = NSTemporaryDirectory() + "classbook-template-" + UUID().uuidString
        let output = DemoSchoolGenerator(studentCount: students, seed: seed, asOf: FixedClock.day).generate()
        var snapshot = output.snapshot
        let hasher = PasswordHasher()
        for index in snapshot.people.indices {
            snapshot.people[index].passwordHash = try hasher.hash(output.credentials[index].password)
        }
        let context = AuditContext(actor: nil, sessionID: "test", at: Date())
        var url: String?
        if onPostgreSQL {
            // A template database: each test's is a copy (CREATE DATABASE … TEMPLATE).
            let template = try await ThrowawayPostgres.server().newDatabase()
            let store = try PostgresStore(url: template)
            try await store.migrate()
            try await store.importSchool(snapshot, context: context)
            store.close()
            url = template
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } else {
            let database = try ClassbookDatabase(directory: directory)
            try await SchoolImporter(database: database).write(snapshot, context: context)
            // Closing checkpoints the WAL into the file, so the file alone is the whole school.
            try database.close()
        }
        let certificatePath = directory + "/cert.pem"
        let privateKeyPath = directory + "/key.pem"
        try TLSCertificate.writeSelfSigned(
            commonName: "classbook.test", certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        return TestSchool(
            directory: directory, credentials: output.credentials, certificatePath: certificatePath,
            privateKeyPath: privateKeyPath, database: url)
    }

    func credential(_ predicate: (DemoSchoolGenerator.Credential) -> Bool) throws -> DemoSchoolGenerator.Credential {
        guard let found = credentials.first(where: predicate) else { throw TestFailure("no such demo account") }
        return found
    }

    var guardianWithOneChild: DemoSchoolGenerator.Credential {
        get throws { try credential { $0.roles == [.guardian] && $0.children.count == 1 } }
    }

    var guardianWithTwoChildren: DemoSchoolGenerator.Credential {
        get throws { try credential { $0.roles == [.guardian] && $0.children.count == 2 } }
    }

    /// `Иванов Пётр` of a credentials sheet entry `Иванов Пётр (7А)`.
    static func nameWithoutClass(_ child: String) -> String {
        child.components(separatedBy: " (")[0]
    }

    /// The name of a child of a guardian who shares no child with `guardian`.
    func childOfAnotherFamily(than guardian: DemoSchoolGenerator.Credential) throws -> String {
        let other = try credential {
            $0.roles == [.guardian] && !$0.children.contains(where: guardian.children.contains)
        }
        return Self.nameWithoutClass(other.children[0])
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The one template school of a test run.
actor TemplateSchool {
    static let shared = TemplateSchool()
    /// One a store: SQLite's file, PostgreSQL's template database.
    private var building: [Bool: Task<TestSchool, any Error>] = [:]

    func school(onPostgreSQL: Bool) async throws -> TestSchool {
        if let task = building[onPostgreSQL] { return try await task.value }
        let task = Task { try await TestSchool.build(students: 12, seed: 3, onPostgreSQL: onPostgreSQL) }
        building[onPostgreSQL] = task
        return try await task.value
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A Classbook server on ephemeral ports, serving a test school until stopped.
final class RunningServer: Sendable {
    let server: ClassbookServer
    let ports: ClassbookServer.BoundPorts
    /// The server's store.
    let store: TestStore
    let school: TestSchool
    private let task: Task<Void, any Error>
    static let clientGroup = MultiThreadedEventLoopGroup.singleton

    private init(
        server: ClassbookServer, ports: ClassbookServer.BoundPorts, store: TestStore, school: TestSchool,
        task: Task<Void, any Error>
    ) {
        self.server = server
        self.ports = ports
        self.store = store
        self.school = school
        self.task = task
    }

    static func start(
        _ school: TestSchool, clock: any SchoolClock = FixedClock(),
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> RunningServer {
        var configuration = ServerConfiguration(
            certificatePath: school.certificatePath, privateKeyPath: school.privateKeyPath)
        configuration.tlsListen = .init(host: "127.0.0.1", port: 0)
        configuration.metricsListen = .init(host: "127.0.0.1", port: 0)
        configuration.serverName = "classbook.test"
        // Digests are sent when a test asks (`runDueDigests`), not by the clock.
        configuration.jobInterval = 0
        // Tests talk fast; the flood test sets the real budget.
        configuration.flood.burst = 100_000
        configuration.flood.linesPerSecond = 100_000
        configure(&configuration)
        let store = try school.open()
        let (repositories, feed, nodes) = store.services
        let server = try ClassbookServer(
            configuration: configuration,
            services: .init(repositories: repositories, feed: feed, nodes: nodes, clock: clock))
        store.observeCommits { writes, duration in server.recordCommit(writes: writes, duration: duration) }
        let ports = try await server.bind()
        let task = Task { try await server.run() }
        return RunningServer(server: server, ports: ports, store: store, school: school, task: task)
    }

    func connect() async throws -> IRCTestClient {
        try await IRCTestClient.connect(
            port: ports.tls, certificatePath: school.certificatePath, group: Self.clientGroup)
    }

    func connectPlaintext() async throws -> IRCTestClient {
        guard let port = ports.plaintext else { throw TestFailure("no plaintext listener") }
        return try await IRCTestClient.connect(port: port, certificatePath: nil, group: Self.clientGroup)
    }

    /// Connects and logs in with SASL as the demo account.
    func login(_ credential: DemoSchoolGenerator.Credential, nick: String? = nil, capabilities: String = "sasl")
        async throws -> IRCTestClient
    {
        let client = try await connect()
        try await client.registerWithSASL(
            login: credential.login, password: credential.password,
            nick: nick ?? "u\(UUID().uuidString.prefix(6))", capabilities: capabilities)
        return client
    }

    func stop() async throws {
        await server.shutdown()
        try await task.value
        try await server.close()
        // PostgreSQL's connections go back now (a run opens hundreds of servers); the SQLite
        // file stays open for a test to read after the stop.
        if case .postgresql = store { store.close() }
    }
}

/// Runs `body` against a server of a fresh copy of the test school; stops the server and
/// removes the school afterwards, also when the body fails.
func withServer(
    _ configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: (RunningServer) async throws -> Void
) async throws {
    let school = try await TestSchool.make()
    defer { school.remove() }
    let server = try await RunningServer.start(school, configure: configure)
    do {
        try await body(server)
    } catch {
        try? await server.stop()
        throw error
    }
    try await server.stop()
}
