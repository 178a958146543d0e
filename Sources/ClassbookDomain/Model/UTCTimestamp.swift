import Foundation

/// `2026-11-23T14:05:00.123Z`: UTC with milliseconds, as IRCv3 server-time and
/// the `time` tag want it, and as the audit log stores its instants.
public enum UTCTimestamp {
    /// Formatted by hand from `gmtime_r`: Foundation's ISO 8601 style costs tens of
    /// microseconds a call, and every message to a server-time client carries one.
    public static func format(_ date: Date) -> String {
        // Whole milliseconds first, to the nearest as Foundation does: an instant made from
        // .999 s is .99899… in binary.
        let total = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let wholeSeconds = total >= 0 ? total / 1000 : (total - 999) / 1000
        var seconds = time_t(wholeSeconds)
        let milliseconds = total - wholeSeconds * 1000
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }

    public static func now() -> String { format(Date()) }

    /// Reads `2026-11-23T14:05:00.123Z` (milliseconds optional); nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
