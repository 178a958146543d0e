import ClassbookDomain
import ClassbookText
import Foundation

/// A leaked password (регламент: report within one working day; operations after it are void).
enum SecurityCommands {
    static func table(
        security: SecurityService, accounts: AccountService, delivery: any BotDelivery, render: DiaryRendering
    ) -> [BotCommand] {
        [
            BotCommand(
                name: "breach", aliases: ["утечка", "взлом"],
                usage: Localized("cmd.breach.usage"), summary: Localized("cmd.breach.summary"),
                details: Localized("cmd.breach.details"),
                forms: [
                    .init([.keyword(["review", "проверка"]), .required(.word)], action: .reviewBreach) { r in
                        let (account, reported, operations) = try await security.review(
                            login: (try r.arguments.word.required()), for: r.principal)
                        return Reply { w in
                            review(account, reported: reported, operations: operations, render: render, w)
                        }
                    },
                    .init([.keyword(["unlock", "разблокировать"]), .required(.word)], action: .reviewBreach) { r in
                        let (account, password) = try await security.unlock(
                            login: (try r.arguments.word.required()), for: r.principal)
                        return Reply { w in
                            [
                                w.t(
                                    "security.unlockedOneTimePassword",
                                    ["accountLogin": account.login, "password": password])
                            ]
                        }
                    },
                    .init([.optional(.word)], action: .reportBreach) { r in
                        // To the school's administrators, in the school's language, saved with the report.
                        let administrators = try await security.security.alertRecipients()
                        let alerts = try await delivery.alerts(to: administrators)
                        let reporter = r.principal.account.login
                        let time = render.time(security.clock.now())
                        let (account, _) = try await security.report(login: r.arguments.word, for: r.principal) {
                            account, voided in
                            alerts([
                                Language.ru.t(
                                    "security.breachAlert",
                                    [
                                        "login": account.login, "displayName": account.displayName,
                                        "reporter": reporter, "time": time, "voided": voided.count
                                    ])
                            ]).filter { $0.account != account.id }
                        }
                        await delivery.deliverSaved(to: administrators.map(\.id).filter { $0 != account.id })
                        await delivery.closeSessions(
                            of: account.id, except: nil, reason: "Account locked: password reported leaked")
                        return Reply { w in
                            [
                                w.t("security.accountLockedItsSessions", ["accountLogin": account.login])
                            ]
                        }
                    }
                ]),
            BotCommand(
                name: "sessions", aliases: ["сеансы", "устройства", "devices"],
                usage: Localized("cmd.sessions.usage"), summary: Localized("cmd.sessions.summary"),
                details: Localized("cmd.sessions.details"),
                forms: [
                    .init(
                        [
                            .keyword(["token", "токен"]),
                            .required(.text).whenMissing(Localized("security.nameDeviceProgramSessions"))
                        ],
                        action: .manageOwnSettings
                    ) { r in
                        let (stored, token) = try await accounts.issueDeviceToken(
                            named: (try r.arguments.freeText.required()), for: r.principal)
                        return Reply { w in
                            [
                                w.t("security.appPasswordShownOnce", ["storedName": stored.name, "token": token]),
                                w.t("security.giveProgramInsteadPassword")
                            ]
                        }
                    },
                    .init([.keyword(["revoke", "отозвать"]), .required(.number)], action: .manageOwnSettings) { r in
                        let tokens = try await accounts.deviceTokens(for: r.principal)
                        let number = (try r.arguments.number.required())
                        guard tokens.indices.contains(number - 1) else {
                            return .refusal(Localized("security.giveAppPasswordS"))
                        }
                        let token = tokens[number - 1]
                        _ = try await accounts.revokeDeviceToken(token, for: r.principal)
                        return Reply(Localized("security.appPasswordRevoked", ["tokenName": token.name]))
                    },
                    .init([.keyword(["close", "закрыть"]), .required(.number)], action: .manageOwnSettings) { r in
                        let devices = await delivery.devices(of: r.principal.account.id)
                        let number = (try r.arguments.number.required())
                        guard devices.indices.contains(number - 1) else {
                            return .refusal(Localized("security.giveSessionSNumber"))
                        }
                        let device = devices[number - 1]
                        guard device.id != r.principal.sessionID else {
                            return .refusal(Localized("security.sessionDeviceLeaveClose", ["number": number]))
                        }
                        let closed = await delivery.closeDevice(
                            device.id, of: r.principal.account.id,
                            reason: r.principal.account.language.t("security.sessionClosedFromAnother"))
                        return Reply { w in
                            [
                                closed
                                    ? w.t("security.sessionClosed", ["number": number, "client": device.client])
                                    : w.t("security.sessionHasAlreadyEnded", ["number": number])
                            ]
                        }
                    },
                    .init([], action: .manageOwnSettings) { r in
                        let devices = await delivery.devices(of: r.principal.account.id)
                        let tokens = try await accounts.deviceTokens(for: r.principal)
                        return Reply { w in list(devices, tokens, current: r.principal.sessionID, render: render, w) }
                    }
                ]
            ).asConfidential()
        ]
    }

    /// `/breach review`: the account, the leak, and what was done from it around the report.
    static func review(
        _ account: Account, reported: Date?, operations: [AccountOperation], render: DiaryRendering, _ r: any Wording
    ) -> [String] {
        var lines = [
            r.t("security.text", ["accountLogin": account.login, "displayName": account.displayName])
                + (reported.map { r.t("security.leakReported", ["time": render.time($0)]) }
                    ?? r.t("security.leakReported2"))
                + r.t("security.operationsDaysBeforeSince", ["operationsCount": operations.count])
        ]
        for op in operations.suffix(40) {
            let change = [
                op.oldValue.map { r.t("security.changeFrom", ["value": $0]) },
                op.newValue.map { r.t("security.changeTo", ["value": $0]) }
            ].compactMap { $0 }.joined(separator: "; ")
            lines.append(
                "\(render.time(op.at)) \(op.action) \(op.entity) #\(op.entityID)"
                    + (change.isEmpty ? "" : " — \(change)")
                    + (op.afterReport ? r.t("security.afterReportVoided") : ""))
        }
        return lines
    }

    /// `/sessions`: the account's devices and app passwords.
    static func list(
        _ devices: [DeviceSession], _ tokens: [DeviceToken], current session: String, render: DiaryRendering,
        _ r: any Wording
    ) -> [String] {
        var lines = [r.t("security.openSessions", ["devicesCount": devices.count])]
        for (index, device) in devices.enumerated() {
            let current = device.id == session ? r.t("security.device") : ""
            lines.append(
                "\(index + 1). \(device.client) — \(r.t("security.address")) \(device.address) — "
                    + r.t(
                        "security.sinceActive",
                        ["time": render.time(device.since), "time2": render.time(device.lastActive)]) + current)
        }
        lines.append(r.t("security.closeOneSessionsClose"))
        if !tokens.isEmpty {
            lines.append(r.t("security.appPasswords", ["tokensCount": tokens.count]))
            for (index, token) in tokens.enumerated() {
                let used =
                    token.lastUsedAt.map { r.t("security.lastUsed", ["time": render.time($0)]) }
                    ?? r.t("security.usedYet")
                lines.append(
                    "\(index + 1). \(token.name) — " + r.t("security.issued", ["time": render.time(token.createdAt)])
                        + ", \(used)")
            }
            lines.append(r.t("security.revokeOneSessionsRevoke"))
        }
        return lines
    }
}
