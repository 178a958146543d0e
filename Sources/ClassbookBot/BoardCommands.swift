import ClassbookDomain
import ClassbookText
import Foundation

/// The forum through the bot: boards, threads, replies, moderation.
enum BoardCommands {
    static func table(boards: BoardService, delivery: any BotDelivery, render: DiaryRendering) -> [BotCommand] {
        let member: [AccessPolicy.Action] = [.joinSchoolBoard, .joinStaffBoard, .joinParentsBoard, .joinStudentsBoard]
        return [
            BotCommand(
                name: "boards", aliases: ["доски", "форум"], actions: member,
                usage: Localized("cmd.boards.usage"),
                summary: Localized("cmd.boards.summary"),
                details: Localized("cmd.boards.details"),
                run: { i in
                    let list = try await boards.boards(of: i.principal!)
                    return BotReply(lines: [i.t("board.boardsEnterJoinName")] + list.map(\.name))
                }),
            BotCommand(
                name: "threads", aliases: ["темы"], actions: member,
                usage: Localized("cmd.threads.usage"),
                summary: Localized("cmd.threads.summary"),
                details: Localized("cmd.threads.details"),
                run: { i in
                    guard let name = i.arguments.first, let board = try await boards.board(named: name),
                          try await boards.isMember(i.principal!, of: board) else { throw JournalError.noSuchBoard(i.arguments.first ?? "") }
                    let threads = try await boards.boards.threads(board: board.name, limit: 20)
                    guard !threads.isEmpty else {
                        return BotReply(i.t("board.threadsYetStartOne", ["boardName": board.name]))
                    }
                    return BotReply(lines: [i.t("board.threads", ["boardName": board.name])] + threads.map { thread in
                        "№\(thread.start.id) «\(thread.start.title ?? "")» — \(thread.start.authorNick), " + i.t("board.replies", ["replies": thread.replies])
                            + ", \(render.time(thread.lastAt))"
                    })
                }),
            BotCommand(
                name: "thread", aliases: ["тема"], actions: member,
                usage: Localized("cmd.thread.usage"),
                summary: Localized("cmd.thread.summary"),
                details: Localized("cmd.thread.details"),
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
                        return BotReply(i.t("board.threadStartedReplyReply", ["id": post.id, "title": title, "boardName": board.name]))
                    }
                    var words = i.arguments
                    let page = ReportCommands.pageNumber(&words)
                    guard let first = words.first, let id = Int64(first.trimmingCharacters(in: CharacterSet(charactersIn: "#№"))) else {
                        throw JournalError.nothingToDo
                    }
                    let (root, _) = try await boards.visiblePost(id, for: principal)
                    let posts = try await boards.boards.thread(id: root.threadID ?? root.id)
                    let lines = [i.t("board.thread", ["root": root.threadID ?? root.id, "posts": posts.first?.title ?? ""])]
                        + posts.dropFirst(posts.first?.title == nil ? 0 : 1).map { "№\($0.id) \(render.time($0.createdAt)) \($0.authorNick): \($0.text)" }
                    return BotReply(lines: ReportCommands.page(lines, number: page, next: "/thread \(id)", i))
                }),
            BotCommand(
                name: "reply", aliases: ["ответ"], actions: member,
                usage: Localized("cmd.reply.usage"),
                summary: Localized("cmd.reply.summary"),
                details: Localized("cmd.reply.details"),
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
                    return BotReply(i.t("board.replyPostedThread", ["id": post.id, "post": post.threadID ?? post.id]))
                }),
            BotCommand(
                name: "hide", aliases: ["скрыть"], action: .moderateBoard,
                usage: Localized("cmd.hide.usage"),
                summary: Localized("cmd.hide.summary"),
                details: Localized("cmd.hide.details"),
                run: { i in
                    guard i.arguments.count >= 2, let id = Int64(i.arguments[0].trimmingCharacters(in: CharacterSet(charactersIn: "#№"))) else {
                        throw JournalError.nothingToDo
                    }
                    let post = try await boards.hide(id, reason: i.arguments.dropFirst().joined(separator: " "), for: i.principal!)
                    return BotReply(i.t("board.postHidden", ["id": post.id, "board": post.board]))
                }),
        ]
    }
}
