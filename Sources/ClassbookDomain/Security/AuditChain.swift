import Foundation

/// One record of the audit chain, as every store keeps it: its fields are text and numbers, so
/// the hash is the same whichever store computed it.
public struct AuditRecord: Sendable, Equatable {
    public var id: Int64
    /// `UTCTimestamp`: UTC with milliseconds.
    public var at: String
    public var actor: Int64?
    public var session: String
    public var action: String
    public var entity: String
    public var entityID: String
    public var old: String?
    public var new: String?
    public var previous: String
    public var hash: String

    public init(
        id: Int64, at: String, actor: Int64?, session: String, action: String, entity: String, entityID: String,
        old: String?, new: String?, previous: String, hash: String
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.session = session
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.old = old
        self.new = new
        self.previous = previous
        self.hash = hash
    }
}

/// The append-only audit chain. Each record's hash covers its fields and the previous
/// record's hash (SHA-256), so that editing or removing a record breaks the chain. The store
/// appends under a lock taken in the writing transaction (one chain, several writers).
public enum AuditChain {
    public static let genesisHash = String(repeating: "0", count: 64)

    /// What `audit verify` finds: the chain recomputed, then every audited row checked against
    /// its latest record (`AuditedTable`).
    public enum Outcome: Equatable, Sendable {
        /// Every record checked out.
        case intact(records: Int)
        /// The first record that does not fit the chain, and why.
        case broken(recordID: Int64, reason: String)
        /// The chain is intact, but a journal row does not match its latest audit record.
        case rowTampered(reason: String)
    }

    /// The record that follows `last` (nil: the first), for a change made in `context`.
    public static func record(
        after last: (id: Int64, hash: String)?, context: AuditContext, action: String, entity: String,
        entityID: String, old: String?, new: String?
    ) -> AuditRecord {
        let id = (last?.id ?? 0) + 1
        let previous = last?.hash ?? genesisHash
        let at = UTCTimestamp.format(context.at)
        return AuditRecord(
            id: id, at: at, actor: context.actor?.rawValue, session: context.sessionID, action: action,
            entity: entity, entityID: entityID, old: old, new: new, previous: previous,
            hash: hash(
                id: id, at: at, actor: context.actor?.rawValue, session: context.sessionID, action: action,
                entity: entity, entityID: entityID, old: old, new: new, previous: previous))
    }

    public static func hash(
        id: Int64, at: String, actor: Int64?, session: String, action: String, entity: String,
        entityID: String, old: String?, new: String?, previous: String
    ) -> String {
        // Fields joined by the ASCII unit separator; a missing value is distinct from an empty one.
        let fields: [String] = [
            String(id), at, actor.map(String.init) ?? "\u{0}", session, action, entity, entityID,
            old ?? "\u{0}", new ?? "\u{0}", previous
        ]
        return Digest.sha256Hex(fields.joined(separator: "\u{1F}"))
    }

    /// Checks records read in order of id, one at a time; `finish` gives the outcome.
    public struct Verifier: Sendable {
        public private(set) var count = 0
        private var previous = AuditChain.genesisHash
        private var expectedID: Int64 = 1
        public private(set) var failure: (recordID: Int64, reason: String)?

        public init() {}

        /// Takes the next record; false once the chain is broken (the rest need not be read).
        public mutating func check(_ record: AuditRecord) -> Bool {
            guard failure == nil else { return false }
            if record.id != expectedID {
                failure = (expectedID, "record \(expectedID) is missing (next is \(record.id))")
            } else if record.previous != previous {
                failure = (record.id, "its previous-hash does not match record \(record.id - 1)")
            } else if AuditChain.hash(
                id: record.id, at: record.at, actor: record.actor, session: record.session, action: record.action,
                entity: record.entity, entityID: record.entityID, old: record.old, new: record.new,
                previous: record.previous) != record.hash
            {
                failure = (record.id, "its contents do not match its hash")
            } else {
                previous = record.hash
                expectedID += 1
                count += 1
            }
            return failure == nil
        }
    }
}
