import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// `classbook-load SCENARIO --port P --accounts demo-accounts.csv [--sessions N] [--seconds S]
/// [--pid SERVER_PID] [--cert cert.pem] [--plaintext]`: the load generator of `commands/bench`.
/// Scenarios: idle (memory per session), marks (/marks throughput and latency), writes
/// (confirmed remarks per second), logins (a login storm while others ask /marks).
struct Options {
    var scenario = "marks"
    var port = 6697
    var accounts = "demo-accounts.csv"
    var sessions = 100
    var seconds = 10.0
    var pid: Int32?
    var cert: String?
    var plaintext = false

    init(_ arguments: [String]) {
        var words = arguments.dropFirst()
        if let first = words.first, !first.hasPrefix("--") { scenario = first; words = words.dropFirst() }
        while let key = words.popFirst() {
            let value = words.popFirst() ?? ""
            switch key {
            case "--port": port = Int(value) ?? port
            case "--accounts": accounts = value
            case "--sessions": sessions = Int(value) ?? sessions
            case "--seconds": seconds = Double(value) ?? seconds
            case "--pid": pid = Int32(value)
            case "--cert": cert = value
            case "--plaintext": plaintext = true; words.insert(value, at: words.startIndex)
            default: break
            }
        }
    }
}

struct Account { var login: String; var password: String; var roles: String; var classTeacher: Bool }

func readAccounts(_ path: String) throws -> [Account] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().compactMap { line in
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 3 else { return nil }
        return Account(login: fields[0], password: fields[1], roles: fields[2], classTeacher: fields[2].contains("class_teacher"))
    }
}

func rssKiB(_ pid: Int32?) -> Int? {
    guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
    return Int(line.split(separator: " ").dropFirst().first ?? "")
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

let options = Options(CommandLine.arguments)
let loadGroup = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let tls: NIOSSLContext? = try {
    guard !options.plaintext else { return nil }
    var configuration = TLSConfiguration.makeClientConfiguration()
    if let cert = options.cert { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(cert)) } else { configuration.certificateVerification = .none }
    return try NIOSSLContext(configuration: configuration)
}()
let accounts = try readAccounts(options.accounts)
let guardians = accounts.filter { $0.roles == "guardian" }
let teachers = accounts.filter { $0.classTeacher }

func connectMany(_ people: [Account], count: Int) async throws -> [LoadClient] {
    var clients: [LoadClient] = []
    for index in 0..<count {
        let person = people[index % people.count]
        let client = try await LoadClient.connect(host: "127.0.0.1", port: options.port, tls: tls, group: loadGroup)
        try await client.login(person.login, password: person.password, nick: "l\(index)")
        clients.append(client)
    }
    return clients
}

/// Each client asks in a closed loop until the deadline; returns latencies in ms.
func drive(_ clients: [LoadClient], seconds: Double, line: @escaping @Sendable (Int, Int) -> String) async -> [Double] {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    return await withTaskGroup(of: [Double].self) { group in
        for (index, client) in clients.enumerated() {
            group.addTask {
                var latencies: [Double] = []
                var n = 0
                while ContinuousClock.now < deadline {
                    let start = ContinuousClock.now
                    guard (try? await client.ask(line(index, n), token: "t\(n)")) != nil else { break }
                    latencies.append(Double((ContinuousClock.now - start).components.attoseconds) / 1e15 + Double((ContinuousClock.now - start).components.seconds) * 1000)
                    n += 1
                }
                return latencies
            }
        }
        var all: [Double] = []
        for await part in group { all += part }
        return all
    }
}

func report(_ name: String, _ latencies: [Double], seconds: Double, extra: String = "") {
    let sorted = latencies.sorted()
    print(String(format: "%@: %d requests in %.1f s = %.0f/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%@",
                 name, sorted.count, seconds, Double(sorted.count) / seconds, percentile(sorted, 0.5), percentile(sorted, 0.99), sorted.last ?? 0, extra))
}

switch options.scenario {
case "idle":
    let before = rssKiB(options.pid)
    let clients = try await connectMany(guardians, count: options.sessions)
    try await Task.sleep(for: .seconds(2))
    let after = rssKiB(options.pid)
    if let before, let after {
        print(String(format: "idle: %d sessions; server RSS %d KiB → %d KiB: %.1f KiB per session", clients.count, before, after,
                     Double(after - before) / Double(clients.count)))
    } else {
        print("idle: \(clients.count) sessions (no --pid: memory not measured)")
    }
    for client in clients { client.close() }
case "marks":
    let clients = try await connectMany(guardians, count: options.sessions)
    let latencies = await drive(clients, seconds: options.seconds) { _, _ in "PRIVMSG diary :/marks" }
    report("marks (\(clients.count) sessions)", latencies, seconds: options.seconds, extra: rssKiB(options.pid).map { ", server RSS \($0) KiB" } ?? "")
    for client in clients { client.close() }
case "writes":
    let clients = try await connectMany(teachers, count: min(options.sessions, teachers.count))
    let latencies = await drive(clients, seconds: options.seconds) { index, n in "PRIVMSG diary :/checked все" }
    report("writes (\(clients.count) class teachers, /checked все)", latencies, seconds: options.seconds)
    for client in clients { client.close() }
case "logins":
    let working = try await connectMany(guardians, count: min(100, options.sessions))
    async let background = drive(working, seconds: options.seconds) { _, _ in "PRIVMSG diary :/marks" }
    let start = ContinuousClock.now
    let stormed = try await withThrowingTaskGroup(of: Int.self) { group in
        for index in 0..<options.sessions {
            let person = guardians[(index + 100) % guardians.count]
            group.addTask {
                let client = try await LoadClient.connect(host: "127.0.0.1", port: options.port, tls: tls, group: loadGroup)
                try await client.login(person.login, password: person.password, nick: "s\(index)")
                client.close()
                return 1
            }
        }
        var total = 0
        for try await done in group { total += done }
        return total
    }
    let storm = ContinuousClock.now - start
    report("logins: \(stormed) logins took \(storm); meanwhile /marks", await background, seconds: options.seconds)
    for client in working { client.close() }
default:
    print("unknown scenario \(options.scenario): idle, marks, writes, logins")
}
try await loadGroup.shutdownGracefully()
