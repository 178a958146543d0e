/// What a person is in the school. An account may hold several roles
/// (a teacher who is also a class teacher, a teacher who is also a guardian).
public enum Role: String, Sendable, CaseIterable, Comparable, Codable {
    /// законный представитель
    case guardian
    /// обучающийся
    case student
    /// учитель-предметник
    case teacher
    /// классный руководитель
    case classTeacher = "class_teacher"
    /// заместитель директора
    case deputy
    case director
    /// администратор системы
    case admin

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses `guardian`, `class-teacher`, `class_teacher` and the like.
    public init?(parsing text: String) {
        let normalized = text.lowercased().replacingOccurrences(of: "-", with: "_")
        self.init(rawValue: normalized)
    }
}

/// The language replies are written in. Russian is the default.
public enum Language: String, Sendable, CaseIterable, Codable {
    case ru
    case en
}
