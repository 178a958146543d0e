import ClassbookDomain
import Foundation
import Testing

/// App passwords (device tokens): a login that costs a hash look-up, not scrypt; shown once,
/// kept as a hash, listed and revoked in `/sessions`, void after a password change or a breach,
/// expired after 90 days unused. Real TLS sockets.
@Suite("Device tokens", .timeLimit(.minutes(2)))
struct DeviceTokenTests {
    /// The token in the bot's answer to `/sessions token NAME`.
    static func token(_ lines: [String]) throws -> String {
        let match = try #require(lines.joined(separator: " ").firstMatch(of: /cbt-[0-9a-f]{40}/), "\(lines)")
        return String(match.output)
    }

    static func logsIn(_ server: RunningServer, _ login: String, _ password: String) async throws -> Bool {
        let client = try await server.connect()
        defer { Task { await client.close() } }
        do {
            try await client.registerWithSASL(login: login, password: password, nick: "t")
            return client.nick == login
        } catch {
            return false
        }
    }

    @Test(
        "an app password logs in its own account only, is listed in /sessions, kept as a hash, and stops when revoked")
    func issueUseRevoke() async throws {
        try await withServer { server in
            let guardian = try server.school.guardianWithOneChild
            let other = try server.school.guardianWithTwoChildren
            let phone = try await server.login(guardian)
            let answer = try await phone.ask("/sessions token WeeChat")
            #expect(
                answer.first?.hasPrefix("Пароль приложения для «WeeChat» (показан один раз): cbt-") == true, "\(answer)"
            )
            let token = try Self.token(answer)
            #expect(try await Self.logsIn(server, guardian.login, token))
            #expect(try await !Self.logsIn(server, other.login, token), "a token logs in only its own account")
            let list = try await phone.ask("/sessions")
            #expect(list.contains("Пароли приложений: 1."), "\(list)")
            #expect(list.contains { $0.hasPrefix("1. WeeChat — выдан ") && $0.contains(", вход ") }, "\(list)")
            // Only the hash is kept, and the audit names the device, never the token.
            let hashes = try await server.store.strings("SELECT token_hash FROM device_tokens")
            let audited = try await server.store.strings(
                "SELECT coalesce(new_value, '') || coalesce(old_value, '') FROM audit_log WHERE action LIKE 'token.%'")
            #expect(hashes == [Digest.sha256Hex(token)])
            #expect(!audited.contains { $0.contains(token) } && audited.contains("WeeChat"))
            #expect(try await phone.ask("/sessions revoke 1") == ["Пароль приложения «WeeChat» отозван."])
            #expect(try await !Self.logsIn(server, guardian.login, token))
            #expect(
                try await phone.ask("/sessions revoke 1").first?.hasPrefix("Укажите номер пароля приложения") == true)
            #expect(try await phone.ask("/sessions token").first?.hasPrefix("Назовите устройство") == true)
            await phone.close()
        }
    }

    @Test("a token is void after a password change and after a reported breach, and expires after 90 days unused")
    func voidedAndExpired() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let clock = ManualClock(ManualClock.moscow(2026, 11, 20, 10, 0))
        let server = try await RunningServer.start(school, clock: clock)
        let guardian = try school.guardianWithOneChild
        let admin = try school.credential { $0.roles.contains(.admin) }

        // A password change voids the account's tokens.
        let phone = try await server.login(guardian)
        let beforeChange = try Self.token(try await phone.ask("/sessions token телефон"))
        #expect(try await phone.ask("/passwd новый-надёжный-пароль").first?.isEmpty == false)
        #expect(try await !Self.logsIn(server, guardian.login, beforeChange))
        await phone.close()

        // Unused for more than 90 days: expired; used within them: still good.
        var renewed = guardian
        renewed.password = "новый-надёжный-пароль"
        let laptop = try await server.login(renewed)
        let idle = try Self.token(try await laptop.ask("/sessions token планшет"))
        let used = try Self.token(try await laptop.ask("/sessions token ноутбук"))
        clock.set(ManualClock.moscow(2027, 1, 19, 10, 0))  // 60 days on
        #expect(try await Self.logsIn(server, guardian.login, used))
        clock.set(ManualClock.moscow(2027, 2, 20, 10, 0))  // 92 days after issue, 32 after the last use
        #expect(try await !Self.logsIn(server, guardian.login, idle), "unused for 92 days")
        #expect(try await Self.logsIn(server, guardian.login, used))

        // A reported breach voids them, and they stay void after the administrator unlocks the account.
        // The report closes every session of the account, this one too.
        try await laptop.send("PRIVMSG diary :/breach")
        #expect(try await laptop.expectClosed() == "Account locked: password reported leaked")
        let administrator = try await server.login(admin)
        let unlocked = try await administrator.ask("/breach unlock \(guardian.login)")
        #expect(unlocked.contains { $0.contains("разблокирован") }, "\(unlocked)")
        #expect(try await !Self.logsIn(server, guardian.login, used))
        await administrator.close()
        try await server.stop()
    }
}
