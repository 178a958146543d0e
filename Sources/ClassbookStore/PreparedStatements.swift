import CClassbookSQLite
import GRDB
import Synchronization

// Reads on the hot paths (every /marks, /absences, login, and the many per-class reads of a
// weekly digest run) use statements prepared once per connection: parsing the SQL and
// running GRDB's authorizer over it cost more than running the query (a quarter of a digest
// run's CPU before these reads were prepared). Only for SQL whose text is fixed: each
// distinct text stays in the connection's cache for good, so SQL built from values must not
// come here. A list of ids goes in as one argument instead (`SQLList`).

extension Row {
    static func fetchAll(_ db: Database, prepared sql: String, arguments: StatementArguments = StatementArguments())
        throws -> [Row]
    {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    static func fetchOne(_ db: Database, prepared sql: String, arguments: StatementArguments = StatementArguments())
        throws -> Row?
    {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

/// A list of row ids as one bound argument, so that a statement reading "these rows" keeps
/// one text and is prepared once: `WHERE x IN \(SQLList.ids)` with `SQLList.ids(values)`
/// bound in its place. The ids travel as a JSON array read by SQLite's `json_each`; the
/// planner treats it as it does an inline list (one index search per id).
enum SQLList {
    static let ids = "(SELECT value FROM json_each(?))"

    static func ids(_ values: [Int64]) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }
}

extension Row {
    /// Each row of `statement`, transformed as it is read. A row read through a cursor finds
    /// a column by name in a dictionary; a row copied out by `fetchAll` lowercases every
    /// column name and compares them one by one, which on reads of thousands of rows (the
    /// weekly digest, reports) costs more than the query.
    static func map<T>(
        _ statement: Statement, arguments: StatementArguments = StatementArguments(),
        _ transform: (Row) throws -> T
    ) throws -> [T] {
        var result: [T] = []
        let cursor = try fetchCursor(statement, arguments: arguments)
        while let row = try cursor.next() { result.append(try transform(row)) }
        return result
    }
}

extension DatabaseValueConvertible {
    static func fetchOne(_ db: Database, prepared sql: String, arguments: StatementArguments = StatementArguments())
        throws -> Self?
    {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

/// Connections of their own for point reads: one person's rows through an index, over in
/// microseconds, run synchronously on the calling thread (for a chat command, the
/// connection's event loop), where handing them to GRDB's queue and awaiting the answer costs
/// more than the query. Reads that scan a class or the school stay on the pool's `read` with
/// `await`.
///
/// Never GRDB's reader pool for these: a synchronous read there waits for a free reader, and
/// the readers may be held by asynchronous reads that need a thread of Swift's cooperative
/// pool to finish; with the waiting reads on those same threads (a weekly digest run eight
/// wide did exactly that) nothing moves again. Here a read waits at most for another
/// synchronous read on the same connection.
///
/// `query` runs one statement outside a transaction (SQLite runs a single statement on one
/// snapshot anyway): profiles of `/marks` showed GRDB's reader pool costing more than these
/// queries (a checkout with a semaphore, a lock and a key path resolved at run time, read-only
/// toggles, the schema version, BEGIN and COMMIT: five statements around one). `read` runs a
/// body of several statements in one read transaction, so that they agree.
final class PointReaders: Sendable {
    private let connections: [DatabaseQueue]
    private let next = Atomic<Int>(0)
    /// The wal-index as SQLite maps it for these connections (`DatabaseVersion`); nil once
    /// closed, before the mapping can go.
    private let walIndex: Mutex<UnsafeRawPointer?>

    /// `count` connections: a caller that finds its turn's connection busy waits for one
    /// statement; a few more than the event loops keep that rare.
    init(path: String, count: Int = 4) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        configuration.label = "point reader"
        connections = try (0..<count).map { _ in try DatabaseQueue(path: path, configuration: configuration) }
        // A read opens the WAL, and with it the mapping, which then lasts as long as any
        // connection of this process to the file.
        let index = try connections[0].inDatabase { db in
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
            return cb_wal_index(UnsafeMutableRawPointer(db.sqliteConnection))
        }
        walIndex = Mutex(index)
    }

    func close() throws {
        walIndex.withLock { $0 = nil }
        for connection in connections { try connection.close() }
    }

    /// The database's version now, or nil when it cannot be told without a read.
    var version: DatabaseVersion? {
        walIndex.withLock { index in index.flatMap(DatabaseVersion.init(walIndex:)) }
    }

    func query<T>(_ body: (Database) throws -> T) throws -> T {
        try connection().inDatabase(body)
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try connection().read(body)
    }

    private func connection() -> DatabaseQueue {
        let turn = next.wrappingAdd(1, ordering: .relaxed).oldValue & Int.max
        return connections[turn % connections.count]
    }
}
