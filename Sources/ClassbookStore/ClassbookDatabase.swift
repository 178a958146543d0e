import ClassbookDomain
import Foundation
import GRDB

/// The SQLite database of one school: `DIR/classbook.sqlite`, opened as a GRDB
/// `DatabasePool` in WAL mode with `synchronous = FULL`, so that a transaction that has
/// returned is on disk and a user can be told it is saved.
public final class ClassbookDatabase: Sendable {
    public static let fileName = "classbook.sqlite"

    public let pool: DatabasePool
    /// The repositories' writes, committed in groups (see `GroupCommit`).
    public let writer: GroupCommit
    let cache: StructureCache
    let marksCache = MarksCache()
    let roster = RosterCache()
    let readers: PointReaders
    public let path: String
    /// This process's name in the change feed (`feed`), new at every open.
    public let node: String

    /// Opens (creating if needed) the database in `directory` and applies pending migrations.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent(Self.fileName)
        let node = Digest.hex(Data((0..<6).map { _ in UInt8.random(in: 0...255) }))
        self.node = node
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            SQLiteChangeFeed.register(node: node, on: db)
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        pool.add(transactionObserver: RosterObserver(cache: roster), extent: .databaseLifetime)
        writer = GroupCommit(pool: pool)
        cache = StructureCache(writer: writer)
        try Migrations.migrator.migrate(pool)
        readers = try PointReaders(path: path)
    }

    /// Closes every connection; the last to close checkpoints the WAL into the database file.
    public func close() throws {
        try readers.close()
        try pool.close()
    }

    /// A consistent copy of the live database (SQLite's online backup), taken while the server
    /// runs; readers and writers go on meanwhile.
    public func backup(to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw BackupError.exists(path) }
        let copy = try DatabaseQueue(path: path)
        try pool.backup(to: copy)
        try copy.close()
    }

    public enum BackupError: Error, CustomStringConvertible {
        case exists(String)
        case notClassbook(String)
        case damaged(String)

        public var description: String {
            switch self {
            case .exists(let path): "\(path) exists already"
            case .notClassbook(let path): "\(path) is not a Classbook database"
            case .damaged(let reason): "the backup is damaged: \(reason)"
            }
        }
    }

    /// Puts a backup in place of `directory`'s database (the server must be stopped). The backup
    /// is checked first: SQLite's integrity check and the audit chain must pass; the database it
    /// replaces is kept beside it as `classbook.sqlite.before-restore`.
    public static func restore(from backup: String, into directory: String) async throws -> Int {
        let probe = try DatabaseQueue(
            path: backup,
            configuration: {
                var c = Configuration(); c.readonly = true; return c
            }())
        let (integrity, isClassbook) = try await probe.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "",
                try db.tableExists("audit_log") && db.tableExists("grdb_migrations")
            )
        }
        try probe.close()
        guard isClassbook else { throw BackupError.notClassbook(backup) }
        guard integrity == "ok" else { throw BackupError.damaged(integrity) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let target = (directory as NSString).appendingPathComponent(fileName)
        let staged = target + ".restoring"
        try? FileManager.default.removeItem(atPath: staged)
        try FileManager.default.copyItem(atPath: backup, toPath: staged)
        if FileManager.default.fileExists(atPath: target) {
            let kept = target + ".before-restore"
            try? FileManager.default.removeItem(atPath: kept)
            try FileManager.default.moveItem(atPath: target, toPath: kept)
        }
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
        // A rename within the directory: the database is either the old one or the whole backup.
        try FileManager.default.moveItem(atPath: staged, toPath: target)
        let restored = try ClassbookDatabase(directory: directory)
        defer { try? restored.close() }
        switch try await AuditVerifier(database: restored).verify() {
        case .intact(let records): return records
        case .broken(let id, let reason): throw BackupError.damaged("audit record \(id): \(reason)")
        case .rowTampered(let reason): throw BackupError.damaged(reason)
        }
    }

    /// True when `directory` holds a Classbook database.
    public static func exists(in directory: String) -> Bool {
        FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(fileName))
    }

    public var accounts: SQLiteAccountRepository {
        SQLiteAccountRepository(pool: pool, writer: writer, readers: readers)
    }
    public var diary: SQLiteDiaryRepository {
        SQLiteDiaryRepository(
            pool: pool, writer: writer, cache: cache, marksCache: marksCache, roster: roster, readers: readers)
    }
    public var journal: SQLiteJournalRepository {
        SQLiteJournalRepository(pool: pool, writer: writer, cache: cache, readers: readers)
    }
    public var duties: SQLiteDutiesRepository { SQLiteDutiesRepository(pool: pool, writer: writer) }
    public var messaging: SQLiteMessagingRepository { SQLiteMessagingRepository(pool: pool, writer: writer) }
    public var boards: SQLiteBoardRepository { SQLiteBoardRepository(pool: pool, writer: writer) }
    public var security: SQLiteSecurityRepository { SQLiteSecurityRepository(pool: pool, writer: writer) }

    /// Every repository, as `SchoolServices` takes them.
    public var repositories: SchoolServices.Repositories {
        .init(
            accounts: accounts, diary: diary, journal: journal, duties: duties, messaging: messaging, boards: boards,
            security: security)
    }
    public var feed: SQLiteChangeFeed {
        SQLiteChangeFeed(
            pool: pool, writer: writer, node: node, structure: cache, roster: roster)
    }
    public var nodes: SQLiteNodeDirectory { SQLiteNodeDirectory(pool: pool, writer: writer, node: node) }
}
