import ClassbookDomain
import ClassbookTestSupport
import Foundation
import Testing

/// A real IRC client, WeeChat (weechat-headless, installed by commands/setup), connects over
/// TLS, logs in with SASL PLAIN and asks the bot for marks.
@Suite("WeeChat", .timeLimit(.minutes(2)))
struct WeeChatTests {
    static let executable = "/usr/bin/weechat-headless"

    /// WeeChat's commands to log in as `account` with SASL over TLS, ask the bot for marks as soon
    /// as it is connected and quit after `quitAfter` s, logging every buffer at once.
    static func askMarks(port: Int, _ account: DemoSchoolGenerator.Credential, quitAfter: Int) -> [String] {
        [
            "/set logger.file.flush_delay 0",
            "/set irc.look.buffer_switch_autojoin off",
            // WeeChat 3.8 calls TLS options ssl*; the server's certificate is self-signed.
            "/server add classbook 127.0.0.1/\(port) -ssl -ssl_verify=off -nicks=weetest -username=weetest"
                + " -sasl_mechanism=plain -sasl_username=\(account.login) -sasl_password=\(account.password)",
            // Sent once the server has welcomed the connection, however long that takes.
            "/set irc.server.classbook.command \"/msg diary marks\"",
            "/connect classbook",
            "/wait \(quitAfter) /quit"
        ]
    }

    /// Starts WeeChat in `home` with `commands` run at start; the task ends when it has quit
    /// (stopped after 40 s, or when the task is cancelled).
    static func runWeeChat(home: String, commands: [String]) throws -> Task<Void, any Error> {
        let process = try ChildProcess.Spawned(
            executable,
            [
                "--dir", home,
                "--no-plugin=python,perl,ruby,lua,tcl,guile,javascript,php,spell,fifo,relay,script,trigger,xfer,exec,"
                    + "typing",
                "--run-command", commands.joined(separator: ";")
            ], keepsErrors: false)
        return Task {
            let deadline = ContinuousClock.now + .seconds(40)
            while process.isRunning && ContinuousClock.now < deadline && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
            }
            if process.isRunning { process.terminate() }
        }
    }

    @Test("WeeChat logs in with SASL over TLS, asks the bot for marks and sees the answer")
    func marksThroughWeeChat() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.executable), "commands/setup installs weechat-headless")
        try await withServer { server in
            let school = server.school
            let guardian = try school.guardianWithOneChild
            let home = school.directory + "/weechat"
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)

            // WeeChat quits at 30 s at the latest; the test reads its log as soon as the answer is
            // there (a fixed 6 s was outlasted on a loaded machine).
            let commands = Self.askMarks(port: server.ports.tls, guardian, quitAfter: 30)
            let weechat = try Self.runWeeChat(home: home, commands: commands)
            let log = home + "/logs/irc.classbook.diary.weechatlog"
            var text = ""
            let deadline = ContinuousClock.now + .seconds(30)
            while !text.contains(" — средний ") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            }
            weechat.cancel()
            let child = guardian.children[0].replacingOccurrences(of: " (", with: ", ").replacingOccurrences(
                of: ")", with: "")
            #expect(text.contains("\(child) — оценки, 2 четверть"), "WeeChat's log of the query with diary:\n\(text)")
            #expect(text.contains(" — средний "))
        }
    }

    @Test(
        """
        WeeChat and irssi connected as the same account at once: the same nick, and each shows what the other sent \
        the bot
        """
    )
    func weeChatAndIrssiAsOneAccount() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.executable), "commands/setup installs weechat-headless")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/irssi"), "commands/setup installs irssi")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux"), "commands/setup installs tmux")
        try await withServer { server in
            let guardian = try server.school.guardianWithOneChild
            let home = server.school.directory + "/weechat"
            let irssiHome = server.school.directory + "/irssi"
            for directory in [home, irssiHome] {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            let session = "classbook-irssi-\(UUID().uuidString.prefix(8))"
            func tmux(_ arguments: String...) async throws {
                // Polled, at most 10 s: the tmux client that starts a server can take its time.
                _ = try await ChildProcess.run("/usr/bin/tmux", arguments, in: home, timeLimit: .seconds(10))
            }
            // irssi in a terminal of its own (tmux), logging every window to files.
            try await tmux(
                "new-session", "-d", "-s", session, "-x", "200", "-y", "50", "irssi --home=\(irssiHome) -n irssinick")
            // Started, not waited for: a defer cannot await.
            defer { _ = try? ChildProcess.Spawned("/usr/bin/tmux", ["kill-session", "-t", session]) }
            try await Task.sleep(for: .seconds(1))
            for line in [
                "/set autolog on", "/set autolog_path \(irssiHome)/logs/$0.log",
                "/network add -sasl_mechanism PLAIN -sasl_username \(guardian.login) -sasl_password "
                    + "\(guardian.password) classbook",
                "/server add -tls -notls_verify -network classbook 127.0.0.1 \(server.ports.tls)",
                "/connect classbook"
            ] {
                try await tmux("send-keys", "-t", session, line, "Enter")
                try await Task.sleep(for: .milliseconds(300))
            }
            // WeeChat quits at 40 s at the latest; the test goes on as soon as each client shows what it
            // waits for (a fixed 5 s before irssi's command was outlasted on a loaded machine).
            let commands = Self.askMarks(port: server.ports.tls, guardian, quitAfter: 40)
            let weechat = try Self.runWeeChat(home: home, commands: commands)
            defer { weechat.cancel() }
            var weechatLog = ""
            var irssiLog = ""
            func waitForLogs(until done: () -> Bool) async throws {
                let deadline = ContinuousClock.now + .seconds(30)
                while ContinuousClock.now < deadline {
                    weechatLog =
                        (try? String(contentsOfFile: home + "/logs/irc.classbook.diary.weechatlog", encoding: .utf8))
                        ?? ""
                    irssiLog = (try? String(contentsOfFile: irssiHome + "/logs/diary.log", encoding: .utf8)) ?? ""
                    if done() { return }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            // irssi is connected and has seen WeeChat's command and its answer: now irssi sends one.
            try await waitForLogs { irssiLog.contains("— оценки, 2 четверть") && weechatLog.contains(" — средний ") }
            try await tmux("send-keys", "-t", session, "/msg diary homework", "Enter")
            try await waitForLogs { weechatLog.contains("\(guardian.login)\thomework") }
            // Each client shows, in its query with the bot, the command the other sent, under the account's nick.
            #expect(
                weechatLog.contains("\(guardian.login)\thomework"),
                "WeeChat's log of the query with diary:\n\(weechatLog)")
            #expect(irssiLog.contains("<\(guardian.login)> marks"), "irssi's log of the query with diary:\n\(irssiLog)")
            #expect(
                irssiLog.contains("— оценки, 2 четверть"),
                "irssi shows the bot's answer to WeeChat's command:\n\(irssiLog)")
        }
    }
}
