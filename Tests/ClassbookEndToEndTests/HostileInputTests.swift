import ClassbookDomain
import ClassbookServer
import ClassbookStore
import Foundation
import IRC
import NIOConcurrencyHelpers
import Testing

/// Hostile lines over real TLS: each gets its documented reply, the server stays up, other
/// sessions go on, and nothing is stored.
@Suite("Hostile input", .timeLimit(.minutes(2)))
struct HostileInputTests {
    /// The real flood control with these budgets (the test server's is all but off).
    static func flood(burst: Double, linesPerSecond: Double, hardLimit: Int = FloodControl.Settings().hardLimit)
        -> (inout ServerConfiguration) -> Void
    {
        { configuration in
            configuration.flood = .init()
            configuration.flood.burst = burst
            configuration.flood.linesPerSecond = linesPerSecond
            configuration.flood.hardLimit = hardLimit
        }
    }

    static func snapshot(_ server: RunningServer) async throws -> [Int] {
        var counts: [Int] = []
        for table in ["marks", "absences", "audit_log", "board_posts", "bot_outbox", "consents", "acknowledgements"] {
            counts.append(try await server.store.int("SELECT count(*) FROM \(table)") ?? 0)
        }
        return counts
    }

    @Test("malformed, oversized and injection-looking input is refused without harm")
    func hostileLines() async throws {
        try await withServer { server in
            let bystander = try await server.login(try server.school.guardianWithOneChild)
            let before = try await bystander.ask("/marks")
            let stored = try await Self.snapshot(server)
            let attacker = try await server.login(try server.school.guardianWithTwoChildren, nick: "attacker")
            // Over-long body: 417, connection kept.
            try await attacker.send("PRIVMSG diary :" + String(repeating: "я", count: 600))
            _ = try await attacker.expectNumeric("417")
            // Over-long tags: 417.
            try await attacker.send("@+x=" + String(repeating: "a", count: 9000) + " PING :t")
            _ = try await attacker.expectNumeric("417")
            // Invalid UTF-8: FAIL, dropped.
            try await attacker.sendRaw(Array("PRIVMSG diary :".utf8) + [0xFF, 0xFE, 0x0D, 0x0A])
            _ = try await attacker.expect("FAIL INVALID_UTF8") {
                $0.command == "FAIL" && $0.parameters.dropFirst().first == "INVALID_UTF8"
            }
            // NUL, bare CR and thousands of parameters.
            try await attacker.sendRaw(Array("PRIVMSG diary :mar\u{0}ks\r\n".utf8))
            try await attacker.sendRaw(Array("PRIVMSG diary :a\rb\r\n".utf8))
            try await attacker.send("PRIVMSG " + Array(repeating: "x", count: 3000).joined(separator: " "))
            _ = try await attacker.expectNumeric("417")
            // Malformed tags and a broken SASL payload after registration.
            try await attacker.send("@=;;=\\ PING :tag")
            try await attacker.send("AUTHENTICATE @@@@")
            // Injection-looking arguments are data.
            for text in [
                "/marks '; DROP TABLE marks; --", "/marks %s%s%n%x", "/note 20.11 '); DELETE FROM absences; --",
                "/mark 5А алгебра Robert'); DROP TABLE students;-- 5", "/report marks 5А стр 999999999999999999999",
                "/thread 99999999999999999999", "/read -1", "/final 5А математика год \u{202E}x 5"
            ] {
                let reply = try await attacker.ask(text)
                #expect(!reply.isEmpty && !reply.joined().contains("внутренняя ошибка"), "\(text): \(reply)")
            }
            // Commands in the wrong state.
            try await attacker.send("USER again 0 * :x")
            _ = try await attacker.expectNumeric("462")
            try await attacker.send("PASS late:password")
            _ = try await attacker.expectNumeric("462")
            // The server still answers everyone, and nothing was stored.
            #expect(try await attacker.ask("/help").count > 3)
            #expect(try await bystander.ask("/marks") == before)
            #expect(try await Self.snapshot(server) == stored)
            // The tables are all there (a query of a dropped one throws).
            #expect(try await server.store.int("SELECT count(*) FROM marks") ?? 0 > 0)
            #expect(try await server.store.int("SELECT count(*) FROM students") ?? 0 > 0)
            for client in [attacker, bystander] { await client.close() }
        }
    }

    @Test("a flood is slowed down, then disconnected; others are not affected")
    func flood() async throws {
        try await withServer(Self.flood(burst: 5, linesPerSecond: 50, hardLimit: 20)) { server in
            let calm = try await server.login(try server.school.guardianWithOneChild)
            let flooder = try await server.login(try server.school.guardianWithTwoChildren)
            var lines: [UInt8] = []
            for index in 0..<200 { lines += Array("PING :f\(index)\r\n".utf8) }
            try await flooder.sendRaw(lines)
            #expect(try await flooder.expectClosed() == "Excess Flood")
            #expect(try await calm.ask("/lang ru") == ["Теперь я отвечаю по-русски."])
            await calm.close()
        }
    }

    @Test(
        "lines sent together are answered together, but a reply is not held while flood control makes a later line wait"
    )
    func batchedRepliesAndFloodWaits() async throws {
        try await withServer(Self.flood(burst: 5, linesPerSecond: 4)) { server in
            let client = try await server.login(try server.school.guardianWithOneChild)
            // One write, one batch: a command and the PING after it are answered in order.
            try await client.sendRaw(Array("PRIVMSG diary :/lang ru\r\nPING :after-lang\r\n".utf8))
            let answered = try await client.consume(until: "PONG after-lang") {
                $0.command == "PONG" && $0.parameters.last == "after-lang"
            }
            #expect(
                answered.contains { $0.command == "PRIVMSG" && $0.parameters.last == "Теперь я отвечаю по-русски." })
            // Eight more lines at once, over the budget: each waits its turn (a quarter of a
            // second), and what was answered before a wait is on its way meanwhile.
            var lines: [UInt8] = []
            for index in 0..<8 { lines += Array("PING :w\(index)\r\n".utf8) }
            try await client.sendRaw(lines)
            _ = try await client.expect("PONG w0") { $0.command == "PONG" && $0.parameters.last == "w0" }
            #expect(
                !client.allLines.contains { $0.hasSuffix(" w7") || $0.hasSuffix(":w7") },
                "the first reply came before the last line's turn")
            _ = try await client.expect("PONG w7") { $0.command == "PONG" && $0.parameters.last == "w7" }
            await client.close()
        }
    }

    @Test("a client that sends faster than it is answered is read only as fast as it is answered")
    func backpressure() async throws {
        try await withServer(Self.flood(burst: 1, linesPerSecond: 20, hardLimit: 1_000_000)) { server in
            let client = try await server.login(try server.school.guardianWithOneChild)
            // 32 MiB of lines the server answers 20 a second: more than the sockets' buffers
            // on both sides hold (a few MiB each), so the write can finish only if the server
            // reads on while the lines wait, keeping them in its own memory.
            let line = Array(("PONG :" + String(repeating: "x", count: 8000) + "\r\n").utf8)
            var flood: [UInt8] = []
            flood.reserveCapacity(32 << 20)
            while flood.count < 32 << 20 { flood += line }
            let written = NIOLockedValueBox(false)
            let writer = Task { [flood] in
                try? await client.sendRaw(flood)
                written.withLockedValue { $0 = true }
            }
            try await Task.sleep(for: .seconds(5))
            #expect(!written.withLockedValue { $0 }, "the server read 32 MiB of lines it had not answered")
            // Others are served meanwhile.
            let calm = try await server.login(try server.school.guardianWithTwoChildren)
            #expect(try await calm.ask("/lang ru") == ["Теперь я отвечаю по-русски."])
            await calm.close()
            await client.close()
            _ = await writer.value
        }
    }

    @Test("too many connections from one address are refused")
    func connectionLimit() async throws {
        try await withServer({ configuration in
            configuration.maxConnectionsPerAddress = 3
            configuration.limitLoopback = true
        }) { server in
            // Each of the three answers a PING before the next connects, so the server is
            // serving it: connections that arrive at the same instant are counted in whatever
            // order their TLS setup finishes, and then any one of them may be the refused one.
            var open: [IRCTestClient] = []
            for index in 0..<3 {
                let client = try await server.connect()
                try await client.send("PING :open\(index)")
                _ = try await client.expect("PONG") { $0.command == "PONG" }
                open.append(client)
            }
            let fourth = try await server.connect()
            #expect(try await fourth.expectClosed() == "Too many connections from your address")
            await open[0].close()
            try await Task.sleep(for: .milliseconds(200))
            let fifth = try await server.connect()
            try await fifth.send("PING :still")
            _ = try await fifth.expect("PONG") { $0.command == "PONG" }
            for client in open.dropFirst() + [fifth] { await client.close() }
        }
    }
}
