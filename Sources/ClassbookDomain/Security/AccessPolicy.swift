/// The one place that decides who may do what with whose data.
///
/// Services establish the facts (how the person asking stands to the student, class or
/// subject in question: `Relation`) and ask here; no handler decides on its own. A refusal
/// must not reveal whether the thing asked about exists, so callers turn every `false` into
/// the same reply as for a thing that does not exist.
public enum AccessPolicy {
    public enum Action: String, Sendable, CaseIterable {
        /// Read a student's diary: marks, absences, homework, schedule, tests, remarks, teachers.
        case readDiary
        /// See when a student's marks were set, changed or deleted, and by whom.
        case readMarkHistory
        /// Acknowledge a student's diary as seen.
        case acknowledgeDiary
        /// See and record one's own consent to personal-data processing.
        case manageOwnConsent
        /// Enter lessons, marks, absences, finals and control works for a class and subject.
        case editJournal
        /// Write a remark or recommendation into a student's diary.
        case writeRemark
        /// Read a class's journal in a subject.
        case readJournal
        /// Excuse a student's absences.
        case excuseAbsence
        /// Create and change a class's study groups.
        case manageGroups
        /// Edit the class list and personal data; record arrivals and departures.
        case manageClassList
        /// Read a student's or guardian's personal data.
        case readPersonalData
        /// Record substitutions, moved and cancelled lessons.
        case changeTimetable
        /// Read the school calendar: periods and holidays.
        case readCalendar
        /// Change one's own settings (language) and password.
        case manageOwnSettings
        /// Review a class's guardians, consents, acknowledgements, activity, attendance and
        /// journal filling, and get its digest.
        case superviseClass
        /// Issue one-time passwords to a class's students and guardians.
        case issueCredentials
        /// Send the class teacher a note explaining a child's absence.
        case submitAbsenceNote
        /// Accept or reject a guardian's absence note.
        case decideAbsenceNote
        /// See the state of one's own journal (a subject teacher's digest).
        case reviewOwnJournal
        /// See the school-wide summary (the deputy's digest).
        case superviseSchool
        /// Build a class's reports and a student's paper extract, and record extracts handed over.
        case buildReports
        /// Send an information letter to a class's guardians and see who read it.
        case sendLetter
        /// Read and confirm letters sent to oneself.
        case readOwnLetters
        /// Hide a board post or set a board's topic (moderation).
        case moderateBoard
        /// Join, read and post on the school's board (`#school`).
        case joinSchoolBoard
        /// … on the staff board (`#staff`).
        case joinStaffBoard
        /// … on a class's guardians' board (`#7а-родители`).
        case joinParentsBoard
        /// … on a class's students' board (`#7а`).
        case joinStudentsBoard
        /// Report that one's own password leaked (an administrator: anyone's).
        case reportBreach
        /// See an account's operations before a reported leak; unlock it with a new one-time password.
        case reviewBreach
        /// Write to a person directly (a private message) or invite them to a room.
        case writeTo
        /// Open a room of one's own (`JOIN #name`), where the school allows it (`rooms:`).
        case createRoom
    }

    /// How the person asking stands to the student, class or subject in question.
    public enum Relation: String, Sendable, CaseIterable {
        /// The person is the student's guardian.
        case guardianOf
        /// The person is the student.
        case isStudent
        /// The person teaches this subject to this class (or to the student's group of it).
        case teachesSubject
        /// The person teaches some subject to this class (or to the student).
        case teachesClass
        /// The person is this class's class teacher (or the student's).
        case classTeacherOf
        /// The person's own account.
        case own
        /// (Between people.) The other person teaches or runs the class of the person asking (of
        /// their child, for a guardian).
        case staffOfOwnClass
        /// (Between people.) The other person is in the administration: deputy, director, administrator.
        case administration
        /// (Between people.) The other person is a guardian of a student of the same class as
        /// the person asking (or their child).
        case familyOfOwnClass
        /// (Between people.) The other person is the asker's child or guardian.
        case ownFamily
        /// None of the above.
        case unrelated
    }

    /// Who a row allows: people standing in `relation`, or (`nil`) anyone with the role.
    public struct Rule: Sendable {
        public var role: Role
        public var action: Action
        public var relation: Relation?
    }

    private static func rule(_ role: Role, _ action: Action, _ relation: Relation?) -> Rule {
        Rule(role: role, action: action, relation: relation)
    }

    /// Role × action × relation: the rows that allow. Everything else is refused.
    public static let table: [Rule] =
        [
            // Families read their own.
            rule(.guardian, .readDiary, .guardianOf),
            rule(.student, .readDiary, .isStudent),
            rule(.guardian, .readMarkHistory, .guardianOf),
            rule(.student, .readMarkHistory, .isStudent),
            rule(.guardian, .acknowledgeDiary, .guardianOf),
            rule(.guardian, .manageOwnConsent, .own),
            // The journal is edited only by the subject's own teacher.
            rule(.teacher, .editJournal, .teachesSubject),
            rule(.teacher, .readJournal, .teachesSubject),
            rule(.teacher, .writeRemark, .teachesClass),
            // A class teacher reads the whole journal of the class without editing it.
            rule(.classTeacher, .readJournal, .classTeacherOf),
            rule(.classTeacher, .writeRemark, .classTeacherOf),
            rule(.classTeacher, .excuseAbsence, .classTeacherOf),
            rule(.classTeacher, .manageGroups, .classTeacherOf),
            rule(.classTeacher, .manageClassList, .classTeacherOf),
            rule(.classTeacher, .readPersonalData, .classTeacherOf),
            // The administration reads everything in the school.
            rule(.deputy, .readJournal, nil),
            rule(.director, .readJournal, nil),
            rule(.deputy, .readPersonalData, nil),
            rule(.director, .readPersonalData, nil),
            rule(.deputy, .changeTimetable, nil),
            rule(.director, .changeTimetable, nil),
            // The class teacher's duties.
            rule(.classTeacher, .superviseClass, .classTeacherOf),
            rule(.deputy, .superviseClass, nil),
            rule(.director, .superviseClass, nil),
            rule(.classTeacher, .issueCredentials, .classTeacherOf),
            rule(.guardian, .submitAbsenceNote, .guardianOf),
            rule(.classTeacher, .decideAbsenceNote, .classTeacherOf),
            rule(.teacher, .reviewOwnJournal, .own),
            rule(.deputy, .superviseSchool, nil),
            rule(.director, .superviseSchool, nil),
            rule(.classTeacher, .buildReports, .classTeacherOf),
            rule(.classTeacher, .sendLetter, .classTeacherOf),
            rule(.guardian, .readOwnLetters, .own),
            rule(.classTeacher, .moderateBoard, .classTeacherOf),
            rule(.admin, .moderateBoard, nil),
            rule(.admin, .reportBreach, nil),
            rule(.admin, .reviewBreach, nil),
            // Boards: who is a member of which.
            rule(.guardian, .joinSchoolBoard, nil), rule(.teacher, .joinSchoolBoard, nil),
            rule(.classTeacher, .joinSchoolBoard, nil),
            rule(.deputy, .joinSchoolBoard, nil), rule(.director, .joinSchoolBoard, nil),
            rule(.admin, .joinSchoolBoard, nil),
            rule(.teacher, .joinStaffBoard, nil), rule(.classTeacher, .joinStaffBoard, nil),
            rule(.deputy, .joinStaffBoard, nil),
            rule(.director, .joinStaffBoard, nil), rule(.admin, .joinStaffBoard, nil),
            rule(.guardian, .joinParentsBoard, .guardianOf), rule(.teacher, .joinParentsBoard, .teachesClass),
            rule(.classTeacher, .joinParentsBoard, .classTeacherOf), rule(.deputy, .joinParentsBoard, nil),
            rule(.director, .joinParentsBoard, nil),
            rule(.student, .joinStudentsBoard, .isStudent), rule(.teacher, .joinStudentsBoard, .teachesClass),
            rule(.classTeacher, .joinStudentsBoard, .classTeacherOf), rule(.deputy, .joinStudentsBoard, nil),
            rule(.director, .joinStudentsBoard, nil),
            rule(.deputy, .buildReports, nil),
            rule(.director, .buildReports, nil),
            // Who may write to whom (private messages and room invitations): staff to anyone in the
            // school; families to their class's staff, the administration, their class's families and
            // their own family. A stolen family account cannot write to the whole school.
            rule(.teacher, .writeTo, nil), rule(.classTeacher, .writeTo, nil), rule(.deputy, .writeTo, nil),
            rule(.director, .writeTo, nil), rule(.admin, .writeTo, nil)
        ]
        + [Role.guardian, .student].flatMap { role in
            [Relation.staffOfOwnClass, .administration, .familyOfOwnClass, .ownFamily].map { rule(role, .writeTo, $0) }
        }
        + Role.allCases.map { rule($0, .createRoom, nil) }
        + Role.allCases.flatMap {
            [rule($0, .readCalendar, nil), rule($0, .manageOwnSettings, .own), rule($0, .reportBreach, .own)]
        }

    /// True when one of the person's roles allows `action` given how they stand to its object.
    public static func allows(_ action: Action, for roles: Set<Role>, relations: Set<Relation>) -> Bool {
        table.contains { row in
            row.action == action && roles.contains(row.role) && (row.relation.map(relations.contains) ?? true)
        }
    }

    /// The roles that may perform `action` at all: used to list commands.
    public static func roles(allowedTo action: Action) -> Set<Role> {
        Set(table.filter { $0.action == action }.map(\.role))
    }
}
