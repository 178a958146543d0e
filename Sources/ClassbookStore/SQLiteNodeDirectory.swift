import ClassbookDomain
import Foundation
import GRDB

/// The nodes serving the store, their sessions and leases, in SQLite (`nodes`, `node_sessions`,
/// `leases`). Times are the machine's clock, not the school's.
public struct SQLiteNodeDirectory: NodeDirectory {
    let pool: DatabasePool
    let writer: GroupCommit
    public let node: String

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE nodes (
                    node TEXT PRIMARY KEY,
                    identity TEXT,
                    started_at DATETIME NOT NULL,
                    heartbeat_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE node_sessions (
                    id TEXT PRIMARY KEY,
                    node TEXT NOT NULL,
                    account_id INTEGER NOT NULL,
                    client TEXT NOT NULL,
                    address TEXT NOT NULL,
                    connected_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX node_sessions_by_account ON node_sessions(account_id);
                CREATE INDEX node_sessions_by_node ON node_sessions(node);
                CREATE TABLE leases (
                    name TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    until DATETIME NOT NULL
                ) WITHOUT ROWID;
                """)
    }

    public func claim(identity: String, at now: Date) async throws {
        try await writer.write { [node] db in
            try db.execute(
                sql: """
                    DELETE FROM node_sessions WHERE node IN (SELECT node FROM nodes WHERE identity = ? AND node <> ?)
                    """, arguments: [identity, node])
            try db.execute(sql: "DELETE FROM nodes WHERE identity = ? AND node <> ?", arguments: [identity, node])
            try db.execute(
                sql: """
                    INSERT INTO nodes (node, identity, started_at, heartbeat_at) VALUES (?1, ?2, ?3, ?3)
                    ON CONFLICT (node) DO UPDATE SET identity = excluded.identity, heartbeat_at = excluded.heartbeat_at
                    """, arguments: [node, identity, now])
        }
    }

    public func heartbeat(at now: Date) async throws {
        let dead = now.addingTimeInterval(-Self.deadAfter)
        try await writer.write { [node] db in
            try db.execute(
                sql: """
                    INSERT INTO nodes (node, started_at, heartbeat_at) VALUES (?1, ?2, ?2)
                    ON CONFLICT (node) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
                    """, arguments: [node, now])
            try db.execute(
                sql: """
                    DELETE FROM node_sessions WHERE node IN (SELECT node FROM nodes WHERE heartbeat_at < ?)
                        OR node NOT IN (SELECT node FROM nodes)
                    """, arguments: [dead])
            try db.execute(sql: "DELETE FROM nodes WHERE heartbeat_at < ?", arguments: [dead])
        }
    }

    public func sessionOpened(_ session: NodeSession) async throws {
        try await writer.write { db in
            // A node's first session may come before its first heartbeat: it is alive now.
            try db.execute(
                sql: "INSERT OR IGNORE INTO nodes (node, started_at, heartbeat_at) VALUES (?1, ?2, ?2)",
                arguments: [session.node, Date()])
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO node_sessions (id, node, account_id, client, address, connected_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.id, session.node, session.account.rawValue, session.client, session.address,
                    session.connectedAt
                ])
        }
    }

    public func sessionClosed(_ id: String) async throws {
        try await writer.write { db in try db.execute(sql: "DELETE FROM node_sessions WHERE id = ?", arguments: [id]) }
    }

    public func remoteSessions(of account: AccountID, at now: Date) async throws -> [NodeSession] {
        try await pool.read { [node] db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.* FROM node_sessions s JOIN nodes n ON n.node = s.node
                    WHERE s.account_id = ? AND s.node <> ? AND n.heartbeat_at >= ? ORDER BY s.connected_at
                    """, arguments: [account.rawValue, node, now.addingTimeInterval(-Self.deadAfter)]
            ).map { row in
                NodeSession(
                    id: row["id"], node: row["node"], account: AccountID(row["account_id"]), client: row["client"],
                    address: row["address"], connectedAt: row["connected_at"])
            }
        }
    }

    public func acquireLease(_ name: String, until: Date, at now: Date) async throws -> Bool {
        try await writer.write { [node] db in
            try db.execute(
                sql: """
                    INSERT INTO leases (name, holder, until) VALUES (?1, ?2, ?3)
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
                        WHERE leases.holder = excluded.holder OR leases.until < ?4
                    """, arguments: [name, node, until, now])
            return db.changesCount == 1
        }
    }
}
