import ArgumentParser

@main
struct Classbook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classbook",
        abstract: "A school's electronic journal and diary, served as an IRC chat.",
        subcommands: [Init.self, Serve.self, AccountCommand.self, ImportCommand.self, SettingsCommand.self, CredentialsCommand.self, ReportCommand.self, DigestCommand.self, ExtractCommand.self, BackupCommand.self, RestoreCommand.self, AuditCommand.self])
}

/// `--data DIR`, shared by every command that opens a school's database.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "The school's data directory (database, certificates).")
    var data: String
}
