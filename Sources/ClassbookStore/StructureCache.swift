import ClassbookDomain
import Synchronization

/// The school's calendar (years, periods), grading rules and classes, which every diary
/// command and every digest reads and which change a few times a year.
///
/// An entry is used while no write has committed in this process since it was loaded (the
/// commit count of `GroupCommit`), until the change feed brings another process's change to the
/// structure (`drop`, as the server's follower reads it every 0.1 s: `classbook settings`,
/// `classbook import` while the server runs, another node), and for at most `lifetime` in any
/// case.
final class StructureCache: Sendable {
    static let lifetime: Duration = .seconds(5)

    private struct Entry {
        /// A `Box<T>`: a class, so that getting the value back out is a cast of a class
        /// reference, not of an existential (three of each diary command's look-ups).
        var value: any AnyObject & Sendable
        var generation: Int
        /// `drops` when it was loaded: a value read while a drop happened is not used.
        var dropped: Int
        var loadedAt: ContinuousClock.Instant
    }

    private final class Box<T: Sendable>: Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }

    /// What an entry holds: a key of integers and dates, hashed without building a string
    /// (the diary reads three of these on every command).
    enum Key: Hashable, Sendable {
        case periods(SchoolDate, grade: Int)
        case markKindWeights
        case gradingRules
        case classes
        case year(SchoolDate)
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let drops = Atomic<Int>(0)
    private let writer: GroupCommit

    init(writer: GroupCommit) {
        self.writer = writer
    }

    /// Forgets every entry: the structure changed in another process.
    func drop() {
        drops.add(1, ordering: .sequentiallyConsistent)
        entries.withLock { $0.removeAll() }
    }

    func value<T: Sendable & Equatable>(_ key: Key, load: () throws -> T) rethrows -> T {
        let generation = writer.commits
        let dropped = drops.load(ordering: .sequentiallyConsistent)
        let now = ContinuousClock.now
        let entry = entries.withLock { $0[key] }
        let kept = (entry?.value as? Box<T>)?.value
        if let entry, let kept, entry.generation == generation, entry.dropped == dropped,
            now - entry.loadedAt < Self.lifetime
        {
            return kept
        }
        var value = try load()
        // Unchanged since it was last loaded: the kept value goes on being handed out, so that
        // what callers keep of it (the weights and rules in the marks memo's stamps) still
        // shares its storage and compares equal by identity, not key by key.
        if let kept, kept == value { value = kept }
        entries.withLock { entries in
            if entries.count > 256 { entries.removeAll() }
            entries[key] = Entry(value: Box(value), generation: generation, dropped: dropped, loadedAt: now)
        }
        return value
    }
}
