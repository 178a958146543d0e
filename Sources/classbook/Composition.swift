import ArgumentParser
import ClassbookDomain
import ClassbookServer
import ClassbookStore
import Foundation

/// `--data DIR` and `--config FILE`, shared by every command that opens a school's database.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "The school's data directory (database, certificates).")
    var data: String

    @Option(
        name: .long,
        help: "The config file `serve` reads (deploy/classbook.yaml): its time zone and rules apply here too.")
    var config: String?
}

/// The CLI's composition root: the school's settings from the same config file and by the same
/// rules as `classbook serve` (`Settings`), its database, and its services composed as the
/// server composes them (`SchoolServices`). The configured time zone governs every date a command
/// prints or counts.
struct Composition {
    let configuration: ServerConfiguration
    let database: ClassbookDatabase
    let school: SchoolServices

    /// Opens the school of `options`; `create` makes a new database where there is none (`init`).
    static func open(_ options: DataOptions, create: Bool = false) throws -> Composition {
        guard create || ClassbookDatabase.exists(in: options.data) else {
            throw ValidationError("no database in \(options.data); run 'classbook init --data \(options.data)' first")
        }
        let configuration = try settings(options)
        let database = try ClassbookDatabase(directory: options.data)
        let school = SchoolServices(
            repositories: database.repositories, timeZone: configuration.timeZone,
            roomCreation: configuration.rooms, executor: DetachedThreadExecutor())
        return Composition(configuration: configuration, database: database, school: school)
    }

    /// The school's settings: from the config file named, the environment (`CLASSBOOK_…`) and
    /// the defaults, as for `serve` (`Settings`).
    static func settings(_ options: DataOptions) throws -> ServerConfiguration {
        let tls = (options.data as NSString).appendingPathComponent("tls")
        var configuration = ServerConfiguration(certificatePath: tls + "/cert.pem", privateKeyPath: tls + "/key.pem")
        try Settings(file: options.config).apply(to: &configuration)
        return configuration
    }

    var timeZone: TimeZone { configuration.timeZone }
}

extension ClassbookDatabase {
    /// The store's repositories, as `SchoolServices` takes them.
    var repositories: SchoolServices.Repositories {
        .init(
            accounts: accounts, diary: diary, journal: journal, duties: duties, messaging: messaging, boards: boards,
            security: security)
    }
}

extension Duration {
    /// In milliseconds, for the timings the commands print.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
