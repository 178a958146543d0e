import ClassbookDomain
import ClassbookText
import Foundation
import IRC

/// Registration: CAP, SASL, PASS, NICK, USER, and what a registered session is told first.
///
/// A nick is taken only when registration completes. A session that logged in takes its
/// account's nick (the login), whatever it asked for, beside the account's other sessions up to
/// `maxSessionsPerAccount`; a guest takes the nick it asked for when no one has it and it is no
/// account's. A bare `NICK` holds nothing, so a connection that never logs in keeps no one out.
extension ClientSession {
    func handleCap(_ message: IRCMessage) async {
        let result = capabilities.handle(
            subcommand: message.parameters[0], argument: message.parameters.dropFirst().first,
            registered: registered)
        let server = context.configuration.serverName
        switch result {
        case .list(let subcommand, let tokens):
            send(
                IRCMessage(
                    source: server, command: "CAP", parameters: [nick, subcommand, tokens.joined(separator: " ")]))
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

    func handleAuthenticate(_ message: IRCMessage) async {
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
            reply(
                .loggedIn, "\(account.login)!\(username ?? "user")@\(context.cloakedHost)", account.login,
                "You are now logged in as \(account.login)")
            reply(.saslSuccess, "SASL authentication successful")
        }
    }

    func handlePass(_ message: IRCMessage) {
        guard !registered else {
            reply(.alreadyRegistered, "You may not reregister")
            return
        }
        passArgument = message.parameters[0]
    }

    func handleNick(_ message: IRCMessage) async {
        guard let wanted = message.parameters.first, !wanted.isEmpty else {
            reply(.noNicknameGiven, "No nickname given")
            return
        }
        if registered, let principal {
            // The nick is the account's: it does not change.
            if !SessionRegistry.sameNick(wanted, principal.account.login) {
                reply(
                    .erroneousNickname, wanted,
                    "You may not change your nickname: it is your account's (\(principal.account.login))")
            }
            return
        }
        guard Self.isValidNick(wanted) else {
            reply(.erroneousNickname, wanted, "Erroneous nickname")
            return
        }
        guard !context.reservedNicks.contains(SessionRegistry.fold(wanted)) else {
            reply(.nicknameInUse, wanted, "Nickname is already in use")
            return
        }
        guard registered else {
            requestedNick = wanted
            await completeRegistration()
            return
        }
        // A guest renames.
        if SessionRegistry.sameNick(wanted, nick) && wanted == nick { return }
        let oldSource = userSource
        guard await !isAccountNick(wanted), context.registry.rename(handle, to: wanted) else {
            reply(.nicknameInUse, wanted, "Nickname is already in use")
            return
        }
        send(IRCMessage(source: oldSource, command: "NICK", parameters: [wanted]))
    }

    /// True when `nick` is an account's login: no one else may register with it.
    private func isAccountNick(_ nick: String) async -> Bool {
        (try? await accountNamed(nick)) != nil
    }

    func handleUser(_ message: IRCMessage) async {
        guard !registered else {
            reply(.alreadyRegistered, "You may not reregister")
            return
        }
        let realname = message.parameters[3].trimmingCharacters(in: .whitespaces)
        guard !realname.isEmpty else {
            reply(.needMoreParameters, "USER", "Not enough parameters: the realname is empty")
            return
        }
        let name = message.parameters[0].filter {
            $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-")
        }
        username = name.isEmpty ? "user" : String(name.prefix(16))
        handle.updateDevice {
            $0.username = self.username ?? "user"; $0.realname = String(realname.prefix(64))
        }
        await completeRegistration()
    }

    /// Registers once NICK and USER have arrived and CAP negotiation (if any) has ended;
    /// logs in with PASS `[SERVERPASS:]login:password` when SASL has not.
    func completeRegistration() async {
        guard !registered, !closing, let requested = requestedNick, username != nil, !capabilities.isHoldingRegistration
        else { return }
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
                let account = await authenticate(
                    login: String(credentials[..<colon]),
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
        let account = principal?.account
        if account == nil, await isAccountNick(requested) {
            requestedNick = nil
            reply(.nicknameInUse, requested, "Nickname is already in use")
            return
        }
        // The device limit counts the account's sessions on every node.
        let limit = context.configuration.maxSessionsPerAccount
        let remote = limit > 0 ? await remoteSessionCount(account) : 0
        let registration =
            remote >= limit && limit > 0
            ? .tooManySessions(limit: limit)
            : context.registry.register(
                handle, nick: account?.login ?? requested, account: account?.id, limit: limit > 0 ? limit - remote : 0)
        switch registration {
        case .registered:
            break
        case .nickInUse:
            requestedNick = nil
            reply(.nicknameInUse, requested, "Nickname is already in use")
            return
        case .tooManySessions:
            let text = language.t("server.tooManySessions", ["login": account?.login ?? "", "limit": limit])
            send(IRCMessage(source: context.configuration.serverName, command: "NOTICE", parameters: ["*", text]))
            close(text)
            return
        }
        registered = true
        activity.withLockedValue { $0.registered = true }
        onRegistered?()
        context.metrics.registrations.increment()
        context.metrics.sessionStarted(transport: handle.transport)
        handle.setLogin(account?.login)
        sendWelcome()
        guard let account else { return }
        await recordInDirectory(account)
        // Ask the client its name for `/sessions`. From the server as a user (clients answer a CTCP
        // only from a `nick!user@host`), not from the bot, so that clients do not show the request
        // in the conversation with the diary. No one can have that nick: a nick has no dot.
        let server = context.configuration.serverName
        send(
            IRCMessage(
                source: "\(server)!\(server)@\(server)", command: "PRIVMSG", parameters: [nick, "\u{1}VERSION\u{1}"]))
        await joinAccountChannels()
        await context.outbox.recordLogin(account.id)
        // What arrived while the person was away, in order, with its original time.
        await context.outbox.deliverPending(to: account.id)
    }

    func authenticate(login: String, password: String) async -> Account? {
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
            context.logger.info(
                "login \(account == nil ? "refused" : "accepted")",
                metadata: ["login": "\(login.prefix(32))", "session": "\(handle.id)"])
            return account
        } catch is ThreadPoolExecutor.Busy {
            // More logins at once than the hashing queue holds: refused now, not after a wait
            // that would outlast the registration timeout. Clients reconnect by themselves.
            context.metrics.loginsShed.increment()
            context.logger.warning("login refused: the hashing queue is full", metadata: ["session": "\(handle.id)"])
            close(language.t("server.serverBusyTooMany"))
            return nil
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
        let welcome = language.t(
            "server.welcome", ["network": configuration.networkName, "name": name, "bot": configuration.botNick])
        send([
            context.numeric(.welcome, nick, welcome),
            context.numeric(
                .yourHost, nick,
                "Your host is \(configuration.serverName), running version "
                    + "\(ClassbookServer.version)"),
            context.numeric(.created, nick, "This server was created \(UTCTimestamp.format(context.createdAt))"),
            context.numeric(.myInfo, nick, configuration.serverName, ClassbookServer.version, "iB", "int"),
            context.numeric(
                .isupport, nick, parameters: Self.isupport(configuration) + ["are supported by this server"])
        ])
        sendLusers()
        sendMOTD()
        if principal != nil {
            sendFromBot(language.t("server.botGreeting", ["name": name]))
        }
        if principal?.account.mustChangePassword == true {
            sendFromBot(language.t("server.oneTimePassword"))
        }
    }

    static func isupport(_ configuration: ServerConfiguration) -> [String] {
        [
            "NETWORK=\(configuration.networkName)", "CASEMAPPING=ascii", "CHANTYPES=#", "CHANMODES=,,,int",
            "PREFIX=(o)@", "NICKLEN=32",
            "BOT=B", "UTF8ONLY", "LINELEN=512", "CHATHISTORY=100", "MSGREFTYPES=msgid,timestamp", "WHOX", "AWAYLEN=200"
        ]
    }

    func sendMOTD() {
        let lines = context.configuration.motd
        guard !lines.isEmpty else {
            reply(.noMotd, "MOTD File is missing")
            return
        }
        var messages = [
            context.numeric(.motdStart, nick, "- \(context.configuration.serverName) Message of the day - ")
        ]
        for line in lines { messages.append(context.numeric(.motd, nick, "- \(line)")) }
        messages.append(context.numeric(.endOfMotd, nick, "End of /MOTD command."))
        send(messages)
    }

    func handlePing(_ message: IRCMessage) {
        send(
            IRCMessage(
                source: context.configuration.serverName, command: "PONG",
                parameters: [context.configuration.serverName, message.parameters[0]]))
    }

    func handleQuit(_ message: IRCMessage) {
        let reason = message.parameters.first.map { "Quit: \($0)" } ?? "Quit"
        close(reason)
    }
}

extension ClientSession {
    /// How many sessions the account has on the other nodes alive (none for a guest).
    func remoteSessionCount(_ account: Account?) async -> Int {
        guard let account else { return 0 }
        return await context.nodes.remoteSessions(of: account.id, logger: context.logger).count
    }

    /// Records the session in the node directory, for the device limit and `/sessions` on other nodes.
    func recordInDirectory(_ account: Account) async {
        let device = handle.device
        do {
            try await context.nodes.sessionOpened(
                NodeSession(
                    id: handle.id, node: context.nodes.node, account: account.id,
                    client: ServerDelivery.client(device), address: ServerDelivery.mask(device.host),
                    connectedAt: device.connectedAt))
            // Ended meanwhile: its end may have been recorded before its start.
            if !context.registry.sessions(of: account.id).contains(where: { $0 === handle }) {
                try await context.nodes.sessionClosed(handle.id)
            }
        } catch {
            context.logger.error("cannot record session \(handle.id) in the node directory: \(error)")
        }
    }
}
