import ArgumentParser
import ClassbookServer
import Foundation

/// `classbook config check`: the configuration `serve` would run with, checked before it starts.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Validate a config file with the environment's CLASSBOOK_… settings over it, and print the effective "
                + "settings (secrets masked).",
            discussion:
                "A setting comes from the first of: a command-line flag of serve, the environment "
                + "(CLASSBOOK_TIME_ZONE, CLASSBOOK_SMTP_HOST, …), the file, the default. An unknown key or a bad "
                + "value is refused with its file and line, or its variable."
        )

        @Option(help: "The config file (see deploy/classbook.yaml).")
        var config: String?

        func run() throws {
            let settings = try Settings(file: config)
            _ = try Serve.logger(settings)
            let configuration = try Serve.configuration(
                settings, certificatePath: settings.string("cert") ?? "DATA/tls/cert.pem",
                privateKeyPath: settings.string("key") ?? "DATA/tls/key.pem")
            let width = settings.effective.map(\.key.count).max() ?? 0
            for (key, value, origin) in settings.effective {
                print("\(key.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)  (\(origin))")
            }
            print(
                "configuration valid: TLS on \(configuration.tlsListen), "
                    + (configuration.webListen.map { "web (IRC over WebSocket) on \($0), " } ?? "")
                    + (configuration.proxyListen.map { "TLS behind a balancer (PROXY protocol) on \($0), " } ?? "")
                    + "time zone \(configuration.timeZone.identifier), metrics "
                    + "\(configuration.metricsListen.map { "on \($0)" } ?? "off")"
            )
        }
    }
}
