import GRDB

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
