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

    @Option(help: "The school's data directory.")
    var data: String?

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

    @Option(name: .customLong("metrics-listen"), help: "Prometheus's /metrics, HOST:PORT (default 127.0.0.1:9477; 'off' turns it off).")
    var metricsListen: String?

    @Option(name: .customLong("server-name"), help: "The server's name as clients see it.")
    var serverName: String?

    @Option(help: "A server password every connection must give with PASS.")
    var password: String?

    @Flag(name: .customLong("allow-guests"), help: "Let people connect without logging in (they see /help only).")
    var allowGuests = false

    func run() async throws {
        let file = try config.map(ConfigFile.load) ?? ConfigFile()
        guard let dataDirectory = data ?? file.data else { throw ValidationError("give --data DIR (or 'data:' in the config file)") }
        guard ClassbookDatabase.exists(in: dataDirectory) else {
            throw ValidationError("no database in \(dataDirectory); run 'classbook init --data \(dataDirectory)' first")
        }
        var logger = Logger(label: "classbook")
        logger.logLevel = .info

        let certificate = cert ?? file.cert
        let privateKey = key ?? file.key
        guard (certificate == nil) == (privateKey == nil) else { throw ValidationError("give --cert and --key together") }
        let tlsDirectory = (dataDirectory as NSString).appendingPathComponent("tls")
        let certificatePath = certificate ?? (tlsDirectory as NSString).appendingPathComponent("cert.pem")
        let privateKeyPath = privateKey ?? (tlsDirectory as NSString).appendingPathComponent("key.pem")
        let name = serverName ?? file.serverName ?? "classbook.local"
        if certificate == nil && !FileManager.default.fileExists(atPath: certificatePath) {
            try FileManager.default.createDirectory(atPath: tlsDirectory, withIntermediateDirectories: true)
            try TLSCertificate.writeSelfSigned(commonName: name, certificatePath: certificatePath, privateKeyPath: privateKeyPath)
            logger.info("made a self-signed certificate: \(certificatePath)")
        }

        var configuration = ServerConfiguration(certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        configuration.serverName = name
        if let text = listen ?? file.listen {
            guard let endpoint = ServerConfiguration.Endpoint(parsing: text) else { throw ValidationError("--listen must be HOST:PORT") }
            configuration.tlsListen = endpoint
        }
        if let text = plaintextListen ?? file.plaintextListen {
            guard let endpoint = ServerConfiguration.Endpoint(parsing: text) else {
                throw ValidationError("--plaintext-listen must be HOST:PORT")
            }
            configuration.plaintextListen = endpoint
        }
        if let text = metricsListen ?? file.metricsListen {
            if text == "off" {
                configuration.metricsListen = nil
            } else {
                guard let endpoint = ServerConfiguration.Endpoint(parsing: text) else { throw ValidationError("--metrics-listen must be HOST:PORT or off") }
                configuration.metricsListen = endpoint
            }
        }
        configuration.serverPassword = password ?? file.password
        configuration.allowGuests = allowGuests || (file.allowGuests ?? false)
        try file.apply(to: &configuration)
        do {
            try configuration.validate()
        } catch let error as ServerConfiguration.ValidationError {
            throw ValidationError(error.description)
        }

        // Allocations of 16 KiB and more come straight from mmap (see the function): scrypt's
        // 16 MiB per login goes back to the system when freed, and the 32 KiB plaintext buffer
        // NIOSSL keeps for each connection costs only the pages a client's lines touch (one,
        // for an idle chat session), not 32 KiB of resident memory.
        _ = cb_map_large_allocations(16 * 1024)
        let database = try ClassbookDatabase(directory: dataDirectory)
        let server = try ClassbookServer(
            configuration: configuration,
            services: .init(accounts: database.accounts, diary: database.diary, journal: database.journal, duties: database.duties,
                            messaging: database.messaging, boards: database.boards,
                            security: database.security),
            logger: logger)
        // The store's commits, for the metrics: their size and how long they take.
        database.writer.observe { writes, duration in server.recordCommit(writes: writes, duration: duration) }
        let ports = try await server.bind()
        print("classbook serving \(dataDirectory): TLS on \(configuration.tlsListen.host):\(ports.tls)"
              + (ports.plaintext.map { ", plaintext on \(configuration.plaintextListen!.host):\($0)" } ?? ""))
        // Service managers and scripts read this line as it comes, not when a buffer fills.
        fflush(nil)
        // One group: the store first, so that it is stopped last; SIGTERM or SIGINT stops the
        // listeners (every client told, writes under way finished), then the jobs, then the store.
        var group = ServiceGroupConfiguration(
            services: [.init(service: StoreService(database: database, logger: logger))] + server.services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(10)
        try await ServiceGroup(configuration: group).run()
        try await server.close()
        logger.info("stopped")
    }
}

/// The database as a service: open while the others run, closed once they have stopped
/// (everything confirmed is on disk already, `synchronous = FULL`; closing checkpoints the WAL).
struct StoreService: Service {
    let database: ClassbookDatabase
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        let commits = database.writer.statistics
        logger.info("group commit: \(commits.writes) writes in \(commits.commits) transactions")
        try database.close()
    }
}

/// The YAML config file: the same settings as the flags, kebab-case.
struct ConfigFile: Decodable {
    var data: String?
    var listen: String?
    var cert: String?
    var key: String?
    var plaintextListen: String?
    var metricsListen: String?
    var serverName: String?
    var password: String?
    var allowGuests: Bool?
    var botNick: String?
    var motd: [String]?
    var timeZone: String?
    var registrationTimeout: Double?
    var pingInterval: Double?
    var pingTimeout: Double?
    var jobInterval: Double?
    var floodBurst: Double?
    var floodRate: Double?
    var floodHardLimit: Int?
    var maxConnectionsPerAddress: Int?
    var loginLockAfter: Int?
    var maxSessionsPerAccount: Int?
    var rooms: String?
    var smtp: SMTPSection?
    var sms: SMSSection?

    struct SMTPSection: Decodable {
        var host: String
        var port: Int?
        var security: String?
        var username: String?
        var password: String?
        var from: String
        var trustRoot: String?
        var timeout: Double?
        var replyTimeout: Double?

        enum CodingKeys: String, CodingKey {
            case host, port, security, username, password, from, timeout
            case trustRoot = "trust-root"
            case replyTimeout = "reply-timeout"
        }
    }

    struct SMSSection: Decodable {
        var url: String
        var username: String?
        var password: String?
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case data, listen, cert, key, password, motd, smtp, sms, rooms
        case maxSessionsPerAccount = "max-sessions-per-account"
        case plaintextListen = "plaintext-listen"
        case metricsListen = "metrics-listen"
        case serverName = "server-name"
        case allowGuests = "allow-guests"
        case botNick = "bot-nick"
        case timeZone = "time-zone"
        case registrationTimeout = "registration-timeout"
        case pingInterval = "ping-interval"
        case pingTimeout = "ping-timeout"
        case jobInterval = "job-interval"
        case floodBurst = "flood-burst"
        case floodRate = "flood-rate"
        case floodHardLimit = "flood-hard-limit"
        case maxConnectionsPerAddress = "max-connections-per-address"
        case loginLockAfter = "login-lock-after"
    }

    /// The school's settings of the file, the same for `serve` and every CLI command: time zone,
    /// bot, timeouts, limits, rooms, mail and SMS.
    func apply(to configuration: inout ServerConfiguration) throws {
        if let nick = botNick { configuration.botNick = nick }
        if let motd { configuration.motd = motd }
        if let zone = timeZone {
            guard let timeZone = TimeZone(identifier: zone) else { throw ValidationError("unknown time zone '\(zone)'") }
            configuration.timeZone = timeZone
        }
        if let seconds = registrationTimeout { configuration.registrationTimeout = seconds }
        if let seconds = pingInterval { configuration.pingInterval = seconds }
        if let seconds = pingTimeout { configuration.pingTimeout = seconds }
        if let seconds = jobInterval { configuration.jobInterval = seconds }
        if let burst = floodBurst { configuration.flood.burst = burst }
        if let rate = floodRate { configuration.flood.linesPerSecond = rate }
        if let limit = floodHardLimit { configuration.flood.hardLimit = limit }
        if let limit = maxConnectionsPerAddress { configuration.maxConnectionsPerAddress = limit }
        if let limit = loginLockAfter { configuration.loginThrottle.lockAfter = limit }
        if let limit = maxSessionsPerAccount {
            guard limit >= 0 else { throw ValidationError("max-sessions-per-account must be 0 (no limit) or more") }
            configuration.maxSessionsPerAccount = limit
        }
        if let rooms {
            guard let setting = RoomCreation(rawValue: rooms) else { throw ValidationError("rooms is everyone, staff or off, not '\(rooms)'") }
            configuration.rooms = setting
        }
        if let smtp {
            guard let security = SMTPConfiguration.Security(rawValue: smtp.security ?? "starttls") else {
                throw ValidationError("smtp.security is starttls, tls or none")
            }
            var mail = SMTPConfiguration(host: smtp.host, port: smtp.port ?? (security == .tls ? 465 : 587), security: security,
                                         username: smtp.username, password: smtp.password, from: smtp.from, trustRoot: smtp.trustRoot)
            for (name, seconds) in [("smtp.timeout", smtp.timeout), ("smtp.reply-timeout", smtp.replyTimeout)] {
                if let seconds, !(seconds > 0 && seconds <= 3600) { throw ValidationError("\(name) is a number of seconds from 1 to 3600") }
            }
            if let seconds = smtp.timeout { mail.timeout = .milliseconds(Int64(seconds * 1000)) }
            if let seconds = smtp.replyTimeout { mail.replyTimeout = .milliseconds(Int64(seconds * 1000)) }
            configuration.smtp = mail
        }
        if let sms {
            guard sms.url.contains("{to}"), sms.url.contains("{text}") else { throw ValidationError("sms.url must contain {to} and {text}") }
            configuration.sms = SMSConfiguration(url: sms.url, username: sms.username, password: sms.password)
        }
    }

    static func load(_ path: String) throws -> ConfigFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the config file \(path)")
        }
        // A misspelt key would be silently ignored by the decoder: refuse it.
        if let keys = (try Yams.load(yaml: text) as? [String: Any])?.keys {
            let known = Set(CodingKeys.allCases.map(\.rawValue))
            if let unknown = keys.first(where: { !known.contains($0) }) {
                throw ValidationError("\(path): unknown setting '\(unknown)'")
            }
        }
        do {
            return try YAMLDecoder().decode(ConfigFile.self, from: text)
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }
}
