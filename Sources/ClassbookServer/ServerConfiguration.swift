import ClassbookDomain
import Foundation
import NIOCore

/// Everything `classbook serve` can be told, from flags or the YAML config file.
public struct ServerConfiguration: Sendable {
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `HOST:PORT` or `[IPv6]:PORT`.
        public init?(parsing text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65535).contains(port)
            else {
                return nil
            }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self.init(host: host, port: port)
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

        /// Loopback only: 127.0.0.0/8, ::1 and localhost.
        public var isLoopback: Bool {
            if host == "localhost" || host == "::1" { return true }
            let parts = host.split(separator: ".")
            return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
        }
    }

    public var tlsListen: Endpoint = Endpoint(host: "0.0.0.0", port: 6697)
    public var certificatePath: String
    public var privateKeyPath: String
    /// A plaintext listener, for local bridges and tests; loopback addresses only.
    public var plaintextListen: Endpoint?
    /// A TLS IRC listener behind a load balancer: each connection starts with a PROXY protocol
    /// header (v1 or v2) naming the client, whose address then counts for the per-address limit,
    /// the login guard and `/sessions`. Bind it where only the balancer can reach it. nil: none.
    public var proxyListen: Endpoint?
    /// The web listener: HTTPS, IRC over WebSocket at `/socket` (IRCv3); nil: none.
    public var webListen: Endpoint?
    /// Origins whose pages may open the socket (`https://school.example.ru`); empty: the web
    /// listener's own (the server's name, localhost, 127.0.0.1, with its port).
    public var webAllowedOrigins: [String] = []
    /// Prometheus's `/metrics` (plain HTTP, so loopback by default: scrape it on the machine or
    /// through a proxy); nil turns it off.
    public var metricsListen: Endpoint? = Endpoint(host: "127.0.0.1", port: 9477)
    public var serverName = "classbook.local"
    public var networkName = "Classbook"
    /// When set, every connection must present it with PASS.
    public var serverPassword: String?
    public var allowGuests = false
    public var botNick = "diary"
    public var motd: [String] = []
    public var timeZone = TimeZone(identifier: "Europe/Moscow")!
    /// How long a connection may take to register (log in included).
    public var registrationTimeout: TimeInterval = 60
    /// Password hashes waiting or running at once; a login beyond them is refused at once with
    /// "server busy" (the client retries) rather than queued past the registration timeout.
    /// 512 a core: at tens of milliseconds a hash, the queue drains in seconds.
    public var maxPendingLogins = 512 * max(1, System.coreCount)
    /// Connections between their accept and the end of their registration at once; over it the
    /// listeners pause (the kernel's queue holds the rest), so that a storm of reconnections
    /// does not queue ahead of connected people's commands (`AdmissionGate`).
    public var maxRegistering = 32 * max(1, System.coreCount)
    /// The longest a connection counts against `maxRegistering`: one slow to register (idle,
    /// or waiting out the login guard's delay) goes on but stops counting.
    public var registeringHold: TimeInterval = 1
    /// A registered connection silent this long is sent a PING…
    public var pingInterval: TimeInterval = 120
    /// …and closed when no line arrives within this long after it.
    public var pingTimeout: TimeInterval = 60
    /// Each connection's line budget: a burst, then a rate; over budget lines wait (fake lag),
    /// and `hardLimit` lines in a row over budget disconnect.
    public var flood = FloodControl.Settings()
    /// Connections at once from one address; 0 for no limit. Loopback addresses (local
    /// bridges, web clients on the same host) are not limited unless `limitLoopback`.
    public var maxConnectionsPerAddress = 20
    public var limitLoopback = false
    /// Bytes waiting to be sent to a client that does not read before it is disconnected.
    public var maxSendQueue = 1 << 20
    /// Sessions (devices) one account may have at once; 0 for no limit.
    public var maxSessionsPerAccount = 5
    /// Who may open rooms of their own (`JOIN #name`): everyone, staff only, or no one.
    public var rooms: RoomCreation = .everyone

    /// How failed logins slow down and when an account is locked.
    public var loginThrottle = LoginThrottle()

    public struct LoginThrottle: Sendable, Equatable {
        public var freeFailures = 3
        public var baseDelay: TimeInterval = 1
        public var maxDelay: TimeInterval = 30
        public var lockAfter = 10
        public init() {}
    }

    /// Email (notifications) through this SMTP server; none when nil.
    public var smtp: SMTPConfiguration?
    /// SMS through this HTTP gateway; none when nil.
    public var sms: SMSConfiguration?
    /// How often scheduled work is checked: the weekly digest, messages held for quiet hours,
    /// daily summaries, email and SMS. 0 turns the schedule off.
    public var jobInterval: TimeInterval = 60

    public init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }

    public enum ValidationError: Error, Equatable, CustomStringConvertible {
        case plaintextNotLoopback(String)
        case serverPasswordContainsColon

        public var description: String {
            switch self {
            case .plaintextNotLoopback(let endpoint):
                "a plaintext listener is allowed on loopback addresses only (127.0.0.0/8, ::1), not on \(endpoint)"
            case .serverPasswordContainsColon:
                "the server password must not contain ':' (PASS carries SERVERPASS:login:password)"
            }
        }
    }

    public func validate() throws {
        if let plaintextListen, !plaintextListen.isLoopback {
            throw ValidationError.plaintextNotLoopback(plaintextListen.description)
        }
        if serverPassword?.contains(":") == true { throw ValidationError.serverPasswordContainsColon }
    }
}
