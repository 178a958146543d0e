import Foundation

/// A civil date in the school's calendar (a lesson's day), independent of time zones.
public struct SchoolDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        let candidate = SchoolDate(year: y, month: m, day: d)
        // Reject 2026-02-30 and the like: the date must survive a round trip.
        guard candidate.adding(days: 0) == candidate else { return nil }
        self = candidate
    }

    /// Parses `ДД.ММ.ГГГГ` as Russians write dates.
    public init?(russian text: String) {
        let parts = text.split(separator: ".")
        guard parts.count == 3, let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]) else { return nil }
        self.init(iso: String(format: "%04d-%02d-%02d", y, m, d))
    }

    public var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }
    /// `14.11`: the short form used in replies.
    public var dayMonth: String { String(format: "%02d.%02d", day, month) }
    /// `14.11.2026`.
    public var russian: String { String(format: "%02d.%02d.%04d", day, month, year) }
    public var description: String { iso }

    public static func < (lhs: SchoolDate, rhs: SchoolDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    private var noonUTC: Date {
        Self.utc.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!
    }

    public func adding(days: Int) -> SchoolDate {
        let date = Self.utc.date(byAdding: .day, value: days, to: noonUTC)!
        let c = Self.utc.dateComponents([.year, .month, .day], from: date)
        return SchoolDate(year: c.year!, month: c.month!, day: c.day!)
    }

    /// 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        let weekday = Self.utc.component(.weekday, from: noonUTC) // 1 = Sunday
        return weekday == 1 ? 7 : weekday - 1
    }

    public var isWeekend: Bool { isoWeekday >= 6 }

    /// The date of `instant` in `timeZone`.
    public init(_ instant: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        self.init(year: c.year!, month: c.month!, day: c.day!)
    }
}

/// Tells the time. The server uses the system clock; tests pass a fixed one.
public protocol SchoolClock: Sendable {
    func now() -> Date
}

public struct SystemClock: SchoolClock {
    public init() {}
    public func now() -> Date { Date() }
}

extension SchoolDate {
    /// A date as people type it in chat: `сегодня`, `вчера`, `завтра` (and English), `24.11`,
    /// `24.11.2026`, `2026-11-24`. A day and month without a year is the nearest such date
    /// to `today`, so `30.12` typed in January means last December.
    public init?(spoken text: String, today: SchoolDate) {
        switch text.lowercased() {
        case "сегодня", "today": self = today; return
        case "вчера", "yesterday": self = today.adding(days: -1); return
        case "завтра", "tomorrow": self = today.adding(days: 1); return
        case "позавчера": self = today.adding(days: -2); return
        case "послезавтра": self = today.adding(days: 2); return
        default: break
        }
        if let date = SchoolDate(iso: text) ?? SchoolDate(russian: text) { self = date; return }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 || (parts.count == 3 && parts[2].isEmpty), parts[0].count <= 2, parts[1].count <= 2,
              let day = Int(parts[0]), let month = Int(parts[1]) else { return nil }
        let candidates = [today.year - 1, today.year, today.year + 1].compactMap {
            SchoolDate(iso: String(format: "%04d-%02d-%02d", $0, month, day))
        }
        guard let nearest = candidates.min(by: { abs($0.days(since: today)) < abs($1.days(since: today)) }) else { return nil }
        self = nearest
    }

    /// Whole days from `other` to this date (negative when this one is earlier).
    public func days(since other: SchoolDate) -> Int {
        let seconds = Self.utcNoon(self).timeIntervalSince(Self.utcNoon(other))
        return Int((seconds / 86_400).rounded())
    }

    private static func utcNoon(_ date: SchoolDate) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!
    }
}
