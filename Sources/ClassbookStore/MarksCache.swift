import ClassbookDomain

/// Each student's marks in a date range as last read from the database, kept with the
/// stamp they were read at: the greatest revision among all of the student's marks.
///
/// Every change to a mark (entered, corrected, deleted, imported, rolled back after a leaked
/// password) takes a new value of the diary's revision counter, which only grows, so an
/// entry is exactly what the query would return now while its stamp is still the student's
/// greatest revision. Checking that is one step down `marks_by_student`, in the same read
/// transaction as the query it saves; it holds for changes made by other processes too. A
/// lesson's date and subject never change once it has marks. The mark kinds' weights are
/// not part of an entry: they are applied when it is read (`rows(_:weights:)`).
///
/// At most `capacity` entries (`StampedMemo`).
final class MarksCache: Sendable {
    static let capacity = 4096

    struct Key: Hashable, Sendable {
        var student: Int64
        var from: SchoolDate
        var through: SchoolDate
    }

    /// A mark as stored: its own weight, which the kind's weight overrides when the kind has one.
    struct Row: Sendable {
        var id: Int64
        var date: SchoolDate
        var subject: String
        var value: MarkValue
        var kind: String
        var storedWeight: Double
        var comment: String?
    }

    private let entries = StampedMemo<Key, Int64, [Row]>(capacity: MarksCache.capacity)
    /// Each student's stamp as read at a `DatabaseVersion`: while the database is at that
    /// version nothing has been committed since, so the stamp is still the student's.
    private let stamps = StampedMemo<Int64, DatabaseVersion, Int64>(capacity: 16_384)

    /// The rows cached for `key` if they were read at `stamp`.
    func rows(_ key: Key, stamp: Int64) -> [Row]? {
        entries.value(key, stamp: stamp)
    }

    func store(_ rows: [Row], for key: Key, stamp: Int64) {
        entries.store(rows, for: key, stamp: stamp)
    }

    /// The student's stamp if it was read at `version`.
    func stamp(of student: Int64, at version: DatabaseVersion) -> Int64? {
        stamps.value(student, stamp: version)
    }

    func store(stamp: Int64, of student: Int64, at version: DatabaseVersion) {
        stamps.store(stamp, for: student, stamp: version)
    }

    /// The rows as the diary shows them, with `weights` (the mark kinds table) applied.
    static func entries(_ rows: [Row], weights: [String: Double]) -> [MarkEntry] {
        rows.map { row in
            MarkEntry(
                id: row.id, date: row.date, subject: row.subject, value: row.value, kind: row.kind,
                weight: weights[row.kind] ?? row.storedWeight, comment: row.comment)
        }
    }

    var count: Int { entries.count }
}
