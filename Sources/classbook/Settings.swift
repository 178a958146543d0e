import ArgumentParser
import ClassbookDomain
import ClassbookServer
import Foundation
import Yams

/// The one configuration model of `classbook serve` and every CLI command: each setting by its
/// key (kebab-case, `smtp.host` within a section), its value from the first of a command-line
/// flag, the environment (`CLASSBOOK_` and the key upper-cased, `-` and `.` as `_`:
/// `CLASSBOOK_TIME_ZONE`, `CLASSBOOK_SMTP_HOST`), the YAML file, and the default. Each value
/// remembers where it came from, so a refusal names it: `classbook.yaml:12: flood-burst must be a
/// number`, or `environment CLASSBOOK_FLOOD_BURST: …`. A key the file has and no setting knows
/// (a misspelling) is refused with its line. Why not swift-configuration: docs/operations.md.
struct Settings {
    enum Kind {
        case string, number, whole, flag, list
    }

    /// Every setting, with its kind.
    static let keys: [String: Kind] = [
        "data": .string, "database": .string, "listen": .string, "cert": .string, "key": .string,
        "plaintext-listen": .string,
        "metrics-listen": .string, "web-listen": .string, "web-allowed-origins": .list,
        "proxy-listen": .string,
        "server-name": .string, "password": .string, "allow-guests": .flag, "log-format": .string, "bot-nick": .string,
        "motd": .list, "time-zone": .string,
        "registration-timeout": .number, "ping-interval": .number, "ping-timeout": .number, "job-interval": .number,
        "flood-burst": .number, "flood-rate": .number, "flood-hard-limit": .whole,
        "max-connections-per-address": .whole,
        "max-pending-logins": .whole, "max-registering": .whole, "login-lock-after": .whole,
        "max-sessions-per-account": .whole, "rooms": .string,
        "smtp.host": .string, "smtp.port": .whole, "smtp.security": .string, "smtp.username": .string,
        "smtp.password": .string,
        "smtp.from": .string, "smtp.trust-root": .string, "smtp.timeout": .number, "smtp.reply-timeout": .number,
        "sms.url": .string, "sms.username": .string, "sms.password": .string, "sms.trust-root": .string
    ]

    /// Shown masked by `classbook config check`.
    static let secrets: Set<String> = ["password", "smtp.password", "sms.password", "database"]

    enum Origin: CustomStringConvertible {
        case flag(String)
        case environment(String)
        case file(String, line: Int)

        var description: String {
            switch self {
            case .flag(let name): "--\(name)"
            case .environment(let name): "environment \(name)"
            case .file(let path, let line): "\(path):\(line)"
            }
        }
    }

    enum Value {
        case scalar(String)
        case list([String])
    }

    private(set) var values: [String: (value: Value, origin: Origin)] = [:]

    /// `CLASSBOOK_SMTP_REPLY_TIMEOUT` for `smtp.reply-timeout`.
    static func environmentName(_ key: String) -> String {
        "CLASSBOOK_"
            + key.uppercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: ".", with: "_")
    }

    /// Reads the file (if any), then the environment, then the flags given (key → value), each
    /// over the one before.
    init(
        file: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        flags: [String: String] = [:]
    ) throws {
        if let file { try read(file) }
        for key in Self.keys.keys {
            let name = Self.environmentName(key)
            if let text = environment[name] {
                values[key] = (
                    Self.keys[key] == .list ? .list(text.components(separatedBy: "\n")) : .scalar(text),
                    .environment(name)
                )
            }
        }
        for (key, text) in flags {
            precondition(Self.keys[key] != nil, "a flag for an unknown setting \(key)")
            values[key] = (.scalar(text), .flag(key))
        }
    }

    private mutating func read(_ path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the config file \(path)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ValidationError("\(path): not YAML: \(error)")
        }
        guard let root else { return }
        guard let mapping = root.mapping else {
            throw ValidationError("\(path):\(Self.line(root)): the config file must be a mapping of settings")
        }
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? ""
            if key == "smtp" || key == "sms" {
                guard let section = valueNode.mapping else {
                    throw ValidationError(
                        "\(path):\(Self.line(keyNode)): \(key) is a section of settings (\(key).host: …)")
                }
                for (subKey, subValue) in section {
                    try store("\(key).\(subKey.string ?? "")", subValue, at: Self.line(subKey), in: path)
                }
            } else {
                try store(key, valueNode, at: Self.line(keyNode), in: path)
            }
        }
    }

    private mutating func store(_ key: String, _ node: Node, at line: Int, in path: String) throws {
        guard let kind = Self.keys[key] else {
            let known = Self.keys.keys.filter { !$0.contains(".") }.sorted().joined(separator: ", ")
            throw ValidationError("\(path):\(line): unknown setting '\(key)'; settings: \(known), smtp.…, sms.…")
        }
        let origin = Origin.file(path, line: line)
        switch (kind, node) {
        case (.list, .sequence(let items)):
            values[key] = (.list(items.map { $0.string ?? "" }), origin)
        case (.list, .scalar(let scalar)):
            values[key] = (.list([scalar.string]), origin)
        case (_, .scalar(let scalar)):
            values[key] = (.scalar(scalar.string), origin)
        default:
            throw ValidationError("\(origin): \(key) must be a single value")
        }
    }

    private static func line(_ node: Node) -> Int { (node.mark?.line ?? 0) }

    // MARK: Typed values

    func origin(_ key: String) -> Origin? { values[key]?.origin }

    func string(_ key: String) -> String? {
        guard case .scalar(let text)? = values[key]?.value else { return nil }
        return text
    }

    func list(_ key: String) -> [String]? {
        switch values[key]?.value {
        case .list(let items)?: items
        case .scalar(let text)?: [text]
        case nil: nil
        }
    }

    /// A refusal that names where the value came from.
    func failure(_ key: String, _ message: String) -> ValidationError {
        ValidationError(values[key].map { "\($0.origin): \(message)" } ?? message)
    }

    func number(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let text = string(key) else { return nil }
        guard let value = Double(text), range.contains(value) else {
            throw failure(
                key,
                "\(key) must be a number from \(Self.plain(range.lowerBound)) to \(Self.plain(range.upperBound)), "
                    + "not '\(text)'"
            )
        }
        return value
    }

    func whole(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw failure(
                key, "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    func flag(_ key: String) throws -> Bool? {
        guard let text = string(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw failure(key, "\(key) is true or false, not '\(text)'")
        }
    }

    func endpoint(_ key: String) throws -> ServerConfiguration.Endpoint? {
        guard let text = string(key) else { return nil }
        guard let endpoint = ServerConfiguration.Endpoint(parsing: text) else {
            throw failure(key, "\(key) must be HOST:PORT, not '\(text)'")
        }
        return endpoint
    }

    private static func plain(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    // MARK: The server's configuration

    /// The school's settings, the same for `serve` and every CLI command: time zone, bot,
    /// timeouts, limits, rooms, metrics, mail and SMS (listeners, certificate and data directory
    /// are `serve`'s).
    func apply(to configuration: inout ServerConfiguration) throws {
        if let nick = string("bot-nick") { configuration.botNick = nick }
        if let motd = list("motd") { configuration.motd = motd }
        if let zone = string("time-zone") {
            guard let timeZone = TimeZone(identifier: zone) else {
                throw failure("time-zone", "unknown time zone '\(zone)'")
            }
            configuration.timeZone = timeZone
        }
        if let seconds = try number("registration-timeout", in: 1...3600) {
            configuration.registrationTimeout = seconds
        }
        if let seconds = try number("ping-interval", in: 1...86_400) { configuration.pingInterval = seconds }
        if let seconds = try number("ping-timeout", in: 1...3600) { configuration.pingTimeout = seconds }
        if let seconds = try number("job-interval", in: 0...86_400) { configuration.jobInterval = seconds }
        if let burst = try number("flood-burst", in: 1...1_000_000) { configuration.flood.burst = burst }
        if let rate = try number("flood-rate", in: 0.01...1_000_000) { configuration.flood.linesPerSecond = rate }
        if let limit = try whole("flood-hard-limit", in: 1...1_000_000) { configuration.flood.hardLimit = limit }
        if let limit = try whole("max-connections-per-address", in: 0...1_000_000) {
            configuration.maxConnectionsPerAddress = limit
        }
        if let limit = try whole("max-pending-logins", in: 1...1_000_000) { configuration.maxPendingLogins = limit }
        if let limit = try whole("max-registering", in: 1...1_000_000) { configuration.maxRegistering = limit }
        if let limit = try whole("login-lock-after", in: 0...1000) { configuration.loginThrottle.lockAfter = limit }
        if let limit = try whole("max-sessions-per-account", in: 0...1000) {
            configuration.maxSessionsPerAccount = limit
        }
        if let rooms = string("rooms") {
            guard let setting = RoomCreation(rawValue: rooms) else {
                throw failure("rooms", "rooms is everyone, staff or off, not '\(rooms)'")
            }
            configuration.rooms = setting
        }
        if let endpoint = try endpoint("web-listen") { configuration.webListen = endpoint }
        if let endpoint = try endpoint("proxy-listen") { configuration.proxyListen = endpoint }
        if let origins = list("web-allowed-origins") {
            for origin in origins where !(origin.hasPrefix("https://") || origin.hasPrefix("http://")) {
                throw failure("web-allowed-origins", "an origin is https://HOST[:PORT], not '\(origin)'")
            }
            configuration.webAllowedOrigins = origins.map { $0.lowercased() }
        }
        if string("metrics-listen") == "off" {
            configuration.metricsListen = nil
        } else if let endpoint = try endpoint("metrics-listen") {
            configuration.metricsListen = endpoint
        }
        if let host = string("smtp.host") {
            guard let from = string("smtp.from") else {
                throw failure("smtp.host", "smtp needs from: the sender's address")
            }
            guard let security = SMTPConfiguration.Security(rawValue: string("smtp.security") ?? "starttls") else {
                throw failure("smtp.security", "smtp.security is starttls, tls or none")
            }
            var mail = SMTPConfiguration(
                host: host, port: try whole("smtp.port", in: 1...65535) ?? (security == .tls ? 465 : 587),
                security: security, username: string("smtp.username"), password: string("smtp.password"),
                from: from, trustRoot: string("smtp.trust-root"))
            if let seconds = try number("smtp.timeout", in: 1...3600) {
                mail.timeout = .milliseconds(Int64(seconds * 1000))
            }
            if let seconds = try number("smtp.reply-timeout", in: 1...3600) {
                mail.replyTimeout = .milliseconds(Int64(seconds * 1000))
            }
            configuration.smtp = mail
        }
        if let url = string("sms.url") {
            guard url.contains("{to}"), url.contains("{text}") else {
                throw failure("sms.url", "sms.url must contain {to} and {text}")
            }
            configuration.sms = SMSConfiguration(
                url: url, username: string("sms.username"), password: string("sms.password"),
                trustRoot: string("sms.trust-root"))
        }
    }

    /// Every setting given, as `classbook config check` prints it: key, value (secrets masked),
    /// where it came from.
    var effective: [(key: String, value: String, origin: String)] {
        values.keys.sorted().map { key in
            let (value, origin) = values[key]!
            let text: String =
                switch value {
                case .scalar(let text): text
                case .list(let items): items.joined(separator: " | ")
                }
            return (key, Self.secrets.contains(key) ? "********" : text, origin.description)
        }
    }
}
