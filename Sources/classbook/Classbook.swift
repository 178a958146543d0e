import ArgumentParser

@main
struct Classbook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classbook",
        abstract: "A school's electronic journal and diary, served as an IRC chat.",
        subcommands: [
            Init.self, Serve.self, AccountCommand.self, ImportCommand.self, SettingsCommand.self,
            CredentialsCommand.self, ReportCommand.self, DigestCommand.self, ExtractCommand.self, BackupCommand.self,
            RestoreCommand.self, AuditCommand.self,
            ConfigCommand.self
        ])
}
