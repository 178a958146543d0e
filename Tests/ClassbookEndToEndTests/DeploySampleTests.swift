import ClassbookDomain
import ClassbookStore
import ClassbookTestSupport
import Foundation
import Testing

/// The multi-node sample of deploy/nodes as it is written (only its ports and paths replaced):
/// the real HAProxy (Debian's `haproxy`, installed by commands/setup) in TCP mode with the PROXY
/// protocol in front of two real `classbook serve` processes on one store.
@Suite("The multi-node sample (deploy/nodes)", .timeLimit(.minutes(2)), .serialized)
struct DeploySampleTests {
    static let haproxy = "/usr/sbin/haproxy"
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/nodes").path

    /// The sample's file with `replacements` made; fails when one of them is not in it (the sample changed).
    static func sampleFile(_ name: String, _ replacements: [(String, String)]) throws -> String {
        var text = try String(contentsOfFile: sample + "/" + name, encoding: .utf8)
        for (old, new) in replacements {
            try #require(text.contains(old), "deploy/nodes/\(name) no longer holds «\(old)»")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    @Test(
        """
        HAProxy with the sample's configuration spreads people over both nodes, each node sees the client's \
        address, and a remark written on one node reaches the guardian on the other
        """
    )
    func twoNodesBehindHAProxy() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.haproxy), "commands/setup installs haproxy")
        // The sample runs on PostgreSQL, whichever store the rest of the run uses.
        let school = try await TestSchool.make(onPostgreSQL: true)
        defer { school.remove() }
        let url = try #require(school.database)
        var ports: [Int] = []
        for _ in 0..<5 { ports.append(try LocalPorts.free()) }
        let (front, proxied, direct) = (ports[0], [ports[1], ports[2]], [ports[3], ports[4]])

        var processes: [ChildProcess.Spawned] = []
        defer { for process in processes { process.kill() } }
        for node in 1...2 {
            let config = school.directory + "/node\(node).yaml"
            try Self.sampleFile(
                "node\(node).yaml",
                [
                    ("postgresql://classbook@127.0.0.1:5432/classbook", url),
                    ("/var/lib/classbook/node\(node)", school.directory + "/node\(node)"),
                    ("/etc/classbook/tls/cert.pem", school.certificatePath),
                    ("/etc/classbook/tls/key.pem", school.privateKeyPath),
                    ("127.0.0.1:700\(node)", "127.0.0.1:\(proxied[node - 1])"),
                    ("127.0.0.1:710\(node)", "127.0.0.1:\(direct[node - 1])"),
                    ("127.0.0.1:947\(6 + node)", "127.0.0.1:0")
                ]
            ).write(toFile: config, atomically: true, encoding: .utf8)
            processes.append(
                try ChildProcess.Spawned(
                    CrashTests.binary, ["serve", "--config", config], errors: school.directory + "/node\(node).log"))
        }
        let balancer = school.directory + "/haproxy.cfg"
        try Self.sampleFile(
            "haproxy.cfg",
            [
                ("0.0.0.0:6697", "127.0.0.1:\(front)"), ("127.0.0.1:7001", "127.0.0.1:\(proxied[0])"),
                ("127.0.0.1:7002", "127.0.0.1:\(proxied[1])"), ("maxconn 200000", "maxconn 1000")
            ]
        ).write(toFile: balancer, atomically: true, encoding: .utf8)
        // Both nodes listening before HAProxy sends anyone.
        for port in direct {
            let probe = try await CrashTests.connect(port: port, tls: school)
            await probe.close()
        }
        processes.append(
            try ChildProcess.Spawned(
                Self.haproxy, ["-f", balancer, "-db"], output: school.directory + "/haproxy.log", keepsErrors: true))

        // The guardian of a child, and the child's class teacher, both through HAProxy.
        let store = try school.open()
        defer { store.close() }
        let guardian = try school.guardianWithOneChild
        let row = try #require(
            try await store.rows(
                """
                SELECT t.login, c.name AS class, s.last_name || ' ' || s.first_name AS pupil
                FROM accounts g JOIN guardianships gs ON gs.guardian_id = g.id
                JOIN students s ON s.id = gs.student_id JOIN classes c ON c.id = s.class_id
                JOIN accounts t ON t.id = c.class_teacher_id
                WHERE g.login = ?
                """, [guardian.login]
            ).first)
        let teacher = try school.credential { $0.login == row[0] }
        let parent = try await CrashTests.connect(port: front, tls: school)
        try await parent.registerWithSASL(login: guardian.login, password: guardian.password, nick: "p")
        let classTeacher = try await CrashTests.connect(port: front, tls: school)
        try await classTeacher.registerWithSASL(login: teacher.login, password: teacher.password, nick: "t")

        // One on each node (leastconn), each with the address its PROXY header gave (loopback here
        // as HAProxy's own: ProxyProtocolTests tell the two apart).
        let sessions = try await store.rows(
            """
            SELECT s.node, s.address FROM node_sessions s JOIN accounts a ON a.id = s.account_id
            WHERE a.login IN (?, ?)
            """, [guardian.login, teacher.login])
        #expect(Set(sessions.map { $0[0] }).count == 2, "\(sessions)")
        #expect(sessions.allSatisfy { $0[1] == "127.0.*.*" }, "\(sessions)")

        // The nodes run on the real clock: in the evening the guardian's quiet hours (21:00–07:00 by
        // default) would hold the remark until morning.
        let quiet = try await parent.ask("/notify quiet off")
        #expect(quiet.joined().contains("тихие часы: выкл"), "\(quiet)")
        let saved = try await classTeacher.ask("/remark \(row[1] ?? "") \(row[2] ?? ""): Опоздал")
        #expect(saved.first?.hasPrefix("Замечание записано") == true, "\(saved)")
        let told = try await MultiNodeTests.messages(parent)
        #expect(told.count == 1 && told[0].hasSuffix(": Опоздал"), "\(told)")
        for client in [parent, classTeacher] { await client.close() }
    }
}
