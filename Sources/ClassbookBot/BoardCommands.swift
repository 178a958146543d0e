import ClassbookDomain
import Foundation

/// The forum through the bot: boards, threads, replies, moderation.
enum BoardCommands {
    static func table(boards: BoardService, delivery: any BotDelivery, render: DiaryRendering) -> [BotCommand] {
        let member: [AccessPolicy.Action] = [.joinSchoolBoard, .joinStaffBoard, .joinParentsBoard, .joinStudentsBoard]
        return [
            BotCommand(
                name: "boards", aliases: ["доски", "форум"], actions: member,
                usage: Localized(ru: "/boards", en: "/boards"),
                summary: Localized(ru: "ваши доски (форум): #school, #7а-родители, …", en: "your boards (forum): #school, #7а-родители, …"),
                details: Localized(ru: "Доски — каналы IRC: войдите командой /join #7а-родители. Темы: /threads доска.",
                                   en: "Boards are IRC channels: /join #7а-родители. Threads: /threads board."),
                run: { i in
                    let list = try await boards.boards(of: i.principal!)
                    return BotReply(lines: [i.t("Ваши доски (войти: /join имя):", "Your boards (enter with /join name):")] + list.map(\.name))
                }),
            BotCommand(
                name: "threads", aliases: ["темы"], actions: member,
                usage: Localized(ru: "/threads доска", en: "/threads board"),
                summary: Localized(ru: "темы доски", en: "a board's threads"),
                details: Localized(ru: "Последние темы: номер, заголовок, ответов, последний ответ. Читать: /thread номер.",
                                   en: "The latest threads: number, title, replies, last reply. Read: /thread number."),
                run: { i in
                    guard let name = i.arguments.first, let board = try await boards.board(named: name),
                          try await boards.isMember(i.principal!, of: board) else { throw JournalError.noSuchBoard(i.arguments.first ?? "") }
                    let threads = try await boards.boards.threads(board: board.name, limit: 20)
                    guard !threads.isEmpty else {
                        return BotReply(i.t("На \(board.name) тем пока нет. Начать: /thread new \(board.name) заголовок", "No threads on \(board.name) yet. Start one: /thread new \(board.name) title"))
                    }
                    return BotReply(lines: [i.t("Темы \(board.name):", "Threads of \(board.name):")] + threads.map { thread in
                        "№\(thread.start.id) «\(thread.start.title ?? "")» — \(thread.start.authorNick), " + i.t("ответов: \(thread.replies)", "\(thread.replies) replies")
                            + ", \(render.time(thread.lastAt))"
                    })
                }),
            BotCommand(
                name: "thread", aliases: ["тема"], actions: member,
                usage: Localized(ru: "/thread номер [стр N] | /thread new доска заголовок", en: "/thread number [page N] | /thread new board title"),
                summary: Localized(ru: "читать тему или начать новую", en: "read a thread or start one"),
                details: Localized(ru: "Пример: /thread new #7а-родители Поездка в музей. Ответить: /reply номер текст (или ответом в клиенте с поддержкой +draft/reply).",
                                   en: "Example: /thread new #7а-родители Museum trip. Reply: /reply number text (or a reply in a client that supports +draft/reply)."),
                run: { i in
                    let principal = i.principal!
                    if i.arguments.first?.lowercased() == "new" || i.arguments.first?.lowercased() == "новая" {
                        guard i.arguments.count >= 3, let board = try await boards.board(named: i.arguments[1]) else {
                            throw JournalError.noSuchBoard(i.arguments.dropFirst().first ?? "")
                        }
                        let title = String(i.arguments.dropFirst(2).joined(separator: " ").prefix(200))
                        let post = try await boards.post(title, on: board, replyTo: nil, title: title, nick: principal.account.login,
                                                         msgid: Digest.messageID(), for: principal)
                        await delivery.announce(post, replyTo: nil)
                        return BotReply(i.t("Тема №\(post.id) «\(title)» открыта на \(board.name). Ответ: /reply \(post.id) текст",
                                            "Thread #\(post.id) \"\(title)\" started on \(board.name). Reply: /reply \(post.id) text"))
                    }
                    var words = i.arguments
                    let page = ReportCommands.pageNumber(&words)
                    guard let first = words.first, let id = Int64(first.trimmingCharacters(in: CharacterSet(charactersIn: "#№"))) else {
                        throw JournalError.nothingToDo
                    }
                    let (root, _) = try await boards.visiblePost(id, for: principal)
                    let posts = try await boards.boards.thread(id: root.threadID ?? root.id)
                    let lines = [i.t("Тема №\(root.threadID ?? root.id) «\(posts.first?.title ?? "")»:", "Thread #\(root.threadID ?? root.id) \"\(posts.first?.title ?? "")\":")]
                        + posts.dropFirst(posts.first?.title == nil ? 0 : 1).map { "№\($0.id) \(render.time($0.createdAt)) \($0.authorNick): \($0.text)" }
                    return BotReply(lines: ReportCommands.page(lines, number: page, next: "/thread \(id)", i))
                }),
            BotCommand(
                name: "reply", aliases: ["ответ"], actions: member,
                usage: Localized(ru: "/reply номер текст", en: "/reply number text"),
                summary: Localized(ru: "ответить в теме", en: "reply in a thread"),
                details: Localized(ru: "Номер темы или сообщения в ней — из /threads или /thread.", en: "The thread's number or a post's in it, from /threads or /thread."),
                run: { i in
                    guard i.arguments.count >= 2, let id = Int64(i.arguments[0].trimmingCharacters(in: CharacterSet(charactersIn: "#№"))) else {
                        throw JournalError.nothingToDo
                    }
                    let principal = i.principal!
                    let (parent, board) = try await boards.visiblePost(id, for: principal)
                    let post = try await boards.post(i.arguments.dropFirst().joined(separator: " "), on: board, replyTo: parent, title: nil,
                                                     nick: principal.account.login, msgid: Digest.messageID(), for: principal)
                    let root = try await boards.boards.post(id: post.threadID ?? post.id)
                    await delivery.announce(post, replyTo: root?.msgid)
                    return BotReply(i.t("Ответ №\(post.id) записан в теме №\(post.threadID ?? post.id).", "Reply #\(post.id) posted in thread #\(post.threadID ?? post.id)."))
                }),
            BotCommand(
                name: "hide", aliases: ["скрыть"], action: .moderateBoard,
                usage: Localized(ru: "/hide номер причина", en: "/hide number reason"),
                summary: Localized(ru: "скрыть сообщение на доске (модерация)", en: "hide a post (moderation)"),
                details: Localized(ru: "Классный руководитель — на досках своего класса, администратор — везде. Сообщение остаётся в записи, скрытие записывается в журнал изменений.",
                                   en: "A class teacher on their class's boards, an administrator anywhere. The post stays in the record; hiding it is audited."),
                run: { i in
                    guard i.arguments.count >= 2, let id = Int64(i.arguments[0].trimmingCharacters(in: CharacterSet(charactersIn: "#№"))) else {
                        throw JournalError.nothingToDo
                    }
                    let post = try await boards.hide(id, reason: i.arguments.dropFirst().joined(separator: " "), for: i.principal!)
                    return BotReply(i.t("Сообщение №\(post.id) на \(post.board) скрыто.", "Post #\(post.id) on \(post.board) is hidden."))
                }),
        ]
    }
}
