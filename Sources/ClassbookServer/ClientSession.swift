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
/// watchdog sees only `Activity`.
final class ClientSession {
    let context: ServerContext
    let handle: SessionHandle
    let activity: NIOLockedValueBox<Activity>
    private let host: String

    private var capabilities = CapabilityNegotiation(offered: ServerContext.capabilities)
    private var flood: FloodControl
    private var sasl = SASLPlainExchange()
    private var username: String?
    private var passArgument: String?
    private(set) var principal: Principal?
    private var registered = false
    private(set) var closing = false

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
    var userSource: String { "\(nick)!\(username ?? "user")@\(host)" }

    // MARK: Input

    /// Answers the lines that arrived together, in order, and sends their replies (and
    /// whatever others sent this connection meanwhile) in one write: a command and the PING
    /// after it cost one TLS record and one system call, not two. A reply waits at most for
    /// the lines read with it (flood control's waits send what is held first).
    func process(_ lines: [InboundLine]) async {
        handle.hold()
        for line in lines where !closing {
            await process(line)
        }
        handle.release()
    }

    private func process(_ event: InboundLine) async {
        switch flood.admit() {
        case .go: break
        case .wait(let lag):
            handle.sendHeld()
            try? await Task.sleep(for: lag)
        case .disconnect:
            close("Excess Flood")
            return
        }
        activity.withLockedValue { $0.lastLine = .now(); $0.pingSentAt = nil }
        switch event {
        case .tooLong:
            reply(.inputTooLong, "Input line was too long")
        case .unterminated:
            close("Input line was too long (no line end)")
        case .line(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                send(IRCMessage(source: context.configuration.serverName, command: "FAIL",
                                       parameters: ["*", "INVALID_UTF8", "Message rejected, your message contained invalid UTF-8"]))
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
            await dispatch(message)
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
            let answer = await context.bot.run(message.command, arguments: arguments, principal: principal)
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
        "CHATHISTORY": Verb(minimumParameters: 3, beforeRegistration: false) { await $0.handleChatHistory($1) },
    ]

    // MARK: Registration

    private func handleCap(_ message: IRCMessage) async {
        let result = capabilities.handle(subcommand: message.parameters[0], argument: message.parameters.dropFirst().first,
                                         registered: registered)
        let server = context.configuration.serverName
        switch result {
        case .list(let subcommand, let tokens):
            send(IRCMessage(source: server, command: "CAP", parameters: [nick, subcommand, tokens.joined(separator: " ")]))
        case .ack(let request):
            handle.setCapabilities(capabilities.enabled)
            send(IRCMessage(source: server, command: "CAP", parameters: [nick, "ACK", request]))
        case .nak(let request):
            send(IRCMessage(source: server, command: "CAP", parameters: [nick, "NAK", request]))
        case .end:
            await completeRegistration()
        case .invalidSubcommand(let subcommand):
            reply(.invalidCapCommand, subcommand, "Invalid CAP command")
        }
    }

    private func handleAuthenticate(_ message: IRCMessage) async {
        if principal != nil && !sasl.isAuthenticated {
            // Logged in with PASS already.
            reply(.saslAlready, "You have already authenticated")
            return
        }
        switch sasl.receive(message.parameters[0]) {
        case .continueWithPayload:
            send(IRCMessage(command: "AUTHENTICATE", parameters: ["+"]))
        case .awaitingMoreData:
            break
        case .unsupportedMechanism:
            reply(.saslMechanisms, "PLAIN", "are available SASL mechanisms")
            reply(.saslFail, "SASL authentication failed")
        case .malformed:
            reply(.saslFail, "SASL authentication failed")
        case .tooLong:
            reply(.saslTooLong, "SASL message too long")
        case .aborted:
            reply(.saslAborted, "SASL authentication aborted")
        case .alreadyAuthenticated:
            reply(.saslAlready, "You have already authenticated")
        case .credentials(_, let login, let password):
            let account = await authenticate(login: login, password: password)
            sasl.finish(succeeded: account != nil)
            guard let account else {
                reply(.saslFail, "SASL authentication failed")
                return
            }
            logIn(account)
            reply(.loggedIn, userSource, account.login, "You are now logged in as \(account.login)")
            reply(.saslSuccess, "SASL authentication successful")
        }
    }

    private func handlePass(_ message: IRCMessage) {
        guard !registered else {
            reply(.alreadyRegistered, "You may not reregister")
            return
        }
        passArgument = message.parameters[0]
    }

    private func handleNick(_ message: IRCMessage) async {
        guard let wanted = message.parameters.first, !wanted.isEmpty else {
            reply(.noNicknameGiven, "No nickname given")
            return
        }
        guard Self.isValidNick(wanted) else {
            reply(.erroneousNickname, wanted, "Erroneous nickname")
            return
        }
        let old = handle.nick
        let oldSource = userSource
        if let old, old == wanted { return }
        guard context.registry.claim(wanted, for: handle, reserved: context.reservedNicks) else {
            reply(.nicknameInUse, wanted, "Nickname is already in use")
            return
        }
        if registered, old != nil {
            send(IRCMessage(source: oldSource, command: "NICK", parameters: [wanted]))
        }
        await completeRegistration()
    }

    private func handleUser(_ message: IRCMessage) async {
        guard !registered else {
            reply(.alreadyRegistered, "You may not reregister")
            return
        }
        let name = message.parameters[0].filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
        username = name.isEmpty ? "user" : String(name.prefix(16))
        await completeRegistration()
    }

    /// Registers once NICK and USER have arrived and CAP negotiation (if any) has ended;
    /// logs in with PASS `[SERVERPASS:]login:password` when SASL has not.
    private func completeRegistration() async {
        guard !registered, !closing, handle.nick != nil, username != nil, !capabilities.isHoldingRegistration else { return }
        var credentials = passArgument
        if let required = context.configuration.serverPassword {
            guard let pass = passArgument, pass == required || pass.hasPrefix(required + ":") else {
                reply(.passwordMismatch, "Password incorrect")
                close("Bad password")
                return
            }
            credentials = pass == required ? nil : String(pass.dropFirst(required.count + 1))
        }
        if principal == nil, let credentials {
            guard let colon = credentials.firstIndex(of: ":"),
                  let account = await authenticate(login: String(credentials[..<colon]),
                                                   password: String(credentials[credentials.index(after: colon)...]))
            else {
                reply(.passwordMismatch, "Password incorrect")
                close("Bad login or password")
                return
            }
            logIn(account)
        }
        if principal == nil && !context.configuration.allowGuests {
            close("You must log in: use SASL PLAIN or PASS login:password")
            return
        }
        registered = true
        activity.withLockedValue { $0.registered = true }
        sendWelcome()
        if let account = principal?.account {
            context.registry.attach(handle, to: account.id)
            await context.outbox.recordLogin(account.id)
            // What arrived while the person was away, in order, with its original time.
            await context.outbox.deliverPending(to: account.id)
        }
    }

    private func authenticate(login: String, password: String) async -> Account? {
        let key = String(login.lowercased().prefix(32))
        await context.loginGuard.wait(login: key, address: host)
        do {
            let account = try await context.accounts.authenticate(login: login, password: password)
            if account == nil {
                await context.loginGuard.failed(login: key, address: host)
            } else {
                context.loginGuard.succeeded(login: key, address: host)
            }
            // Never log the password; log the login only as attempted.
            context.logger.info("login \(account == nil ? "refused" : "accepted")", metadata: ["login": "\(login.prefix(32))", "session": "\(handle.id)"])
            return account
        } catch {
            context.logger.error("login failed: \(error)", metadata: ["session": "\(handle.id)"])
            return nil
        }
    }

    private func logIn(_ account: Account) {
        principal = Principal(account: account, sessionID: handle.id)
    }

    private func sendWelcome() {
        let configuration = context.configuration
        let name = principal?.account.displayName ?? nick
        let welcome = language == .ru
            ? "Добро пожаловать в \(configuration.networkName), \(name)! Дневник: напишите /msg \(configuration.botNick) help"
            : "Welcome to \(configuration.networkName), \(name)! The diary: /msg \(configuration.botNick) help"
        send([
            context.numeric(.welcome, nick, welcome),
            context.numeric(.yourHost, nick, "Your host is \(configuration.serverName), running version \(ClassbookServer.version)"),
            context.numeric(.created, nick, "This server was created \(UTCTimestamp.format(context.createdAt))"),
            context.numeric(.myInfo, nick, configuration.serverName, ClassbookServer.version, "iB", "nt"),
            context.numeric(.isupport, nick, parameters: Self.isupport(configuration) + ["are supported by this server"]),
        ])
        sendMOTD()
        if principal != nil {
            sendFromBot(language == .ru
                        ? "Здравствуйте, \(name)! Я бот электронного дневника. Список команд: /help"
                        : "Hello, \(name)! I am the electronic diary bot. Commands: /help")
        }
        if principal?.account.mustChangePassword == true {
            sendFromBot(language == .ru
                        ? "Вы вошли по временному паролю. Задайте свой: /passwd НОВЫЙ_ПАРОЛЬ (не короче 8 знаков)."
                        : "You logged in with a one-time password. Set your own: /passwd NEW_PASSWORD (8 characters or more).")
        }
    }

    static func isupport(_ configuration: ServerConfiguration) -> [String] {
        ["NETWORK=\(configuration.networkName)", "CASEMAPPING=ascii", "CHANTYPES=#", "NICKLEN=32", "BOT=B", "UTF8ONLY",
         "LINELEN=512", "CHARSET=utf-8", "CHATHISTORY=100", "MSGREFTYPES=msgid"]
    }

    private func sendMOTD() {
        let lines = context.configuration.motd
        guard !lines.isEmpty else {
            reply(.noMotd, "MOTD File is missing")
            return
        }
        var messages = [context.numeric(.motdStart, nick, "- \(context.configuration.serverName) Message of the day - ")]
        for line in lines { messages.append(context.numeric(.motd, nick, "- \(line)")) }
        messages.append(context.numeric(.endOfMotd, nick, "End of /MOTD command."))
        send(messages)
    }

    // MARK: Registered

    private func handlePing(_ message: IRCMessage) {
        send(IRCMessage(source: context.configuration.serverName, command: "PONG",
                               parameters: [context.configuration.serverName, message.parameters[0]]))
    }

    private func handleQuit(_ message: IRCMessage) {
        let reason = message.parameters.first.map { "Quit: \($0)" } ?? "Quit"
        close(reason)
    }

    private func handleMessage(_ message: IRCMessage, notice: Bool) async {
        guard let target = message.parameters.first else {
            if !notice { reply(.noRecipient, "No recipient given (\(message.command))") }
            return
        }
        guard message.parameters.count >= 2, !message.parameters[1].isEmpty else {
            if !notice { reply(.noTextToSend, "No text to send") }
            return
        }
        let text = message.parameters[1]
        // The message as others (and an echo) see it; built only when someone will.
        func relay() -> IRCMessage {
            let tags = [IRCTag("msgid", ServerContext.messageID()), IRCTag("time", UTCTimestamp.now())]
                + message.tags.filter { $0.key.hasPrefix("+") }
            return IRCMessage(tags: tags, source: userSource, command: message.command, parameters: [target, text])
        }

        if SessionRegistry.sameNick(target, context.configuration.botNick) {
            if handle.flags.echoMessage { send(relay()) }
            // Never answer a NOTICE, nor a CTCP request.
            guard !notice, !text.hasPrefix("\u{1}") else { return }
            deliverBotReply(await context.bot.respond(to: text, from: principal))
            return
        }
        if target.hasPrefix("#") {
            await handleChannelMessage(message, target: target, text: text, notice: notice)
            return
        }
        guard let recipient = context.registry.session(nick: target) else {
            // Not connected under that nick: a person's login keeps the message for their next login.
            if !notice, principal != nil, LoginRules.isValid(target.lowercased()),
               let account = try? await context.messaging.account(login: target) {
                do {
                    try await context.outbox.send([text], to: account.id, source: userSource)
                    if handle.flags.echoMessage { send(relay()) }
                    if context.registry.sessions(of: account.id).isEmpty {
                        reply(.away, target, language == .ru ? "Не в сети: сообщение будет доставлено при следующем входе"
                                                              : "Offline: the message will be delivered at the next login")
                    }
                } catch {
                    context.logger.error("cannot keep a message: \(error)")
                    reply(.noSuchNick, target, "No such nick/channel")
                }
                return
            }
            if !notice { reply(.noSuchNick, target, "No such nick/channel") }
            return
        }
        let relayed = relay()
        recipient.send(relayed)
        if handle.flags.echoMessage && recipient !== handle { send(relayed) }
    }

    // MARK: Output

    /// Sends to this client: at the end of the batch being answered (see `process(_:)`).
    func send(_ messages: [IRCMessage]) {
        handle.send(messages)
    }

    func send(_ message: IRCMessage) { send([message]) }

    private func deliverBotReply(_ answer: BotReply) {
        if let newLanguage = answer.newLanguage, var principal {
            principal.account.language = newLanguage
            self.principal = principal
        }
        if answer.passwordChanged, var principal {
            principal.account.mustChangePassword = false
            self.principal = principal
        }
        handle.sendText(answer.lines, from: context.botSource)
    }

    /// Sends text from the bot, split so that every line fits IRC's 512 bytes.
    func sendFromBot(_ text: String) {
        handle.sendText([text], from: context.botSource)
    }

    func reply(_ numeric: IRCNumeric, _ parameters: String...) {
        send(context.numeric(numeric, nick, parameters: parameters))
    }

    func close(_ reason: String) {
        guard !closing else { return }
        closing = true
        handle.close(error: reason)
    }

    static func isValidNick(_ nick: String) -> Bool {
        let special: Set<Character> = ["[", "]", "\\", "^", "_", "`", "{", "|", "}"]
        guard (1...32).contains(nick.count), let first = nick.first, first.isASCII, first.isLetter || special.contains(first) else {
            return false
        }
        return nick.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || special.contains($0)) }
    }
}
