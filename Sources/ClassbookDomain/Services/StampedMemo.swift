import Synchronization

/// Values kept with the stamp they were computed from, handed out only while the caller's
/// current stamp is equal: a revision that only grows, or the inputs themselves when comparing
/// them is cheaper than computing again. Equal stamps must mean an equal value; choosing the
/// stamp so is the user's part (see `MarksCache`, `MarksReportMemo`).
///
/// Bounded: past `capacity` entries, a quarter of them, chosen arbitrarily, are dropped.
///
/// Inlinable, so that each user's types are specialized in: a generic class called across
/// modules otherwise looks up the metadata of its dictionary and entries at run time on
/// every call, which `/marks` profiles showed costing more than the lookup itself.
public final class StampedMemo<Key: Hashable & Sendable, Stamp: Equatable & Sendable, Value: Sendable>: Sendable {
    public let capacity: Int
    @usableFromInline let entries = Mutex<[Key: Entry]>([:])

    @usableFromInline struct Entry: Sendable {
        @usableFromInline var stamp: Stamp
        @usableFromInline var value: Value

        @inlinable init(stamp: Stamp, value: Value) {
            self.stamp = stamp
            self.value = value
        }
    }

    public init(capacity: Int = 4096) {
        precondition(capacity >= 4)
        self.capacity = capacity
    }

    /// The value kept for `key` if it was stored with a stamp equal to `stamp`.
    @inlinable public func value(_ key: Key, stamp: Stamp) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.stamp == stamp else { return nil }
            return entry.value
        }
    }

    /// Keeps `value` for `key` under `stamp` and returns it; or, when a value is kept already
    /// under an equal stamp (two callers computed it at once), leaves that one and returns it,
    /// so that every caller holds the same one: values with arrays then compare equal in one
    /// step, their storage being the same (`DiaryRendering.markReplies` relies on it).
    @inlinable @discardableResult
    public func store(_ value: Value, for key: Key, stamp: Stamp) -> Value {
        entries.withLock { entries in
            if let kept = entries[key], kept.stamp == stamp { return kept.value }
            if entries.count >= capacity, entries[key] == nil {
                for key in entries.keys.prefix(capacity / 4) { entries.removeValue(forKey: key) }
            }
            entries[key] = Entry(stamp: stamp, value: value)
            return value
        }
    }

    public var count: Int { entries.withLock { $0.count } }
}
