import GRDB
import Synchronization

// Reads on the hot paths (every /marks, /absences, login) use statements prepared once per
// connection: parsing the SQL and running GRDB's authorizer over it cost more than running
// the query. Only for SQL whose text is fixed: each distinct text stays in the connection's
// cache for good, so SQL built from values (IN lists) must not come here.

extension Row {
    static func fetchAll(_ db: Database, prepared sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    static func fetchOne(_ db: Database, prepared sql: String, arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

extension Row {
    /// Each row of `statement`, transformed as it is read. A row read through a cursor finds
    /// a column by name in a dictionary; a row copied out by `fetchAll` lowercases every
    /// column name and compares them one by one, which on reads of thousands of rows (the
    /// weekly digest, reports) costs more than the query.
    static func map<T>(_ statement: Statement, arguments: StatementArguments = StatementArguments(),
                       _ transform: (Row) throws -> T) throws -> [T] {
        var result: [T] = []
        let cursor = try fetchCursor(statement, arguments: arguments)
        while let row = try cursor.next() { result.append(try transform(row)) }
        return result
    }
}

extension DatabaseValueConvertible {
    static func fetchOne(_ db: Database, prepared sql: String, arguments: StatementArguments = StatementArguments()) throws -> Self? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

extension DatabasePool {
    /// A point read: one person's rows through an index, over in microseconds. It runs on
    /// the calling thread (for a chat command, the connection's event loop): handing it to
    /// GRDB's queue and awaiting the answer costs more than the query. Reads that scan a
    /// class or the school stay on `read` with `await`.
    func pointRead<T>(_ body: (Database) throws -> T) throws -> T {
        try read(body)
    }
}

/// Connections of their own for point queries: one statement each, on the calling thread,
/// outside a transaction (SQLite runs a single statement on one snapshot anyway).
///
/// Profiles of `/marks` showed GRDB's reader pool costing more than these queries: each
/// `read` checks a reader out (semaphore, lock, a key path resolved at run time), toggles
/// read-only mode, asks for the schema version and wraps the body in BEGIN and COMMIT, five
/// statements around one. A point query takes one of a few read-only connections in turn
/// and runs its statement alone. A body that runs two statements must use
/// `DatabasePool.pointRead` instead, or it may see a write land between them.
final class PointReaders: Sendable {
    private let connections: [DatabaseQueue]
    private let next = Atomic<Int>(0)

    /// `count` connections: a caller that finds its turn's connection busy waits for one
    /// statement; a few more than the event loops keep that rare.
    init(path: String, count: Int = 4) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        configuration.label = "point reader"
        connections = try (0..<count).map { _ in try DatabaseQueue(path: path, configuration: configuration) }
    }

    func close() throws {
        for connection in connections { try connection.close() }
    }

    func query<T>(_ body: (Database) throws -> T) throws -> T {
        let turn = next.wrappingAdd(1, ordering: .relaxed).oldValue & Int.max
        return try connections[turn % connections.count].inDatabase(body)
    }
}
