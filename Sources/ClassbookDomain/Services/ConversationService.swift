import Foundation

/// Person-to-person conversation: who may write to whom (the access table's `writeTo`), rooms
/// people open themselves, and how far each account has read each conversation.
public struct ConversationService: Sendable {
    public let boards: BoardService
    /// The school's `rooms:` setting.
    public let roomCreation: RoomCreation

    public init(boards: BoardService, roomCreation: RoomCreation = .everyone) {
        self.boards = boards
        self.roomCreation = roomCreation
    }

    private var repository: any BoardRepository { boards.boards }
    private var diary: any DiaryRepository { boards.diary.diary }
    private var journal: any JournalRepository { boards.journal.journal }

    public enum RoomError: Error, Equatable {
        /// Not `#` and 1–32 letters, digits, `-`, `_`.
        case invalidName
        /// The school does not let this person open rooms (`rooms: staff | off`).
        case notAllowed
        /// A board or another room has that name.
        case taken
        /// Only the room's operator invites.
        case notOperator
        /// The invitee is a member already.
        case alreadyMember
        /// The inviter may not write to the invitee (answered as for a nick that does not exist).
        case unreachable
    }

    // MARK: Who may write to whom

    /// True when `principal` may write to `target` directly or invite them to a room. Staff may
    /// write to anyone; families only to those the access table names (`AccessPolicy.Action.writeTo`).
    public func mayWrite(_ principal: Principal, to target: Account) async throws -> Bool {
        if target.id == principal.account.id { return true }
        let roles = principal.account.roles
        // A row without a relation (staff) allows whatever the relation: no reads needed.
        if AccessPolicy.allows(.writeTo, for: roles, relations: []) { return true }
        return AccessPolicy.allows(
            .writeTo, for: roles, relations: try await relations(of: principal.account, to: target))
    }

    /// How `person` stands to `target` as someone to write to.
    func relations(of person: Account, to target: Account) async throws -> Set<AccessPolicy.Relation> {
        var relations: Set<AccessPolicy.Relation> = []
        if !target.roles.isDisjoint(with: [.deputy, .director, .admin]) { relations.insert(.administration) }
        let own = try await familyStudents(of: person)
        guard !own.isEmpty else { return relations }
        let ownClasses = Set(own.map(\.classID))
        let ownStudents = Set(own.map(\.id))
        if !target.roles.isDisjoint(with: [.teacher, .classTeacher]) {
            let taught = try await journal.assignments(teacher: target.id).map(\.classID)
            let run = try await journal.classes().filter { $0.classTeacher == target.id }.map(\.id)
            if !ownClasses.isDisjoint(with: taught + run) { relations.insert(.staffOfOwnClass) }
        }
        if target.roles.contains(.guardian) {
            let theirs = try await diary.studentsInCare(of: target.id)
            if theirs.contains(where: { ownStudents.contains($0.id) }) && person.roles.contains(.student) {
                relations.insert(.ownFamily)
            }
            if theirs.contains(where: { ownClasses.contains($0.classID) }) { relations.insert(.familyOfOwnClass) }
        }
        if target.roles.contains(.student), person.roles.contains(.guardian),
            let student = try await diary.student(ownedBy: target.id),
            ownStudents.contains(student.id)
        {
            relations.insert(.ownFamily)
        }
        return relations
    }

    /// A guardian's children and, for a student, themself: whose classes are "their class".
    private func familyStudents(of account: Account) async throws -> [Student] {
        var students: [Student] = []
        if account.roles.contains(.guardian) { students += try await diary.studentsInCare(of: account.id) }
        if account.roles.contains(.student), let own = try await diary.student(ownedBy: account.id) {
            students.append(own)
        }
        return students
    }

    // MARK: Rooms

    /// Whether the school lets this person open rooms.
    public func mayCreateRooms(_ principal: Principal) -> Bool {
        switch roomCreation {
        case .off: false
        case .staff: !principal.account.roles.isDisjoint(with: [.teacher, .classTeacher, .deputy, .director, .admin])
        case .everyone: AccessPolicy.allows(.createRoom, for: principal.account.roles, relations: [])
        }
    }

    /// A room by name (case-folded); nil when none, or when the name is a board's.
    public func room(named name: String) async throws -> Room? {
        guard Room.isValidName(name) else { return nil }
        return try await repository.room(named: name)
    }

    /// Opens a room with the person as its operator.
    public func createRoom(_ name: String, for principal: Principal) async throws -> Room {
        guard Room.isValidName(name) else { throw RoomError.invalidName }
        guard mayCreateRooms(principal) else { throw RoomError.notAllowed }
        guard try await boards.board(named: name) == nil else { throw RoomError.taken }
        guard
            let room = try await repository.createRoom(
                name: name, creator: principal.account.id,
                context: AuditContext(principal: principal, at: boards.journal.clock.now()))
        else { throw RoomError.taken }
        return room
    }

    /// The person's membership of the room, if any.
    public func membership(of principal: Principal, in room: Room) async throws -> RoomMember? {
        try await repository.roomMembers(room).first { $0.account == principal.account.id }
    }

    public func members(of room: Room) async throws -> [RoomMember] {
        try await repository.roomMembers(room)
    }

    /// Adds `invitee` to the room: the inviter must be its operator and may invite only people
    /// they may write to.
    public func invite(_ invitee: Account, to room: Room, by principal: Principal) async throws {
        guard try await mayWrite(principal, to: invitee) else { throw RoomError.unreachable }
        guard try await membership(of: principal, in: room)?.isOperator == true else { throw RoomError.notOperator }
        guard
            try await repository.addRoomMember(
                room, account: invitee.id,
                context: AuditContext(principal: principal, at: boards.journal.clock.now()))
        else { throw RoomError.alreadyMember }
    }

    /// The person leaves the room (PART): they need a new invitation to come back.
    public func leave(_ room: Room, for principal: Principal) async throws {
        _ = try await repository.removeRoomMember(
            room, account: principal.account.id,
            context: AuditContext(principal: principal, at: boards.journal.clock.now()))
    }

    /// A member's message to a room, kept for its history (`CHATHISTORY`); a reply names its
    /// thread by any post in it.
    public func post(
        _ text: String, in room: Room, replyTo parent: BoardPost?, nick: String, msgid: String,
        for principal: Principal
    ) async throws -> BoardPost {
        guard try await membership(of: principal, in: room) != nil else { throw JournalError.noSuchBoard(room.name) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw JournalError.emptyText }
        return try await repository.addPost(
            board: room.name, threadID: parent.map { $0.threadID ?? $0.id }, title: nil,
            author: principal.account.id, authorNick: nick, text: trimmed, msgid: msgid,
            at: boards.journal.clock.now())
    }

    public func rooms(of principal: Principal) async throws -> [Room] {
        try await repository.rooms(of: principal.account.id)
    }

    // MARK: Read markers

    public func readMarker(of principal: Principal, in target: String) async throws -> Date? {
        try await repository.readMarker(account: principal.account.id, target: target)
    }

    /// Moves the account's read marker forward; returns the one in force (a later one stays).
    public func markRead(_ target: String, at date: Date, for principal: Principal) async throws -> Date {
        try await repository.advanceReadMarker(account: principal.account.id, target: target, to: date)
    }
}
