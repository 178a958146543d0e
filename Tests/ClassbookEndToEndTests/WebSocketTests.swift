import ClassbookDomain
import ClassbookServer
import ClassbookTestSupport
import Foundation
import Testing

/// IRC over WebSocket (IRCv3) on the web listener, with a real WebSocket client (Python's
/// `websockets`, installed by commands/setup): the same session as over TLS.
@Suite("IRC over WebSocket", .timeLimit(.minutes(2)))
struct WebSocketTests {
    /// Runs the client script; the lines it printed. Waited for without blocking a thread (the
    /// server under test runs on the same cooperative pool), its output in a file.
    static func client(
        _ server: RunningServer, subprotocol: String = "none", origin: String = "none", _ steps: [String]
    ) async throws -> [String] {
        let port = try #require(server.ports.web)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Support/ws_client.py"
        ).path
        return try await ChildProcess.run(
            "/usr/bin/env", ["python3", script, "wss://127.0.0.1:\(port)/socket", subprotocol, origin] + steps,
            in: server.school.directory, keepsErrors: false
        ).lines
    }

    static func login(_ credential: DemoSchoolGenerator.Credential) -> [String] {
        ["PASS \(credential.login):\(credential.password)", "NICK web", "USER web 0 * :Browser"]
    }

    static func web(_ configuration: inout ServerConfiguration) {
        configuration.webListen = .init(host: "127.0.0.1", port: 0)
    }

    @Test(
        """
        text.ircv3.net, binary.ircv3.net and neither: the same registration and bot as over TLS, in the negotiated \
        frames
        """
    )
    func subprotocols() async throws {
        try await withServer(Self.web) { server in
            let guardian = try server.school.guardianWithOneChild
            for (subprotocol, frame, answered) in [
                ("text.ircv3.net", "T ", "text.ircv3.net"), ("binary.ircv3.net", "B ", "binary.ircv3.net"),
                ("none", "T ", "None")
            ] {
                let lines = try await Self.client(
                    server, subprotocol: subprotocol, Self.login(guardian) + ["PRIVMSG diary :help lang", "QUIT :bye"])
                #expect(lines.first == "SUBPROTOCOL \(answered)", "\(lines)")
                #expect(
                    lines.contains { $0.hasPrefix(frame) && $0.contains(" 001 \(guardian.login) ") },
                    "\(subprotocol): \(lines)")
                #expect(
                    lines.contains { $0.hasPrefix(frame + ":diary!") && $0.contains("/lang ru|en") },
                    "\(subprotocol): \(lines)")
                #expect(lines.allSatisfy { !$0.contains("\r") }, "a frame holds one line, without CR LF")
                #expect(
                    lines.contains { $0.contains("ERROR :Quit: bye") } && lines.last?.hasPrefix("CLOSED") == true,
                    "\(lines)")
            }
        }
    }

    @Test("a foreign Origin is refused with 403; the listener's own origin and a client without one are let in")
    func origins() async throws {
        try await withServer(Self.web) { server in
            let port = try #require(server.ports.web)
            #expect(try await Self.client(server, origin: "https://evil.example", []) == ["REFUSED 403"])
            #expect(
                try await Self.client(server, origin: "https://127.0.0.1:\(port)", ["QUIT"]).first == "SUBPROTOCOL None"
            )
            #expect(
                try await Self.client(server, origin: "https://localhost:\(port)", ["QUIT"]).first == "SUBPROTOCOL None"
            )
        }
    }

    @Test(
        """
        a frame with CR or LF is refused and the connection kept; an over-long frame closes it (1009); ping, pong \
        and close
        """
    )
    func frames() async throws {
        try await withServer(Self.web) { server in
            let guardian = try server.school.guardianWithOneChild
            let lines = try await Self.client(
                server,
                Self.login(guardian) + [
                    "@UNTIL: 001 ", "@CRLF", "@PING", "PING :still-here", "@UNTIL:still-here", "@CLOSE"
                ])
            #expect(lines.contains { $0.contains("FAIL * INVALID_MESSAGE") }, "\(lines)")
            #expect(lines.contains { $0.contains("PONG classbook.test still-here") }, "the connection stays: \(lines)")
            #expect(lines.contains("PONG"), "a WebSocket ping is answered: \(lines)")
            #expect(lines.last == "CLOSED 1000", "\(lines)")
            let big = try await Self.client(server, Self.login(guardian) + ["@BIG"])
            #expect(big.last == "CLOSED 1009", "\(big)")
        }
    }

    @Test("the same flood limits as over TLS: a flood is slowed down, then disconnected")
    func flood() async throws {
        // The TLS flood test's budget (HostileInputTests.flood) at a tenth of its rate: a line over
        // budget waits 100 ms, not 20. The count of lines over budget in a row starts again when a
        // line finds its budget refilled, and on a loaded machine (the whole suite on two cores) a
        // gap of 20 ms between two lines of the flood happened, and no flood was seen.
        try await withServer({ configuration in
            Self.web(&configuration)
            configuration.flood.burst = 5
            configuration.flood.linesPerSecond = 10
            configuration.flood.hardLimit = 20
        }) { server in
            let guardian = try server.school.guardianWithOneChild
            let lines = try await Self.client(
                server, Self.login(guardian) + ["@UNTIL: 001 ", "@FLOOD:200", "@UNTIL:Excess Flood"])
            #expect(lines.contains { $0.contains("ERROR :Excess Flood") }, "\(lines.suffix(5))")
        }
    }
}
