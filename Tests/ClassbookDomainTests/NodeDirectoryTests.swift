import ClassbookDomain
import ClassbookStore
import Foundation
import Testing

/// The nodes serving one store, in SQLite: sessions seen across nodes while their node is
/// alive, forgotten when its heartbeat stops or a node takes its place; leases held by one.
@Suite("Node directory")
struct NodeDirectoryTests {
    @Test(
        """
        another node's sessions count while its heart beats and are forgotten when it stops (no ghosts), or at \
        once when a node takes its place
        """
    )
    func sessionsAndHeartbeats() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let other = try ClassbookDatabase(directory: school.directory)
        defer { try? other.close() }
        let here = school.database.nodes, there = other.nodes
        let start = Date()
        let account = AccountID(1)
        try await there.claim(identity: "host-b 127.0.0.1:7000", at: start)
        try await there.sessionOpened(
            NodeSession(
                id: "s1", node: there.node, account: account, client: "WeeChat", address: "127.0.*.*",
                connectedAt: start))
        #expect(try await here.remoteSessions(of: account, at: start).map(\.id) == ["s1"])
        #expect(try await there.remoteSessions(of: account, at: start).isEmpty, "a node's own sessions are not remote")

        // Its heart stopped at `start`: alive within the limit, dead after it.
        let dead = start.addingTimeInterval(SQLiteNodeDirectory.deadAfter + 1)
        #expect(try await here.remoteSessions(of: account, at: start.addingTimeInterval(5)).count == 1)
        #expect(try await here.remoteSessions(of: account, at: dead).isEmpty)
        try await here.heartbeat(at: dead)
        #expect(try await school.scalar("SELECT count(*) FROM node_sessions WHERE node = ?", [there.node]) == 0)

        // A session closed is forgotten; a node that takes the same identity forgets the old one's.
        try await there.claim(identity: "host-b 127.0.0.1:7000", at: dead)
        for id in ["s2", "s3"] {
            try await there.sessionOpened(
                NodeSession(id: id, node: there.node, account: account, client: "?", address: "*", connectedAt: dead))
        }
        try await there.sessionClosed("s2")
        #expect(try await here.remoteSessions(of: account, at: dead).map(\.id) == ["s3"])
        try await here.claim(identity: "host-b 127.0.0.1:7000", at: dead)
        #expect(try await here.remoteSessions(of: account, at: dead).isEmpty)
        #expect(try await school.scalar("SELECT count(*) FROM node_sessions") == 0)
    }

    @Test("a lease is one node's until it expires; its holder renews it")
    func leases() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let other = try ClassbookDatabase(directory: school.directory)
        defer { try? other.close() }
        let now = Date()
        let minute = now.addingTimeInterval(60)
        #expect(try await school.database.nodes.acquireLease("digest", until: minute, at: now))
        #expect(try await !other.nodes.acquireLease("digest", until: minute, at: now))
        #expect(try await other.nodes.acquireLease("report", until: minute, at: now), "another lease is free")
        #expect(try await school.database.nodes.acquireLease("digest", until: minute, at: now.addingTimeInterval(30)))
        #expect(try await !other.nodes.acquireLease("digest", until: minute, at: now.addingTimeInterval(59)))
        #expect(
            try await other.nodes.acquireLease(
                "digest", until: minute.addingTimeInterval(60), at: minute.addingTimeInterval(1)))
        #expect(
            try await !school.database.nodes.acquireLease("digest", until: minute, at: minute.addingTimeInterval(2)))
    }
}
