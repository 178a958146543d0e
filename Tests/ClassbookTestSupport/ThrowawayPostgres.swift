import Foundation
import NIOConcurrencyHelpers

/// A PostgreSQL server of the tests' own: `initdb` into a temporary directory, started on a free
/// port of loopback with trust authentication, stopped when the test process exits. Debian's
/// `postgresql` package (commands/setup) provides the programs. PostgreSQL refuses to run as
/// root, so as root the cluster belongs to the `postgres` user and its programs run as that user.
public final class ThrowawayPostgres: Sendable {
    public let port: Int
    public let directory: String
    /// The superuser the tests connect as.
    public let user = "classbook"

    private static let shared = NIOLockedValueBox<Task<ThrowawayPostgres, any Error>?>(nil)

    /// The one server of this test process, started at the first call.
    public static func server() async throws -> ThrowawayPostgres {
        let task = shared.withLockedValue { task in
            if let task { return task }
            let started = Task { try await ThrowawayPostgres.start() }
            task = started
            return started
        }
        return try await task.value
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private init(port: Int, directory: String) {
        self.port = port
        self.directory = directory
    }

    /// The directory of PostgreSQL's server programs (`/usr/lib/postgresql/15/bin`).
    static func binaries() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted()
        guard let version = versions.last, FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb")
        else { throw Failure(description: "no PostgreSQL server under \(root): commands/setup installs it") }
        return "\(root)/\(version)/bin"
    }

    /// Runs a server program, as `postgres` when this process is root.
    static func run(_ program: String, _ arguments: [String]) async throws -> ChildProcess.Result {
        let (executable, all) =
            getuid() == 0 ? ("/usr/sbin/runuser", ["-u", "postgres", "--", program] + arguments) : (program, arguments)
        return try await ChildProcess.run(executable, all, timeLimit: .seconds(60))
    }

    private static func start() async throws -> ThrowawayPostgres {
        let bin = try binaries()
        let directory = NSTemporaryDirectory() + "classbook-pg-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0 {
            _ = try await ChildProcess.run("/bin/chown", ["postgres:", directory])
        }
        let data = directory + "/data"
        let initialized = try await run(
            bin + "/initdb", ["-D", data, "-U", "classbook", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"])
        guard initialized.succeeded else { throw Failure(description: "initdb failed: \(initialized.output)") }
        // A free port: ask the kernel for one, then give it to the server (a race with another
        // process taking it meanwhile is retried).
        for _ in 0..<5 {
            let port = try LocalPorts.free()
            let options = "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c max_connections=500"
            let started = try await run(
                bin + "/pg_ctl", ["-D", data, "-o", options, "-l", directory + "/server.log", "-w", "start"])
            if started.succeeded {
                let server = ThrowawayPostgres(port: port, directory: directory)
                atexit_stop.withLockedValue { $0 = (bin, data) }
                atexit { ThrowawayPostgres.stopAtExit() }
                return server
            }
        }
        let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
        throw Failure(description: "the PostgreSQL server did not start:\n\(log)")
    }

    private static let atexit_stop = NIOLockedValueBox<(bin: String, data: String)?>(nil)

    /// Stops the server (fast: its data is thrown away) when the test process ends.
    private static func stopAtExit() {
        guard let (bin, data) = atexit_stop.withLockedValue({ $0 }) else { return }
        let (executable, arguments) =
            getuid() == 0
            ? ("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/pg_ctl", "-D", data, "-m", "immediate", "stop"])
            : (bin + "/pg_ctl", ["-D", data, "-m", "immediate", "stop"])
        if let child = try? ChildProcess.Spawned(executable, arguments, keepsErrors: false) {
            for _ in 0..<500 where child.isRunning { usleep(10_000) }
        }
        try? FileManager.default.removeItem(atPath: (data as NSString).deletingLastPathComponent)
    }

    /// A new database on the server, empty or a copy of `template` (a database of this server
    /// nobody is connected to): `postgresql://classbook@127.0.0.1:PORT/NAME`.
    public func newDatabase(copying template: String? = nil) async throws -> String {
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let source = template.map { " TEMPLATE " + ($0.split(separator: "/").last.map(String.init) ?? $0) } ?? ""
        var created = try await ChildProcess.run(
            "/usr/bin/psql",
            ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", "postgres", "-c", "CREATE DATABASE \(name)\(source)"]
        )
        // The template's last connections may still be closing (5 s at most).
        for _ in 0..<50 where !created.succeeded && created.output.contains("is being accessed by other users") {
            try await Task.sleep(for: .milliseconds(100))
            created = try await ChildProcess.run(
                "/usr/bin/psql",
                [
                    "-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", "postgres", "-c",
                    "CREATE DATABASE \(name)\(source)"
                ])
        }
        guard created.succeeded else { throw Failure(description: "cannot create a database: \(created.output)") }
        return "postgresql://\(user)@127.0.0.1:\(port)/\(name)"
    }
}
