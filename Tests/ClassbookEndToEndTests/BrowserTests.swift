import ClassbookDomain
import ClassbookServer
import ClassbookTestSupport
import Foundation
import Testing

/// The web client in a real browser: headless Chromium driven by Selenium (Debian `chromium`
/// and `chromium-driver`, PyPI `selenium`, installed by commands/setup), against the server's
/// web listener with real TLS and WebSocket. The scenario is Support/browser_test.py's; this
/// test sets the school up, runs it and checks what it left in the database.
@Suite("The web client in a browser", .serialized, .timeLimit(.minutes(5)))
struct BrowserTests {
    /// Runs the browser script with `config`; its output lines and whether it succeeded.
    static func run(_ config: [String: Any], in directory: String) async throws -> (lines: [String], passed: Bool) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Support/browser_test.py"
        ).path
        let configPath = directory + "/browser-config.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let result = try await ChildProcess.run(
            "/usr/bin/env", ["python3", script, configPath], in: directory, timeLimit: .seconds(240))
        return (result.lines, result.succeeded)
    }

    @Test(
        """
        a guardian logs in, replaces the one-time password, sees marks, acknowledges a
            teacher's new mark (put through the page) \
        and the class teacher sees it; a message arrives live; after a lost connection what was sent meanwhile arrives;
            \
        unread counts follow the account's other device; a thread reply; 360 px without horizontal scroll; \
        a remembered device logs in by token and a revoked token does not
        """)
    func guardianAndTeacher() async throws {
        try await withServer({ $0.webListen = .init(host: "127.0.0.1", port: 0) }) { server in
            let s = try await JournalTests.setting(server)
            let classTeacherLogin = try await server.store.value(
                "SELECT a.login FROM classes c JOIN accounts a ON a.id = c.class_teacher_id WHERE c.name = ?",
                [s.className])
            let classTeacher = try server.school.credential { $0.login == classTeacherLogin }
            // The family starts as a new one does: with a one-time password from the class teacher.
            let head = try await server.login(classTeacher)
            let reset = try await head.ask("/credentials reset \(s.className) \(s.guardian.login)")
            let issued = try #require(reset.first { $0.contains("логин \(s.guardian.login), пароль ") })
            let oneTime = String(try #require(issued.components(separatedBy: "пароль ").last))
            await head.close()
            let marksBefore = try await JournalTests.count(server, "SELECT count(*) FROM marks")

            let person = { (c: DemoSchoolGenerator.Credential) in
                ["login": c.login, "password": c.password, "name": c.name]
            }
            var guardian = person(s.guardian)
            guardian["oneTimePassword"] = oneTime
            guardian["newPassword"] = "мой-новый-пароль-42"
            var config: [String: Any] = [
                "webPort": try #require(server.ports.web), "tlsPort": server.ports.tls,
                "guardian": guardian, "teacher": person(s.teacher), "classTeacher": person(classTeacher),
                "child": s.child, "className": s.className, "subject": s.subject,
                "board": "#\(s.className.lowercased())-родители"
            ]
            if let directory = ProcessInfo.processInfo.environment["CLASSBOOK_SCREENSHOTS"] {
                config["screenshots"] = directory
            }
            let (lines, passed) = try await Self.run(config, in: server.school.directory)
            #expect(passed, "\(lines.joined(separator: "\n"))")
            for step in [
                "login page", "wrong password refused", "one-time password replaced", "marks shown",
                "teacher marked through the page",
                "acknowledged", "class teacher sees it", "message received live", "reconnected with what was missed",
                "read on another device", "thread reply",
                "token login works", "revoked token refused", "language switch", "no browser errors"
            ] {
                #expect(lines.contains("OK \(step)"), "missing: \(step)")
            }
            // What the page did is in the school's records: the mark, the acknowledgement, the new password.
            #expect(try await JournalTests.count(server, "SELECT count(*) FROM marks") == marksBefore + 1)
            #expect(
                try await JournalTests.count(
                    server,
                    """
                    SELECT count(*) FROM acknowledgements k JOIN accounts a ON a.id = k.guardian_id WHERE a.login =
                        '\(s.guardian.login)'
                    """) == 1)
            #expect(
                try await JournalTests.count(
                    server,
                    """
                    SELECT count(*) FROM accounts WHERE login = '\(s.guardian.login)' AND NOT must_change_password
                    """) == 1)
        }
    }
}
