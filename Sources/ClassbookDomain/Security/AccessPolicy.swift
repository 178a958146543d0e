/// The one place that decides who may do what with whose data.
///
/// Services establish the facts (which students this person is a guardian of, which one
/// they are) and ask here; no handler decides on its own. A refusal must not reveal whether
/// the thing asked about exists, so callers turn every `false` into the same reply.
public enum AccessPolicy {
    public enum Action: Sendable, CaseIterable {
        /// Read a student's diary: marks, absences, homework.
        case readDiary
        /// Acknowledge a student's diary as seen.
        case acknowledgeDiary
        /// See and record one's own consent to personal-data processing.
        case manageOwnConsent
    }

    /// How the person asking stands to the student in question.
    public enum Relation: Sendable, CaseIterable {
        /// The person is the student's guardian.
        case guardianOf
        /// The person is the student.
        case isStudent
        /// Neither.
        case unrelated
    }

    /// Role × action × relation: the rows that allow. Everything else is refused.
    private static let table: [(role: Role, action: Action, relation: Relation?)] = [
        (.guardian, .readDiary, .guardianOf),
        (.student, .readDiary, .isStudent),
        (.guardian, .acknowledgeDiary, .guardianOf),
        (.guardian, .manageOwnConsent, nil),
    ]

    /// True when one of the principal's roles allows `action` on a student it stands to as `relation`.
    /// `relation` is nil for actions about the person's own account.
    public static func allows(_ action: Action, for roles: Set<Role>, relation: Relation?) -> Bool {
        table.contains { row in
            row.action == action && roles.contains(row.role) && (row.relation == nil || row.relation == relation)
        }
    }

    /// The roles that may perform `action` at all (on their own data): used to list commands.
    public static func roles(allowedTo action: Action) -> Set<Role> {
        Set(table.filter { $0.action == action }.map(\.role))
    }
}
