import ClassbookDomain
import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// A Classbook store on a PostgreSQL server, through postgres-nio's pooled client: the parts
/// that the nodes serving one store share so far, the change feed (`feed`, LISTEN/NOTIFY) and
/// the directory of nodes and sessions (`nodes`). Chosen by a URL,
/// `postgresql://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`.
public final class PostgresStore: Sendable {
    public let client: PostgresClient
    /// This process's name in the feed and the directory, new at every open.
    public let node: String
    let logger: Logger
    private let running: Task<Void, Never>
    /// Where audited writes go: concurrent ones share a transaction (group commit).
    let audited: PostgresGroupCommit
    /// Woken by the server's notifications on the feed's channel.
    let pulse = Pulse()
    /// The school's structure as this node last read it.
    let memo = PostgresStructureMemo()
    private let listening = Mutex<Task<Void, Never>?>(nil)
    /// One connection's settings, for `checkConnection`.
    private let probe: PostgresConnection.Configuration

    public struct BadURL: Error, CustomStringConvertible {
        public var url: String
        public var description: String {
            "not a PostgreSQL URL: \(url) (postgresql://user[:password]@host[:port]/database)"
        }
    }

    /// Connects (lazily: the pool opens connections as queries need them) and starts the client.
    public init(url: String, logger: Logger = Logger(label: "classbook.postgres")) throws {
        guard let parts = URLComponents(string: url), ["postgresql", "postgres"].contains(parts.scheme ?? ""),
            let host = parts.host, !host.isEmpty, let user = parts.user, !user.isEmpty
        else { throw BadURL(url: url) }
        let database = String(parts.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw BadURL(url: url) }
        let mode = parts.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        let connectionTLS: PostgresConnection.Configuration.TLS
        switch mode {
        case "disable": (tls, connectionTLS) = (.disable, .disable)
        case "prefer":
            tls = .prefer(.makeClientConfiguration())
            connectionTLS = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case "require":
            tls = .require(.makeClientConfiguration())
            connectionTLS = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: throw BadURL(url: url)
        }
        let node = (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        var configuration = PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432, username: user, password: parts.password, database: database,
            tls: tls)
        // Every connection names this node: the change feed's triggers write it as the origin
        // of what the connection saves, and an operator sees it in pg_stat_activity.
        configuration.options.additionalStartupParameters = [
            ("classbook.node", node), ("application_name", "classbook \(node)")
        ]
        probe = PostgresConnection.Configuration(
            host: host, port: parts.port ?? 5432, username: user, password: parts.password, database: database,
            tls: connectionTLS)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.node = node
        running = Task { await client.run() }
        audited = PostgresGroupCommit(client: client, logger: logger)
    }

    /// Why the server could not be used: unreachable, or it refused the user or the database.
    public struct Unreachable: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { "cannot connect to PostgreSQL: \(reason)" }
    }

    /// Opens one connection now and closes it, so that a server that cannot be reached, or that
    /// refuses the user or the database, is named at once (the pool would retry in the background
    /// for ever).
    public func checkConnection() async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: probe, id: 0, logger: logger)
            try await connection.close()
        } catch let error as PSQLError {
            throw Unreachable(
                reason: error.serverInfo?[.message] ?? error.underlying.map { "\($0)" } ?? "\(error.code)")
        }
    }

    /// Stops listening and closes the pool's connections.
    public func close() {
        listening.withLock { $0?.cancel() }
        running.cancel()
    }

    /// Runs `body` in a transaction (committed when it returns, rolled back when it throws); the
    /// body's own error is what the caller gets.
    func write<Result: Sendable>(_ body: (PostgresConnection) async throws -> sending Result) async throws -> Result {
        try await client.transaction(logger: logger, body)
    }

    /// Told of each commit of audited writes: how many it carried and how long it took.
    public func observeCommits(_ handler: @escaping @Sendable (_ writes: Int, _ duration: Duration) -> Void) {
        audited.observe(handler)
    }

    /// Told of each batch of audited writes that failed and ran again write by write (a write
    /// refused, or a deadlock between batches): how many writes it carried.
    public func observeReruns(_ handler: @escaping @Sendable (_ writes: Int) -> Void) {
        audited.observeReruns(handler)
    }

    /// The URL without its password, for logs and messages.
    public static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "***"
        return parts.string ?? url
    }

    /// Every repository, as `SchoolServices` takes them.
    public var repositories: SchoolServices.Repositories {
        .init(
            accounts: accounts, diary: diary, journal: journal, duties: duties, messaging: messaging, boards: boards,
            security: security)
    }

    public var feed: PostgresChangeFeed { PostgresChangeFeed(store: self) }
    public var nodes: PostgresNodeDirectory { PostgresNodeDirectory(store: self) }

    /// Applies the migrations not yet applied, each in its own transaction, one node at a time
    /// (an advisory lock: several nodes may start at once).
    public func migrate() async throws {
        try await write { connection in
            try await Self.checkCollation(SQL(runner: connection, logger: logger))
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS classbook_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)
                """,
                logger: logger)
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM classbook_migrations", logger: logger)
                .decode(String.self)
            {
                applied.insert(name)
            }
            for (name, statements) in PostgresMigrations.all where !applied.contains(name) {
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                if PostgresMigrations.baselined.contains(name) {
                    try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresAudit.lock))", logger: logger)
                    let audit = AuditAppender(chainingAfter: try await PostgresAudit.last(connection, logger: logger))
                    try await PostgresAuditedRows.baseline(
                        SQL(runner: connection, logger: logger), audit,
                        context: AuditContext(actor: nil, sessionID: "migration:\(name)", at: Date()))
                    try await audit.flush(connection, logger: logger)
                }
                try await connection.query(
                    "INSERT INTO classbook_migrations (name, applied_at) VALUES (\(name), now())", logger: logger)
            }
        }
    }

    /// A database whose text sorts other than by code point would list names in another order
    /// than SQLite does (and than the same school on another server): refused with what to do.
    public struct UnsupportedCollation: Error, CustomStringConvertible {
        public var collation: String
        public var description: String {
            "the database sorts text by \(collation); Classbook needs C.UTF-8 (CREATE DATABASE … ENCODING 'UTF8' "
                + "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0; see docs/scaling.md)"
        }
    }

    static func checkCollation(_ sql: SQL) async throws {
        let collation = try await sql.value(
            "SELECT datcollate FROM pg_database WHERE datname = current_database()"
        ).string
        guard ["C", "POSIX", "C.UTF-8", "C.utf8"].contains(collation) else {
            throw UnsupportedCollation(collation: collation)
        }
    }

    static let migrationLock: Int64 = 0x636c_6173_736d_6967
    static let feedLock: Int64 = 0x636c_6173_7366_6565
    static let feedChannel = "classbook_feed"

    /// Listens on the feed's channel (one connection of the pool, reopened when lost) and wakes
    /// whoever waits for changes.
    func listen() {
        listening.withLock { task in
            guard task == nil else { return }
            task = Task { [client, logger, pulse] in
                while !Task.isCancelled {
                    do {
                        try await client.withConnection { connection in
                            try await connection.listen(on: Self.feedChannel) { notifications in
                                pulse.fire()
                                for try await _ in notifications { pulse.fire() }
                            }
                        }
                    } catch {
                        if Task.isCancelled { return }
                        logger.warning("listening for the change feed stopped: \(error); again in 1 s")
                        try? await Task.sleep(for: .seconds(1))
                    }
                }
            }
        }
    }
}

/// A wake-up that is not lost when it comes before the wait: `wait` returns at once if fired
/// since the last wait returned.
final class Pulse: Sendable {
    private struct State {
        var fired = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// Waits cancelled before they began waiting.
        var cancelled: Set<UInt64> = []
        var next: UInt64 = 0
    }

    private let state = Mutex(State())

    func fire() {
        let waiters = state.withLock { state in
            let waiters = state.waiters.values
            state.waiters = [:]
            state.fired = waiters.isEmpty
            return Array(waiters)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when fired, or after `timeout`.
    func wait(upTo timeout: Duration) async {
        let id = state.withLock { state in
            state.next += 1
            return state.next
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let resumeNow = self.state.withLock { state -> Bool in
                            if state.cancelled.remove(id) != nil { return true }
                            if state.fired {
                                state.fired = false
                                return true
                            }
                            state.waiters[id] = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    let waiter = self.state.withLock { state in
                        guard let waiter = state.waiters.removeValue(forKey: id) else {
                            state.cancelled.insert(id)
                            return nil as CheckedContinuation<Void, Never>?
                        }
                        return waiter
                    }
                    waiter?.resume()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}

extension PostgresClient {
    /// `withTransaction`, throwing the body's own error rather than postgres-nio's wrapper of it
    /// (a repository's `RepositoryError` reaches its caller as on SQLite).
    func transaction<Result: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> sending Result)
        async throws -> Result
    {
        do {
            return try await withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }
}
