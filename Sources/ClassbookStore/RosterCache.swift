import ClassbookDomain
import GRDB
import Synchronization

/// Who is whose: each guardian's children and each account's own student record, as last
/// read. Every diary command checks them (whose diary, and may this person read it), so
/// reading them again each time was two statements and two read transactions a command.
///
/// An entry is used while no transaction that changed `guardianships`, `students` or
/// `classes` has committed in this process since it was read (`RosterObserver` watches the
/// writer connection, whichever code wrote), until the change feed brings another process's
/// such change (a `structure` entry, published by trigger), and for at most
/// `StructureCache.lifetime` in any case. Links between guardians and students
/// are only ever added; a change in this process, such as a student's name corrected or an
/// account linked, is seen by the next command.
///
/// At most `capacity` entries of each kind (`StampedMemo`).
final class RosterCache: Sendable {
    static let capacity = 16_384

    struct Stamp: Equatable, Sendable {
        /// Roster transactions committed in this process.
        var generation: Int
        /// Which `StructureCache.lifetime`-long window of the process's life.
        var window: Int
    }

    private let changes = Atomic<Int>(0)
    private let born = ContinuousClock.now
    private let children = StampedMemo<Int64, Stamp, [Student]>(capacity: RosterCache.capacity)
    private let own = StampedMemo<Int64, Stamp, Student?>(capacity: RosterCache.capacity)

    /// Read before the rows it stamps: a change committed meanwhile leaves them under an
    /// older stamp, which the next reader does not accept.
    var stamp: Stamp {
        Stamp(
            generation: changes.load(ordering: .acquiring),
            window: Int((ContinuousClock.now - born) / StructureCache.lifetime))
    }

    /// Called once a roster change is on disk.
    func rosterChanged() {
        changes.add(1, ordering: .releasing)
    }

    func children(of guardian: Int64, stamp: Stamp, read: () throws -> [Student]) rethrows -> [Student] {
        if let kept = children.value(guardian, stamp: stamp) { return kept }
        let students = try read()
        children.store(students, for: guardian, stamp: stamp)
        return students
    }

    func student(ownedBy account: Int64, stamp: Stamp, read: () throws -> Student?) rethrows -> Student? {
        if let kept = own.value(account, stamp: stamp) { return kept }
        let student = try read()
        own.store(student, for: account, stamp: stamp)
        return student
    }
}

/// Tells a `RosterCache` when a transaction that changed the roster has committed on the
/// writer connection it is added to. SQLite reports changed rows only of tables with a rowid,
/// which is why `guardianships` has one since migration v9.
final class RosterObserver: TransactionObserver, Sendable {
    static let tables: Set<String> = ["guardianships", "students", "classes"]

    private let cache: RosterCache
    /// Whether the transaction under way changed the roster; touched on the writer's queue only.
    private let changed = Mutex(false)

    init(cache: RosterCache) {
        self.cache = cache
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        Self.tables.contains(eventKind.tableName)
    }

    func databaseDidChange(with event: DatabaseEvent) {
        changed.withLock { $0 = true }
        // The rest of this transaction's events are known to change the roster already.
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        if changed.withLock({
            let was = $0; $0 = false; return was
        }) {
            cache.rosterChanged()
        }
    }

    func databaseDidRollback(_ db: Database) {
        changed.withLock { $0 = false }
    }
}
