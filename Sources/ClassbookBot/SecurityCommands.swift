import ClassbookDomain
import Foundation

/// A leaked password (регламент: report within one working day; operations after it are void).
enum SecurityCommands {
    static func table(security: SecurityService, accounts: AccountService, delivery: any BotDelivery, render: DiaryRendering) -> [BotCommand] {
        [
            BotCommand(
                name: "breach", aliases: ["утечка", "взлом"], actions: [.reportBreach, .reviewBreach],
                usage: Localized(ru: "/breach [логин] | /breach review логин | /breach unlock логин",
                                 en: "/breach [login] | /breach review login | /breach unlock login"),
                summary: Localized(ru: "сообщить, что пароль стал известен другим (блокирует учётную запись)", en: "report a leaked password (locks the account)"),
                details: Localized(
                    ru: "Без логина — о своей учётной записи: она сразу блокируется, все её сеансы закрываются, директор и администратор получают сообщение; записи в журнале, сделанные после сообщения, аннулируются. Администратор: /breach логин — о чужой; review — действия за неделю до сообщения; unlock — разблокировать с новым временным паролем.",
                    en: "Without a login, about your own account: it is locked at once, its sessions are closed, the director and the administrator are told; journal entries made after the report are voided. Administrator: /breach login about another; review: the week's operations before the report; unlock: with a new one-time password."),
                run: { i in
                    let principal = i.principal!
                    switch i.arguments.first?.lowercased() {
                    case "review", "проверка":
                        guard i.arguments.count == 2 else { throw JournalError.nothingToDo }
                        let (account, reported, operations) = try await security.review(login: i.arguments[1], for: principal)
                        var lines = [i.t("\(account.login) (\(account.displayName)): ", "\(account.login) (\(account.displayName)): ")
                                     + (reported.map { i.t("утечка сообщена \(render.time($0))", "leak reported \(render.time($0))") } ?? i.t("утечка не сообщалась", "no leak reported"))
                                     + i.t(", действий за 7 дней до сообщения и после: \(operations.count)", ", operations in the 7 days before and since: \(operations.count)")]
                        lines += operations.suffix(40).map { op in
                            "\(render.time(op.at)) \(op.action) \(op.entity) #\(op.entityID)\(op.change.isEmpty ? "" : " — \(op.change)")"
                                + (op.afterReport ? i.t(" [после сообщения: аннулировано]", " [after the report: voided]") : "")
                        }
                        return BotReply(lines: lines)
                    case "unlock", "разблокировать":
                        guard i.arguments.count == 2 else { throw JournalError.nothingToDo }
                        let (account, password) = try await security.unlock(login: i.arguments[1], for: principal)
                        return BotReply(lines: [i.t("\(account.login) разблокирован(а). Временный пароль (показан один раз): \(password). При входе нужно будет задать свой.",
                                                    "\(account.login) is unlocked. One-time password (shown once): \(password). A new one must be set at login.")])
                    default:
                        guard i.arguments.count <= 1 else { throw JournalError.nothingToDo }
                        let (account, voided) = try await security.report(login: i.arguments.first, for: principal)
                        let alert = ["Сообщение о утечке пароля: \(account.login) (\(account.displayName)), сообщил(а) \(principal.account.login), \(render.time(security.clock.now())). Учётная запись заблокирована; аннулировано записей: \(voided.count). Проверить: /breach review \(account.login); разблокировать: /breach unlock \(account.login)."]
                        try await delivery.alert(alert, to: try await security.security.alertRecipients().filter { $0.id != account.id })
                        await delivery.closeSessions(of: account.id, except: nil, reason: "Account locked: password reported leaked")
                        return BotReply(lines: [i.t("Учётная запись \(account.login) заблокирована, её сеансы закрываются. Администратор выдаст новый пароль.",
                                                    "The account \(account.login) is locked and its sessions are being closed. The administrator will issue a new password.")])
                    }
                }),
            BotCommand(
                name: "sessions", aliases: ["сеансы", "устройства", "devices"], action: .manageOwnSettings,
                usage: Localized(ru: "/sessions | /sessions close N | /sessions token НАЗВАНИЕ | /sessions revoke N",
                                 en: "/sessions | /sessions close N | /sessions token NAME | /sessions revoke N"),
                summary: Localized(ru: "ваши открытые сеансы (устройства) и пароли приложений", en: "your open sessions (devices) and app passwords"),
                details: Localized(
                    ru: "Одну учётную запись можно открыть на нескольких устройствах сразу (телефон, компьютер): сообщения и уведомления приходят на все. /sessions — список: программа, адрес (частично скрыт), с какого времени, когда было последнее действие; ниже — пароли приложений. /sessions close N — закрыть сеанс с номером N (например, забытый на чужом компьютере). /sessions token НАЗВАНИЕ — пароль приложения для IRC-клиента (показывается один раз, вводится вместо пароля); он истекает, если им не пользоваться 90 дней, и отменяется сменой пароля или /breach. /sessions revoke N — отозвать пароль приложения N. Если пароль мог стать известен другим — /breach.",
                    en: "One account may be open on several devices at once (a phone, a computer): messages and notifications reach all of them. /sessions lists them: the program, the address (partly hidden), since when, the last activity; below, the app passwords. /sessions close N closes session number N (one left open on someone else's computer, say). /sessions token NAME gives an app password for an IRC client (shown once, given instead of the password); it expires after 90 days unused and is void after a password change or /breach. /sessions revoke N revokes app password N. If the password may have leaked, use /breach."),
                run: { i in
                    let principal = i.principal!
                    let devices = await delivery.devices(of: principal.account.id)
                    switch i.arguments.first?.lowercased() {
                    case nil:
                        var lines = [i.t("Открытые сеансы: \(devices.count).", "Open sessions: \(devices.count).")]
                        for (index, device) in devices.enumerated() {
                            let current = device.id == principal.sessionID ? i.t(" (это устройство)", " (this device)") : ""
                            lines.append("\(index + 1). \(device.client) — \(i.t("адрес", "address")) \(device.address) — "
                                         + i.t("с \(render.time(device.since)), активен \(render.time(device.lastActive))",
                                               "since \(render.time(device.since)), active \(render.time(device.lastActive))") + current)
                        }
                        lines.append(i.t("Закрыть сеанс: /sessions close N", "To close one: /sessions close N"))
                        let tokens = try await accounts.deviceTokens(for: principal)
                        if !tokens.isEmpty {
                            lines.append(i.t("Пароли приложений: \(tokens.count).", "App passwords: \(tokens.count)."))
                            for (index, token) in tokens.enumerated() {
                                let used = token.lastUsedAt.map { i.t("вход \(render.time($0))", "last used \(render.time($0))") } ?? i.t("ещё не входили", "not used yet")
                                lines.append("\(index + 1). \(token.name) — " + i.t("выдан \(render.time(token.createdAt))", "issued \(render.time(token.createdAt))") + ", \(used)")
                            }
                            lines.append(i.t("Отозвать: /sessions revoke N", "To revoke one: /sessions revoke N"))
                        }
                        return BotReply(lines: lines)
                    case "token", "токен":
                        let name = i.arguments.dropFirst().joined(separator: " ")
                        guard !name.isEmpty else {
                            return .refusal(i.t("Назовите устройство или программу: /sessions token WeeChat.", "Name the device or program: /sessions token WeeChat."))
                        }
                        let (stored, token) = try await accounts.issueDeviceToken(named: name, for: principal)
                        return BotReply(lines: [i.t("Пароль приложения для «\(stored.name)» (показан один раз): \(token)",
                                                    "App password for \"\(stored.name)\" (shown once): \(token)"),
                                                i.t("Укажите его в программе вместо пароля (SASL или PASS), вместе с вашим логином. Он истекает, если им не пользоваться 90 дней, и отменяется сменой пароля или /breach; отозвать: /sessions revoke N.",
                                                    "Give it to the program instead of your password (SASL or PASS), with your login. It expires after 90 days unused and is void after a password change or /breach; to revoke it: /sessions revoke N.")])
                    case "revoke", "отозвать":
                        let tokens = try await accounts.deviceTokens(for: principal)
                        guard i.arguments.count == 2, let number = Int(i.arguments[1]), tokens.indices.contains(number - 1) else {
                            return .refusal(i.t("Укажите номер пароля приложения из списка /sessions, например: /sessions revoke 1.",
                                                "Give the app password's number from /sessions, for example: /sessions revoke 1."))
                        }
                        let token = tokens[number - 1]
                        _ = try await accounts.revokeDeviceToken(token, for: principal)
                        return BotReply(i.t("Пароль приложения «\(token.name)» отозван.", "The app password \"\(token.name)\" is revoked."))
                    case "close", "закрыть":
                        guard i.arguments.count == 2, let number = Int(i.arguments[1]), devices.indices.contains(number - 1) else {
                            return .refusal(i.t("Укажите номер сеанса из списка /sessions, например: /sessions close 2.",
                                                "Give the session's number from /sessions, for example: /sessions close 2."))
                        }
                        let device = devices[number - 1]
                        guard device.id != principal.sessionID else {
                            return .refusal(i.t("Сеанс \(number) — это устройство. Чтобы выйти, закройте программу или наберите /quit.",
                                                "Session \(number) is this device. To leave, close the program or type /quit."))
                        }
                        let closed = await delivery.closeDevice(device.id, of: principal.account.id,
                                                                reason: i.t("Сеанс закрыт с другого устройства", "Session closed from another device"))
                        return BotReply(closed ? i.t("Сеанс \(number) (\(device.client)) закрыт.", "Session \(number) (\(device.client)) is closed.")
                                               : i.t("Сеанс \(number) уже закрыт.", "Session \(number) has already ended."))
                    default:
                        return .refusal(i.t("Не понял. /sessions — список сеансов, /sessions close N — закрыть сеанс N, /sessions token НАЗВАНИЕ — пароль приложения, /sessions revoke N — отозвать его.",
                                            "Did not understand. /sessions lists your sessions, /sessions close N closes session N, /sessions token NAME gives an app password, /sessions revoke N revokes it."))
                    }
                }).asConfidential(),
        ]
    }
}
