import ClassbookDomain
import Foundation

/// Journal events as a family reads them: `Иванов Пётр: 5 по алгебре, контрольная работа, 14.11`.
public enum NotificationRendering {
    static func kindName(_ kind: String, _ language: Language) -> String? {
        let names: [String: (String, String)] = [
            "control": ("контрольная работа", "control work"), "independent": ("самостоятельная работа", "independent work"),
            "test": ("тест", "test"), "homework": ("домашняя работа", "homework"),
        ]
        return names[kind].map { language == .ru ? $0.0 : $0.1 }
    }

    static func value(_ value: MarkValue, _ language: Language) -> String {
        switch value {
        case .grade(let grade): String(grade)
        case .pass: language == .ru ? "зачёт" : "pass"
        case .fail: language == .ru ? "незачёт" : "fail"
        }
    }

    public static func line(_ event: JournalEvent, _ language: Language) -> String {
        let ru = language == .ru
        let name = event.student.shortName
        switch event {
        case .mark(_, let mark, let kind, let subject, let date, let corrected):
            let what = [kindName(kind, language), date.dayMonth].compactMap { $0 }.joined(separator: ", ")
            return ru ? "\(name): \(value(mark, language)) по предмету «\(subject)»\(corrected ? " (исправлено)" : ""), \(what)"
                : "\(name): \(value(mark, language)) in \(subject)\(corrected ? " (corrected)" : ""), \(what)"
        case .absence(_, let reason, let subject, let date, let lesson):
            return ru ? "\(name): пропуск «\(reason.rawValue)», \(subject), \(date.dayMonth), \(lesson)-й урок"
                : "\(name): absence \(reason.rawValue), \(subject), \(date.dayMonth), lesson \(lesson)"
        case .remark(_, let kind, let text, let author):
            return ru ? "\(name): \(kind == .remark ? "замечание" : "рекомендация") (\(author)): \(text)"
                : "\(name): \(kind == .remark ? "remark" : "recommendation") (\(author)): \(text)"
        }
    }

    /// The daily summary of what was queued.
    public static func summary(_ lines: [String], _ language: Language) -> [String] {
        [language == .ru ? "Сводка за день — записей: \(lines.count)." : "Daily summary — \(lines.count) entries."] + lines
    }

    /// An email's subject line.
    public static func subject(_ language: Language) -> String {
        language == .ru ? "Электронный дневник: новые записи" : "Electronic diary: new entries"
    }
}

/// Where the bot sends messages to other people (letters): the server's outbox.
public protocol BotDelivery: Sendable {
    func deliver(_ lines: [String], to account: AccountID) async throws
    /// A post made through the bot (`/thread new`, `/reply`), for those on the board's channel.
    func announce(_ post: BoardPost, replyTo: String?) async
    /// Closes the account's connections (all but the session `except`) with `reason`.
    func closeSessions(of account: AccountID, except session: String?, reason: String) async
    /// Tells people at once, in chat and by email where they chose it (security alerts).
    func alert(_ lines: [String], to accounts: [Account]) async throws
    /// The account's connected devices, oldest first (`/sessions`).
    func devices(of account: AccountID) async -> [DeviceSession]
    /// Closes one device of the account; false when it is not connected (any more).
    func closeDevice(_ id: String, of account: AccountID, reason: String) async -> Bool
}

/// One connected device (session) of an account, as `/sessions` lists it.
public struct DeviceSession: Sendable, Equatable {
    public var id: String
    /// The client's name and version (CTCP VERSION), else what it gave as its real name.
    public var client: String
    /// The connecting address, partly hidden: `192.168.*.*`.
    public var address: String
    public var since: Date
    public var lastActive: Date

    public init(id: String, client: String, address: String, since: Date, lastActive: Date) {
        self.id = id
        self.client = client
        self.address = address
        self.since = since
        self.lastActive = lastActive
    }
}

/// For a bot without a server (tests of the conversation alone): messages go nowhere.
public struct NoDelivery: BotDelivery {
    public init() {}
    public func deliver(_ lines: [String], to account: AccountID) async throws {}
    public func announce(_ post: BoardPost, replyTo: String?) async {}
    public func closeSessions(of account: AccountID, except session: String?, reason: String) async {}
    public func alert(_ lines: [String], to accounts: [Account]) async throws {}
    public func devices(of account: AccountID) async -> [DeviceSession] { [] }
    public func closeDevice(_ id: String, of account: AccountID, reason: String) async -> Bool { false }
}
