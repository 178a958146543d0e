import Synchronization

/// Values kept with the stamp they were computed from, handed out only while the caller's
/// current stamp is equal: a revision that only grows, or the inputs themselves when comparing
/// them is cheaper than computing again. Equal stamps must mean an equal value; choosing the
/// stamp so is the user's part (see `MarksCache`, `MarksReportMemo`).
///
/// Bounded: past `capacity` entries, a quarter of them, chosen arbitrarily, are dropped.
public final class StampedMemo<Key: Hashable & Sendable, Stamp: Equatable & Sendable, Value: Sendable>: Sendable {
    public let capacity: Int
    private let entries = Mutex<[Key: (stamp: Stamp, value: Value)]>([:])

    public init(capacity: Int = 4096) {
        precondition(capacity >= 4)
        self.capacity = capacity
    }

    /// The value kept for `key` if it was stored with a stamp equal to `stamp`.
    public func value(_ key: Key, stamp: Stamp) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.stamp == stamp else { return nil }
            return entry.value
        }
    }

    public func store(_ value: Value, for key: Key, stamp: Stamp) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil {
                for key in entries.keys.prefix(capacity / 4) { entries.removeValue(forKey: key) }
            }
            entries[key] = (stamp, value)
        }
    }

    public var count: Int { entries.withLock { $0.count } }
}
