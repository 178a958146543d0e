import Synchronization

/// The school's calendar (years, periods), grading rules and classes, which every diary
/// command and every digest reads and which change a few times a year.
///
/// An entry is used while no write has committed in this process since it was loaded (the
/// commit count of `GroupCommit`) and for at most `lifetime`, which bounds how long a change
/// made by another process (`classbook settings`, `classbook import` while the server runs)
/// takes to be seen.
final class StructureCache: Sendable {
    static let lifetime: Duration = .seconds(5)

    private struct Entry {
        var value: any Sendable
        var generation: Int
        var loadedAt: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let writer: GroupCommit

    init(writer: GroupCommit) {
        self.writer = writer
    }

    func value<T: Sendable>(_ key: String, load: () throws -> T) rethrows -> T {
        let generation = writer.statistics.commits
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), entry.generation == generation,
           now - entry.loadedAt < Self.lifetime, let value = entry.value as? T {
            return value
        }
        let value = try load()
        entries.withLock { entries in
            if entries.count > 256 { entries.removeAll() }
            entries[key] = Entry(value: value, generation: generation, loadedAt: now)
        }
        return value
    }
}
