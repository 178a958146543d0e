import ClassbookBot
import ClassbookDomain
import ClassbookText
import IRC

/// `CLASSBOOK`: what the web client needs in machine-readable form rather than in the bot's
/// prose (docs/protocol.md, "CLASSBOOK"). Any client may use it; it reads and issues only the
/// asker's own things.
///
/// - `CLASSBOOK PROFILE`: who this is (login, roles, language, whether a one-time password must
///   be replaced, name), a guardian's children, the staff a family writes to, and the bot's
///   commands this person may run, ended by `CLASSBOOK END PROFILE`.
/// - `CLASSBOOK COMMANDS`: the command table alone (as in PROFILE), ended by `CLASSBOOK END COMMANDS`;
///   a client asks again after `/lang` for the titles in the new language.
/// - `CLASSBOOK TOKEN name`: a device token ("remember this device"), shown once.
/// - `CLASSBOOK FORGET token`: revokes one of one's own tokens (a device that logs out).
extension ClientSession {
    func handleClassbook(_ message: IRCMessage) async {
        let subcommand = message.parameters[0].uppercased()
        guard let principal else { return fail("CLASSBOOK", "ACCOUNT_REQUIRED", subcommand, "Log in first") }
        do {
            switch subcommand {
            case "PROFILE":
                send(try await profile(principal))
            case "COMMANDS":
                send(try await commandTable(principal) + [classbook("END", "COMMANDS")])
            case "TOKEN":
                guard !principal.account.mustChangePassword else {
                    return fail(
                        "CLASSBOOK", "PASSWORD_CHANGE_REQUIRED", subcommand, "Replace the one-time password first")
                }
                let name = message.parameters.dropFirst().joined(separator: " ")
                let (stored, token) = try await context.accounts.issueDeviceToken(
                    named: name.isEmpty ? "web" : name, for: principal)
                send(classbook("TOKEN", token, stored.name))
            case "FORGET":
                guard message.parameters.count >= 2 else {
                    return fail("CLASSBOOK", "INVALID_PARAMS", subcommand, "Give the token")
                }
                let revoked = try await context.accounts.revokeDeviceToken(value: message.parameters[1], for: principal)
                send(classbook("FORGET", revoked ? "OK" : "UNKNOWN"))
            default:
                fail("CLASSBOOK", "INVALID_PARAMS", subcommand, "PROFILE, COMMANDS, TOKEN or FORGET")
            }
        } catch {
            context.logger.error("CLASSBOOK \(subcommand) failed: \(error)", metadata: ["session": "\(handle.id)"])
            fail("CLASSBOOK", "INTERNAL_ERROR", subcommand, "Please try again later")
        }
    }

    private func classbook(_ parameters: String...) -> IRCMessage {
        IRCMessage(source: context.configuration.serverName, command: "CLASSBOOK", parameters: parameters)
    }

    private func profile(_ principal: Principal) async throws -> [IRCMessage] {
        let account = principal.account
        var lines = [
            classbook(
                "PROFILE", account.login, account.roles.sorted().map(\.rawValue).joined(separator: ","),
                language.rawValue,
                account.mustChangePassword ? "1" : "0", account.displayName)
        ]
        let diary = context.bot.diary
        if principal.has(.guardian) {
            for student in try await diary.students(visibleTo: principal) {
                lines.append(classbook("CHILD", student.className, student.shortName))
            }
        }
        if principal.has(.guardian) || principal.has(.student) {
            for contact in try await diary.contacts(for: principal) {
                guard let login = try await context.accounts.accounts.account(id: contact.account)?.login else {
                    continue
                }
                var roles = contact.classTeacherOf.map { language.t("server.classTeacher", ["value": $0]) }
                roles += contact.subjects
                lines.append(
                    classbook(
                        "CONTACT", login, contact.name + (roles.isEmpty ? "" : " — " + roles.joined(separator: ", "))))
            }
        }
        lines += try await commandTable(principal)
        lines.append(classbook("END", "PROFILE"))
        return lines
    }

    /// The bot's command table as this person may use it, from the table itself (the same rows
    /// `/help` lists): each command with its argument kind and summary, its usage, and each form
    /// the person may use with its example, its parts (kind, required or optional, title) and
    /// the choices a part offers this person: their children's names, a keyword's words.
    func commandTable(_ principal: Principal) async throws -> [IRCMessage] {
        var lines: [IRCMessage] = []
        let children =
            principal.has(.guardian) || principal.has(.student)
            ? try await context.bot.diary.students(visibleTo: principal).map(\.shortName) : []
        for command in context.bot.commands where command.isAllowed(for: principal) {
            let forms = command.forms.filter { $0.isAllowed(for: principal) }
            lines.append(classbook("COMMAND", command.name, Self.argumentKind(forms), command.summary(language)))
            lines.append(classbook("USAGE", command.name, command.usage(language)))
            for (index, form) in forms.enumerated() {
                let number = String(index + 1)
                lines.append(classbook("FORM", command.name, number, form.example(command: command.name, language)))
                for part in form.parts {
                    lines.append(
                        classbook(
                            "PART", command.name, number, part.kind.rawValue, part.isOptional ? "optional" : "required",
                            part.title(language)))
                    let choices = part.kind == .child ? children : part.choiceWords(language)
                    for choice in choices {
                        lines.append(classbook("CHOICE", command.name, number, part.kind.rawValue, choice))
                    }
                }
            }
        }
        return lines
    }

    /// Whether a command takes no arguments, only optional ones, or needs some: the web client
    /// sends a command of the first two kinds from its button at once, and puts one of the
    /// third into the input.
    static func argumentKind(_ forms: [BotCommand.Form]) -> String {
        if forms.allSatisfy({ $0.parts.isEmpty }) { return "none" }
        return forms.contains { $0.parts.allSatisfy(\.isOptional) } ? "optional" : "required"
    }
}
