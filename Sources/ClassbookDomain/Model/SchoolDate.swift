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
        // The form the database stores, read byte by byte (dates are parsed by the thousand
        // in reports and digests); anything else goes the long way below.
        var bytes = text
        if let date = bytes.withUTF8(Self.canonicalISO) {
            self = date
            return
        }
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]),
            let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        let candidate = SchoolDate(year: y, month: m, day: d)
        // Reject 2026-02-30 and the like: the date must survive a round trip.
        guard candidate.adding(days: 0) == candidate else { return nil }
        self = candidate
    }

    /// `YYYY-MM-DD` exactly, with a real day; nil otherwise.
    private static func canonicalISO(_ b: UnsafeBufferPointer<UInt8>) -> SchoolDate? {
        guard b.count == 10, b[4] == 45, b[7] == 45 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard (48...57).contains(b[index]) else { return nil }
                value = value * 10 + Int(b[index] - 48)
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), (1...12).contains(m),
            (1...31).contains(d)
        else { return nil }
        let candidate = SchoolDate(year: y, month: m, day: d)
        return candidate.adding(days: 0) == candidate ? candidate : nil
    }

    /// Parses `ДД.ММ.ГГГГ` as Russians write dates.
    public init?(russian text: String) {
        let parts = text.split(separator: ".")
        guard parts.count == 3, let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]) else { return nil }
        self.init(iso: "\(Self.pad(y, 4))-\(Self.pad(m, 2))-\(Self.pad(d, 2))")
    }

    // Formatted by hand: `String(format:)` costs microseconds a call, and replies and
    // queries format dates by the hundred.
    public var iso: String { "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))" }
    /// `14.11`: the short form used in replies.
    public var dayMonth: String { "\(Self.pad(day, 2)).\(Self.pad(month, 2))" }
    /// `14.11.2026`.
    public var russian: String { "\(Self.pad(day, 2)).\(Self.pad(month, 2)).\(Self.pad(year, 4))" }
    public var description: String { iso }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    public static func < (lhs: SchoolDate, rhs: SchoolDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's
    /// `days_from_civil`); a day past the month's end counts on into the next month.
    var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `dayNumber` days after 1970-01-01 (`civil_from_days`).
    init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    public func adding(days: Int) -> SchoolDate {
        SchoolDate(dayNumber: dayNumber + days)
    }

    /// 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday.
        let weekday = (dayNumber + 3) % 7
        return (weekday < 0 ? weekday + 7 : weekday) + 1
    }

    public var isWeekend: Bool { isoWeekday >= 6 }

    /// The date of `instant` in `timeZone`.
    /// (By the zone's offset at that instant and civil-day arithmetic: a `Calendar` costs
    /// microseconds, and every diary command asks for today.)
    public init(_ instant: Date, in timeZone: TimeZone) {
        let local = instant.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: instant))
        self.init(dayNumber: Int((local / 86_400).rounded(.down)))
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
            let day = Int(parts[0]), let month = Int(parts[1])
        else { return nil }
        let candidates = [today.year - 1, today.year, today.year + 1].compactMap {
            SchoolDate(iso: "\(Self.pad($0, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))")
        }
        guard let nearest = candidates.min(by: { abs($0.days(since: today)) < abs($1.days(since: today)) }) else {
            return nil
        }
        self = nearest
    }

    /// Whole days from `other` to this date (negative when this one is earlier).
    public func days(since other: SchoolDate) -> Int {
        dayNumber - other.dayNumber
    }
}
