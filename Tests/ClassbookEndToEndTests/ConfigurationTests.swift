import ClassbookTestSupport
import Foundation
import Testing

/// `classbook config check` with the real binary: one configuration model, its precedence, and
/// refusals that name the file and line (or the variable); and a `--database` that cannot be
/// used, refused at once with the reason.
@Suite("Configuration", .timeLimit(.minutes(2)))
struct ConfigurationTests {
    /// Runs the binary with `environment` added; its exit status, standard output and error.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
        status: Int32, output: String, error: String
    ) {
        let inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CLASSBOOK_") }
        let result = try await ChildProcess.run(
            CrashTests.binary, arguments, environment: inherited.merging(environment) { $1 })
        return (result.status, result.output, result.errors)
    }

    static func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "classbook-config-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("the sample configuration in deploy/ is valid")
    func sampleIsValid() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let result = try await Self.run([
            "config", "check", "--config", root.appendingPathComponent("deploy/classbook.yaml").path
        ])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("configuration valid"))
    }

    @Test("precedence: the environment over the file over the default; secrets are masked")
    func precedence() async throws {
        let path = try Self.file(
            "time-zone: Asia/Yekaterinburg\nflood-burst: 5\nsmtp:\n  host: smtp.example.ru\n  from: "
                + "diary@example.ru\n  password: hunter2-secret\n"
        )
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await Self.run(
            ["config", "check", "--config", path],
            environment: ["CLASSBOOK_FLOOD_BURST": "9", "CLASSBOOK_ROOMS": "staff"])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.components(separatedBy: "\n")
        #expect(
            lines.contains {
                $0.hasPrefix("flood-burst") && $0.contains(" 9 ") && $0.hasSuffix("(environment CLASSBOOK_FLOOD_BURST)")
            }, "\(result.output)")
        #expect(lines.contains { $0.hasPrefix("rooms") && $0.contains(" staff ") }, "\(result.output)")
        #expect(
            lines.contains {
                $0.hasPrefix("time-zone") && $0.contains("Asia/Yekaterinburg") && $0.hasSuffix("(\(path):1)")
            }, "\(result.output)")
        #expect(lines.contains { $0.hasPrefix("smtp.password") && $0.contains("********") })
        #expect(!result.output.contains("hunter2-secret"))
        #expect(result.output.contains("time zone Asia/Yekaterinburg"))
    }

    @Test("an unknown key or a bad value is refused with its file and line, or its variable")
    func refusals() async throws {
        let unknown = try Self.file("time-zone: Europe/Moscow\n# the next line is misspelt\nflod-burst: 5\n")
        let badValue = try Self.file("time-zone: Europe/Moscow\n\nflood-burst: many\n")
        let badSection = try Self.file("smtp:\n  host: smtp.example.ru\n  hots: x\n")
        let badZone = try Self.file("time-zone: Europe/Moskva\n")
        defer {
            for path in [unknown, badValue, badSection, badZone] { try? FileManager.default.removeItem(atPath: path) }
        }
        let cases: [(path: String, message: String)] = [
            (unknown, "\(unknown):3: unknown setting 'flod-burst'"),
            (badValue, "\(badValue):3: flood-burst must be a number"),
            (badSection, "\(badSection):3: unknown setting 'smtp.hots'"),
            (badZone, "\(badZone):1: unknown time zone 'Europe/Moskva'")
        ]
        for (path, message) in cases {
            let result = try await Self.run(["config", "check", "--config", path])
            #expect(result.status != 0 && result.error.contains(message), "\(result.error)")
        }
        let fromEnvironment = try await Self.run(["config", "check"], environment: ["CLASSBOOK_ROOMS": "some"])
        #expect(
            fromEnvironment.status != 0
                && fromEnvironment.error.contains("environment CLASSBOOK_ROOMS: rooms is everyone, staff or off"),
            "\(fromEnvironment.error)")
    }

    @Test(
        """
        a PostgreSQL database that cannot be used is named at once with the reason: nobody listening, a database \
        that does not exist, a URL that is not PostgreSQL's
        """)
    func unusableDatabase() async throws {
        let server = try await ThrowawayPostgres.server()
        let cases: [(url: String, message: String)] = [
            ("postgresql://classbook@127.0.0.1:\(try LocalPorts.free())/school", "cannot connect to PostgreSQL"),
            (
                "postgresql://classbook@127.0.0.1:\(server.port)/nosuchschool",
                "database \"nosuchschool\" does not exist"
            ),
            ("mysql://classbook@127.0.0.1/school", "not a PostgreSQL URL")
        ]
        for (url, message) in cases {
            let start = ContinuousClock.now
            let result = try await Self.run(
                ["audit", "verify", "--data", NSTemporaryDirectory() + "classbook-nodb", "--database", url])
            #expect(result.status != 0 && result.error.contains(message), "\(url): \(result.error)")
            #expect(ContinuousClock.now - start < .seconds(20), "\(url) took \(ContinuousClock.now - start)")
        }
    }
}
