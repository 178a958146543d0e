import ClassbookDomain
import Foundation

/// Notification settings and information letters.
enum MessagingCommands {
    static func table(messaging: MessagingService, delivery: any BotDelivery, render: DiaryRendering) -> [BotCommand] {
        [
            BotCommand(
                name: "notify", aliases: ["уведомления"], action: .manageOwnSettings,
                usage: Localized(ru: "/notify [chat on|off] [email АДРЕС|off] [sms ТЕЛЕФОН|off] [pace instant|daily] [quiet 21:00-07:00|off]",
                                 en: "/notify [chat on|off] [email ADDRESS|off] [sms PHONE|off] [pace instant|daily] [quiet 21:00-07:00|off]"),
                summary: Localized(ru: "как сообщать о новых оценках, пропусках и замечаниях", en: "how to tell you of new marks, absences and remarks"),
                details: Localized(
                    ru: "Без аргументов — ваши настройки. chat — в чат; email, sms — по почте и SMS; pace daily — одной сводкой в день (в конце тихих часов); quiet — тихие часы, в которые ничего не приходит (по умолчанию 21:00–07:00). Пример: /notify email ivanova@example.ru pace daily",
                    en: "Without arguments, your settings. chat: in chat; email, sms: by mail and SMS; pace daily: one summary a day (at the end of quiet hours); quiet: hours when nothing arrives (21:00–07:00 by default). Example: /notify email me@example.org pace daily"),
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
                    return BotReply(lines: [i.t("Записано.", "Saved.")] + describe(prefs, i))
                }),
            BotCommand(
                name: "letter", aliases: ["письмо"], action: .sendLetter,
                usage: Localized(ru: "/letter класс текст", en: "/letter class text"),
                summary: Localized(ru: "информационное письмо всем родителям класса", en: "an information letter to every guardian of the class"),
                details: Localized(ru: "Каждый родитель получит письмо (и при следующем входе, если не в сети) и подтвердит прочтение командой /read номер. Кто прочитал: /letters класс.",
                                   en: "Every guardian gets it (at their next login if away) and confirms with /read number. Who read it: /letters class."),
                run: { i in
                    guard let className = i.arguments.first, i.arguments.count >= 2 else { throw JournalError.emptyText }
                    let text = i.arguments.dropFirst().joined(separator: " ")
                    let (id, schoolClass, recipients) = try await messaging.sendLetter(text, className: className, for: i.principal!)
                    let author = i.principal!.account.displayName
                    for recipient in recipients {
                        let ru = recipient.language == .ru
                        try await delivery.deliver([ru ? "Информационное письмо №\(id) (\(schoolClass.name), \(author)): \(text)"
                                                       : "Information letter #\(id) (\(schoolClass.name), \(author)): \(text)",
                                                    ru ? "Подтвердите прочтение: /read \(id)" : "Please confirm you have read it: /read \(id)"],
                                                   to: recipient.id)
                    }
                    return BotReply(i.t("Письмо №\(id) отправлено родителям \(schoolClass.name): \(recipients.count). Кто прочитал: /letters \(schoolClass.name)",
                                        "Letter #\(id) sent to \(recipients.count) guardians of \(schoolClass.name). Who read it: /letters \(schoolClass.name)"))
                }),
            BotCommand(
                name: "letters", aliases: ["письма"], action: .sendLetter,
                usage: Localized(ru: "/letters класс", en: "/letters class"),
                summary: Localized(ru: "письма класса и кто их прочитал", en: "the class's letters and who read them"),
                details: Localized(ru: "Для каждого письма — сколько родителей подтвердили прочтение и кто ещё нет.",
                                   en: "For each letter, how many guardians confirmed reading it and who has not."),
                run: { i in
                    guard let className = i.arguments.first else { throw JournalError.nothingToDo }
                    let letters = try await messaging.letters(className: className, for: i.principal!)
                    guard !letters.isEmpty else { return BotReply(i.t("Писем классу ещё не было.", "No letters to the class yet.")) }
                    return BotReply(lines: letters.prefix(10).flatMap { letter -> [String] in
                        let unread = letter.readers.filter { $0.readAt == nil }.map(\.name)
                        return ["№\(letter.id) \(render.time(letter.createdAt)): «\(letter.text.prefix(60))» — "
                                + i.t("прочитали \(letter.readers.count - unread.count) из \(letter.readers.count)",
                                      "read by \(letter.readers.count - unread.count) of \(letter.readers.count)")
                                + (unread.isEmpty ? "" : i.t("; не прочитали: ", "; not yet: ") + unread.joined(separator: ", "))]
                    })
                }),
            BotCommand(
                name: "read", aliases: ["прочитано", "прочитал", "прочитала"], action: .readOwnLetters,
                usage: Localized(ru: "/read номер", en: "/read number"),
                summary: Localized(ru: "подтвердить прочтение письма классного руководителя", en: "confirm you have read the class teacher's letter"),
                details: Localized(ru: "Номер — из письма.", en: "The number is in the letter."),
                run: { i in
                    guard let first = i.arguments.first, let id = Int64(first.trimmingCharacters(in: CharacterSet(charactersIn: "#№"))) else {
                        throw JournalError.nothingToDo
                    }
                    _ = try await messaging.markRead(letter: id, for: i.principal!)
                    return BotReply(i.t("Записано: вы прочитали письмо №\(id).", "Recorded: you have read letter #\(id)."))
                }),
        ]
    }

    static func describe(_ prefs: NotificationPrefs, _ i: BotInvocation) -> [String] {
        let on = i.t("вкл", "on"), off = i.t("выкл", "off")
        return [i.t("Уведомления о новых оценках, пропусках и замечаниях:", "Notifications of new marks, absences and remarks:"),
                i.t("чат: ", "chat: ") + (prefs.chat ? on : off) + i.t("; почта: ", "; email: ") + (prefs.email ?? off) + "; SMS: " + (prefs.sms ?? off),
                i.t("темп: ", "pace: ") + (prefs.pace == .instant ? i.t("сразу", "instant") : i.t("сводка раз в день", "a daily summary"))
                    + i.t("; тихие часы: ", "; quiet hours: ")
                    + (prefs.hasQuietHours ? "\(prefs.quietStart)–\(prefs.quietEnd)" : off)]
    }
}
