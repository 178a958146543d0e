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

    public init(
        id: Int64, board: String, threadID: Int64?, title: String?, author: AccountID, authorNick: String, text: String,
        msgid: String, createdAt: Date, hidden: Bool
    ) {
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

/// A room: a private group conversation someone opened (`JOIN #name` on a free name), which
/// people join only by invitation. Unlike a board, its membership is its own, not the school's.
public struct Room: Sendable, Equatable {
    /// The name as it was created (`#Родители-7а`); looked up by `Room.key(_:)`.
    public var name: String
    public var creator: AccountID
    public var createdAt: Date

    public init(name: String, creator: AccountID, createdAt: Date) {
        self.name = name
        self.creator = creator
        self.createdAt = createdAt
    }

    /// A room name case-folded (Cyrillic too, ё as е): `#Родители-7А` and `#родители-7а` are one room.
    public static func key(_ name: String) -> String { DiaryService.normalize(name) }

    /// `#` and 1 to 32 letters (any alphabet), digits, `-` and `_`.
    public static func isValidName(_ name: String) -> Bool {
        guard name.hasPrefix("#") else { return false }
        let body = name.dropFirst()
        return (1...32).contains(body.count) && body.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    }
}

public struct RoomMember: Sendable, Equatable {
    public var account: AccountID
    /// The room's operator (its creator): may invite.
    public var isOperator: Bool

    public init(account: AccountID, isOperator: Bool) {
        self.account = account
        self.isOperator = isOperator
    }
}

/// Who may open rooms: the school's `rooms:` setting.
public enum RoomCreation: String, Sendable, CaseIterable {
    case everyone
    case staff
    case off
}

public protocol BoardRepository: Sendable {
    func addPost(
        board: String, threadID: Int64?, title: String?, author: AccountID, authorNick: String, text: String,
        msgid: String, at: Date
    ) async throws -> BoardPost
    func post(id: Int64) async throws -> BoardPost?
    func post(msgid: String) async throws -> BoardPost?
    func threads(board: String, limit: Int) async throws -> [BoardThread]
    func thread(id: Int64) async throws -> [BoardPost]
    /// The latest visible posts of a board, oldest first; before/after a post's id when given.
    func history(board: String, before: Int64?, after: Int64?, limit: Int) async throws -> [BoardPost]
    func hide(post: Int64, reason: String, context: AuditContext) async throws -> Bool
    func topic(board: String) async throws -> (text: String, setBy: String, at: Date)?
    func setTopic(board: String, text: String, setBy: String, context: AuditContext) async throws

    // MARK: Rooms
    /// Creates a room with its creator as its operator (audited); nil when the name is taken.
    func createRoom(name: String, creator: AccountID, context: AuditContext) async throws -> Room?
    func room(named name: String) async throws -> Room?
    func roomMembers(_ room: Room) async throws -> [RoomMember]
    /// Adds a member (audited with who invited them); false when they were one already.
    func addRoomMember(_ room: Room, account: AccountID, context: AuditContext) async throws -> Bool
    /// Removes a member (audited); false when they were not one.
    func removeRoomMember(_ room: Room, account: AccountID, context: AuditContext) async throws -> Bool
    func rooms(of account: AccountID) async throws -> [Room]

    // MARK: Read markers (`draft/read-marker`)
    /// The moment up to which the account has read a conversation (a board, a room, a person), if recorded.
    func readMarker(account: AccountID, target: String) async throws -> Date?
    /// Moves the marker forward (never back); returns the marker now in force.
    func advanceReadMarker(account: AccountID, target: String, to: Date) async throws -> Date
}
