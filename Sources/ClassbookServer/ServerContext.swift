import ClassbookBot
import ClassbookDomain
import Foundation
import IRC
import Logging

/// What every connection shares: configuration, the registry of sessions, the bot and
/// the account service.
struct ServerContext: Sendable {
    let configuration: ServerConfiguration
    let registry: SessionRegistry
    let bot: DiaryBot
    let accounts: AccountService
    let outbox: Outbox
    let messaging: any MessagingRepository
    let boards: BoardService
    let channels: ChannelRegistry
    let loginGuard: LoginGuard
    let logger: Logger
    let createdAt: Date

    /// `diary!diary@classbook.local`
    var botSource: String { "\(configuration.botNick)!\(configuration.botNick)@\(configuration.serverName)" }

    var reservedNicks: Set<String> { [SessionRegistry.fold(configuration.botNick), "nickserv", "chanserv", "*"] }

    static let capabilities: [(name: String, value: String?)] = [
        ("message-tags", nil),
        ("server-time", nil),
        ("echo-message", nil),
        ("sasl", "PLAIN"),
        ("batch", nil),
        ("draft/chathistory", nil),
    ]

    /// A numeric from the server to `target`.
    func numeric(_ numeric: IRCNumeric, _ target: String, _ parameters: String...) -> IRCMessage {
        self.numeric(numeric, target, parameters: parameters)
    }

    func numeric(_ numeric: IRCNumeric, _ target: String, parameters: [String]) -> IRCMessage {
        IRCMessage(source: configuration.serverName, command: numeric.rawValue, parameters: [target] + parameters)
    }

    /// A new `msgid`: 16 random bytes, hex.
    static func messageID() -> String { Digest.messageID() }
}
