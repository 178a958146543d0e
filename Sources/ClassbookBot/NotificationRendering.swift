import ClassbookDomain
import ClassbookText
import Foundation

/// Journal events as a family reads them: `Иванов Пётр: 5 по алгебре, контрольная работа, 14.11`.
public enum NotificationRendering {
    static func kindName(_ kind: String, _ language: Language) -> String? {
        switch kind {
        case MarkKind.control.rawValue: language.t("mark.kind.control")
        case MarkKind.independent.rawValue: language.t("mark.kind.independent")
        case MarkKind.test.rawValue: language.t("mark.kind.test")
        case MarkKind.homework.rawValue: language.t("mark.kind.homework")
        default: nil
        }
    }

    static func value(_ value: MarkValue, _ language: Language) -> String {
        switch value {
        case .grade(let grade): String(grade)
        case .pass: language.t("notification.pass")
        case .fail: language.t("notification.fail")
        }
    }

    public static func line(_ event: JournalEvent, _ language: Language) -> String {
        let name = event.student.shortName
        switch event {
        case .mark(_, let mark, let kind, let subject, let date, let corrected):
            let what = [kindName(kind, language), date.dayMonth].compactMap { $0 }.joined(separator: ", ")
            let arguments: KeyValuePairs<String, any CustomStringConvertible> = [
                "name": name, "value": value(mark, language), "subject": subject,
                "what": what
            ]
            return corrected
                ? language.t("notification.markCorrected", arguments) : language.t("notification.mark", arguments)
        case .absence(_, let reason, let subject, let date, let lesson):
            return language.t(
                "notification.absenceLesson",
                [
                    "name": name, "reasonRawValue": reason.rawValue, "subject": subject, "dateDayMonth": date.dayMonth,
                    "lesson": lesson
                ])
        case .remark(_, let kind, let text, let author):
            return kind == .remark
                ? language.t("notification.remark", ["name": name, "author": author, "text": text])
                : language.t("notification.recommendation", ["name": name, "author": author, "text": text])
        }
    }

    /// The daily summary of what was queued.
    public static func summary(_ lines: [String], _ language: Language) -> [String] {
        [language.t("notification.dailySummaryEntries", ["linesCount": lines.count])] + lines
    }

    /// An email's subject line.
    public static func subject(_ language: Language) -> String {
        language.t("notification.electronicDiaryNewEntries")
    }
}

/// Where the bot sends messages to other people (letters): the server's outbox.
public protocol BotDelivery: Sendable {
    func deliver(_ lines: [String], to account: AccountID) async throws
    /// A post made through the bot (`/thread new`, `/reply`), for those on the board's channel.
    func announce(_ post: BoardPost, replyTo: String?) async
    /// Closes the account's connections (all but the session `except`) with `reason`.
    func closeSessions(of account: AccountID, except session: String?, reason: String) async
    /// How a security alert reaches `accounts`: in chat, and by email where they chose it. Their
    /// choices are read now; the returned function makes the notifications of the alert's lines,
    /// for the store to save with the change that causes them (`SecurityRepository`).
    func alerts(to accounts: [Account]) async throws -> @Sendable ([String]) -> [NotificationDelivery]
    /// Delivers at once what was saved for the accounts and is still waiting (after the commit).
    func deliverSaved(to accounts: [AccountID]) async
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
    public func alerts(to accounts: [Account]) async throws -> @Sendable ([String]) -> [NotificationDelivery] {
        { _ in [] }
    }
    public func deliverSaved(to accounts: [AccountID]) async {}
    public func devices(of account: AccountID) async -> [DeviceSession] { [] }
    public func closeDevice(_ id: String, of account: AccountID, reason: String) async -> Bool { false }
}
