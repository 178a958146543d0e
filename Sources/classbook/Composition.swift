import ArgumentParser
import ClassbookDomain
import ClassbookServer
import ClassbookStore
import Foundation

/// `--data DIR`, `--database URL` and `--config FILE`, shared by every command that opens a
/// school's database.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "The school's data directory (the SQLite database, certificates, demo logins).")
    var data: String

    @Option(
        name: .long,
        help: """
            A PostgreSQL database the school's nodes share, postgresql://user[:password]@host[:port]/db \
            (or CLASSBOOK_DATABASE, or database: in the config file); without it, the SQLite file in --data.
            """)
    var database: String?

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
    let store: Store
    let school: SchoolServices

    /// Opens the school of `options`; `create` makes a new SQLite database where there is none
    /// (`init`, `import`).
    static func open(_ options: DataOptions, create: Bool = false) async throws -> Composition {
        let settings = try Settings(file: options.config, flags: options.database.map { ["database": $0] } ?? [:])
        let configuration = try configuration(options, settings)
        let store = try await Store.open(data: options.data, url: settings.string("database"), create: create)
        let school = SchoolServices(
            repositories: store.repositories, timeZone: configuration.timeZone,
            roomCreation: configuration.rooms, executor: DetachedThreadExecutor())
        return Composition(configuration: configuration, store: store, school: school)
    }

    private static func configuration(_ options: DataOptions, _ settings: Settings) throws -> ServerConfiguration {
        let tls = (options.data as NSString).appendingPathComponent("tls")
        var configuration = ServerConfiguration(certificatePath: tls + "/cert.pem", privateKeyPath: tls + "/key.pem")
        try settings.apply(to: &configuration)
        return configuration
    }

    var timeZone: TimeZone { configuration.timeZone }
}

extension Duration {
    /// In milliseconds, for the timings the commands print.
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
