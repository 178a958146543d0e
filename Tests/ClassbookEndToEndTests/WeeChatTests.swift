import Foundation
import Testing

/// A real IRC client, WeeChat (weechat-headless, installed by commands/setup), connects over
/// TLS, logs in with SASL PLAIN and asks the bot for marks.
@Suite("WeeChat", .timeLimit(.minutes(2)))
struct WeeChatTests {
    static let executable = "/usr/bin/weechat-headless"

    @Test("WeeChat logs in with SASL over TLS, asks the bot for marks and sees the answer")
    func marksThroughWeeChat() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "commands/setup installs weechat-headless")
        try await withServer { server in
            let school = server.school
            let guardian = try school.guardianWithOneChild
            let home = school.directory + "/weechat"
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)

            let commands = [
                "/set logger.file.flush_delay 0",
                "/set irc.look.buffer_switch_autojoin off",
                // WeeChat 3.8 calls TLS options ssl*; the server's certificate is self-signed.
                "/server add classbook 127.0.0.1/\(server.ports.tls) -ssl -ssl_verify=off -nicks=weetest -username=weetest"
                    + " -sasl_mechanism=plain -sasl_username=\(guardian.login) -sasl_password=\(guardian.password)",
                "/connect classbook",
                "/wait 3 /msg -server classbook diary marks",
                "/wait 6 /quit",
            ]
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.executable)
            process.arguments = ["--dir", home, "--no-plugin=python,perl,ruby,lua,tcl,guile,javascript,php,spell,fifo,relay,script,trigger,xfer,exec,typing",
                                 "--run-command", commands.joined(separator: ";")]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = ContinuousClock.now + .seconds(40)
            while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            if process.isRunning { process.terminate() }

            let log = home + "/logs/irc.classbook.diary.weechatlog"
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let child = guardian.children[0].replacingOccurrences(of: " (", with: ", ").replacingOccurrences(of: ")", with: "")
            #expect(text.contains("\(child) — оценки, 2 четверть"), "WeeChat's log of the query with diary:\n\(text)")
            #expect(text.contains(" — средний "))
        }
    }
}
