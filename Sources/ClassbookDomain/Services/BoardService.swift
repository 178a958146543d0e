import Foundation

/// Boards (forum): which exist, who is a member of which (by the access table), posts,
/// threads and moderation.
public struct BoardService: Sendable {
    public let boards: any BoardRepository
    public let journal: JournalService
    public let diary: DiaryService

    public init(boards: any BoardRepository, journal: JournalService, diary: DiaryService) {
        self.boards = boards
        self.journal = journal
        self.diary = diary
    }

    /// Every board of the school.
    public func all() async throws -> [Board] {
        var result = [Board(kind: .school), Board(kind: .staff)]
        for schoolClass in try await journal.journal.classes() {
            result += [
                Board(kind: .parents(schoolClass.id, schoolClass.name)),
                Board(kind: .students(schoolClass.id, schoolClass.name))
            ]
        }
        return result
    }

    /// The board a channel name names: `#7а-родители`, `#7A-parents`, `#7а`, `#school`, `#staff`.
    public func board(named name: String) async throws -> Board? {
        guard name.hasPrefix("#") else { return nil }
        let key = DiaryService.normalize(String(name.dropFirst()))
        if key == "school" || key == "школа" { return Board(kind: .school) }
        if key == "staff" || key == "учителя" { return Board(kind: .staff) }
        let parts = key.split(separator: "-", maxSplits: 1).map(String.init)
        guard
            let schoolClass = try await journal.journal.classes().first(where: {
                JournalService.sameClassName($0.name, parts[0])
            })
        else {
            return nil
        }
        if parts.count == 1 { return Board(kind: .students(schoolClass.id, schoolClass.name)) }
        return ["родители", "parents"].contains(parts[1])
            ? Board(kind: .parents(schoolClass.id, schoolClass.name)) : nil
    }

    /// How a person stands to a board's class.
    func relations(of principal: Principal, to board: Board) async throws -> Set<AccessPolicy.Relation> {
        guard let classID = board.classID else { return [.unrelated] }
        var relations: Set<AccessPolicy.Relation> = []
        if principal.has(.guardian),
            try await diary.diary.studentsInCare(of: principal.account.id).contains(where: { $0.classID == classID })
        {
            relations.insert(.guardianOf)
        }
        if principal.has(.student), try await diary.diary.student(ownedBy: principal.account.id)?.classID == classID {
            relations.insert(.isStudent)
        }
        if principal.has(.teacher),
            try await journal.journal.assignments(teacher: principal.account.id).contains(where: {
                $0.classID == classID
            })
        {
            relations.insert(.teachesClass)
        }
        if try await journal.journal.classes().first(where: { $0.id == classID })?.classTeacher == principal.account.id
        {
            relations.insert(.classTeacherOf)
        }
        return relations.isEmpty ? [.unrelated] : relations
    }

    public func isMember(_ principal: Principal, of board: Board) async throws -> Bool {
        AccessPolicy.allows(
            board.joinAction, for: principal.account.roles, relations: try await relations(of: principal, to: board))
    }

    public func mayModerate(_ principal: Principal, _ board: Board) async throws -> Bool {
        AccessPolicy.allows(
            .moderateBoard, for: principal.account.roles, relations: try await relations(of: principal, to: board))
    }

    /// The boards a person belongs to.
    public func boards(of principal: Principal) async throws -> [Board] {
        var result: [Board] = []
        for board in try await all() where try await isMember(principal, of: board) { result.append(board) }
        return result
    }

    /// A member's post; a reply names its thread by the thread's post (id or msgid), or by any post in it.
    public func post(
        _ text: String, on board: Board, replyTo parent: BoardPost?, title: String?, nick: String, msgid: String,
        for principal: Principal
    ) async throws -> BoardPost {
        guard try await isMember(principal, of: board) else { throw JournalError.noSuchBoard(board.name) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw JournalError.emptyText }
        let threadID = parent.map { $0.threadID ?? $0.id }
        return try await boards.addPost(
            board: board.name, threadID: threadID, title: title, author: principal.account.id, authorNick: nick,
            text: trimmed, msgid: msgid, at: journal.clock.now())
    }

    /// A post the person may see (on a board they belong to, not hidden), by id.
    public func visiblePost(_ id: Int64, for principal: Principal) async throws -> (BoardPost, Board) {
        guard let post = try await boards.post(id: id), !post.hidden, let board = try await board(named: post.board),
            try await isMember(principal, of: board)
        else { throw JournalError.noSuchPost(id) }
        return (post, board)
    }

    /// `/hide 12 причина`: the post disappears from listings and history but stays in the record.
    public func hide(_ id: Int64, reason: String, for principal: Principal) async throws -> BoardPost {
        guard let post = try await boards.post(id: id), let board = try await board(named: post.board),
            try await isMember(principal, of: board) || principal.has(.admin)
        else { throw JournalError.noSuchPost(id) }
        guard try await mayModerate(principal, board) else {
            throw JournalError.notAllowed(.moderateBoard, className: board.name, subject: nil)
        }
        let trimmed = reason.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw JournalError.emptyText }
        guard try await boards.hide(post: id, reason: trimmed, context: journal.audit(principal)) else {
            throw JournalError.noSuchPost(id)
        }
        return post
    }
}
