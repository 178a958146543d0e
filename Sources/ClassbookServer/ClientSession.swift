import ClassbookBot
import ClassbookDomain
import Foundation
import IRC
import NIOConcurrencyHelpers
import NIOCore

/// One client connection from its first byte to its close.
///
/// Consumes `InboundLine`s in order, on the connection's own task; produces replies through
/// its `SessionHandle`. All protocol state lives here and is touched only by that task; the
/// watchdog sees only `Activity`. The verbs live in extensions by concern: registration,
/// messages, queries (WHOIS, WHO, …) and channels (boards and rooms).
final class ClientSession {
    let context: ServerContext
    let handle: SessionHandle
    let activity: NIOLockedValueBox<Activity>
    let host: String

    var capabilities = CapabilityNegotiation(offered: ServerContext.capabilities)
    var flood: FloodControl
    var sasl = SASLPlainExchange()
    var username: String?
    /// The nick the client asked for with `NICK`: held by no one until registration, and then
    /// only a guest's (an account's sessions take the account's nick).
    var requestedNick: String?
    var passArgument: String?
    var principal: Principal?
    var registered = false
    var closing = false
    /// Called once registration completes: the connection's admission place is free again.
    var onRegistered: (@Sendable () -> Void)?

    /// What the watchdog reads: when the last line came and whether a PING is outstanding.
    struct Activity: Sendable {
        var lastLine: NIODeadline
        var registered = false
        var pingSentAt: NIODeadline?
    }

    init(context: ServerContext, handle: SessionHandle, host: String) {
        self.context = context
        self.handle = handle
        self.host = host
        self.activity = NIOLockedValueBox(Activity(lastLine: .now()))
        self.flood = FloodControl(settings: context.configuration.flood)
    }

    var nick: String { handle.target }
    var language: Language { principal?.account.language ?? .ru }
    /// `nick!user@host` as everyone else sees this person: the host is cloaked.
    var userSource: String { "\(nick)!\(username ?? "user")@\(context.cloakedHost)" }

    // MARK: Input

    /// Answers the lines that arrived together, in order, and sends their replies (and
    /// whatever others sent this connection meanwhile) in one write: a command and the PING
    /// after it cost one TLS record and one system call, not two. A reply waits at most for
    /// the lines read with it (flood control's waits send what is held first).
    func process(_ lines: [InboundLine]) async {
        handle.hold()
        for line in lines where !closing && !context.isStopping {
            await process(line)
        }
        handle.release()
    }

    private func process(_ event: InboundLine) async {
        switch flood.admit() {
        case .go: break
        case .wait(let lag):
            handle.sendHeld()
            await waitUnlessStopping(lag)
            if context.isStopping { return }
        case .disconnect:
            close("Excess Flood")
            return
        }
        activity.withLockedValue {
            $0.lastLine = .now(); $0.pingSentAt = nil
        }
        switch event {
        case .tooLong:
            reply(.inputTooLong, "Input line was too long")
        case .unterminated:
            close("Input line was too long (no line end)")
        case .lineEnds:
            fail("*", "INVALID_MESSAGE", "A WebSocket frame holds one IRC line, without CR or LF")
        case .line(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                fail("*", "INVALID_UTF8", "Message rejected, your message contained invalid UTF-8")
                return
            }
            let message: IRCMessage
            do {
                message = try IRCMessage(parsing: text)
            } catch {
                switch error {
                case .tagsTooLong, .bodyTooLong: reply(.inputTooLong, "Input line was too long")
                case .emptyLine: break
                case .tooManyParameters: reply(.needMoreParameters, "*", "Too many parameters")
                default: reply(.unknownCommand, "*", "Malformed message")
                }
                return
            }
            if registered { handle.updateDevice { $0.lastActive = Date() } }
            await dispatch(message)
        }
    }

    /// Flood control's fake lag, cut short when the server stops (a flooder must not hold up
    /// the shutdown).
    private func waitUnlessStopping(_ lag: Duration) async {
        let end = ContinuousClock.now + lag
        while !context.isStopping, ContinuousClock.now < end {
            try? await Task.sleep(for: min(.milliseconds(50), end - ContinuousClock.now))
        }
    }

    /// The one path every verb takes: 451 before registration, 461 for missing parameters,
    /// then the handler. Handlers do not repeat these checks.
    private func dispatch(_ message: IRCMessage) async {
        if let verb = Self.verbs[message.command] {
            guard registered || verb.beforeRegistration else {
                reply(.notRegistered, "You have not registered")
                return
            }
            guard message.parameters.count >= verb.minimumParameters else {
                reply(.needMoreParameters, message.command, "Not enough parameters")
                return
            }
            await verb.handler(self, message)
        } else if context.bot.command(named: message.command) != nil {
            guard registered else {
                reply(.notRegistered, "You have not registered")
                return
            }
            // Raw verbs for clients that pass unknown /commands to the server: `MARKS 7А`.
            let arguments = message.parameters.flatMap { $0.split(separator: " ").map(String.init) }
            let answer = await measured {
                await context.bot.run(message.command, arguments: arguments, principal: principal)
            }
            if answer.isRefusal && handle.flags.standardReplies {
                for line in answer.lines { fail(message.command, "REFUSED", line) }
                return
            }
            deliverBotReply(answer)
        } else {
            reply(.unknownCommand, message.command, "Unknown command")
        }
    }

    struct Verb: Sendable {
        var minimumParameters: Int
        var beforeRegistration: Bool
        var handler: @Sendable (ClientSession, IRCMessage) async -> Void
    }

    static let verbs: [String: Verb] = [
        "CAP": Verb(minimumParameters: 1, beforeRegistration: true) { await $0.handleCap($1) },
        "AUTHENTICATE": Verb(minimumParameters: 1, beforeRegistration: true) { await $0.handleAuthenticate($1) },
        "PASS": Verb(minimumParameters: 1, beforeRegistration: true) { $0.handlePass($1) },
        "NICK": Verb(minimumParameters: 0, beforeRegistration: true) { await $0.handleNick($1) },
        "USER": Verb(minimumParameters: 4, beforeRegistration: true) { await $0.handleUser($1) },
        "PING": Verb(minimumParameters: 1, beforeRegistration: true) { $0.handlePing($1) },
        "PONG": Verb(minimumParameters: 0, beforeRegistration: true) { _, _ in },
        "QUIT": Verb(minimumParameters: 0, beforeRegistration: true) { $0.handleQuit($1) },
        "PRIVMSG": Verb(minimumParameters: 0, beforeRegistration: false) { await $0.handleMessage($1, notice: false) },
        "NOTICE": Verb(minimumParameters: 0, beforeRegistration: false) { await $0.handleMessage($1, notice: true) },
        "MOTD": Verb(minimumParameters: 0, beforeRegistration: false) { session, _ in session.sendMOTD() },
        "JOIN": Verb(minimumParameters: 1, beforeRegistration: false) { await $0.handleJoin($1) },
        "PART": Verb(minimumParameters: 1, beforeRegistration: false) { await $0.handlePart($1) },
        "TOPIC": Verb(minimumParameters: 1, beforeRegistration: false) { await $0.handleTopic($1) },
        "NAMES": Verb(minimumParameters: 1, beforeRegistration: false) { await $0.handleNames($1) },
        "INVITE": Verb(minimumParameters: 2, beforeRegistration: false) { await $0.handleInvite($1) },
        "LIST": Verb(minimumParameters: 0, beforeRegistration: false) { await $0.handleList($1) },
        "CHATHISTORY": Verb(minimumParameters: 3, beforeRegistration: false) { await $0.handleChatHistory($1) },
        "MARKREAD": Verb(minimumParameters: 1, beforeRegistration: false) { await $0.handleMarkRead($1) },
        "WHOIS": Verb(minimumParameters: 1, beforeRegistration: false) { await $0.handleWhois($1) },
        "WHO": Verb(minimumParameters: 1, beforeRegistration: false) { await $0.handleWho($1) },
        "USERHOST": Verb(minimumParameters: 1, beforeRegistration: false) { await $0.handleUserhost($1) },
        "ISON": Verb(minimumParameters: 1, beforeRegistration: false) { await $0.handleIson($1) },
        "MODE": Verb(minimumParameters: 1, beforeRegistration: false) { await $0.handleMode($1) },
        "LUSERS": Verb(minimumParameters: 0, beforeRegistration: false) { session, _ in session.sendLusers() },
        "AWAY": Verb(minimumParameters: 0, beforeRegistration: false) { await $0.handleAway($1) },
        "CLASSBOOK": Verb(minimumParameters: 1, beforeRegistration: false) { await $0.handleClassbook($1) }
    ]

    // MARK: Output

    /// Sends to this client: at the end of the batch being answered (see `process(_:)`).
    func send(_ messages: [IRCMessage]) {
        handle.send(messages)
    }

    func send(_ message: IRCMessage) { send([message]) }

    /// The account's other sessions (its other devices), which see what this one does.
    var siblings: [SessionHandle] {
        guard let account = handle.account else { return [] }
        return context.registry.sessions(of: account).filter { $0 !== handle }
    }

    /// The bot's answer, on this device and on the account's others (so each shows the whole
    /// conversation) unless the command is confidential; a change of language or password
    /// applies to this session.
    func deliverBotReply(_ answer: BotReply) {
        if let newLanguage = answer.newLanguage, var principal {
            principal.account.language = newLanguage
            self.principal = principal
        }
        if answer.passwordChanged, var principal {
            principal.account.mustChangePassword = false
            self.principal = principal
        }
        handle.sendText(answer.lines, from: context.botSource)
        guard !answer.confidential else { return }
        for sibling in siblings { sibling.sendText(answer.lines, from: context.botSource) }
    }

    /// Sends text from the bot, split so that every line fits IRC's 512 bytes.
    func sendFromBot(_ text: String) {
        handle.sendText([text], from: context.botSource)
    }

    func reply(_ numeric: IRCNumeric, _ parameters: String...) {
        send(context.numeric(numeric, nick, parameters: parameters))
    }

    /// A standard reply (`FAIL command CODE [context…] :text`).
    func fail(_ command: String, _ code: String, _ parameters: String...) {
        send(
            IRCMessage(
                source: context.configuration.serverName, command: "FAIL", parameters: [command, code] + parameters))
    }

    func close(_ reason: String) {
        guard !closing else { return }
        closing = true
        handle.close(error: reason)
    }

    static func isValidNick(_ nick: String) -> Bool {
        let special: Set<Character> = ["[", "]", "\\", "^", "_", "`", "{", "|", "}"]
        guard (1...32).contains(nick.count), let first = nick.first, first.isASCII,
            first.isLetter || special.contains(first)
        else {
            return false
        }
        return nick.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || special.contains($0)) }
    }
}
