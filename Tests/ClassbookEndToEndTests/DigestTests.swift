import ClassbookDomain
import ClassbookStore
import Foundation
import IRC
import Testing

/// The weekly digest over TLS, driven by a clock the test moves.
@Suite("The weekly digest", .timeLimit(.minutes(2)))
struct DigestTests {
    @Test(
        """
        the digest goes out once at the configured time, survives a restart unsent twice, and reaches an offline \
        teacher at login
        """
    )
    func weeklyDigest() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let classTeachers = school.credentials.filter { $0.roles.contains(.classTeacher) }
        let online = classTeachers[0], offline = classTeachers[1]
        // Thursday noon: the last scheduled moment (the Friday before) is more than a day old.
        let clock = ManualClock(ManualClock.moscow(2026, 11, 19, 12, 0))
        var server = try await RunningServer.start(school, clock: clock) { $0.jobInterval = 3600 }
        let client = try await server.login(online, capabilities: "sasl server-time")
        #expect(try await server.server.runDueDigests() == 0)

        // Friday 15:00 is the default: a minute before, nothing; a minute after, the digest.
        clock.set(ManualClock.moscow(2026, 11, 20, 14, 59))
        #expect(try await server.server.runDueDigests() == 0)
        clock.set(ManualClock.moscow(2026, 11, 20, 15, 1))
        let recipients = try await server.server.runDueDigests()
        #expect(recipients >= classTeachers.count)
        let received = try await client.botMessages()
        let lines = received.map { $0.parameters[1] }
        #expect(lines.first == "Еженедельная сводка, 16.11–22.11.", "\(lines)")
        #expect(lines.contains { $0.hasPrefix("— ") && $0.hasSuffix(", неделя 16.11–22.11 —") })
        #expect(lines.contains { $0.hasPrefix("Пропуски «Н» к проверке: ") })
        #expect(lines.contains { $0.hasPrefix("Журнал: без темы — ") })
        // Checking again in the same week sends nothing.
        #expect(try await server.server.runDueDigests() == 0)
        #expect(try await client.botMessages().isEmpty)
        await client.close()
        try await server.stop()

        // A restart in the same week does not send it again.
        clock.set(ManualClock.moscow(2026, 11, 20, 16, 0))
        server = try await RunningServer.start(school, clock: clock)
        #expect(try await server.server.runDueDigests() == 0)
        // The teacher who was away gets it at login, stamped with the time it was sent.
        let late = try await server.login(offline, capabilities: "sasl server-time")
        let delivered = try await late.botMessages()
        #expect(
            delivered.first?.parameters[1] == "Еженедельная сводка, 16.11–22.11.",
            "\(delivered.map { $0.parameters[1] })")
        #expect(delivered.first?.tag("time") == "2026-11-20T12:01:00.000Z")
        let undelivered = try await server.store.int(
            """
            SELECT count(*) FROM bot_outbox o JOIN accounts a ON a.id = o.account_id WHERE a.login IN (?, ?)
                AND o.delivered_at IS NULL
            """, [online.login, offline.login])
        #expect(undelivered == 0)
        // Logging in again brings nothing twice.
        let again = try await server.login(offline)
        #expect(try await again.botMessages().isEmpty)
        for c in [late, again] { await c.close() }
        try await server.stop()
    }

    @Test("the deputy gets the school-wide summary and a subject teacher their own journal")
    func otherDigests() async throws {
        try await withServer { server in
            let deputy = try await server.login(try server.school.credential { $0.roles == [.deputy] })
            let summary = try await deputy.ask("/digest")
            #expect(summary.contains { $0.hasPrefix("— Школа: классы") }, "\(summary)")
            #expect(
                summary.filter { $0.range(of: #"^\d+А: \d+; "#, options: .regularExpression) != nil }.count == 3,
                "\(summary)")
            let teacher = try await server.login(try server.school.credential { $0.roles == [.teacher] })
            let own = try await teacher.ask("/digest")
            #expect(own.contains { $0.hasPrefix("— Ваш журнал: ") }, "\(own)")
            #expect(!own.contains { $0.hasPrefix("— Школа") })
            for c in [deputy, teacher] { await c.close() }
        }
    }
}
