import Foundation

/// A guardian of a class, with the children of theirs in it.
public struct ClassGuardian: Sendable, Equatable {
    public var account: AccountID
    public var login: String
    public var name: String
    public var children: [Student]
    /// False while no password has been set (imported and never issued).
    public var hasPassword: Bool

    public init(account: AccountID, login: String, name: String, children: [Student], hasPassword: Bool) {
        self.account = account
        self.login = login
        self.name = name
        self.children = children
        self.hasPassword = hasPassword
    }
}

/// A guardian's use of the diary over a span of days.
public struct GuardianActivity: Sendable, Equatable {
    public var lastLogin: Date?
    public var logins: Int
    public var diaryViews: Int
    public var acknowledgements: [Date]

    public init(lastLogin: Date?, logins: Int, diaryViews: Int, acknowledgements: [Date]) {
        self.lastLogin = lastLogin
        self.logins = logins
        self.diaryViews = diaryViews
        self.acknowledgements = acknowledgements
    }
}

extension GuardianActivity {
    /// Each guardian's activity from what a store counted for them all at once (by account id);
    /// nothing counted is none.
    public static func of(
        _ guardians: [AccountID], lastLogin: [Int64: Date], logins: [Int64: Int], views: [Int64: Int],
        acknowledgements: [Int64: [Date]]
    ) -> [AccountID: GuardianActivity] {
        var result: [AccountID: GuardianActivity] = [:]
        for guardian in guardians {
            let id = guardian.rawValue
            result[guardian] = GuardianActivity(
                lastLogin: lastLogin[id], logins: logins[id] ?? 0, diaryViews: views[id] ?? 0,
                acknowledgements: acknowledgements[id] ?? [])
        }
        return result
    }
}

/// A guardian's note explaining a child's absence, and the class teacher's decision on it.
public struct AbsenceNote: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending
        case accepted
        case rejected
    }

    public var id: Int64
    public var student: Student
    public var guardianName: String
    public var dates: [SchoolDate]
    public var reason: String
    public var status: Status
    public var createdAt: Date
    public var decisionNote: String?

    public init(
        id: Int64, student: Student, guardianName: String, dates: [SchoolDate], reason: String, status: Status,
        createdAt: Date, decisionNote: String?
    ) {
        self.id = id
        self.student = student
        self.guardianName = guardianName
        self.dates = dates
        self.reason = reason
        self.status = status
        self.createdAt = createdAt
        self.decisionNote = decisionNote
    }
}

/// An unexcused absence waiting for the class teacher's weekly check.
public struct UnexcusedAbsence: Sendable, Equatable {
    public var student: Student
    public var entry: AbsenceEntry

    public init(student: Student, entry: AbsenceEntry) {
        self.student = student
        self.entry = entry
    }
}

/// How well the journal of a class (or a teacher's lessons) is filled.
public struct JournalFilling: Sendable, Equatable {
    public struct LessonGap: Sendable, Equatable {
        public var className: String
        public var subject: String
        public var date: SchoolDate
        public var number: Int
        public var teacherName: String
    }

    public struct TeacherLag: Sendable, Equatable {
        public var teacherName: String
        public var className: String
        public var subject: String
        /// Lessons held in the last two weeks without a single mark.
        public var unmarkedLessons: Int
    }

    public struct MissingFinals: Sendable, Equatable {
        public var className: String
        public var subject: String
        public var teacherName: String
        public var period: Period
        public var students: Int
    }

    public var withoutTopic: [LessonGap]
    public var withoutHomework: [LessonGap]
    public var ungradedControlWorks: [LessonGap]
    public var teachersBehind: [TeacherLag]
    public var missingFinals: [MissingFinals]

    public init(
        withoutTopic: [LessonGap] = [], withoutHomework: [LessonGap] = [], ungradedControlWorks: [LessonGap] = [],
        teachersBehind: [TeacherLag] = [], missingFinals: [MissingFinals] = []
    ) {
        self.withoutTopic = withoutTopic
        self.withoutHomework = withoutHomework
        self.ungradedControlWorks = ungradedControlWorks
        self.teachersBehind = teachersBehind
        self.missingFinals = missingFinals
    }

    public var isEmpty: Bool {
        withoutTopic.isEmpty && withoutHomework.isEmpty && ungradedControlWorks.isEmpty && teachersBehind.isEmpty
            && missingFinals.isEmpty
    }
}

/// A student at risk of failing (неуспешная ситуация), and why.
/// One outbox's backlog: `chat`, `email` or `sms`.
public struct OutboxBacklog: Sendable, Equatable {
    public var queue: String
    public var count: Int
    public var oldest: Date?

    public init(queue: String, count: Int, oldest: Date?) {
        self.queue = queue
        self.count = count
        self.oldest = oldest
    }
}

public struct StudentAtRisk: Sendable, Equatable {
    public enum Reason: Sendable, Equatable {
        case lowAverage(subject: String, average: Fraction)
        case recentTwos(count: Int)
        case missedLessons(missed: Int, of: Int)
    }

    public var student: Student
    public var reasons: [Reason]
}

/// The thresholds of "at risk", from the school's settings.
public struct RiskRules: Sendable, Equatable {
    public var averageBelow: Double
    public var recentTwos: Int
    public var missedShare: Double

    public static let standard = RiskRules(averageBelow: 3.0, recentTwos: 2, missedShare: 0.3)

    public init(averageBelow: Double, recentTwos: Int, missedShare: Double) {
        self.averageBelow = averageBelow
        self.recentTwos = recentTwos
        self.missedShare = missedShare
    }
    /// The thresholds the school's settings (key → text) set, standard where one does not read.
    public init(settings: [String: String]) {
        self = .standard
        if let value = settings["risk_average_below"].flatMap(Double.init) { averageBelow = value }
        if let value = settings["risk_twos"].flatMap(Int.init) { recentTwos = value }
        if let value = settings["risk_missed_share"].flatMap(Double.init) { missedShare = value }
    }
}

/// When the weekly digest goes out, in the school's time zone.
public struct DigestSchedule: Sendable, Equatable {
    /// 1 = Monday … 7 = Sunday.
    public var weekday: Int
    public var hour: Int
    public var minute: Int

    public static let standard = DigestSchedule(weekday: 5, hour: 15, minute: 0)

    public init(weekday: Int, hour: Int, minute: Int) {
        self.weekday = weekday
        self.hour = hour
        self.minute = minute
    }

    /// The schedule the school's settings (key → text) set, standard where one does not read.
    public init(settings: [String: String]) {
        self = .standard
        if let day = settings["digest_weekday"].flatMap(Int.init), (1...7).contains(day) { weekday = day }
        if let time = settings["digest_time"]?.split(separator: ":").compactMap({ Int($0) }), time.count == 2,
            (0...23).contains(time[0]), (0...59).contains(time[1])
        {
            hour = time[0]
            minute = time[1]
        }
    }

    /// The latest scheduled moment at or before `now`, and the date it falls on.
    public func latest(atOrBefore now: Date, in timeZone: TimeZone) -> (instant: Date, date: SchoolDate) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = SchoolDate(now, in: timeZone)
        var day = today.adding(days: -((today.isoWeekday - weekday + 7) % 7))
        func instant(_ date: SchoolDate) -> Date {
            calendar.date(
                from: DateComponents(year: date.year, month: date.month, day: date.day, hour: hour, minute: minute))!
        }
        if instant(day) > now { day = day.adding(days: -7) }
        return (instant(day), day)
    }
}
