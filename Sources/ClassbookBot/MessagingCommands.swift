import ClassbookDomain
import ClassbookText
import Foundation

/// Notification settings and information letters.
enum MessagingCommands {
    static func table(messaging: MessagingService, delivery: any BotDelivery, render: DiaryRendering) -> [BotCommand] {
        [
            BotCommand(
                name: "notify", aliases: ["уведомления"], action: .manageOwnSettings,
                usage: Localized("cmd.notify.usage"), summary: Localized("cmd.notify.summary"),
                details: Localized("cmd.notify.details"),
                grammar: [
                    ArgumentPart(
                        .settings, optional: true,
                        choices: [
                            ["chat", "чат"], ["email", "почта"], ["sms", "смс"], ["pace", "темп"], ["quiet", "тихие"]
                        ])
                ],
                run: { r in
                    let stored = try await messaging.prefs(for: r.principal)
                    guard !r.arguments.settings.isEmpty else { return Reply { w in describe(stored, w) } }
                    var prefs = stored
                    for (name, value) in r.arguments.settings {
                        try apply(name, value, to: &prefs)
                    }
                    try await messaging.setPrefs(prefs, for: r.principal)
                    let saved = prefs
                    return Reply { w in [w.t("messaging.saved")] + describe(saved, w) }
                }),
            BotCommand(
                name: "letter", aliases: ["письмо"], action: .sendLetter,
                usage: Localized("cmd.letter.usage"), summary: Localized("cmd.letter.summary"),
                details: Localized("cmd.letter.details"),
                grammar: [.required(.schoolClass), .required(.text)],
                run: { r in
                    let text = (try r.arguments.freeText.required())
                    let (id, schoolClass, recipients) = try await messaging.sendLetter(
                        text, className: (try r.arguments.schoolClass.required()), for: r.principal)
                    let author = r.principal.account.displayName
                    for recipient in recipients {
                        let language = recipient.language
                        try await delivery.deliver(
                            [
                                language.t(
                                    "messaging.informationLetter",
                                    [
                                        "id": id, "schoolClassName": schoolClass.name,
                                        "author": author, "text": text
                                    ]),
                                language.t("messaging.pleaseConfirmHaveRead", ["id": id])
                            ],
                            to: recipient.id)
                    }
                    return Reply(
                        Localized(
                            "messaging.letterSentGuardiansWho",
                            [
                                "id": id, "schoolClassName": schoolClass.name,
                                "recipientsCount": recipients.count
                            ]))
                }),
            BotCommand(
                name: "letters", aliases: ["письма"], action: .sendLetter,
                usage: Localized("cmd.letters.usage"), summary: Localized("cmd.letters.summary"),
                details: Localized("cmd.letters.details"),
                grammar: [.required(.schoolClass)],
                run: { r in
                    let letters = try await messaging.letters(
                        className: (try r.arguments.schoolClass.required()), for: r.principal)
                    guard !letters.isEmpty else { return Reply(Localized("messaging.lettersClassYet")) }
                    return Reply { w in
                        letters.prefix(10).flatMap { letter -> [String] in
                            let unread = letter.readers.filter { $0.readAt == nil }.map(\.name)
                            return [
                                "№\(letter.id) \(render.time(letter.createdAt)): «\(letter.text.prefix(60))» — "
                                    + w.t(
                                        "messaging.read",
                                        [
                                            "letter": letter.readers.count - unread.count,
                                            "readersCount": letter.readers.count
                                        ])
                                    + (unread.isEmpty ? "" : w.t("messaging.yet") + unread.joined(separator: ", "))
                            ]
                        }
                    }
                }),
            BotCommand(
                name: "read", aliases: ["прочитано", "прочитал", "прочитала"], action: .readOwnLetters,
                usage: Localized("cmd.read.usage"), summary: Localized("cmd.read.summary"),
                details: Localized("cmd.read.details"),
                grammar: [.required(.number)],
                run: { r in
                    _ = try await messaging.markRead(letter: (try r.arguments.id.required()), for: r.principal)
                    return Reply(Localized("messaging.recordedHaveReadLetter", ["id": (try r.arguments.id.required())]))
                })
        ]
    }

    /// One setting of `/notify`: its value checked (an address, a phone, a pace, quiet hours) and set.
    static func apply(_ name: String, _ value: String, to prefs: inout NotificationPrefs) throws {
        let off = ["off", "нет", "выкл"].contains(value.lowercased())
        switch name {
        case "chat":
            prefs.chat = !off
        case "email":
            guard off || (value.contains("@") && value.count <= 200 && !value.contains(" ")) else {
                throw JournalError.invalidSetting(value)
            }
            prefs.email = off ? nil : value
        case "sms":
            let digits = value.filter(\.isNumber)
            guard off || (10...15).contains(digits.count) else { throw JournalError.invalidSetting(value) }
            prefs.sms = off ? nil : "+" + digits
        case "pace":
            let paces: [String: NotificationPrefs.Pace] = [
                "instant": .instant, "сразу": .instant, "daily": .daily, "сводка": .daily
            ]
            guard let pace = paces[value.lowercased()] else { throw JournalError.invalidSetting(value) }
            prefs.pace = pace
        default:
            if off {
                prefs.quietStart = prefs.quietEnd
            } else {
                let parts = value.split(separator: "-").map(String.init)
                guard parts.count == 2, let start = TimeOfDay(parsing: parts[0]),
                    let end = TimeOfDay(parsing: parts[1]), start != end
                else {
                    throw JournalError.invalidSetting(value)
                }
                (prefs.quietStart, prefs.quietEnd) = (start, end)
            }
        }
    }

    static func describe(_ prefs: NotificationPrefs, _ i: any Wording) -> [String] {
        let on = i.t("messaging.text"), off = i.t("messaging.off")
        return [
            i.t("messaging.notificationsNewMarksAbsences"),
            i.t("messaging.chat") + (prefs.chat ? on : off) + i.t("messaging.email") + (prefs.email ?? off) + "; SMS: "
                + (prefs.sms ?? off),
            i.t("messaging.pace") + (prefs.pace == .instant ? i.t("messaging.instant") : i.t("messaging.dailySummary"))
                + i.t("messaging.quietHours")
                + (prefs.hasQuietHours ? "\(prefs.quietStart)–\(prefs.quietEnd)" : off)
        ]
    }
}
