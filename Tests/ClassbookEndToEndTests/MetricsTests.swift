import Foundation
import Testing

/// `/metrics`: Prometheus's text format, and counters that move when people use the server.
@Suite("Metrics", .timeLimit(.minutes(2)))
struct MetricsTests {
    /// One HTTP request to the metrics endpoint; the status line and the body's lines.
    static func get(_ server: RunningServer, path: String = "/metrics", method: String = "GET") async throws -> (
        status: String, body: [String]
    ) {
        let port = try #require(server.ports.metrics)
        let client = try await IRCTestClient.connect(port: port, certificatePath: nil, group: RunningServer.clientGroup)
        try await client.sendRaw(Array("\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
        _ = try await client.expectClosed()
        let lines = client.allLines
        let blank = lines.firstIndex(of: "") ?? lines.count
        return (lines.first ?? "", Array(lines.dropFirst(blank + 1)))
    }

    /// The samples of a scrape by series (`name{labels}`), each line checked against the format.
    static func samples(_ body: [String]) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        let comment = /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]*( .*)?$/
        let sample =
            /^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})?) (\S+)$/
        for line in body where !line.isEmpty {
            if line.hasPrefix("#") {
                #expect(line.wholeMatch(of: comment) != nil, "not a HELP or TYPE line: \(line)")
                continue
            }
            let match = try #require(line.wholeMatch(of: sample), "not a sample line: \(line)")
            let value = try #require(
                Double(String(match.output.4).replacingOccurrences(of: "+Inf", with: "inf")), "not a number: \(line)")
            samples[String(match.output.1)] = value
        }
        return samples
    }

    @Test(
        """
        /metrics parses as Prometheus text and its counters move: sessions, registrations, commands by outcome, \
        failed logins, the store, the outbox
        """
    )
    func countersMove() async throws {
        try await withServer { server in
            let before = try Self.samples(try await Self.get(server).body)
            let guardian = try server.school.guardianWithOneChild
            let client = try await server.login(guardian)
            _ = try await client.ask("marks")
            _ = try await client.ask("marks")
            _ = try await client.ask("journal 5А алгебра")  // refused: not the guardian's
            _ = try await client.ask("ack")  // a write
            let wrong = try await server.connect()
            do {
                try await wrong.registerWithSASL(login: guardian.login, password: "not the password", nick: "w")
            } catch {}
            try await Task.sleep(for: .milliseconds(1200))  // one sample of the event loops' lag

            let (status, body) = try await Self.get(server)
            #expect(status == "HTTP/1.1 200 OK")
            #expect(body.contains { $0.hasPrefix("# TYPE classbook_commands_total counter") })
            let after = try Self.samples(body)
            func delta(_ series: String) -> Double { (after[series] ?? 0) - (before[series] ?? 0) }
            #expect(delta(#"classbook_commands_total{command="marks",outcome="ok"}"#) == 2)
            #expect(delta(#"classbook_commands_total{command="journal",outcome="refused"}"#) == 1)
            #expect(delta(#"classbook_command_duration_seconds_count{command="marks"}"#) == 2)
            #expect(delta("classbook_registrations_total") == 1)
            #expect(delta("classbook_failed_logins_total") == 1)
            #expect(after[#"classbook_sessions{transport="tls"}"#] == 1)
            #expect((after["classbook_store_write_duration_seconds_count"] ?? 0) >= 1)
            #expect((after["classbook_group_commit_writes_count"] ?? 0) >= 1)
            #expect((after["classbook_event_loop_lag_seconds_count"] ?? 0) >= 1)
            for queue in ["chat", "email", "sms"] {
                #expect(after[#"classbook_outbox_depth{queue="\#(queue)"}"#] != nil, "\(queue)")
                #expect(after[#"classbook_outbox_oldest_age_seconds{queue="\#(queue)"}"#] != nil, "\(queue)")
            }
            // A session that ends is counted out.
            await client.close()
            try await Task.sleep(for: .milliseconds(300))
            #expect(try Self.samples(try await Self.get(server).body)[#"classbook_sessions{transport="tls"}"#] == 0)
            // Anything but GET /metrics.
            #expect(try await Self.get(server, path: "/").status == "HTTP/1.1 404 Not Found")
            #expect(try await Self.get(server, method: "POST").status == "HTTP/1.1 405 Method Not Allowed")
        }
    }

    @Test("the Grafana dashboard in deploy/ reads only series the server exports")
    func dashboardReadsExportedSeries() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let dashboard = try String(
            contentsOf: root.appendingPathComponent("deploy/grafana-dashboard.json"), encoding: .utf8)
        let queried = Set(dashboard.matches(of: /classbook_[a-z_]+/).map { String($0.output) })
        #expect(queried.count >= 10)
        try await withServer { server in
            let client = try await server.login(try server.school.guardianWithOneChild)
            _ = try await client.ask("marks")
            _ = try await client.ask("ack")
            try await Task.sleep(for: .milliseconds(1200))
            let exported = Set(
                try Self.samples(try await Self.get(server).body).keys.map { String($0.prefix { $0 != "{" }) })
            for name in queried.sorted() {
                #expect(exported.contains(name), "the dashboard queries \(name), which the server does not export")
            }
            await client.close()
        }
    }
}
