import ClassbookDomain
import ClassbookText
import Foundation

/// The forum through the bot: boards, threads, replies, moderation.
enum BoardCommands {
    static func table(boards: BoardService, delivery: any BotDelivery, render: DiaryRendering) -> [BotCommand] {
        let member: [AccessPolicy.Action] = [.joinSchoolBoard, .joinStaffBoard, .joinParentsBoard, .joinStudentsBoard]
        return [
            BotCommand(
                name: "boards", aliases: ["доски", "форум"],
                usage: Localized("cmd.boards.usage"), summary: Localized("cmd.boards.summary"),
                details: Localized("cmd.boards.details"),
                forms: [
                    .init(actions: member) { r in
                        let list = try await boards.boards(of: r.principal)
                        return Reply { w in [w.t("board.boardsEnterJoinName")] + list.map(\.name) }
                    }
                ]),
            BotCommand(
                name: "threads", aliases: ["темы"],
                usage: Localized("cmd.threads.usage"), summary: Localized("cmd.threads.summary"),
                details: Localized("cmd.threads.details"),
                forms: [
                    .init([.required(.word)], actions: member) { r in
                        let name = (try r.arguments.word.required())
                        guard let board = try await boards.board(named: name),
                            try await boards.isMember(r.principal, of: board)
                        else {
                            throw JournalError.noSuchBoard(name)
                        }
                        let threads = try await boards.boards.threads(board: board.name, limit: 20)
                        guard !threads.isEmpty else {
                            return Reply(Localized("board.threadsYetStartOne", ["boardName": board.name]))
                        }
                        return Reply { w in
                            [w.t("board.threads", ["boardName": board.name])]
                                + threads.map { thread in
                                    "№\(thread.start.id) «\(thread.start.title ?? "")» — \(thread.start.authorNick), "
                                        + w.t("board.replies", ["replies": thread.replies])
                                        + ", \(render.time(thread.lastAt))"
                                }
                        }
                    }
                ]),
            BotCommand(
                name: "thread", aliases: ["тема"],
                usage: Localized("cmd.thread.usage"), summary: Localized("cmd.thread.summary"),
                details: Localized("cmd.thread.details"),
                forms: [
                    .init([.required(.number), .optional(.page)], actions: member) { r in
                        let id = (try r.arguments.id.required())
                        let (root, _) = try await boards.visiblePost(id, for: r.principal)
                        let posts = try await boards.boards.thread(id: root.threadID ?? root.id)
                        let title = Localized(
                            "board.thread", ["root": root.threadID ?? root.id, "posts": posts.first?.title ?? ""])
                        let lines = posts.dropFirst(posts.first?.title == nil ? 0 : 1).map {
                            "№\($0.id) \(render.time($0.createdAt)) \($0.authorNick): \($0.text)"
                        }
                        let page = r.arguments.page ?? 1
                        return Reply { w in
                            ReportCommands.page([title(w.language)] + lines, number: page, next: "/thread \(id)", w)
                        }
                    },
                    .init([.keyword(["new", "новая"]), .required(.word), .required(.text)], actions: member) { r in
                        let name = (try r.arguments.word.required())
                        guard let board = try await boards.board(named: name) else {
                            throw JournalError.noSuchBoard(name)
                        }
                        let title = String((try r.arguments.freeText.required()).prefix(200))
                        let post = try await boards.post(
                            title, on: board, replyTo: nil, title: title, nick: r.principal.account.login,
                            msgid: Digest.messageID(), for: r.principal)
                        await delivery.announce(post, replyTo: nil)
                        return Reply(
                            Localized(
                                "board.threadStartedReplyReply",
                                ["id": post.id, "title": title, "boardName": board.name]))
                    }
                ]),
            BotCommand(
                name: "reply", aliases: ["ответ"],
                usage: Localized("cmd.reply.usage"), summary: Localized("cmd.reply.summary"),
                details: Localized("cmd.reply.details"),
                forms: [
                    .init([.required(.number), .required(.text)], actions: member) { r in
                        let (parent, board) = try await boards.visiblePost(
                            (try r.arguments.id.required()), for: r.principal)
                        let post = try await boards.post(
                            (try r.arguments.freeText.required()), on: board, replyTo: parent, title: nil,
                            nick: r.principal.account.login, msgid: Digest.messageID(), for: r.principal)
                        let root = try await boards.boards.post(id: post.threadID ?? post.id)
                        await delivery.announce(post, replyTo: root?.msgid)
                        return Reply(
                            Localized("board.replyPostedThread", ["id": post.id, "post": post.threadID ?? post.id]))
                    }
                ]),
            BotCommand(
                name: "hide", aliases: ["скрыть"], action: .moderateBoard,
                usage: Localized("cmd.hide.usage"), summary: Localized("cmd.hide.summary"),
                details: Localized("cmd.hide.details"),
                grammar: [.required(.number), .required(.text)],
                run: { r in
                    let post = try await boards.hide(
                        (try r.arguments.id.required()), reason: (try r.arguments.freeText.required()), for: r.principal
                    )
                    return Reply(Localized("board.postHidden", ["id": post.id, "board": post.board]))
                })
        ]
    }
}
