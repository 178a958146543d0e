import ClassbookDomain
import ClassbookText
import Foundation

/// Notification settings and information letters.
enum MessagingCommands {
    static func table(messaging: MessagingService, delivery: any BotDelivery, render: DiaryRendering) -> [BotCommand] {
        [
            BotCommand(
                name: "notify", aliases: ["уведомления"], action: .manageOwnSettings,
                usage: Localized("cmd.notify.usage"),
                summary: Localized("cmd.notify.summary"),
                details: Localized("cmd.notify.details"),
                run: { i in
                    var prefs = try await messaging.prefs(for: i.principal!)
                    guard !i.arguments.isEmpty else { return BotReply(lines: describe(prefs, i)) }
                    var words = i.arguments[...]
                    while let key = words.popFirst() {
                        guard var value = words.popFirst() else { throw JournalError.invalidSetting(key) }
                        // A phone number is often typed with spaces: `+7 (900) 123-45-67`.
                        if ["sms", "смс"].contains(key.lowercased()) {
                            while let next = words.first, next.allSatisfy({ $0.isNumber || "+()-".contains($0) }) {
                                value += next
                                words.removeFirst()
                            }
                        }
                        let off = ["off", "нет", "выкл"].contains(value.lowercased())
                        switch key.lowercased() {
                        case "chat", "чат": prefs.chat = !off
                        case "email", "почта":
                            guard off || (value.contains("@") && value.count <= 200 && !value.contains(" ")) else { throw JournalError.invalidSetting(value) }
                            prefs.email = off ? nil : value
                        case "sms", "смс":
                            let digits = value.filter(\.isNumber)
                            guard off || (10...15).contains(digits.count) else { throw JournalError.invalidSetting(value) }
                            prefs.sms = off ? nil : "+" + digits
                        case "pace", "темп":
                            guard let pace = ["instant": NotificationPrefs.Pace.instant, "сразу": .instant, "daily": .daily, "сводка": .daily][value.lowercased()] else {
                                throw JournalError.invalidSetting(value)
                            }
                            prefs.pace = pace
                        case "quiet", "тихие":
                            if off {
                                prefs.quietStart = prefs.quietEnd
                            } else {
                                let parts = value.split(separator: "-").map(String.init)
                                guard parts.count == 2, let start = TimeOfDay(parsing: parts[0]), let end = TimeOfDay(parsing: parts[1]), start != end else {
                                    throw JournalError.invalidSetting(value)
                                }
                                (prefs.quietStart, prefs.quietEnd) = (start, end)
                            }
                        default:
                            throw JournalError.invalidSetting(key)
                        }
                    }
                    try await messaging.setPrefs(prefs, for: i.principal!)
                    return BotReply(lines: [i.t("messaging.saved")] + describe(prefs, i))
                }),
            BotCommand(
                name: "letter", aliases: ["письмо"], action: .sendLetter,
                usage: Localized("cmd.letter.usage"),
                summary: Localized("cmd.letter.summary"),
                details: Localized("cmd.letter.details"),
                run: { i in
                    guard let className = i.arguments.first, i.arguments.count >= 2 else { throw JournalError.emptyText }
                    let text = i.arguments.dropFirst().joined(separator: " ")
                    let (id, schoolClass, recipients) = try await messaging.sendLetter(text, className: className, for: i.principal!)
                    let author = i.principal!.account.displayName
                    for recipient in recipients {
                        let language = recipient.language
                        try await delivery.deliver([language.t("messaging.informationLetter", ["id": id, "schoolClassName": schoolClass.name,
                                                                                                 "author": author, "text": text]),
                                                    language.t("messaging.pleaseConfirmHaveRead", ["id": id])],
                                                   to: recipient.id)
                    }
                    return BotReply(i.t("messaging.letterSentGuardiansWho", ["id": id, "schoolClassName": schoolClass.name, "recipientsCount": recipients.count]))
                }),
            BotCommand(
                name: "letters", aliases: ["письма"], action: .sendLetter,
                usage: Localized("cmd.letters.usage"),
                summary: Localized("cmd.letters.summary"),
                details: Localized("cmd.letters.details"),
                run: { i in
                    guard let className = i.arguments.first else { throw JournalError.nothingToDo }
                    let letters = try await messaging.letters(className: className, for: i.principal!)
                    guard !letters.isEmpty else { return BotReply(i.t("messaging.lettersClassYet")) }
                    return BotReply(lines: letters.prefix(10).flatMap { letter -> [String] in
                        let unread = letter.readers.filter { $0.readAt == nil }.map(\.name)
                        return ["№\(letter.id) \(render.time(letter.createdAt)): «\(letter.text.prefix(60))» — "
                                + i.t("messaging.read", ["letter": letter.readers.count - unread.count, "readersCount": letter.readers.count])
                                + (unread.isEmpty ? "" : i.t("messaging.yet") + unread.joined(separator: ", "))]
                    })
                }),
            BotCommand(
                name: "read", aliases: ["прочитано", "прочитал", "прочитала"], action: .readOwnLetters,
                usage: Localized("cmd.read.usage"),
                summary: Localized("cmd.read.summary"),
                details: Localized("cmd.read.details"),
                run: { i in
                    guard let first = i.arguments.first, let id = Int64(first.trimmingCharacters(in: CharacterSet(charactersIn: "#№"))) else {
                        throw JournalError.nothingToDo
                    }
                    _ = try await messaging.markRead(letter: id, for: i.principal!)
                    return BotReply(i.t("messaging.recordedHaveReadLetter", ["id": id]))
                }),
        ]
    }

    static func describe(_ prefs: NotificationPrefs, _ i: BotInvocation) -> [String] {
        let on = i.t("messaging.text"), off = i.t("messaging.off")
        return [i.t("messaging.notificationsNewMarksAbsences"),
                i.t("messaging.chat") + (prefs.chat ? on : off) + i.t("messaging.email") + (prefs.email ?? off) + "; SMS: " + (prefs.sms ?? off),
                i.t("messaging.pace") + (prefs.pace == .instant ? i.t("messaging.instant") : i.t("messaging.dailySummary"))
                    + i.t("messaging.quietHours")
                    + (prefs.hasQuietHours ? "\(prefs.quietStart)–\(prefs.quietEnd)" : off)]
    }
}
