import ClassbookDomain
import Foundation
import Logging
import PostgresNIO

/// A value bound to a statement or read from a row. The repositories on PostgreSQL state their
/// statements as SQLite's do (`?` and `?1` placeholders, arguments in a list) and read rows by
/// column name or position, so a statement ported from the SQLite store changes only where the
/// dialects differ; `SQL` turns the placeholders into PostgreSQL's `$1`.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case date(Date)
}

/// What can be bound to a placeholder.
public protocol SQLArgument: Sendable {
    var sqlValue: SQLValue { get }
}

extension Int64: SQLArgument { public var sqlValue: SQLValue { .int(self) } }
extension Int: SQLArgument { public var sqlValue: SQLValue { .int(Int64(self)) } }
extension Double: SQLArgument { public var sqlValue: SQLValue { .double(self) } }
extension String: SQLArgument { public var sqlValue: SQLValue { .text(self) } }
extension Date: SQLArgument { public var sqlValue: SQLValue { .date(self) } }
/// Flags are whole numbers, 0 or 1, as in SQLite (the audit's text of a row is the same).
extension Bool: SQLArgument { public var sqlValue: SQLValue { .int(self ? 1 : 0) } }
extension SchoolDate: SQLArgument { public var sqlValue: SQLValue { .text(iso) } }
extension SQLValue: SQLArgument { public var sqlValue: SQLValue { self } }

/// One row read: its columns' names and values, in the statement's order.
public struct SQLRow: Sendable {
    public let names: [String]
    public let values: [SQLValue]

    public subscript(_ index: Int) -> SQLValue { values[index] }
    public subscript(_ name: String) -> SQLValue {
        guard let index = names.firstIndex(of: name) else { return .null }
        return values[index]
    }
}

extension SQLValue {
    public var isNull: Bool { self == .null }

    public var int: Int64 { optionalInt ?? 0 }
    public var optionalInt: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value): Int64(value)
        case .text(let text): Int64(text)
        default: nil
        }
    }
    public var double: Double { optionalDouble ?? 0 }
    public var optionalDouble: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        case .text(let text): Double(text)
        default: nil
        }
    }
    public var string: String { optionalString ?? "" }
    public var optionalString: String? {
        switch self {
        case .null: nil
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .text(let text): text
        case .date(let date): StoredTimestamp.format(date)
        }
    }
    public var bool: Bool { int != 0 }
    public var date: Date { optionalDate ?? Date(timeIntervalSince1970: 0) }
    public var optionalDate: Date? {
        if case .date(let date) = self { return date }
        return nil
    }
    public var schoolDate: SchoolDate? { optionalString.flatMap(SchoolDate.init(iso:)) }
}

/// Where statements run: the pool (one statement on any connection) or one connection (a
/// transaction's).
protocol SQLRunner: Sendable {
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence
}

extension PostgresClient: SQLRunner {
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

extension PostgresConnection: SQLRunner {
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

/// Statements in SQLite's form, run on PostgreSQL.
struct SQL: Sendable {
    let runner: any SQLRunner
    let logger: Logger

    func rows(_ sql: String, _ arguments: (any SQLArgument)?...) async throws -> [SQLRow] {
        try await rows(sql, arguments: arguments.map { $0?.sqlValue ?? .null })
    }

    func rows(_ sql: String, arguments: [SQLValue]) async throws -> [SQLRow] {
        var rows: [SQLRow] = []
        do {
            for try await row in try await runner.run(Self.query(sql, arguments), logger: logger) {
                var names: [String] = []
                var values: [SQLValue] = []
                for cell in row {
                    names.append(cell.columnName)
                    values.append(try Self.value(cell))
                }
                rows.append(SQLRow(names: names, values: values))
            }
        } catch let error as PSQLError {
            throw StatementError(error: error, sql: sql)
        }
        return rows
    }

    /// A statement the server refused: its message and the statement (never its arguments,
    /// which may be personal data), where postgres-nio's own description says neither.
    struct StatementError: Error, CustomStringConvertible {
        let error: PSQLError
        let sql: String

        var description: String {
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            return "PostgreSQL: \(message) in: \(sql.split(whereSeparator: \.isNewline).joined(separator: " "))"
        }
    }

    func row(_ sql: String, _ arguments: (any SQLArgument)?...) async throws -> SQLRow? {
        try await rows(sql, arguments: arguments.map { $0?.sqlValue ?? .null }).first
    }

    /// The first column of the first row; `.null` when there is no row.
    func value(_ sql: String, _ arguments: (any SQLArgument)?...) async throws -> SQLValue {
        try await rows(sql, arguments: arguments.map { $0?.sqlValue ?? .null }).first?.values.first ?? .null
    }

    func execute(_ sql: String, _ arguments: (any SQLArgument)?...) async throws {
        _ = try await rows(sql, arguments: arguments.map { $0?.sqlValue ?? .null })
    }

    /// The query with `?` and `?N` placeholders (outside quoted text) as PostgreSQL's `$N`.
    static func query(_ sql: String, _ arguments: [SQLValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .int(let value): bindings.append(value)
            case .double(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .date(let value): bindings.append(value)
            }
        }
        return PostgresQuery(unsafeSQL: placeholders(sql), binds: bindings)
    }

    static func placeholders(_ sql: String) -> String {
        var result = ""
        result.reserveCapacity(sql.utf8.count + 16)
        var next = 1
        var quoted = false
        var characters = sql.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if character == "'" { quoted.toggle() }
            guard character == "?", !quoted else {
                result.append(character)
                continue
            }
            var digits = ""
            while let digit = pending, digit.isASCII, digit.isNumber {
                digits.append(digit)
                pending = characters.next()
            }
            if digits.isEmpty {
                result += "$\(next)"
                next += 1
            } else {
                result += "$\(digits)"
            }
        }
        return result
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid: return .int(try cell.decode(Int64.self))
        case .float4, .float8: return .double(try cell.decode(Double.self))
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        case .timestamptz, .timestamp: return .date(try cell.decode(Date.self))
        case .numeric: return .double(NSDecimalNumber(decimal: try cell.decode(Decimal.self)).doubleValue)
        default: return .text(try cell.decode(String.self))
        }
    }
}

extension PostgresStore {
    /// Runs one statement in SQLite's form (`?` placeholders) on the pool and returns its rows:
    /// for tools and tests that look at the store beside the repositories.
    public func query(_ sql: String, _ arguments: [SQLValue] = []) async throws -> [SQLRow] {
        try await self.sql.rows(sql, arguments: arguments)
    }

    /// Statements on the pool: each on any connection, outside a transaction.
    var sql: SQL { SQL(runner: client, logger: logger) }

    /// Reads on one connection in one read-only transaction that sees one snapshot (repeatable
    /// read: as SQLite's `read`, nothing committed meanwhile shows in a later statement).
    func read<Result: Sendable>(_ body: (SQL) async throws -> sending Result) async throws -> Result {
        try await client.withConnection { [logger] connection in
            try await connection.query("START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            let result: Result
            do {
                result = try await body(SQL(runner: connection, logger: logger))
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return result
        }
    }
}

extension PostgresStore {
    /// An audited write through the group commit: `body` runs in the batch's transaction with
    /// the batch's audit chain; the caller hears once the batch has committed.
    func writing<Result: Sendable>(
        _ isolation: WriteIsolation = .serial, _ body: @escaping @Sendable (SQL, AuditAppender) async throws -> Result
    ) async throws -> Result {
        try await audited.write(isolation) { [logger] connection, audit in
            try await body(SQL(runner: connection, logger: logger), audit)
        }
    }
}
