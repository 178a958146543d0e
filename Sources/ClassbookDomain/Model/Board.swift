import Foundation

/// A board (forum) of the school, shown to IRC clients as a channel.
public struct Board: Sendable, Equatable, Hashable {
    public enum Kind: Sendable, Equatable, Hashable {
        /// `#school`: staff and guardians.
        case school
        /// `#staff`.
        case staff
        /// `#7а-родители`: a class's guardians and its teachers.
        case parents(ClassID, String)
        /// `#7а`: a class's students and its teachers.
        case students(ClassID, String)
    }

    public var kind: Kind

    public init(kind: Kind) { self.kind = kind }

    /// The channel name: `#school`, `#staff`, `#7а-родители`, `#7а`.
    public var name: String {
        switch kind {
        case .school: "#school"
        case .staff: "#staff"
        case .parents(_, let className): "#\(className.lowercased())-родители"
        case .students(_, let className): "#\(className.lowercased())"
        }
    }

    public var joinAction: AccessPolicy.Action {
        switch kind {
        case .school: .joinSchoolBoard
        case .staff: .joinStaffBoard
        case .parents: .joinParentsBoard
        case .students: .joinStudentsBoard
        }
    }

    public var classID: ClassID? {
        switch kind {
        case .parents(let id, _), .students(let id, _): id
        default: nil
        }
    }
}

/// A post on a board: a thread's start (with a title), a reply in a thread, or a plain message.
public struct BoardPost: Sendable, Equatable {
    public var id: Int64
    public var board: String
    public var threadID: Int64?
    public var title: String?
    public var author: AccountID
    public var authorNick: String
    public var text: String
    public var msgid: String
    public var createdAt: Date
    public var hidden: Bool

    public init(id: Int64, board: String, threadID: Int64?, title: String?, author: AccountID, authorNick: String, text: String,
                msgid: String, createdAt: Date, hidden: Bool) {
        self.id = id
        self.board = board
        self.threadID = threadID
        self.title = title
        self.author = author
        self.authorNick = authorNick
        self.text = text
        self.msgid = msgid
        self.createdAt = createdAt
        self.hidden = hidden
    }
}

/// A thread as listed: its first post, how many replies and when the last came.
public struct BoardThread: Sendable, Equatable {
    public var start: BoardPost
    public var replies: Int
    public var lastAt: Date

    public init(start: BoardPost, replies: Int, lastAt: Date) {
        self.start = start
        self.replies = replies
        self.lastAt = lastAt
    }
}

public protocol BoardRepository: Sendable {
    func addPost(board: String, threadID: Int64?, title: String?, author: AccountID, authorNick: String, text: String,
                 msgid: String, at: Date) async throws -> BoardPost
    func post(id: Int64) async throws -> BoardPost?
    func post(msgid: String) async throws -> BoardPost?
    func threads(board: String, limit: Int) async throws -> [BoardThread]
    func thread(id: Int64) async throws -> [BoardPost]
    /// The latest visible posts of a board, oldest first; before/after a post's id when given.
    func history(board: String, before: Int64?, after: Int64?, limit: Int) async throws -> [BoardPost]
    func hide(post: Int64, reason: String, context: AuditContext) async throws -> Bool
    func topic(board: String) async throws -> (text: String, setBy: String, at: Date)?
    func setTopic(board: String, text: String, setBy: String, context: AuditContext) async throws
}
