import ClassbookDomain
import ClassbookText
import Foundation

/// A leaked password (регламент: report within one working day; operations after it are void).
enum SecurityCommands {
    static func table(security: SecurityService, accounts: AccountService, delivery: any BotDelivery, render: DiaryRendering) -> [BotCommand] {
        [
            BotCommand(
                name: "breach", aliases: ["утечка", "взлом"], actions: [.reportBreach, .reviewBreach],
                usage: Localized("cmd.breach.usage"),
                summary: Localized("cmd.breach.summary"),
                details: Localized("cmd.breach.details"),
                run: { i in
                    let principal = i.principal!
                    switch i.arguments.first?.lowercased() {
                    case "review", "проверка":
                        guard i.arguments.count == 2 else { throw JournalError.nothingToDo }
                        let (account, reported, operations) = try await security.review(login: i.arguments[1], for: principal)
                        var lines = [i.t("security.text", ["accountLogin": account.login, "displayName": account.displayName])
                                     + (reported.map { i.t("security.leakReported", ["time": render.time($0)]) } ?? i.t("security.leakReported2"))
                                     + i.t("security.operationsDaysBeforeSince", ["operationsCount": operations.count])]
                        lines += operations.suffix(40).map { op in
                            "\(render.time(op.at)) \(op.action) \(op.entity) #\(op.entityID)\(op.change.isEmpty ? "" : " — \(op.change)")"
                                + (op.afterReport ? i.t("security.afterReportVoided") : "")
                        }
                        return BotReply(lines: lines)
                    case "unlock", "разблокировать":
                        guard i.arguments.count == 2 else { throw JournalError.nothingToDo }
                        let (account, password) = try await security.unlock(login: i.arguments[1], for: principal)
                        return BotReply(lines: [i.t("security.unlockedOneTimePassword", ["accountLogin": account.login, "password": password])])
                    default:
                        guard i.arguments.count <= 1 else { throw JournalError.nothingToDo }
                        let (account, voided) = try await security.report(login: i.arguments.first, for: principal)
                        let alert = [Language.ru.t("security.breachAlert", ["login": account.login, "displayName": account.displayName, "reporter": principal.account.login,
                                                                       "time": render.time(security.clock.now()), "voided": voided.count])]
                        try await delivery.alert(alert, to: try await security.security.alertRecipients().filter { $0.id != account.id })
                        await delivery.closeSessions(of: account.id, except: nil, reason: "Account locked: password reported leaked")
                        return BotReply(lines: [i.t("security.accountLockedItsSessions", ["accountLogin": account.login])])
                    }
                }),
            BotCommand(
                name: "sessions", aliases: ["сеансы", "устройства", "devices"], action: .manageOwnSettings,
                usage: Localized("cmd.sessions.usage"),
                summary: Localized("cmd.sessions.summary"),
                details: Localized("cmd.sessions.details"),
                run: { i in
                    let principal = i.principal!
                    let devices = await delivery.devices(of: principal.account.id)
                    switch i.arguments.first?.lowercased() {
                    case nil:
                        var lines = [i.t("security.openSessions", ["devicesCount": devices.count])]
                        for (index, device) in devices.enumerated() {
                            let current = device.id == principal.sessionID ? i.t("security.device") : ""
                            lines.append("\(index + 1). \(device.client) — \(i.t("security.address")) \(device.address) — "
                                         + i.t("security.sinceActive", ["time": render.time(device.since), "time2": render.time(device.lastActive)]) + current)
                        }
                        lines.append(i.t("security.closeOneSessionsClose"))
                        let tokens = try await accounts.deviceTokens(for: principal)
                        if !tokens.isEmpty {
                            lines.append(i.t("security.appPasswords", ["tokensCount": tokens.count]))
                            for (index, token) in tokens.enumerated() {
                                let used = token.lastUsedAt.map { i.t("security.lastUsed", ["time": render.time($0)]) } ?? i.t("security.usedYet")
                                lines.append("\(index + 1). \(token.name) — " + i.t("security.issued", ["time": render.time(token.createdAt)]) + ", \(used)")
                            }
                            lines.append(i.t("security.revokeOneSessionsRevoke"))
                        }
                        return BotReply(lines: lines)
                    case "token", "токен":
                        let name = i.arguments.dropFirst().joined(separator: " ")
                        guard !name.isEmpty else {
                            return .refusal(i.t("security.nameDeviceProgramSessions"))
                        }
                        let (stored, token) = try await accounts.issueDeviceToken(named: name, for: principal)
                        return BotReply(lines: [i.t("security.appPasswordShownOnce", ["storedName": stored.name, "token": token]),
                                                i.t("security.giveProgramInsteadPassword")])
                    case "revoke", "отозвать":
                        let tokens = try await accounts.deviceTokens(for: principal)
                        guard i.arguments.count == 2, let number = Int(i.arguments[1]), tokens.indices.contains(number - 1) else {
                            return .refusal(i.t("security.giveAppPasswordS"))
                        }
                        let token = tokens[number - 1]
                        _ = try await accounts.revokeDeviceToken(token, for: principal)
                        return BotReply(i.t("security.appPasswordRevoked", ["tokenName": token.name]))
                    case "close", "закрыть":
                        guard i.arguments.count == 2, let number = Int(i.arguments[1]), devices.indices.contains(number - 1) else {
                            return .refusal(i.t("security.giveSessionSNumber"))
                        }
                        let device = devices[number - 1]
                        guard device.id != principal.sessionID else {
                            return .refusal(i.t("security.sessionDeviceLeaveClose", ["number": number]))
                        }
                        let closed = await delivery.closeDevice(device.id, of: principal.account.id,
                                                                reason: i.t("security.sessionClosedFromAnother"))
                        return BotReply(closed ? i.t("security.sessionClosed", ["number": number, "client": device.client])
                                               : i.t("security.sessionHasAlreadyEnded", ["number": number]))
                    default:
                        return .refusal(i.t("security.didUnderstandSessionsLists"))
                    }
                }).asConfidential(),
        ]
    }
}
