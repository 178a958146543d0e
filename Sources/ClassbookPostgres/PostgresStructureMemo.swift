import ClassbookDomain
import Synchronization

/// What a node keeps in memory of the school's structure: the grading rules, the mark kinds'
/// weights, the periods and holidays of a date. Every `/marks` asks for them and they change a
/// few times a year, so reading them from the server each time would be most of the diary's
/// round trips.
///
/// Kept until the structure changes on any node: this node's own changes drop it once they
/// commit (the repositories that make them call `drop`), another node's when this node reads the
/// change feed's `structure` entry that a trigger publishes with the change (within the feed's
/// 0.1 s poll, at once with NOTIFY). A value read while a drop happens is not kept.
final class PostgresStructureMemo: Sendable {
    private struct State {
        var generation = 0
        var values: [String: any Sendable] = [:]
    }

    private let state = Mutex(State())

    func drop() {
        state.withLock { $0 = State(generation: $0.generation + 1) }
    }

    /// The value kept under `key`, else `load`'s (kept unless the structure changed meanwhile).
    func value<T: Sendable>(_ key: String, load: () async throws -> T) async throws -> T {
        let (generation, entry) = state.withLock { ($0.generation, $0.values[key]) }
        // The entry first, then its type: a missing entry cast to an optional `T` would read as a
        // kept nil.
        if let entry, let kept = entry as? T { return kept }
        let loaded = try await load()
        state.withLock { state in
            if state.generation == generation { state.values[key] = loaded }
        }
        return loaded
    }
}
