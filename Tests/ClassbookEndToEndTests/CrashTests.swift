import ClassbookDomain
import ClassbookStore
import ClassbookTestSupport
import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import Testing

/// The real `classbook serve` process killed with SIGKILL while teachers write: every write it
/// confirmed is there after a restart, and the database passes SQLite's integrity check and the
/// audit verification.
@Suite("Crashes", .timeLimit(.minutes(3)), .serialized)
struct CrashTests {
    /// The `classbook` executable built beside the test bundle.
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("classbook")
            .path
    }

    static func serve(_ school: TestSchool, port: Int, config: String, tlsPort: Int = 0, log: String? = nil) throws
        -> ChildProcess.Spawned
    {
        try ChildProcess.Spawned(
            binary,
            [
                "serve", "--config", config, "--cert", school.certificatePath, "--key", school.privateKeyPath,
                "--listen", "127.0.0.1:\(tlsPort)", "--plaintext-listen", "127.0.0.1:\(port)"
            ] + school.storeArguments,
            errors: log ?? "/dev/null")
    }

    /// The real server on `school`, its config the tests' own (no scheduled jobs, `/metrics` on a
    /// free port) and `settings`: the process, its plaintext port, and the file its log goes to.
    static func start(_ school: TestSchool, settings: String = "", tlsPort: Int = 0, jobInterval: Int = 0)
        async throws -> (process: ChildProcess.Spawned, port: Int, log: String)
    {
        let name = school.directory + "/serve-" + UUID().uuidString.prefix(8)
        try ("job-interval: \(jobInterval)\nmetrics-listen: 127.0.0.1:0\n" + settings).write(
            toFile: name + ".yaml", atomically: true, encoding: .utf8)
        let port = try LocalPorts.free()
        return (
            try serve(school, port: port, config: name + ".yaml", tlsPort: tlsPort, log: name + ".log"), port,
            name + ".log"
        )
    }

    /// Connects (over TLS, verifying `tls`'s certificate, when given), trying again while the
    /// server starts (5 s at most).
    static func connect(port: Int, tls school: TestSchool? = nil) async throws -> IRCTestClient {
        for _ in 0..<200 {
            if let client = try? await IRCTestClient.connect(
                port: port, certificatePath: school?.certificatePath, group: MultiThreadedEventLoopGroup.singleton)
            {
                return client
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestFailure("the server did not start")
    }

    static func kill(_ process: ChildProcess.Spawned) {
        process.kill()
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
    }

    @Test(
        """
        confirmed writes survive SIGKILL, round after round, and every saved remark is told to each guardian once \
        (what a killed process did not dispatch, the next start does)
        """
    )
    func killDuringWrites() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "\(Self.binary)")
        let school = try await TestSchool.make()
        defer { school.remove() }
        let config = school.directory + "/crash.yaml"
        try "flood-burst: 100000\nflood-rate: 100000\njob-interval: 0\nmetrics-listen: 127.0.0.1:0\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        // A class teacher writing remarks, and a guardian acknowledging, as fast as they can.
        let teacher = try school.credential { $0.roles.contains(.classTeacher) }
        let className = try await school.withStore { store in
            try await store.value(
                "SELECT c.name FROM classes c JOIN accounts a ON a.id = c.class_teacher_id WHERE a.login = ?",
                [teacher.login]) ?? ""
        }
        let pupil = try await school.withStore { store in
            try await store.value(
                """
                SELECT s.last_name || ' ' || s.first_name FROM students s JOIN classes c ON c.id = s.class_id
                WHERE c.name = ? LIMIT 1
                """, [className]) ?? ""
        }
        var confirmed: [String] = []
        var undispatchedAtKill: [Int] = []
        // The same addresses every round, as a restarted server has: it takes over the killed one's
        // place among the nodes, and the devices it held do not count against the limit.
        let (port, tlsPort) = (try LocalPorts.free(), try LocalPorts.free())
        for round in 0..<3 {
            let process = try Self.serve(school, port: port, config: config, tlsPort: tlsPort)
            // What the last kill left undispatched goes out at start, before anything new is written.
            #expect(try await Self.dispatched(school), "round \(round): left at each kill: \(undispatchedAtKill)")
            // Four devices of the teacher write at once, so that the kill finds writes between their
            // commit and their notifications' dispatch as well as writes under way.
            let clients = try await Self.devices(4, of: teacher, port: port, nick: "t\(round)x")
            // Write until the kill lands; a write counts once its confirmation arrives.
            let progress = WriteProgress()
            let killer = Task {
                try await progress.wait(forAll: clients.count, then: .milliseconds(200 + 200 * round))
                Self.kill(process)
            }
            let written = await Self.writeRemarks(
                clients, className: className, pupil: pupil, prefix: "crash-\(round)", progress: progress)
            _ = try? await killer.value
            for client in clients { await client.close() }
            #expect(written.allSatisfy { !$0.isEmpty }, "round \(round): a device confirmed nothing")
            confirmed += written.flatMap { $0 }
            undispatchedAtKill.append(try await Self.undispatched(school))
        }
        // After the last kill: start again, and check everything confirmed is there.
        let (integrity, texts) = try await school.withStore { store in
            (
                // SQLite checks its file; a PostgreSQL server keeps its own.
                TestDatabase.isPostgreSQL ? "ok" : try await store.value("PRAGMA integrity_check"),
                Set(try await store.strings("SELECT text FROM remarks WHERE text LIKE 'crash-%'"))
            )
        }
        #expect(integrity == "ok")
        let missing = confirmed.filter { !texts.contains($0) }
        #expect(missing.isEmpty, "confirmed but lost: \(missing)")
        #expect(confirmed.count >= 3)
        guard case .intact = try await school.withStore({ try await $0.verifyAudit() }) else {
            Issue.record("audit broken after crashes"); return
        }

        // One more start dispatches what the last kill left; then each guardian of the pupil has
        // exactly one notification of every remark saved (confirmed or not).
        let (process, _, _) = try await Self.start(school)
        #expect(try await Self.dispatched(school), "left at each kill: \(undispatchedAtKill)")
        Self.kill(process)
        let told = try await Self.told(texts, about: pupil, in: school)
        #expect(told.values.first?.isEmpty == false, "the pupil has guardians to tell")
        let wrong = told.filter { $0.value.values.contains { $0 != 1 } }
        #expect(wrong.isEmpty, "remarks not told once to each guardian: \(wrong.sorted { $0.key < $1.key })")
    }

    /// The class a class teacher leads and one of its pupils (`Фамилия Имя`).
    static func classAndPupil(of teacher: DemoSchoolGenerator.Credential, in school: TestSchool) async throws -> (
        String, String
    ) {
        let row = try await school.withStore { store in
            try await store.rows(
                """
                SELECT c.name AS class, s.last_name || ' ' || s.first_name AS pupil FROM classes c
                JOIN accounts a ON a.id = c.class_teacher_id JOIN students s ON s.class_id = c.id
                WHERE a.login = ? ORDER BY s.id LIMIT 1
                """, [teacher.login]
            ).first
        }
        guard let row, let className = row[0], let pupil = row[1] else {
            throw TestFailure("\(teacher.login) leads no class")
        }
        return (className, pupil)
    }

    /// `count` sessions of the account on the plaintext port, nicks NICK0, NICK1, …
    static func devices(_ count: Int, of account: DemoSchoolGenerator.Credential, port: Int, nick: String)
        async throws -> [IRCTestClient]
    {
        var clients: [IRCTestClient] = []
        for device in 0..<count {
            let client = try await connect(port: port)
            try await client.registerWithPass(
                login: account.login, password: account.password, nick: "\(nick)\(device)")
            clients.append(client)
        }
        return clients
    }

    /// Each client writes remarks (`PREFIX-DEVICE-N`) until one is not confirmed (the server was
    /// killed); what each had confirmed.
    static func writeRemarks(
        _ clients: [IRCTestClient], className: String, pupil: String, prefix: String,
        progress: WriteProgress = WriteProgress()
    ) async -> [[String]] {
        await withTaskGroup(of: [String].self) { group in
            for (device, client) in clients.enumerated() {
                group.addTask {
                    var confirmed: [String] = []
                    while true {
                        let text = "\(prefix)-\(device)-\(confirmed.count)"
                        guard let reply = try? await client.ask("/remark \(className) \(pupil): \(text)"),
                            reply.first?.hasPrefix("Замечание записано") == true
                        else { return confirmed }
                        confirmed.append(text)
                        progress.confirmed(by: device)
                    }
                }
            }
            return await group.reduce(into: []) { $0 += [$1] }
        }
    }

    /// Which devices have had a write confirmed: a kill is timed from the moment every device is
    /// writing (a loaded machine, or a store that opens its connections lazily, takes its time
    /// over the first).
    final class WriteProgress: Sendable {
        private let devices = NIOLockedValueBox<Set<Int>>([])

        func confirmed(by device: Int) { devices.withLockedValue { _ = $0.insert(device) } }

        /// Returns `delay` after `count` devices have had a write confirmed (20 s at most).
        func wait(forAll count: Int, then delay: Duration) async throws {
            let deadline = ContinuousClock.now + .seconds(20)
            while devices.withLockedValue({ $0.count }) < count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: delay)
        }
    }

    /// For each remark text, how many notifications of it each guardian of the pupil has in the
    /// bot's outbox.
    static func told(_ texts: Set<String>, about pupil: String, in school: TestSchool) async throws
        -> [String: [Int64: Int]]
    {
        try await school.withStore { store in
            let guardians = try await store.strings(
                """
                SELECT g.guardian_id FROM guardianships g JOIN students s ON s.id = g.student_id
                WHERE s.last_name || ' ' || s.first_name = ?
                """, [pupil]
            ).compactMap { Int64($0) }
            var told: [String: [Int64: Int]] = [:]
            for text in texts { told[text] = Dictionary(uniqueKeysWithValues: guardians.map { ($0, 0) }) }
            for row in try await store.rows("SELECT account_id, text FROM bot_outbox WHERE text LIKE '%crash-%'") {
                guard let line = row[1], let account = row[0].flatMap({ Int64($0) }),
                    let text = line.split(separator: " ").last.map(String.init), told[text] != nil
                else { continue }
                told[text]![account, default: 0] += 1
            }
            return told
        }
    }

    /// Waits (at most 20 s) until every journal event saved is dispatched; false if one is not.
    static func dispatched(_ school: TestSchool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while try await undispatched(school) > 0 {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// Journal events saved and not yet turned into notifications.
    static func undispatched(_ school: TestSchool) async throws -> Int {
        try await school.withStore { store in
            try await store.int("SELECT count(*) FROM journal_events WHERE dispatched_at IS NULL") ?? 0
        }
    }

    @Test(
        """
        SIGTERM right after a 20,000-line flood: the process exits within 2 s, every client told, no confirmed \
        write lost
        """
    )
    func stopDuringFlood() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let teacher = try school.credential { $0.roles.contains(.classTeacher) }
        let (className, pupil) = try await Self.classAndPupil(of: teacher, in: school)
        // The real flood budget (defaults): the flooder's lines wait behind flood control.
        let (process, port, _) = try await Self.start(school)
        let writer = try await Self.connect(port: port)
        try await writer.registerWithPass(login: teacher.login, password: teacher.password, nick: "writer")
        var confirmed: [String] = []
        for index in 0..<5 {
            let reply = try await writer.ask("/remark \(className) \(pupil): stop-\(index)")
            if reply.first?.hasPrefix("Замечание записано") == true { confirmed.append("stop-\(index)") }
        }
        let guardian = try school.guardianWithOneChild
        let flooder = try await Self.connect(port: port)
        try await flooder.registerWithPass(login: guardian.login, password: guardian.password, nick: "flood")
        try await flooder.sendRaw(Array(String(repeating: "PRIVMSG diary :help\r\n", count: 20_000).utf8))
        try await Task.sleep(for: .milliseconds(300))

        let start = ContinuousClock.now
        process.terminate()
        try await process.waitForExit(within: .seconds(10))
        let took = ContinuousClock.now - start
        #expect(!process.isRunning)
        #expect(took < .seconds(2), "SIGTERM took \(took)")
        if process.isRunning { Self.kill(process) }
        #expect(try await writer.expectClosed() == "Server shutting down")

        let texts = Set(
            try await school.withStore { try await $0.strings("SELECT text FROM remarks WHERE text LIKE 'stop-%'") })
        #expect(confirmed.count == 5 && confirmed.allSatisfy(texts.contains), "confirmed \(confirmed), stored \(texts)")
    }

    @Test("SIGTERM with a TLS client that no longer reads (an idle phone): the process exits within 2 s")
    func stopWithIdleTLSClient() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let tlsPort = try LocalPorts.free()
        let (process, port, _) = try await Self.start(school, tlsPort: tlsPort)
        _ = try await Self.connect(port: port)
        let guardian = try school.guardianWithOneChild
        let phone = try await IRCTestClient.connect(
            port: tlsPort, certificatePath: school.certificatePath, group: MultiThreadedEventLoopGroup.singleton)
        try await phone.registerWithSASL(login: guardian.login, password: guardian.password, nick: "phone")
        try await phone.stopReading()
        let start = ContinuousClock.now
        process.terminate()
        try await process.waitForExit(within: .seconds(10))
        let took = ContinuousClock.now - start
        if process.isRunning { Self.kill(process) }
        // NIOSSL's default wait for the client's close_notify was 5 s.
        #expect(took < .seconds(2), "SIGTERM took \(took)")
        await phone.close()
    }
}
