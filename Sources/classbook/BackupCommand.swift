import ArgumentParser
import ClassbookStore
import Foundation

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy the database consistently while the server runs.")

    @OptionGroup var data: DataOptions

    @Option(help: "The backup file to create (it must not exist).")
    var to: String

    func run() async throws {
        guard case .sqlite(let database) = try await Composition.open(data).store else {
            throw ValidationError(Self.postgresql)
        }
        do {
            try database.backup(to: to)
        } catch let error as ClassbookDatabase.BackupError {
            throw ValidationError(error.description)
        }
        // The copy holds children's personal data: readable by its owner only.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: to)
        print("backup written: \(to)")
    }

    static let postgresql =
        "classbook backup copies the SQLite file; a PostgreSQL database is backed up with pg_dump (docs/operations.md, "
        + "\"Backups\")"
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract:
            "Put a backup in place of the database (stop the server first); the replaced database is kept as "
            + "classbook.sqlite.before-restore."
    )

    @OptionGroup var data: DataOptions

    @Option(help: "The backup file.")
    var from: String

    func run() async throws {
        guard data.database == nil else { throw ValidationError(BackupCommand.postgresql) }
        guard FileManager.default.fileExists(atPath: from) else { throw ValidationError("no file \(from)") }
        do {
            let records = try await ClassbookDatabase.restore(from: from, into: data.data)
            print("restored \(from) into \(data.data); audit chain and journal rows intact: \(records) records")
        } catch let error as ClassbookDatabase.BackupError {
            throw ValidationError(error.description)
        }
    }
}
