import Foundation
import Glibc
import NIOConcurrencyHelpers

/// Shared by the test targets (`ClassbookTestSupport`).
///
/// A program a test runs (a Python client, a browser driver, openssl, tmux): started with
/// `posix_spawn`, its output gathered in a file, its end waited for by polling with
/// `Task.sleep`, never by blocking a thread — the server under test runs on the same
/// cooperative pool, and a blocked thread of two starves it.
///
/// Not Foundation's `Process`: on Linux its `run()` reads past a buffer while listing
/// `/proc/self/fd` (swift-corelibs-foundation#5472, in Swift 6.3.1), and a test process with
/// hundreds of sockets open crashed there in a clean-clone CI run.
public enum ChildProcess {
    public struct Result {
        /// Standard output (and error, when kept), in the order written.
        public var output: String
        public var status: Int32
        /// False when it was stopped at the time limit.
        public var finished: Bool

        public var lines: [String] { output.components(separatedBy: "\n").filter { !$0.isEmpty } }
        public var succeeded: Bool { finished && status == 0 }
    }

    /// Runs a program to its end (or `timeLimit`). `keepsErrors: false` drops standard error (a
    /// client whose output is parsed line by line).
    public static func run(
        _ executable: String, _ arguments: [String], in directory: String = NSTemporaryDirectory(),
        timeLimit: Duration = .seconds(60), keepsErrors: Bool = true
    ) async throws -> Result {
        let outputPath = directory + "/process-\(UUID().uuidString.prefix(8)).txt"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let child = try Spawned(executable, arguments, output: outputPath, keepsErrors: keepsErrors)
        let finished = try await child.waitForExit(within: timeLimit)
        if !finished {
            child.kill()
            _ = try await child.waitForExit()
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Result(output: output, status: finished ? child.exitStatus ?? -1 : -1, finished: finished)
    }

    /// Runs a program to its end with its standard error apart: status, output, errors.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws
        -> (status: Int32, output: String, errors: String)
    {
        let base = NSTemporaryDirectory() + "process-\(UUID().uuidString.prefix(8))"
        defer { for suffix in [".out", ".err"] { try? FileManager.default.removeItem(atPath: base + suffix) } }
        let child = try Spawned(
            executable, arguments, output: base + ".out", errors: base + ".err", environment: environment)
        _ = try await child.waitForExit()
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return (child.exitStatus ?? -1, read(base + ".out"), read(base + ".err"))
    }

    public struct SpawnFailure: Error, CustomStringConvertible {
        var executable: String
        var code: Int32
        public var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
    }

    /// A child process started with `posix_spawn`: standard input from /dev/null, output to a
    /// file (or /dev/null), and every other descriptor of the test process closed in the child
    /// (its sockets must close when the tests close them).
    public final class Spawned: Sendable {
        public let pid: pid_t
        /// The exit status once reaped; `-signal` when a signal ended it.
        private let reaped = NIOLockedValueBox<Int32?>(nil)

        /// `errors`: a file for standard error apart; else it joins the output (`keepsErrors`) or
        /// is dropped. `environment`: the child's whole environment; nil, the test process's.
        public init(
            _ executable: String, _ arguments: [String], output: String? = nil, keepsErrors: Bool = true,
            errors: String? = nil,
            environment: [String: String]? = nil
        ) throws {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if let errors {
                posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            } else if keepsErrors {
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            } else {
                posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            }
            _ = Self.closeFrom(&actions, 3)
            var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
            defer { for argument in argv { free(argument) } }
            var envp: [UnsafeMutablePointer<CChar>?] =
                environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] } ?? []
            defer { for entry in envp { free(entry) } }
            var pid: pid_t = 0
            let result =
                envp.isEmpty
                ? posix_spawn(&pid, executable, &actions, nil, &argv, environ)
                : posix_spawn(&pid, executable, &actions, nil, &argv, &envp)
            guard result == 0 else { throw SpawnFailure(executable: executable, code: result) }
            self.pid = pid
        }

        /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's
        /// Glibc module does not declare.
        private static let closeFrom:
            @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
                guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
                    fatalError("glibc 2.34 or later is needed (posix_spawn_file_actions_addclosefrom_np)")
                }
                return unsafeBitCast(
                    symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self
                )
            }()

        public var isRunning: Bool {
            reaped.withLockedValue { status in
                guard status == nil else { return false }
                var raw: Int32 = 0
                guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
                status = raw & 0x7F == 0 ? (raw >> 8) & 0xFF : -(raw & 0x7F)
                return false
            }
        }

        public var exitStatus: Int32? { reaped.withLockedValue { $0 } }

        /// Waits (polling, not blocking a thread) until it has ended or `timeLimit` has passed;
        /// whether it ended.
        @discardableResult
        public func waitForExit(within timeLimit: Duration = .seconds(3600)) async throws -> Bool {
            let deadline = ContinuousClock.now + timeLimit
            while isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            return !isRunning
        }

        public func terminate() { Glibc.kill(pid, SIGTERM) }
        public func kill() { Glibc.kill(pid, SIGKILL) }
    }
}
