import ArgumentParser
import CClassbookCrypto
import ClassbookDomain
import ClassbookServer
import ClassbookStore
import Foundation
import Logging
import ServiceLifecycle
import Yams

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a school over IRC with TLS. Flags override the config file.")

    @Option(help: "The school's data directory (the SQLite database, the TLS certificate).")
    var data: String?

    @Option(
        help: """
            A PostgreSQL database the school's nodes share, postgresql://user[:password]@host[:port]/db; without it, \
            the SQLite file in --data.
            """)
    var database: String?

    @Option(help: "A YAML config file (see deploy/classbook.yaml).")
    var config: String?

    @Option(help: "The TLS listener, HOST:PORT (default 0.0.0.0:6697).")
    var listen: String?

    @Option(help: "The certificate (PEM); with --key. Default: a self-signed one in DATA/tls, made on first run.")
    var cert: String?

    @Option(help: "The private key (PEM).")
    var key: String?

    @Option(name: .customLong("plaintext-listen"), help: "A plaintext listener on a loopback address, 127.0.0.1:PORT.")
    var plaintextListen: String?

    @Option(
        name: .customLong("web-listen"), help: "HTTPS with IRC over WebSocket at /socket, HOST:PORT (off by default).")
    var webListen: String?

    @Option(
        name: .customLong("proxy-listen"),
        help: "TLS IRC behind a load balancer that sends the PROXY protocol (v1 or v2), HOST:PORT (off by default).")
    var proxyListen: String?

    @Option(
        name: .customLong("metrics-listen"),
        help: "Prometheus's /metrics, HOST:PORT (default 127.0.0.1:9477; 'off' turns it off).")
    var metricsListen: String?

    @Option(name: .customLong("server-name"), help: "The server's name as clients see it.")
    var serverName: String?

    @Option(help: "A server password every connection must give with PASS.")
    var password: String?

    @Flag(name: .customLong("allow-guests"), help: "Let people connect without logging in (they see /help only).")
    var allowGuests = false

    /// The server's configuration from the settings: listeners and names (serve's own) and the
    /// school's (`Settings.apply`), checked.
    static func configuration(_ settings: Settings, certificatePath: String, privateKeyPath: String) throws
        -> ServerConfiguration
    {
        var configuration = ServerConfiguration(certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        configuration.serverName = settings.string("server-name") ?? "classbook.local"
        if let endpoint = try settings.endpoint("listen") { configuration.tlsListen = endpoint }
        configuration.plaintextListen = try settings.endpoint("plaintext-listen")
        configuration.serverPassword = settings.string("password")
        configuration.allowGuests = try settings.flag("allow-guests") ?? false
        try settings.apply(to: &configuration)
        do {
            try configuration.validate()
        } catch let error as ServerConfiguration.ValidationError {
            let key =
                switch error {
                case .plaintextNotLoopback: "plaintext-listen"
                case .serverPasswordContainsColon: "password"
                }
            throw settings.failure(key, error.description)
        }
        return configuration
    }

    /// Plain lines (`log-format: text`, the default) or JSON lines (`json`), on standard error.
    static func logger(_ settings: Settings) throws -> Logger {
        switch settings.string("log-format") ?? "text" {
        case "text": return Logger(label: "classbook")
        case "json": return Logger(label: "classbook") { JSONLogHandler(label: $0) }
        default: throw settings.failure("log-format", "log-format is text or json")
        }
    }

    /// The flags given, by the settings' keys: they come first (`Settings`).
    var flags: [String: String] {
        let given: [String: String?] = [
            "data": data, "database": database, "listen": listen, "cert": cert, "key": key,
            "plaintext-listen": plaintextListen,
            "web-listen": webListen,
            "proxy-listen": proxyListen,
            "metrics-listen": metricsListen, "server-name": serverName, "password": password,
            "allow-guests": allowGuests ? "true" : nil
        ]
        return given.compactMapValues { $0 }
    }

    func run() async throws {
        let settings = try Settings(file: config, flags: flags)
        guard let dataDirectory = settings.string("data") else {
            throw ValidationError("give --data DIR (or data: in the config file, or CLASSBOOK_DATA)")
        }
        var logger = try Self.logger(settings)
        logger.logLevel = .info

        let certificate = settings.string("cert")
        let privateKey = settings.string("key")
        guard (certificate == nil) == (privateKey == nil) else {
            throw ValidationError("give --cert and --key together")
        }
        let tlsDirectory = (dataDirectory as NSString).appendingPathComponent("tls")
        let certificatePath = certificate ?? (tlsDirectory as NSString).appendingPathComponent("cert.pem")
        let privateKeyPath = privateKey ?? (tlsDirectory as NSString).appendingPathComponent("key.pem")
        let configuration = try Self.configuration(
            settings, certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        if certificate == nil && !FileManager.default.fileExists(atPath: certificatePath) {
            try FileManager.default.createDirectory(atPath: tlsDirectory, withIntermediateDirectories: true)
            try TLSCertificate.writeSelfSigned(
                commonName: configuration.serverName, certificatePath: certificatePath, privateKeyPath: privateKeyPath)
            logger.info("made a self-signed certificate: \(certificatePath)")
        }

        // Allocations of 16 KiB and more come straight from mmap (see the function): scrypt's
        // 16 MiB per login goes back to the system when freed, and the 32 KiB plaintext buffer
        // NIOSSL keeps for each connection costs only the pages a client's lines touch (one,
        // for an idle chat session), not 32 KiB of resident memory.
        _ = cb_map_large_allocations(16 * 1024)
        let store = try await Store.open(
            data: dataDirectory, url: settings.string("database"), create: false, logger: logger)
        let server = try ClassbookServer(
            configuration: configuration,
            services: .init(repositories: store.repositories, feed: store.feed, nodes: store.nodes),
            logger: logger)
        // The store's commits, for the metrics: their size and how long they take.
        store.observeCommits { writes, duration in server.recordCommit(writes: writes, duration: duration) }
        store.observeReruns { _ in server.recordRerun() }
        let ports = try await server.bind()
        print(
            "classbook serving \(store.location): TLS on \(configuration.tlsListen.host):\(ports.tls)"
                + (ports.plaintext.map { ", plaintext on \(configuration.plaintextListen!.host):\($0)" } ?? "")
                + (ports.web.map { ", web on https://\(configuration.webListen!.host):\($0)\(WebSocketTransport.path)" }
                    ?? "")
                + (ports.proxy.map {
                    ", TLS behind a balancer (PROXY protocol) on \(configuration.proxyListen!.host):\($0)"
                } ?? ""))
        // Service managers and scripts read this line as it comes, not when a buffer fills.
        fflush(nil)
        // One group: the store first, so that it is stopped last; SIGTERM or SIGINT stops the
        // listeners (every client told, writes under way finished), then the jobs, then the store.
        var group = ServiceGroupConfiguration(
            services: [.init(service: StoreService(store: store, logger: logger))]
                + server.services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(10)
        try await ServiceGroup(configuration: group).run()
        try await server.close()
        logger.info("stopped")
    }
}

/// The store as a service: open while the others run, closed once they have stopped
/// (everything confirmed is durable already; closing checkpoints SQLite's WAL).
struct StoreService: Service {
    let store: Store
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        if case .sqlite(let database) = store {
            let commits = database.writer.statistics
            logger.info("group commit: \(commits.writes) writes in \(commits.commits) transactions")
        }
        try store.close()
    }
}
