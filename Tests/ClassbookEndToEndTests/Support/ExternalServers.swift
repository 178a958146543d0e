import ClassbookTestSupport
import Foundation
import NIOCore
import NIOPosix

/// Real servers the tests start beside Classbook: an SMTP server (aiosmtpd, from PyPI,
/// installed by commands/setup) and a local HTTP server standing in for an SMS gateway.
final class ExternalServer: Sendable {
    let process: ChildProcess.Spawned
    let port: Int
    let directory: String

    private init(process: ChildProcess.Spawned, port: Int, directory: String) {
        self.process = process
        self.port = port
        self.directory = directory
    }

    /// A port nothing listens on now.
    private static func start(_ arguments: [String], port: Int, directory: String) async throws -> ExternalServer {
        let process = try ChildProcess.Spawned("/usr/bin/env", ["python3"] + arguments, keepsErrors: false)
        let server = ExternalServer(process: process, port: port, directory: directory)
        // Wait until it accepts connections.
        for _ in 0..<200 {
            if (try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(
                host: "127.0.0.1", port: port
            ).get())
            .map({
                $0.close(promise: nil); return true
            }) == true {
                return server
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.stop()
        throw TestFailure("python3 \(arguments.joined(separator: " ")) did not start")
    }

    /// aiosmtpd keeping every message in a maildir; STARTTLS with the given certificate.
    static func smtp(port: Int, directory: String, certificate: (String, String)? = nil) async throws -> ExternalServer
    {
        var arguments = ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)"]
        if let (cert, key) = certificate { arguments += ["--tlscert", cert, "--tlskey", key, "--no-requiretls"] }
        arguments += ["-c", "aiosmtpd.handlers.Mailbox", directory + "/maildir"]
        return try await start(arguments, port: port, directory: directory)
    }

    /// aiosmtpd that takes the envelope and then never answers the message's end.
    static func stalledSMTP(port: Int, directory: String) async throws -> ExternalServer {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "stalled_smtp.py"
        ).path
        return try await start([script, String(port)], port: port, directory: directory)
    }

    /// The gateway stand-in; over HTTPS with the certificate given.
    static func smsGateway(port: Int, directory: String, certificate: (String, String)? = nil) async throws
        -> ExternalServer
    {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "sms_gateway.py"
        ).path
        return try await start(
            [script, String(port), directory + "/sms.log"] + (certificate.map { [$0.0, $0.1] } ?? []), port: port,
            directory: directory)
    }

    /// The messages aiosmtpd received, as raw text.
    var mail: [String] {
        let new = directory + "/maildir/new"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: new)) ?? []).sorted()
        return names.compactMap { try? String(contentsOfFile: new + "/" + $0, encoding: .utf8) }
    }

    var smsLog: [String] {
        ((try? String(contentsOfFile: directory + "/sms.log", encoding: .utf8)) ?? "").split(separator: "\n").map(
            String.init)
    }

    /// Kills the server (aiosmtpd does not stop on SIGTERM) and waits for it to go; Foundation's
    /// waitUntilExit would spin a run loop off the main thread.
    func stop() {
        guard process.isRunning else { return }
        process.kill()
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
    }
}
