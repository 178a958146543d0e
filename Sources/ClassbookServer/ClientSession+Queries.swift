import ClassbookDomain
import ClassbookText
import Foundation
import IRC

/// What clients ask of the server on ordinary use: WHOIS when a query window opens, WHO and MODE
/// when they join a channel, USERHOST, ISON, LUSERS, AWAY. Answered as the Modern IRC documents
/// say. A person is visible only to those who may write to them or share a channel with them
/// (to anyone else WHOIS answers as for a nick that does not exist); the connecting address is
/// shown only to the person themself and to administrators.
extension ClientSession {
    /// Who sits behind a nick as this session may see it.
    enum Someone {
        case bot
        case person(nick: String, sessions: [SessionHandle])
    }

    /// The bot, or the connected sessions under `nick` when this person may see them.
    func visible(_ nick: String) async -> Someone? {
        if SessionRegistry.sameNick(nick, context.configuration.botNick) { return .bot }
        let sessions = context.registry.sessions(nick: nick)
        guard let first = sessions.first else { return nil }
        if isOwn(sessions) { return .person(nick: first.target, sessions: sessions) }
        if context.channels.shareAChannel(handle, first) { return .person(nick: first.target, sessions: sessions) }
        guard await mayWrite(toNick: nick, recipients: sessions) else { return nil }
        return .person(nick: first.target, sessions: sessions)
    }

    /// Whether `sessions` (one nick's) are this person's own: this session, or its account's.
    func isOwn(_ sessions: [SessionHandle]) -> Bool {
        guard let first = sessions.first else { return false }
        return first === handle || (handle.account != nil && first.account == handle.account)
    }

    /// Whether this session may see where `sessions` connect from: their own, or an administrator.
    func seesAddress(of sessions: [SessionHandle]) -> Bool {
        isOwn(sessions) || principal?.has(.admin) == true
    }

    private var server: String { context.configuration.serverName }

    // MARK: WHOIS

    func handleWhois(_ message: IRCMessage) async {
        // `WHOIS server nick` asks the same as `WHOIS nick` here: there is one server.
        let target = String(message.parameters.last!.split(separator: ",").first ?? "")
        guard !target.isEmpty else { return reply(.noNicknameGiven, "No nickname given") }
        switch await visible(target) {
        case .bot:
            let bot = context.configuration.botNick
            reply(.whoisUser, bot, bot, server, "*", language.t("server.electronicDiaryBot"))
            reply(.whoisServer, bot, server, context.configuration.networkName)
            reply(.whoisBot, bot, "is a Bot on \(context.configuration.networkName)")
            reply(.endOfWhois, bot, "End of /WHOIS list")
        case .person(let nick, let sessions):
            let device = sessions[0].device
            let shown = seesAddress(of: sessions)
            reply(.whoisUser, nick, device.username, shown ? device.host : context.cloakedHost, "*", device.realname)
            if shown {
                for session in sessions {
                    let host = session.device.host
                    reply(.whoisHost, nick, "is connecting from *@\(host) \(host)")
                }
            }
            reply(.whoisServer, nick, server, context.configuration.networkName)
            if let away = sessions.awayText { reply(.away, nick, away) }
            let idle = Int(Date().timeIntervalSince(sessions.map(\.device.lastActive).max()!))
            let signon = Int(sessions.map(\.device.connectedAt).min()!.timeIntervalSince1970)
            reply(.whoisIdle, nick, String(max(0, idle)), String(signon), "seconds idle, signon time")
            if let login = sessions[0].login { reply(.whoisAccount, nick, login, "is logged in as") }
            reply(.endOfWhois, nick, "End of /WHOIS list")
        case nil:
            reply(.noSuchNick, target, "No such nick/channel")
            reply(.endOfWhois, target, "End of /WHOIS list")
        }
    }

    // MARK: WHO

    /// One person (or the bot) as a WHO line sees them.
    struct WhoEntry {
        var channel: String
        var nick: String
        var username: String
        var host: String
        var realname: String
        var account: String?
        var flags: String
    }

    func handleWho(_ message: IRCMessage) async {
        let mask = message.parameters[0]
        var entries: [WhoEntry] = []
        if mask.hasPrefix("#") {
            if let channel = await memberChannel(mask, refuse: false) {
                let operators = await channelOperators(channel)
                var seen = Set<String>()
                for member in context.channels.members(channel.name) {
                    guard let nick = member.nick, seen.insert(SessionRegistry.fold(nick)).inserted else { continue }
                    let sessions = context.registry.sessions(nick: nick)
                    entries.append(
                        entry(
                            nick: nick, sessions: sessions.isEmpty ? [member] : sessions, channel: channel.name,
                            isOperator: member.account.map(operators.contains) ?? false))
                }
            }
        } else {
            switch await visible(mask) {
            case .bot:
                let bot = context.configuration.botNick
                entries.append(
                    WhoEntry(
                        channel: "*", nick: bot, username: bot, host: server, realname: "diary", account: nil,
                        flags: "HB"))
            case .person(let nick, let sessions):
                entries.append(entry(nick: nick, sessions: sessions, channel: "*", isOperator: false))
            case nil:
                break
            }
        }
        if message.parameters.count > 1, message.parameters[1].hasPrefix("%") {
            let request = message.parameters[1].dropFirst().split(separator: ",", maxSplits: 1)
            let fields = Set(request.first.map(Array.init) ?? [])
            let token = request.count > 1 ? String(request[1].prefix(3)) : nil
            for entry in entries { send(whox(entry, fields: fields, token: token)) }
        } else {
            for entry in entries {
                reply(
                    .whoReply, entry.channel, entry.username, entry.host, server, entry.nick, entry.flags,
                    "0 \(entry.realname)")
            }
        }
        reply(.endOfWho, mask, "End of WHO list")
    }

    private func entry(nick: String, sessions: [SessionHandle], channel: String, isOperator: Bool) -> WhoEntry {
        let device = sessions[0].device
        let flags = (sessions.awayText == nil ? "H" : "G") + (isOperator ? "@" : "")
        return WhoEntry(
            channel: channel, nick: nick, username: device.username,
            host: seesAddress(of: sessions) ? device.host : context.cloakedHost,
            realname: device.realname, account: sessions[0].login, flags: flags)
    }

    /// RPL_WHOSPCRPL (354): the fields asked for, in the order WHOX fixes (t c u i h s n f d l a o r).
    private func whox(_ entry: WhoEntry, fields: Set<Character>, token: String?) -> IRCMessage {
        var parameters: [String] = []
        if fields.contains("t") { parameters.append(token ?? "0") }
        if fields.contains("c") { parameters.append(entry.channel) }
        if fields.contains("u") { parameters.append(entry.username) }
        if fields.contains("i") { parameters.append("255.255.255.255") }
        if fields.contains("h") { parameters.append(entry.host) }
        if fields.contains("s") { parameters.append(server) }
        if fields.contains("n") { parameters.append(entry.nick) }
        if fields.contains("f") { parameters.append(entry.flags) }
        if fields.contains("d") { parameters.append("0") }
        if fields.contains("l") { parameters.append("0") }
        if fields.contains("a") { parameters.append(entry.account ?? "0") }
        if fields.contains("o") { parameters.append("n/a") }
        if fields.contains("r") { parameters.append(entry.realname) }
        return context.numeric(.whoSpecialReply, nick, parameters: parameters)
    }

    // MARK: USERHOST, ISON

    func handleUserhost(_ message: IRCMessage) async {
        var replies: [String] = []
        for target in message.parameters.prefix(5) {
            switch await visible(target) {
            case .bot:
                replies.append("\(context.configuration.botNick)=+\(context.configuration.botNick)@\(server)")
            case .person(let nick, let sessions):
                let host = seesAddress(of: sessions) ? sessions[0].device.host : context.cloakedHost
                replies.append("\(nick)=\(sessions.awayText == nil ? "+" : "-")\(sessions[0].device.username)@\(host)")
            case nil:
                break
            }
        }
        reply(.userhost, replies.joined(separator: " "))
    }

    func handleIson(_ message: IRCMessage) async {
        var online: [String] = []
        for target in message.parameters.flatMap({ $0.split(separator: " ").map(String.init) }).prefix(64) {
            switch await visible(target) {
            case .bot: online.append(context.configuration.botNick)
            case .person(let nick, _): online.append(nick)
            case nil: break
            }
        }
        reply(.ison, online.joined(separator: " "))
    }

    // MARK: MODE

    /// Modes are fixed: people are `+i`, boards `+nt`, rooms `+int`. Queries are answered; changes
    /// to oneself are answered with the modes in force, changes to a channel refused.
    func handleMode(_ message: IRCMessage) async {
        let target = message.parameters[0]
        guard target.hasPrefix("#") else {
            guard SessionRegistry.sameNick(target, nick) else {
                return reply(.usersDontMatch, "Can't change mode for other users")
            }
            return reply(.userModeIs, "+i")
        }
        guard let channel = await memberChannel(target, refuse: false) else {
            return reply(.noSuchChannel, target, "No such channel")
        }
        guard message.parameters.count > 1 else {
            reply(.channelModeIs, channel.name, channel.modes)
            if let created = channel.createdAt {
                reply(.creationTime, channel.name, String(Int(created.timeIntervalSince1970)))
            }
            return
        }
        switch message.parameters[1] {
        case "b", "+b": reply(.endOfBanList, channel.name, "End of channel ban list")
        case "e", "+e": reply(.endOfExceptList, channel.name, "End of channel exception list")
        case "I", "+I": reply(.endOfInviteList, channel.name, "End of channel invite list")
        default: reply(.chanOpPrivilegesNeeded, channel.name, "Channel modes are fixed by the school")
        }
    }

    // MARK: LUSERS

    func sendLusers() {
        let counts = context.registry.counts
        let channels = context.channels.count
        reply(.luserClient, "There are \(counts.people) users and 0 invisible on 1 servers")
        // 252 (operators) is left out: there are none. 254 only when a channel has someone in it.
        if channels > 0 { reply(.luserChannels, String(channels), "channels formed") }
        reply(.luserMe, "I have \(counts.sessions) clients and 0 servers")
        reply(
            .localUsers, String(counts.sessions), String(counts.peak),
            "Current local users \(counts.sessions), max \(counts.peak)")
        reply(
            .globalUsers, String(counts.sessions), String(counts.peak),
            "Current global users \(counts.sessions), max \(counts.peak)")
    }

    // MARK: AWAY

    /// `AWAY :text` marks this device away (306), `AWAY` back (305). A nick is away when every
    /// device of its account is; those sharing a channel who asked for `away-notify` are told
    /// when that changes.
    func handleAway(_ message: IRCMessage) async {
        let text = message.parameters.first.flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
        let sessions = context.registry.sessions(nick: nick)
        let before = sessions.awayText
        handle.setAway(text)
        if text == nil {
            reply(.unaway, "You are no longer marked as being away")
        } else {
            reply(.nowAway, "You have been marked as being away")
        }
        let after = context.registry.sessions(nick: nick).awayText
        guard before != after else { return }
        let notice = IRCMessage(source: userSource, command: "AWAY", parameters: after.map { [$0] } ?? [])
        for member in context.channels.companions(of: handle)
        where member.flags.awayNotify && member.account != handle.account {
            member.send(notice)
        }
    }
}
