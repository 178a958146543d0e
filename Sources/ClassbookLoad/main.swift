import ArgumentParser
import ClassbookDomain
import Foundation
import Histogram
import NIOCore
import NIOPosix
import NIOSSL
import SwiftCSV

/// `classbook-load SCENARIO --port P --accounts demo-accounts.csv [--sessions N] [--seconds S]
/// [--pid SERVER_PID] [--cert cert.pem] [--plaintext] [--warm] [--hold S] [--every MS]`: the load generator of
/// `commands/bench`.
/// Scenarios: idle (memory per session), marks (/marks throughput and latency; a guardian of
/// several children names one, as a person must), writes
/// (confirmed writes per second), logins (a login storm of --sessions people while 100 others
/// each ask /marks every 100 ms until it ends; --seconds does not apply; with --tokens, by app
/// passwords); --websocket for IRC over WebSocket instead of TLS IRC;
/// `echo-server --port P --cert C --key K` serves the bare TLS echo the others are compared with;
/// `store-writes --data DIR | --database URL --sessions N --seconds S` writes to a store directly.
struct Options: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classbook-load", abstract: "The load generator of commands/bench.")

    @Argument(help: "idle, marks, writes, relay, logins, store-writes, or echo-server (the bare TLS echo).")
    var scenario = "marks"
    @Option(help: "The server's port.")
    var port = 6697
    @Option(help: "The demo's accounts file (login,password,roles,name,children).")
    var accounts = "demo-accounts.csv"
    @Option(help: "Concurrent sessions.")
    var sessions = 100
    @Option(help: "How long each timed run lasts.")
    var seconds = 10.0
    @Option(help: "The server's process, for its memory and CPU.")
    var pid: Int32?
    @Option(help: "The server's certificate (to verify it), or the echo server's.")
    var cert: String?
    @Option(help: "The echo server's private key.")
    var key: String?
    @Flag(help: "Plain TCP instead of TLS.")
    var plaintext = false
    /// IRC over WebSocket (`wss://…/socket`, text.ircv3.net): --port is then the web listener's.
    @Flag(help: "IRC over WebSocket on the web listener (--port is its port).")
    var websocket = false
    /// logins: the storm logs in with app passwords (device tokens) instead of passwords.
    @Flag(help: "logins: log in with app passwords (device tokens), issued first, instead of passwords.")
    var tokens = false
    /// What the marks scenario asks the bot (`--command "/absences"`); /marks by default.
    @Option(help: "What the marks scenario asks the bot.")
    var command = "/marks"
    @Flag(help: "idle: each session asks the bot once first.")
    var warm = false
    /// Idle: how long to keep the sessions open after measuring (to look at the server meanwhile).
    @Option(help: "idle: seconds to keep the sessions open after measuring.")
    var hold = 0.0
    /// marks: each session asks every this many milliseconds instead of in a closed loop.
    @Option(help: "marks: each session asks every this many milliseconds instead of in a closed loop.")
    var every: Double?
    /// store-writes: the SQLite store's directory.
    @Option(help: "store-writes: the directory of a SQLite store.")
    var data: String?
    /// store-writes: a PostgreSQL store.
    @Option(help: "store-writes: a PostgreSQL store, postgresql://user@host:port/database.")
    var database: String?
}

struct Account {
    var login: String
    var password: String
    var roles: String
    var classTeacher: Bool
    /// A guardian's children as the accounts file names them: "Климов Александр".
    var children: [String] = []

    /// A diary command as this person asks it: naming a child when there are several, since
    /// the bot otherwise answers only "name the child" and the request would measure that one
    /// line instead of the diary.
    func asking(_ command: String) -> String {
        guard children.count > 1 else { return "PRIVMSG diary :\(command)" }
        return "PRIVMSG diary :\(command) \(Self.unambiguous(children))"
    }

    /// The first name that picks one child by the bot's rule (`DiaryService.NameQuery`: every
    /// word of the query starts a word of the name): "Климов Александр" would also pick
    /// "Климова Александра".
    static func unambiguous(_ names: [String]) -> String {
        func matches(_ query: String, _ name: String) -> Bool {
            let words = name.split(separator: " ").map(String.init)
            return DiaryService.NameQuery(query).matches(
                lastName: words.first ?? "", firstName: words.dropFirst().joined(separator: " "))
        }
        return names.first { query in names.allSatisfy { $0 == query || !matches(query, $0) } } ?? names[0]
    }
}

/// The demo's accounts file, read as CSV (SwiftCSV: a name with a comma comes quoted).
func readAccounts(_ path: String) throws -> [Account] {
    let table = try CSV<Named>(string: try String(contentsOfFile: path, encoding: .utf8), delimiter: .comma)
    return table.rows.compactMap { row in
        guard let login = row["login"], let password = row["password"], let roles = row["roles"] else { return nil }
        // "Климов Александр (5А);Климова Александра (5З1)": the names without their classes.
        let children = (row["children"] ?? "").split(separator: ";").map { child in
            String(child.split(separator: "(").first ?? child).trimmingCharacters(in: .whitespaces)
        }
        return Account(
            login: login, password: password, roles: roles, classTeacher: roles.contains("class_teacher"),
            children: children)
    }
}

func rssKiB(_ pid: Int32?) -> Int? {
    guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return nil }
    return Int(line.split(separator: " ").dropFirst().first ?? "")
}

/// CPU time the process has used (user and system), from /proc/PID/stat.
func cpuSeconds(_ pid: Int32?) -> Double? {
    guard let pid, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return nil }
    // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// A duration in seconds, for arithmetic and printing.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Runs `work` and says how much of the server's CPU each request took: with the load
/// generator on the same cores, the server's own cost per request is the figure to compare.
func measuringServer(_ work: () async -> [Double]) async -> ([Double], String) {
    let before = cpuSeconds(options.pid)
    let start = ContinuousClock.now
    let latencies = await work()
    let elapsed = ContinuousClock.now - start
    guard let before, let after = cpuSeconds(options.pid), !latencies.isEmpty else { return (latencies, "") }
    let wall = seconds(elapsed)
    return (
        latencies,
        String(
            format: "; server CPU %.0f µs a request (%.2f cores busy)",
            (after - before) / Double(latencies.count) * 1e6, (after - before) / wall)
    )
}

/// Latencies (ms) in an HDR histogram, in microseconds to three significant digits, for its
/// percentiles: `(p50, p99, max)` in ms.
func percentiles(_ latencies: [Double]) -> (Double, Double, Double) {
    var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    for latency in latencies { _ = histogram.record(UInt64(max(1, (latency * 1000).rounded()))) }
    guard histogram.totalCount > 0 else { return (0, 0, 0) }
    return (
        Double(histogram.valueAtPercentile(50)) / 1000, Double(histogram.valueAtPercentile(99)) / 1000,
        Double(histogram.max) / 1000
    )
}

/// Ends the run with a one-line reason on stderr (a missing file, a missing option) instead of
/// a crash report.
func fail(_ reason: String) -> Never {
    FileHandle.standardError.write(Data("classbook-load: \(reason)\n".utf8))
    exit(2)
}

let options = Options.parseOrExit()
let loadGroup = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
if options.scenario == "store-writes" {
    do {
        print(
            try await StoreWrites.run(
                data: options.data, database: options.database, writers: options.sessions, seconds: options.seconds))
    } catch {
        fail("store-writes: \(error)")
    }
    exit(0)
}
if options.scenario == "echo-server" {
    guard let cert = options.cert, let key = options.key else { fail("echo-server needs --cert and --key") }
    do {
        try await EchoServer.run(port: options.port, certificate: cert, key: key, group: loadGroup)
    } catch {
        fail("echo-server: \(error)")
    }
    exit(0)
}
let tls: NIOSSLContext?
do {
    if options.plaintext {
        tls = nil
    } else {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let cert = options.cert {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(cert))
        } else {
            configuration.certificateVerification = .none
        }
        tls = try NIOSSLContext(configuration: configuration)
    }
} catch {
    fail("the server's certificate \(options.cert ?? ""): \(error)")
}
let accounts: [Account]
do {
    accounts = try readAccounts(options.accounts)
} catch {
    fail(
        "the accounts file \(options.accounts) (the demo school's demo-accounts.csv, --accounts): "
            + "\(error.localizedDescription)"
    )
}
let guardians = accounts.filter { $0.roles == "guardian" }
let teachers = accounts.filter { $0.classTeacher }

/// Connects and logs in `count` people, 32 at a time (a login is tens of milliseconds of
/// scrypt on the server, so one at a time would leave a core idle); in order of `index`.
func connectMany(
    _ people: [Account], count: Int, group loops: any EventLoopGroup = loadGroup,
    capabilities: String = "sasl"
) async throws -> [LoadClient] {
    try await withThrowingTaskGroup(of: (Int, LoadClient).self) { group in
        var clients: [LoadClient?] = Array(repeating: nil, count: count)
        var next = 0
        func start(_ index: Int) {
            let person = people[index % people.count]
            group.addTask {
                let client = try await LoadClient.connect(
                    host: "127.0.0.1", port: options.port, tls: tls, group: loops,
                    webSocket: options.websocket)
                try await client.login(
                    person.login, password: person.password, nick: "l\(index)", capabilities: capabilities)
                return (index, client)
            }
        }
        while next < min(32, count) { start(next); next += 1 }
        while let (index, client) = try await group.next() {
            clients[index] = client
            if next < count { start(next); next += 1 }
        }
        return clients.compactMap { $0 }
    }
}

/// Each client asks in a closed loop, or paced (`every`), until the deadline (`LoadClient.run`);
/// returns latencies in ms.
func drive(
    _ clients: [LoadClient], seconds: Double, every pace: TimeAmount? = nil,
    line: @escaping @Sendable (Int, Int) -> String
) async -> [Double] {
    await withTaskGroup(of: [Double].self) { group in
        for (index, client) in clients.enumerated() {
            group.addTask { await client.run(seconds: seconds, every: pace) { n in line(index, n) } }
        }
        var all: [Double] = []
        for await part in group { all += part }
        return all
    }
}

func report(_ name: String, _ latencies: [Double], seconds: Double, extra: String = "") {
    let (p50, p99, maximum) = percentiles(latencies)
    print(
        String(
            format: "%@: %d requests in %.1f s = %.0f/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%@",
            name, latencies.count, seconds, Double(latencies.count) / seconds, p50, p99, maximum, extra))
}

switch options.scenario {
case "idle":
    let before = rssKiB(options.pid)
    // Everyone, not only guardians: at 10,000 sessions some people have two devices.
    let clients = try await connectMany(accounts, count: options.sessions)
    // With --warm, each asks the bot once first: memory a command leaves behind shows.
    if options.warm {
        await withTaskGroup(of: Void.self) { group in
            for client in clients {
                group.addTask { _ = try? await client.ask("PRIVMSG diary :\(options.command)", token: "w") }
            }
        }
    }
    try await Task.sleep(for: .seconds(2))
    let after = rssKiB(options.pid)
    if let before, let after {
        print(
            String(
                format: "idle: %d sessions; server RSS %d KiB → %d KiB: %.1f KiB per session", clients.count, before,
                after,
                Double(after - before) / Double(clients.count)))
    } else {
        print("idle: \(clients.count) sessions (no --pid: memory not measured)")
    }
    fflush(nil)
    if options.hold > 0 { try await Task.sleep(for: .seconds(options.hold)) }
    for client in clients { client.close() }
case "marks":
    let clients = try await connectMany(guardians, count: options.sessions)
    let transport = options.websocket ? ", WebSocket" : ""
    let pace = options.every.map { TimeAmount.nanoseconds(Int64($0 * 1e6)) }
    let (latencies, cpu) = await measuringServer {
        await drive(clients, seconds: options.seconds, every: pace) { index, _ in
            guardians[index % guardians.count].asking(options.command)
        }
    }
    let paced = options.every.map { String(format: ", each every %g ms", $0) } ?? ""
    report(
        "\(options.command.dropFirst()) (\(clients.count) sessions\(transport)\(paced))", latencies,
        seconds: options.seconds,
        extra: cpu + (rssKiB(options.pid).map { ", server RSS \($0) KiB" } ?? ""))
    for client in clients { client.close() }
case "relay":
    // Each sends a line to its own nick, which comes back to it (echo-message): the server's
    // message path (parse, route, tag, send) without the bot; the same lines a reference IRC
    // server relays. The nick is the account's login: the server gives an account its own.
    let clients = try await connectMany(guardians, count: options.sessions, capabilities: "sasl echo-message")
    let (latencies, cpu) = await measuringServer {
        await drive(clients, seconds: options.seconds) { index, n in
            "PRIVMSG \(guardians[index % guardians.count].login) :сообщение \(n)"
        }
    }
    report("relay (\(clients.count) sessions)", latencies, seconds: options.seconds, extra: cpu)
    for client in clients { client.close() }
case "writes":
    // One confirmed, audited write per request: each guardian switches the diary's language
    // back and forth (/lang en, /lang ru); the answer comes after the commit.
    let clients = try await connectMany(guardians, count: options.sessions)
    let (latencies, cpu) = await measuringServer {
        await drive(clients, seconds: options.seconds) { _, n in "PRIVMSG diary :/lang \(n % 2 == 0 ? "en" : "ru")" }
    }
    report(
        "writes (\(clients.count) sessions, /lang en|ru: one confirmed write each)", latencies,
        seconds: options.seconds, extra: cpu)
    for client in clients { client.close() }
case "logins":
    // With --tokens, app passwords for the stormers' accounts first (one password login each):
    // 200 accounts, each logging in five times in the storm (the device limit is five at once).
    let stormers = options.tokens ? Array(guardians.dropFirst(100).prefix(200)) : Array(guardians.dropFirst(100))
    guard !stormers.isEmpty else {
        fail("logins needs more than 100 guardians in the accounts file (a larger demo school)")
    }
    var secrets: [String: String] = [:]
    if options.tokens {
        for client in try await connectMany(stormers, count: stormers.count).enumerated() {
            secrets[stormers[client.offset].login] = try await client.element.issueToken(name: "bench")
            client.element.close()
        }
    }
    // The hash this machine's scrypt takes, for the storm's ceiling: cores ÷ hash time.
    let hashStart = ContinuousClock.now
    let sample = try PasswordHasher().hash("bench-password")
    for _ in 0..<4 { _ = PasswordHasher().verify("bench-password", against: sample) }
    let hashTime = seconds(ContinuousClock.now - hashStart) / 5
    // The connected users' connections have an event loop of their own: on the storm's loops
    // their answers would wait behind the load generator's own 1,000 TLS handshakes, and the
    // latencies would measure this process's queue, not the server's.
    let workLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let working = try await connectMany(guardians, count: min(100, options.sessions), group: workLoop)
    // The connected users work at a person's pace, well above a school's: each asks /marks
    // every 100 ms (1,000 a second together), for as long as the storm lasts (stopped below).
    // Asking in a closed loop instead would take every cycle the server gives them, and the
    // storm's time would measure how the scheduler splits a saturated machine.
    async let background = drive(working, seconds: 24 * 3600, every: .milliseconds(100)) { index, _ in
        guardians[index % guardians.count].asking("/marks")
    }
    let start = ContinuousClock.now
    // Each login either completes or fails (refused, or closed by the server's registration
    // timeout while queued behind the others' hashing); both are counted.
    let (stormed, failed) = await withTaskGroup(of: Bool.self) { group in
        for index in 0..<options.sessions {
            let person = stormers[index % stormers.count]
            let secret = secrets[person.login] ?? person.password
            group.addTask {
                do {
                    let client = try await LoadClient.connect(
                        host: "127.0.0.1", port: options.port, tls: tls, group: loadGroup,
                        webSocket: options.websocket)
                    try await client.login(person.login, password: secret, nick: "s\(index)")
                    client.close()
                    return true
                } catch {
                    return false
                }
            }
        }
        var counts = (0, 0)
        for await succeeded in group { if succeeded { counts.0 += 1 } else { counts.1 += 1 } }
        return counts
    }
    let storm = ContinuousClock.now - start
    for client in working { client.stop() }
    let stormSeconds = seconds(storm)
    let ceiling = Double(System.coreCount) / hashTime
    let kind =
        options.tokens
        ? "app-password logins"
        : String(
            format: "password logins (%.0f/s; scrypt %.1f ms a hash here, %d cores: ceiling %.0f/s)",
            Double(stormed) / stormSeconds, hashTime * 1000, System.coreCount, ceiling)
    report(
        String(
            format: "logins: %d %@ (%d failed) took %.1f s; meanwhile %d others each asking /marks every 100 ms",
            stormed, kind, failed, stormSeconds, working.count),
        await background, seconds: stormSeconds)
    for client in working { client.close() }
    try await workLoop.shutdownGracefully()
default:
    print("unknown scenario \(options.scenario): idle, marks, relay, writes, logins, echo-server")
}
try await loadGroup.shutdownGracefully()
