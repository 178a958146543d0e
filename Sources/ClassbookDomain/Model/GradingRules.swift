import Foundation

/// A school's rules for averages, suggested finals and attendance, from `school_settings`
/// and `mark_kinds`. Every figure the journal and the reports show is computed here.
public struct GradingRules: Sendable, Equatable {
    /// The weight of each mark kind in the weighted average (`control` → 2).
    public var weights: [String: Double]
    /// The fraction from which an average rounds up to the next mark: 0.5 by default, so
    /// 4.5 suggests 5 and 4.49 suggests 4; some schools use 0.6 or 0.65.
    public var roundingThreshold: Double
    public var missedDay: MissedDayRule
    /// Whether a late arrival (ОП) counts as a missed lesson.
    public var lateCountsAsMissed: Bool

    /// When a day counts as missed.
    public enum MissedDayRule: Sendable, Equatable {
        /// Every lesson of the day was missed.
        case allLessons
        /// At least this many lessons of the day were missed.
        case atLeast(Int)

        public init?(setting: String) {
            if setting == "all" { self = .allLessons; return }
            guard let count = Int(setting), count >= 1 else { return nil }
            self = .atLeast(count)
        }

        public var setting: String {
            switch self {
            case .allLessons: "all"
            case .atLeast(let count): String(count)
            }
        }
    }

    public static let standard = GradingRules(
        weights: Dictionary(uniqueKeysWithValues: MarkKind.allCases.map { ($0.rawValue, $0.defaultWeight) }),
        roundingThreshold: 0.5, missedDay: .allLessons, lateCountsAsMissed: false)

    /// The rules a store keeps: the mark kinds' weights and the school's settings (key → text),
    /// over the standard ones; a setting that does not read stays standard.
    public init(weights: [String: Double], settings: [String: String]) {
        self = .standard
        self.weights.merge(weights) { $1 }
        if let text = settings["final_rounding_threshold"], let value = Double(text), value > 0, value < 1 {
            roundingThreshold = value
        }
        if let text = settings["missed_day_rule"], let rule = MissedDayRule(setting: text) {
            missedDay = rule
        }
        lateCountsAsMissed = settings["late_counts_as_missed"] == "yes"
    }

    public init(
        weights: [String: Double], roundingThreshold: Double, missedDay: MissedDayRule, lateCountsAsMissed: Bool
    ) {
        self.weights = weights
        self.roundingThreshold = roundingThreshold
        self.missedDay = missedDay
        self.lateCountsAsMissed = lateCountsAsMissed
    }

    public func weight(of kind: String) -> Double { weights[kind] ?? 1 }

    /// Σ(value × weight) / Σ weight over numeric marks, exactly (weights to the thousandth, as
    /// a school writes them: 1.5); pass/fail marks do not count.
    public static func weightedAverage(_ marks: [MarkEntry]) -> Fraction? {
        var sum: Int64 = 0
        var weights: Int64 = 0
        for mark in marks {
            if case .grade(let value) = mark.value {
                let weight = Int64((mark.weight * 1000).rounded())
                sum += Int64(value) * weight
                weights += weight
            }
        }
        return weights > 0 ? Fraction(sum, weights) : nil
    }

    /// The final mark an average suggests: the whole part, plus one when the fraction reaches
    /// the threshold. Averages are compared to two decimals, rounded half up as teachers see
    /// them (4.495 is 4,50 and suggests 5 at the threshold 0.5).
    public func suggestedFinal(for average: Fraction) -> Int {
        let hundredths = average.rounded(places: 2)
        let threshold = Int64((roundingThreshold * 100).rounded())
        return Int(min(5, max(1, hundredths / 100 + (hundredths % 100 >= threshold ? 1 : 0))))
    }

    /// Whether an absence counts as a missed lesson.
    public func countsAsMissed(_ reason: AbsenceReason) -> Bool {
        reason != .late || lateCountsAsMissed
    }

    public struct Attendance: Sendable, Equatable {
        public var missedLessons: Int
        /// Of the missed lessons, those excused: illness (Б) and other valid reasons (УП).
        public var excusedLessons: Int
        /// Of the excused, illness (Б).
        public var illnessLessons: Int
        public var lateArrivals: Int
        public var missedDays: Int

        public init(
            missedLessons: Int, excusedLessons: Int, illnessLessons: Int = 0, lateArrivals: Int, missedDays: Int
        ) {
            self.missedLessons = missedLessons
            self.excusedLessons = excusedLessons
            self.illnessLessons = illnessLessons
            self.lateArrivals = lateArrivals
            self.missedDays = missedDays
        }

        /// Missed for a valid reason other than illness (УП).
        public var otherExcusedLessons: Int { excusedLessons - illnessLessons }
        /// Missed without a valid reason (Н, and ОП where a late arrival counts as missed).
        public var unexcusedLessons: Int { missedLessons - excusedLessons }

        public static func += (total: inout Attendance, one: Attendance) {
            total.missedLessons += one.missedLessons
            total.excusedLessons += one.excusedLessons
            total.illnessLessons += one.illnessLessons
            total.lateArrivals += one.lateArrivals
            total.missedDays += one.missedDays
        }

        public static let zero = Attendance(missedLessons: 0, excusedLessons: 0, lateArrivals: 0, missedDays: 0)
    }

    /// Missed lessons (of them excused), late arrivals and missed days, given how many lessons
    /// the student had on each day.
    public func attendance(_ absences: [AbsenceEntry], lessonsPerDay: [SchoolDate: Int]) -> Attendance {
        let missed = absences.filter { countsAsMissed($0.reason) }
        var byDay: [SchoolDate: Int] = [:]
        for absence in missed { byDay[absence.date, default: 0] += 1 }
        let days = byDay.filter { day, count in
            switch missedDay {
            case .allLessons: count >= max(1, lessonsPerDay[day] ?? count)
            case .atLeast(let minimum): count >= minimum
            }
        }.count
        return Attendance(
            missedLessons: missed.count, excusedLessons: missed.filter { $0.reason.isExcused }.count,
            illnessLessons: missed.filter { $0.reason == .illness }.count,
            lateArrivals: absences.filter { $0.reason == .late }.count, missedDays: days)
    }
}

/// One change to a school's rules, as an operator writes it: `final-rounding-threshold=0.6`,
/// `missed-day-rule=all` or `3`, `late-counts-as-missed=yes`, `weight.control=2`.
public enum SchoolSetting: Sendable, Equatable {
    case roundingThreshold(Double)
    case missedDay(GradingRules.MissedDayRule)
    case lateCountsAsMissed(Bool)
    case weight(kind: String, Double)
    /// A free-form setting of `school_settings` that another part of the school reads (the
    /// digest's day and time, the risk thresholds), already validated.
    case other(key: String, value: String)

    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static let keys = [
        "final-rounding-threshold", "missed-day-rule", "late-counts-as-missed", "weight.KIND",
        "digest-weekday", "digest-time", "risk-average-below", "risk-twos", "risk-missed-share"
    ]

    public init(parsing assignment: String) throws {
        let parts = assignment.split(separator: "=", maxSplits: 1).map {
            String($0).trimmingCharacters(in: .whitespaces)
        }
        guard parts.count == 2 else {
            throw ParseError(description: "write KEY=VALUE, one of: " + Self.keys.joined(separator: ", "))
        }
        let (key, value) = (parts[0], parts[1])
        switch key {
        case "final-rounding-threshold":
            guard let number = Double(value), number > 0, number < 1 else {
                throw ParseError(
                    description: "final-rounding-threshold is a fraction between 0 and 1, such as 0.5 or 0.6")
            }
            self = .roundingThreshold(number)
        case "missed-day-rule":
            guard let rule = GradingRules.MissedDayRule(setting: value) else {
                throw ParseError(
                    description: "missed-day-rule is 'all' (every lesson of the day missed) or a number of lessons")
            }
            self = .missedDay(rule)
        case "late-counts-as-missed":
            guard ["yes", "no"].contains(value) else {
                throw ParseError(description: "late-counts-as-missed is yes or no")
            }
            self = .lateCountsAsMissed(value == "yes")
        case "digest-weekday":
            guard let day = Int(value), (1...7).contains(day) else {
                throw ParseError(description: "digest-weekday is 1 (Monday) to 7 (Sunday)")
            }
            self = .other(key: "digest_weekday", value: String(day))
        case "digest-time":
            let parts = value.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, (0...23).contains(parts[0]), (0...59).contains(parts[1]) else {
                throw ParseError(description: "digest-time is HH:MM in the school's time zone, such as 15:00")
            }
            self = .other(key: "digest_time", value: String(format: "%02d:%02d", parts[0], parts[1]))
        case "risk-average-below":
            guard let number = Double(value), number > 1, number <= 5 else {
                throw ParseError(description: "risk-average-below is an average between 1 and 5, such as 3.0")
            }
            self = .other(key: "risk_average_below", value: String(number))
        case "risk-twos":
            guard let count = Int(value), count >= 1 else {
                throw ParseError(description: "risk-twos is a number of 2s, 1 or more")
            }
            self = .other(key: "risk_twos", value: String(count))
        case "risk-missed-share":
            guard let number = Double(value), number > 0, number <= 1 else {
                throw ParseError(description: "risk-missed-share is a fraction of lessons, such as 0.3")
            }
            self = .other(key: "risk_missed_share", value: String(number))
        default:
            guard key.hasPrefix("weight."), key.count > 7 else {
                throw ParseError(
                    description: "unknown setting '\(key)'; settings: " + Self.keys.joined(separator: ", "))
            }
            guard let number = Double(value), number > 0, number <= 10 else {
                throw ParseError(description: "a weight is a number above 0, at most 10")
            }
            self = .weight(kind: String(key.dropFirst(7)), number)
        }
    }
}
