import Foundation

/// A session as the other nodes see it: which node holds it, for whom, from where.
public struct NodeSession: Sendable, Equatable {
    public var id: String
    public var node: String
    public var account: AccountID
    public var client: String
    public var address: String
    public var connectedAt: Date

    public init(id: String, node: String, account: AccountID, client: String, address: String, connectedAt: Date) {
        self.id = id
        self.node = node
        self.account = account
        self.client = client
        self.address = address
        self.connectedAt = connectedAt
    }
}

/// The nodes serving one store and the sessions each holds, kept in the store: a node beats
/// its heart every few seconds; one whose heart stopped (killed, its machine gone) is dead
/// after `NodeDirectory.deadAfter`, and its sessions are forgotten then, leaving no ghosts.
/// Leases give a job (the weekly digest) to one node at a time.
public protocol NodeDirectory: Sendable {
    /// This node's name (the change feed's too).
    var node: String { get }
    /// Records this node as the one at `identity` (its machine and the addresses it listens on),
    /// alive at `now`. A node recorded at the same identity is gone (no two processes listen on
    /// the same addresses of one machine): its sessions are forgotten now, not when its heartbeat
    /// expires, so people reconnecting to a restarted server are not counted twice.
    func claim(identity: String, at now: Date) async throws
    /// Records that this node is alive at `now`, and forgets the nodes (and their sessions)
    /// not heard of since `now - deadAfter`.
    func heartbeat(at now: Date) async throws
    func sessionOpened(_ session: NodeSession) async throws
    func sessionClosed(_ id: String) async throws
    /// The account's sessions held by other nodes that are alive at `now`.
    func remoteSessions(of account: AccountID, at now: Date) async throws -> [NodeSession]
    /// Takes (or renews) the lease `name` for this node until `until`; false while another
    /// node holds it.
    func acquireLease(_ name: String, until: Date, at now: Date) async throws -> Bool
}

extension NodeDirectory {
    /// A node not heard of for this long is dead (it beats every `heartbeatInterval`).
    public static var deadAfter: TimeInterval { 10 }
    public static var heartbeatInterval: TimeInterval { 2 }
}
