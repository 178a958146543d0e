import Foundation
import Testing

/// What the real server writes to its log (standard error, which systemd's journal keeps): never
/// a password, in clear or as the base64 of a SASL exchange. In the serialized suite of the real
/// binary's tests, so that no two of them race for a free port.
extension CrashTests {
    @Test("no password appears in any log line: logins by SASL and PASS, right and wrong, and a password change")
    func noPasswordInTheLog() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let (process, port, log) = try await Self.start(school, settings: "flood-burst: 100000\nflood-rate: 100000\n")
        defer { if process.isRunning { Self.kill(process) } }
        let guardian = try school.guardianWithOneChild
        let teacher = try school.credential { $0.roles.contains(.teacher) }
        let wrong = "Неверный-пароль-42"
        let changed = "новый-надёжный-пароль-2026"
        // SASL and PASS, right and wrong.
        let sasl = try await CrashTests.connect(port: port)
        try await sasl.registerWithSASL(login: guardian.login, password: guardian.password, nick: "g")
        let bad = try await CrashTests.connect(port: port)
        do { try await bad.registerWithSASL(login: guardian.login, password: wrong, nick: "b") } catch {}
        let pass = try await CrashTests.connect(port: port)
        try await pass.registerWithPass(login: teacher.login, password: teacher.password, nick: "t")
        let badPass = try await CrashTests.connect(port: port)
        try await badPass.send("PASS \(teacher.login):\(wrong)")
        try await badPass.send("NICK x")
        try await badPass.send("USER x 0 * :x")
        _ = try? await badPass.expectClosed()
        // A password change through the bot.
        #expect(try await sasl.ask("/passwd \(changed)").first?.isEmpty == false)
        for client in [sasl, bad, pass] { await client.close() }
        process.terminate()
        try await process.waitForExit(within: .seconds(5))

        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(
            text.contains("login accepted") && text.contains("login refused"), "the log says who logged in:\n\(text)")
        for secret in [guardian.password, teacher.password, wrong, changed] {
            let sasl = Data("\0\(guardian.login)\0\(secret)".utf8).base64EncodedString()
            for line in text.split(separator: "\n") {
                #expect(!line.contains(secret), "a password in the log: \(line)")
                #expect(!line.contains(sasl), "a SASL payload in the log: \(line)")
            }
        }
    }

    @Test(
        "log-format json: every line the server logs is a JSON object with its time, level, label, message and metadata"
    )
    func jsonLogLines() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let (process, port, log) = try await Self.start(school, settings: "log-format: json\n")
        defer { if process.isRunning { Self.kill(process) } }
        let guardian = try school.guardianWithOneChild
        let client = try await Self.connect(port: port)
        try await client.registerWithPass(login: guardian.login, password: guardian.password, nick: "g")
        await client.close()
        process.terminate()
        try await process.waitForExit(within: .seconds(5))

        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 3, "\(lines)")
        var objects: [[String: Any]] = []
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            if let object {
                #expect(["time", "level", "label", "message"].allSatisfy { object[$0] is String }, "\(line)")
                objects.append(object)
            }
        }
        let login = try #require(objects.first { $0["message"] as? String == "login accepted" })
        #expect((login["metadata"] as? [String: String])?["login"] == guardian.login)
        #expect(objects.contains { $0["message"] as? String == "stopped" })
    }
}
