import ClassbookBot
import ClassbookDomain
import Foundation
import IRC
import Logging
import Synchronization

/// What every connection shares: configuration, the registry of sessions, the bot and
/// the account service.
///
/// A class: every session holds it, and as a struct each held a copy of all of it (some
/// 2.5 KB, with the configuration and the bot's services inline), a thirteenth of an idle
/// session's memory.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let registry: SessionRegistry
    let bot: DiaryBot
    let accounts: AccountService
    let outbox: Outbox
    let messaging: any MessagingRepository
    let boards: BoardService
    let conversations: ConversationService
    let channels: ChannelRegistry
    let loginGuard: LoginGuard
    /// The nodes serving the store and the sessions each holds.
    let nodes: any NodeDirectory
    let metrics: ServerMetrics
    let logger: Logger
    let createdAt: Date
    /// `diary!diary@classbook.local`
    let botSource: String

    init(
        configuration: ServerConfiguration, registry: SessionRegistry, bot: DiaryBot, accounts: AccountService,
        outbox: Outbox,
        messaging: any MessagingRepository, boards: BoardService, conversations: ConversationService,
        channels: ChannelRegistry, loginGuard: LoginGuard, nodes: any NodeDirectory,
        metrics: ServerMetrics, logger: Logger, createdAt: Date
    ) {
        self.configuration = configuration
        self.registry = registry
        self.bot = bot
        self.accounts = accounts
        self.outbox = outbox
        self.messaging = messaging
        self.boards = boards
        self.conversations = conversations
        self.channels = channels
        self.loginGuard = loginGuard
        self.nodes = nodes
        self.metrics = metrics
        self.logger = logger
        self.createdAt = createdAt
        botSource = "\(configuration.botNick)!\(configuration.botNick)@\(configuration.serverName)"
    }

    var reservedNicks: Set<String> { [SessionRegistry.fold(configuration.botNick), "nickserv", "chanserv", "*"] }

    static let capabilities: [(name: String, value: String?)] = [
        ("message-tags", nil),
        ("server-time", nil),
        ("echo-message", nil),
        ("sasl", "PLAIN"),
        ("batch", nil),
        ("draft/chathistory", nil),
        ("multi-prefix", nil),
        ("userhost-in-names", nil),
        ("account-notify", nil),
        ("account-tag", nil),
        ("away-notify", nil),
        ("extended-join", nil),
        ("cap-notify", nil),
        ("standard-replies", nil),
        ("draft/read-marker", nil)
    ]

    /// Set when the server begins to stop: sessions stop answering what waits and flood control stops waiting.
    let stopping = Atomic<Bool>(false)
    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// The host shown in a person's source (`nick!user@host`) to everyone else: the server's
    /// name, never their address (WHOIS tells that to the person themself and to administrators).
    var cloakedHost: String { configuration.serverName }

    /// A numeric from the server to `target`.
    func numeric(_ numeric: IRCNumeric, _ target: String, _ parameters: String...) -> IRCMessage {
        self.numeric(numeric, target, parameters: parameters)
    }

    func numeric(_ numeric: IRCNumeric, _ target: String, parameters: [String]) -> IRCMessage {
        IRCMessage(source: configuration.serverName, command: numeric.rawValue, parameters: [target] + parameters)
    }

    /// A new `msgid` for a line the server sends or relays: this process's random 8-byte
    /// prefix and a counter, in hex. Unique across restarts like a random id, without asking
    /// the kernel for randomness for every line of every reply. (Board posts, which are kept
    /// and referred to, take fully random ids from `Digest.messageID()`.)
    static func messageID() -> String {
        let number = messageCounter.wrappingAdd(1, ordering: .relaxed).newValue
        let hex = String(number, radix: 16)
        return messagePrefix + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    private static let messagePrefix = String(Digest.messageID().prefix(16))
    private static let messageCounter = Atomic<UInt64>(0)
}
