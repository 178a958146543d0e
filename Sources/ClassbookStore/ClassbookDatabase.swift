import Foundation
import GRDB

/// The SQLite database of one school: `DIR/classbook.sqlite`, opened as a GRDB
/// `DatabasePool` in WAL mode with `synchronous = FULL`, so that a transaction that has
/// returned is on disk and a user can be told it is saved.
public final class ClassbookDatabase: Sendable {
    public static let fileName = "classbook.sqlite"

    public let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) the database in `directory` and applies pending migrations.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent(Self.fileName)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Migrations.migrator.migrate(pool)
    }

    /// True when `directory` holds a Classbook database.
    public static func exists(in directory: String) -> Bool {
        FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(fileName))
    }

    public var accounts: SQLiteAccountRepository { SQLiteAccountRepository(pool: pool) }
    public var diary: SQLiteDiaryRepository { SQLiteDiaryRepository(pool: pool) }
    public var journal: SQLiteJournalRepository { SQLiteJournalRepository(pool: pool) }
    public var duties: SQLiteDutiesRepository { SQLiteDutiesRepository(pool: pool) }
    public var messaging: SQLiteMessagingRepository { SQLiteMessagingRepository(pool: pool) }
    public var boards: SQLiteBoardRepository { SQLiteBoardRepository(pool: pool) }
}
