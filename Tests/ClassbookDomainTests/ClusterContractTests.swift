import ClassbookDomain
import Foundation
import Testing

/// What nodes of one store share, the same on every backend: the change feed and the directory
/// of nodes, sessions and leases.
@Suite("Cluster contract")
struct ClusterContractTests {
    @Test(
        "the feed: what one node publishes every node reads, in order, under its name; old entries are pruned",
        arguments: Backend.allCases)
    func feed(_ backend: Backend) async throws {
        let (a, b, close) = try await backend.twoNodes()
        defer { close() }
        #expect(a.feed.node != b.feed.node)
        let start = try await a.feed.latestSequence()
        let account = AccountID(42)
        let changes: [StoreChange] = [
            .botMessage(account: account, message: 7),
            .closeSessions(account: account, except: "s1", reason: "Password changed"),
            .closeSessions(account: account, except: nil, reason: "Account locked"),
            .closeSession(account: account, session: "s2", reason: "Closed from another device"),
            .directMessage(recipient: account, message: 9),
            .post(author: account, msgid: "m1", replyTo: nil),
            .post(author: account, msgid: "m2", replyTo: "m1")
        ]
        for (index, change) in changes.enumerated() { try await (index % 2 == 0 ? b : a).feed.publish(change) }
        let entries = try await a.feed.changes(after: start, limit: 100)
        #expect(entries.map(\.change) == changes)
        #expect(entries.map(\.origin) == changes.indices.map { $0 % 2 == 0 ? b.feed.node : a.feed.node })
        #expect(entries.map(\.sequence) == entries.map(\.sequence).sorted())
        #expect(try await b.feed.changes(after: entries[4].sequence, limit: 1).map(\.change) == [changes[5]])
        #expect(try await b.feed.latestSequence() == entries.last?.sequence)

        try await a.feed.prune(before: Date().addingTimeInterval(-60))
        #expect(try await b.feed.changes(after: start, limit: 100).count == changes.count)
        try await a.feed.prune(before: Date().addingTimeInterval(60))
        #expect(try await b.feed.changes(after: start, limit: 100).isEmpty)
    }

    @Test("PostgreSQL wakes a waiting reader when another node publishes (LISTEN/NOTIFY), long before its timeout")
    func notified() async throws {
        let (a, b, close) = try await Backend.postgresql.twoNodes()
        defer { close() }
        // Listening starts with the first wait; let it settle.
        await a.feed.wait(upTo: .milliseconds(500))
        let waiting = Task {
            let start = ContinuousClock.now
            await a.feed.wait(upTo: .seconds(60))
            return ContinuousClock.now - start
        }
        try await Task.sleep(for: .milliseconds(200))
        try await b.feed.publish(.botMessage(account: AccountID(1), message: 1))
        let waited = await waiting.value
        // Far under the timeout: woken by the notification, not by the clock. (Not a speed target:
        // on a loaded machine the publisher's first connection alone took seconds.)
        #expect(waited < .seconds(30), "woken after \(waited)")
    }

    @Test(
        """
        the directory: another node's sessions count while its heart beats and are forgotten when it stops (no \
        ghosts), or at once when a node takes its place
        """, arguments: Backend.allCases)
    func sessionsAndHeartbeats(_ backend: Backend) async throws {
        let (a, b, close) = try await backend.twoNodes()
        defer { close() }
        let here = a.nodes, there = b.nodes
        let start = Date()
        let account = AccountID(1)
        try await there.claim(identity: "host-b 127.0.0.1:7000", at: start)
        try await there.sessionOpened(
            NodeSession(
                id: "s1", node: there.node, account: account, client: "WeeChat", address: "127.0.*.*",
                connectedAt: start))
        let seen = try await here.remoteSessions(of: account, at: start)
        #expect(seen.map(\.id) == ["s1"])
        #expect(seen.first?.client == "WeeChat" && seen.first?.address == "127.0.*.*")
        // Both stores keep milliseconds at least.
        #expect(abs((seen.first?.connectedAt ?? .distantPast).timeIntervalSince(start)) < 0.002)
        #expect(try await there.remoteSessions(of: account, at: start).isEmpty, "a node's own sessions are not remote")
        #expect(try await here.remoteSessions(of: AccountID(2), at: start).isEmpty)

        // Its heart stopped at `start`: alive within the limit, dead after it, forgotten at a heartbeat.
        let dead = start.addingTimeInterval(10 + 1)
        #expect(try await here.remoteSessions(of: account, at: start.addingTimeInterval(5)).count == 1)
        #expect(try await here.remoteSessions(of: account, at: dead).isEmpty)
        try await here.heartbeat(at: dead)
        try await there.claim(identity: "host-b 127.0.0.1:7000", at: dead)
        #expect(try await here.remoteSessions(of: account, at: dead).isEmpty, "forgotten, not revived")

        // A closed session is forgotten; a node that takes the same identity forgets the old one's.
        for id in ["s2", "s3"] {
            try await there.sessionOpened(
                NodeSession(id: id, node: there.node, account: account, client: "?", address: "*", connectedAt: dead))
        }
        try await there.sessionClosed("s2")
        #expect(try await here.remoteSessions(of: account, at: dead).map(\.id) == ["s3"])
        try await here.claim(identity: "host-b 127.0.0.1:7000", at: dead)
        #expect(try await here.remoteSessions(of: account, at: dead).isEmpty)
    }

    @Test("leases: one node's until they expire; the holder renews its own", arguments: Backend.allCases)
    func leases(_ backend: Backend) async throws {
        let (a, b, close) = try await backend.twoNodes()
        defer { close() }
        let now = Date()
        let minute = now.addingTimeInterval(60)
        #expect(try await a.nodes.acquireLease("digest", until: minute, at: now))
        #expect(try await !b.nodes.acquireLease("digest", until: minute, at: now))
        #expect(try await b.nodes.acquireLease("report", until: minute, at: now), "another lease is free")
        #expect(try await a.nodes.acquireLease("digest", until: minute, at: now.addingTimeInterval(30)))
        #expect(try await !b.nodes.acquireLease("digest", until: minute, at: now.addingTimeInterval(59)))
        #expect(
            try await b.nodes.acquireLease(
                "digest", until: minute.addingTimeInterval(60), at: minute.addingTimeInterval(1)))
        #expect(try await !a.nodes.acquireLease("digest", until: minute, at: minute.addingTimeInterval(2)))
    }
}
