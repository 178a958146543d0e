import Foundation

/// A time of day in the school's time zone.
public struct TimeOfDay: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int

    public init(hour: Int, minute: Int) {
        self.hour = hour
        self.minute = minute
    }

    /// `21:00`, `7:30`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, (0...23).contains(parts[0]), (0...59).contains(parts[1]) else { return nil }
        self.init(hour: parts[0], minute: parts[1])
    }

    public var description: String { String(format: "%02d:%02d", hour, minute) }
    var minutes: Int { hour * 60 + minute }
    public static func < (a: Self, b: Self) -> Bool { a.minutes < b.minutes }
}

/// How a person wants to be told: in chat, by email, by SMS; at once or once a day; not during quiet hours.
public struct NotificationPrefs: Sendable, Equatable {
    public enum Pace: String, Sendable {
        case instant
        case daily
    }

    public var chat: Bool
    public var email: String?
    public var sms: String?
    public var pace: Pace
    /// Quiet hours that span midnight (21:00–07:00) have start > end; start == end means none.
    public var quietStart: TimeOfDay
    public var quietEnd: TimeOfDay

    public static let standard = NotificationPrefs(
        chat: true, email: nil, sms: nil, pace: .instant,
        quietStart: TimeOfDay(hour: 21, minute: 0), quietEnd: TimeOfDay(hour: 7, minute: 0))

    public init(chat: Bool, email: String?, sms: String?, pace: Pace, quietStart: TimeOfDay, quietEnd: TimeOfDay) {
        self.chat = chat
        self.email = email
        self.sms = sms
        self.pace = pace
        self.quietStart = quietStart
        self.quietEnd = quietEnd
    }

    public var hasQuietHours: Bool { quietStart != quietEnd }

    private func local(_ date: Date, _ timeZone: TimeZone) -> (SchoolDate, TimeOfDay) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return (SchoolDate(year: c.year!, month: c.month!, day: c.day!), TimeOfDay(hour: c.hour!, minute: c.minute!))
    }

    /// Whether `date` falls in the quiet hours.
    public func isQuiet(at date: Date, in timeZone: TimeZone) -> Bool {
        guard hasQuietHours else { return false }
        let (_, time) = local(date, timeZone)
        return quietStart < quietEnd ? (quietStart <= time && time < quietEnd) : (time >= quietStart || time < quietEnd)
    }

    /// The next end of quiet hours after `date` (when held notifications go out).
    public func nextQuietEnd(after date: Date, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let (day, _) = local(date, timeZone)
        for offset in 0...1 {
            let candidate = day.adding(days: offset)
            let instant = calendar.date(
                from: DateComponents(
                    year: candidate.year, month: candidate.month, day: candidate.day,
                    hour: quietEnd.hour, minute: quietEnd.minute))!
            if instant > date { return instant }
        }
        return date.addingTimeInterval(86_400)
    }
}

/// An information letter from a class teacher to the class's guardians.
public struct Letter: Sendable, Equatable {
    public var id: Int64
    public var className: String
    public var authorName: String
    public var text: String
    public var createdAt: Date
    /// Guardians it went to, and when each read it (nil: not yet).
    public var readers: [(name: String, readAt: Date?)]

    public static func == (a: Letter, b: Letter) -> Bool { a.id == b.id && a.readers.count == b.readers.count }

    public init(
        id: Int64, className: String, authorName: String, text: String, createdAt: Date,
        readers: [(name: String, readAt: Date?)]
    ) {
        self.id = id
        self.className = className
        self.authorName = authorName
        self.text = text
        self.createdAt = createdAt
        self.readers = readers
    }
}

/// An email or SMS waiting in the outbox.
public struct ExternalMessage: Sendable, Equatable {
    public enum Channel: String, Sendable {
        case email
        case sms
    }

    public var id: Int64
    public var channel: Channel
    public var address: String
    public var subject: String
    public var body: String
    public var attempts: Int

    public init(id: Int64, channel: Channel, address: String, subject: String, body: String, attempts: Int) {
        self.id = id
        self.channel = channel
        self.address = address
        self.subject = subject
        self.body = body
        self.attempts = attempts
    }
}

/// A message from one person to another (not to the bot), kept so that each of their devices
/// can fetch what it missed (`CHATHISTORY` of a nick) with the id and time every device saw.
public struct DirectMessage: Sendable, Equatable {
    public var msgid: String
    public var sender: AccountID
    public var senderLogin: String
    public var recipient: AccountID
    public var recipientLogin: String
    /// `PRIVMSG` or `NOTICE`.
    public var command: String
    public var text: String
    public var sentAt: Date

    public init(
        msgid: String, sender: AccountID, senderLogin: String, recipient: AccountID, recipientLogin: String,
        command: String,
        text: String, sentAt: Date
    ) {
        self.msgid = msgid
        self.sender = sender
        self.senderLogin = senderLogin
        self.recipient = recipient
        self.recipientLogin = recipientLogin
        self.command = command
        self.text = text
        self.sentAt = sentAt
    }
}

/// Which part of a conversation's history to read: the newest `limit` (optionally before a
/// moment), or the oldest `limit` after a moment.
public enum HistoryWindow: Sendable, Equatable {
    case latest(before: Date?)
    case after(Date)
}

/// A message kept in the outbox for an account: from the bot (`source` nil) or a person.
public struct OutboxMessage: Sendable, Equatable {
    public var id: Int64
    public var text: String
    public var createdAt: Date
    public var source: String?
    /// The id it carries on every device, and in history: the one it was stored with, else one
    /// derived from its row (stable, so a device that saw it live and one that fetched it later
    /// agree).
    public var msgid: String

    public init(id: Int64, text: String, createdAt: Date, source: String?, msgid: String?) {
        self.id = id
        self.text = text
        self.createdAt = createdAt
        self.source = source
        self.msgid = msgid ?? "cbo\(id)"
    }
}
