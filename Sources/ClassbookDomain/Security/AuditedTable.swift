import Foundation

/// The journal tables whose every row is audited: each insert, change and deletion of a row
/// appends an audit record whose new value is the row's canonical text (`canonical`), in the
/// same transaction. `audit verify` recomputes that text from the rows as they are and
/// compares it with the latest audit record of each row, so a row added, changed or removed
/// outside the application is found even when the chain itself is intact.
///
/// Every store keeps these tables with the same columns in the same order, and gives each
/// value the same text (`canonical`), so a row's audit text is the same on SQLite and
/// PostgreSQL.
///
/// Adding a table here needs a migration that baselines its existing rows, or `audit verify`
/// reports them as added outside the application. A column added to an audited table must be
/// nullable and start NULL, or be baselined too.
public enum AuditedTable: String, CaseIterable, Sendable {
    case lessons
    case marks
    case absences
    case finals
    case remarks
    case studyGroups = "study_groups"
    case studyGroupMembers = "study_group_members"
    case students
    case guardianships
    case studentMovements = "student_movements"
    case personDetails = "person_details"
    case timetable
    case timetableChanges = "timetable_changes"
    case assignments
    case schoolSettings = "school_settings"
    case markKinds = "mark_kinds"
    case absenceNotes = "absence_notes"

    /// The SQL expression that identifies a row (some tables have no id of their own); the
    /// same text in SQLite and PostgreSQL.
    public var key: String {
        switch self {
        case .guardianships: "guardian_id || ':' || student_id"
        case .schoolSettings: "key"
        case .markKinds: "code"
        default: "id"
        }
    }

    /// `column=value; …` over every non-NULL column in table order (`nil` is NULL): what an
    /// audit record stores as the row's value, and what the verifier recomputes. NULLs are left
    /// out so that adding a nullable column to an audited table leaves the text of existing
    /// rows as it was. Values are given as their store writes them: whole numbers in decimal,
    /// reals as Swift prints a `Double`, instants as `StoredTimestamp`.
    public static func canonical(_ columns: [(name: String, text: String?)]) -> String {
        columns.compactMap { column in column.text.map { "\(column.name)=\($0)" } }.joined(separator: "; ")
    }
}

extension AuditedTable {
    /// Checks one table's rows, read one at a time, against the latest audit record of each
    /// (`recorded`: a row's key → its last recorded text, nil when recorded as removed): the
    /// first row added, changed or removed outside the application, in words `audit verify`
    /// prints. The same rule for every store.
    public struct RowChecker: Sendable {
        public let table: AuditedTable
        private let recorded: [String: String?]
        private var present: Set<String> = []

        public init(_ table: AuditedTable, recorded: [String: String?]) {
            self.table = table
            self.recorded = recorded
        }

        /// The row of `key` whose canonical text is `text`: nil when it matches its record.
        public mutating func check(key: String, text: String) -> String? {
            present.insert(key)
            guard let entry = recorded[key], let expected = entry else {
                return "\(table.rawValue) row \(key) has no audit record (added outside the application)"
            }
            guard text == expected else {
                return
                    "\(table.rawValue) row \(key) differs from its last audit record (changed outside the application)"
            }
            return nil
        }

        /// After every row: a row recorded as there that was not read.
        public func finish() -> String? {
            recorded.filter { $0.value != nil && !present.contains($0.key) }.keys.sorted().first.map {
                "\(table.rawValue) row \($0) is missing (removed outside the application)"
            }
        }
    }
}

/// An instant as the journal's tables keep it: `2026-11-23 14:05:00.123`, UTC with
/// milliseconds (GRDB's text for a `Date` in SQLite; PostgreSQL's `timestamptz` is rendered
/// the same for the audit's text).
public enum StoredTimestamp {
    public static func format(_ date: Date) -> String {
        var text = UTCTimestamp.format(date)
        text.removeLast()  // "Z"
        return text.replacingOccurrences(of: "T", with: " ")
    }
}
