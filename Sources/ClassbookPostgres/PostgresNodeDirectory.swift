import ClassbookDomain
import Foundation
import PostgresNIO

/// The nodes serving the store, their sessions and leases, on PostgreSQL (the same tables and
/// rules as `SQLiteNodeDirectory`; the contract tests run both).
public struct PostgresNodeDirectory: NodeDirectory {
    let store: PostgresStore
    public var node: String { store.node }

    public func claim(identity: String, at now: Date) async throws {
        let logger = store.logger
        try await store.write { [node] connection in
            try await connection.query(
                """
                DELETE FROM node_sessions WHERE node IN (SELECT node FROM nodes WHERE identity = \(identity)
                    AND node <> \(node))
                """, logger: logger)
            try await connection.query(
                "DELETE FROM nodes WHERE identity = \(identity) AND node <> \(node)", logger: logger)
            try await connection.query(
                """
                INSERT INTO nodes (node, identity, started_at, heartbeat_at)
                VALUES (\(node), \(identity), \(now), \(now))
                ON CONFLICT (node) DO UPDATE SET identity = excluded.identity, heartbeat_at = excluded.heartbeat_at
                """, logger: logger)
        }
    }

    public func heartbeat(at now: Date) async throws {
        let dead = now.addingTimeInterval(-Self.deadAfter)
        let logger = store.logger
        try await store.write { [node] connection in
            try await connection.query(
                """
                INSERT INTO nodes (node, started_at, heartbeat_at) VALUES (\(node), \(now), \(now))
                ON CONFLICT (node) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
                """, logger: logger)
            try await connection.query(
                """
                DELETE FROM node_sessions WHERE node IN (SELECT node FROM nodes WHERE heartbeat_at < \(dead))
                    OR node NOT IN (SELECT node FROM nodes)
                """, logger: logger)
            try await connection.query("DELETE FROM nodes WHERE heartbeat_at < \(dead)", logger: logger)
        }
    }

    public func sessionOpened(_ session: NodeSession) async throws {
        let logger = store.logger
        try await store.write { connection in
            try await connection.query(
                """
                INSERT INTO nodes (node, started_at, heartbeat_at) VALUES (\(session.node), now(), now())
                ON CONFLICT (node) DO NOTHING
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO node_sessions (id, node, account_id, client, address, connected_at)
                VALUES (\(session.id), \(session.node), \(session.account.rawValue), \(session.client),
                    \(session.address), \(session.connectedAt))
                ON CONFLICT (id) DO UPDATE SET node = excluded.node, account_id = excluded.account_id,
                    client = excluded.client, address = excluded.address, connected_at = excluded.connected_at
                """, logger: logger)
        }
    }

    public func sessionClosed(_ id: String) async throws {
        try await store.client.query("DELETE FROM node_sessions WHERE id = \(id)", logger: store.logger)
    }

    public func remoteSessions(of account: AccountID, at now: Date) async throws -> [NodeSession] {
        let alive = now.addingTimeInterval(-Self.deadAfter)
        let rows = try await store.client.query(
            """
            SELECT s.id, s.node, s.account_id, s.client, s.address, s.connected_at FROM node_sessions s
            JOIN nodes n ON n.node = s.node
            WHERE s.account_id = \(account.rawValue) AND s.node <> \(node) AND n.heartbeat_at >= \(alive)
            ORDER BY s.connected_at
            """, logger: store.logger)
        var sessions: [NodeSession] = []
        for try await (id, node, account, client, address, connectedAt) in rows.decode(
            (String, String, Int64, String, String, Date).self)
        {
            sessions.append(
                NodeSession(
                    id: id, node: node, account: AccountID(account), client: client, address: address,
                    connectedAt: connectedAt))
        }
        return sessions
    }

    public func acquireLease(_ name: String, until: Date, at now: Date) async throws -> Bool {
        let rows = try await store.client.query(
            """
            INSERT INTO leases (name, holder, until) VALUES (\(name), \(node), \(until))
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
                WHERE leases.holder = excluded.holder OR leases.until < \(now)
            RETURNING name
            """, logger: store.logger)
        for try await _ in rows { return true }
        return false
    }
}
