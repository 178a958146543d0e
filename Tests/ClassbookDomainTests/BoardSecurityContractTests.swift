import ClassbookDomain
import Foundation
import Testing

/// Boards, rooms, read markers, locks and breach reports, the same on every backend: one script
/// of every call against the same demo school in a new store of each, compared between them.
@Suite("Boards and security contract")
struct BoardSecurityContractTests {
    typealias Transcript = JournalContractTests.Transcript
    static func at(_ minute: Int) -> Date { JournalContractTests.at(minute) }

    static func script(_ store: SchoolStore, snapshot: SchoolSnapshot) async throws -> [String] {
        let (boards, security) = (store.boards, store.security)
        var t = Transcript()
        let teacher = try #require(try await store.journal.staff(login: snapshot.lessons[0].teacherLogin))
        let other = try #require(try await security.account(login: snapshot.people[1].login))
        func context(_ minute: Int, _ actor: AccountID? = nil) -> AuditContext {
            AuditContext(actor: actor ?? teacher.id, sessionID: "s", at: at(minute))
        }
        // Boards: a thread with replies, one hidden, history both ways, the topic.
        let start = try await boards.addPost(
            board: "#5а", threadID: nil, title: "Экскурсия", author: teacher.id, authorNick: "t", text: "Кто едет?",
            msgid: "p1", at: at(1))
        t.note("start", start)
        for minute in 2...4 {
            _ = try await boards.addPost(
                board: "#5а", threadID: start.id, title: nil, author: other.id, authorNick: "o", text: "Я \(minute)",
                msgid: "p\(minute)", at: at(minute))
        }
        t.note("hide", try await boards.hide(post: start.id + 2, reason: "флуд", context: context(5)))
        t.note("hide again", try await boards.hide(post: start.id + 2, reason: "флуд", context: context(5)))
        t.note("post", try await boards.post(id: start.id + 2) as Any)
        t.note("by msgid", try await boards.post(msgid: "p4") as Any)
        t.note("no post", try await boards.post(msgid: "nope") as Any)
        t.note("threads", try await boards.threads(board: "#5а", limit: 5))
        t.note("thread", try await boards.thread(id: start.id).map(\.msgid))
        t.note("latest", try await boards.history(board: "#5а", before: nil, after: nil, limit: 2).map(\.msgid))
        t.note(
            "before", try await boards.history(board: "#5а", before: start.id + 3, after: nil, limit: 5).map(\.msgid))
        t.note("after", try await boards.history(board: "#5а", before: nil, after: start.id, limit: 5).map(\.msgid))
        t.note("no topic", try await boards.topic(board: "#5а") as Any)
        try await boards.setTopic(board: "#5а", text: "Родители 5А", setBy: "t", context: context(6))
        try await boards.setTopic(board: "#5а", text: "Родители 5 А", setBy: "t", context: context(7))
        t.note("topic", try await boards.topic(board: "#5а").map { "\($0.text) \($0.setBy) \($0.at)" } as Any)

        // Rooms and read markers.
        let room = try #require(try await boards.createRoom(name: "#Кружок", creator: teacher.id, context: context(8)))
        t.note("room", room)
        t.note("taken", try await boards.createRoom(name: "#кружок", creator: other.id, context: context(9)) as Any)
        t.note("named", try await boards.room(named: "#КРУЖОК") as Any)
        t.note("invite", try await boards.addRoomMember(room, account: other.id, context: context(10)))
        t.note("invite again", try await boards.addRoomMember(room, account: other.id, context: context(11)))
        t.note("members", try await boards.roomMembers(room))
        t.note("rooms", try await boards.rooms(of: other.id))
        t.note("leave", try await boards.removeRoomMember(room, account: other.id, context: context(12)))
        t.note("leave again", try await boards.removeRoomMember(room, account: other.id, context: context(12)))
        t.note("no marker", try await boards.readMarker(account: other.id, target: "#5А") as Any)
        t.note("marker", try await boards.advanceReadMarker(account: other.id, target: "#5А", to: at(20)))
        t.note("not back", try await boards.advanceReadMarker(account: other.id, target: "#5а", to: at(15)))
        t.note("read", try await boards.readMarker(account: other.id, target: "#5а") as Any)

        // Marks entered by the account, then a breach reported: the later ones are voided.
        let schoolClass = try #require(try await store.journal.classes().first)
        let pupil = try #require(try await store.journal.students(inClass: schoolClass.id, on: snapshot.yearEnd).first)
        let lesson = try await store.journal.lesson(
            classID: schoolClass.id, group: nil, subject: try #require(try await store.journal.subjects().first).id,
            teacher: teacher.id, date: SchoolDate(year: 2026, month: 11, day: 23), number: 8, context: context(13))
        _ = try await store.journal.writeMarks(
            [MarkWrite(student: pupil.id, value: .grade(2), kind: "oral", comment: nil)], lesson: lesson.id,
            context: context(14))
        _ = try await store.journal.writeMarks(
            [MarkWrite(student: pupil.id, value: .grade(5), kind: "test", comment: nil)], lesson: lesson.id,
            context: context(21))
        t.note("alerts to", try await security.alertRecipients().map(\.login))
        t.note("no breach", try await security.latestBreach(of: teacher.id) as Any)
        let alerted = other.id
        t.note(
            "voided",
            try await security.reportBreach(
                teacher.id, at: at(20), context: context(22, nil),
                alerts: { voided in [.chat(alerted, lines: ["утечка: \(voided.count)"], deliverAfter: nil)] }))
        t.note("locked", try await security.account(login: teacher.login).map(\.isLocked) as Any)
        t.note(
            "lock again",
            try await security.lock(
                teacher.id, reason: "x", context: context(23),
                alerts: [.chat(alerted, lines: ["заблокирован"], deliverAfter: nil)]))
        // The breach's alert was saved with it; the lock that changed nothing saved none.
        t.note(
            "alerts saved",
            try await store.texts("SELECT text FROM bot_outbox WHERE account_id = \(alerted.rawValue) ORDER BY id"))
        t.note("breach", try await security.latestBreach(of: teacher.id) as Any)
        t.note(
            "operations",
            try await security.operations(of: teacher.id, from: at(0), through: at(30), reportedAt: at(20)).map {
                "\($0.at) \($0.action) \($0.entity) \($0.entityID) \($0.afterReport)"
            })
        try await security.unlock(teacher.id, hash: "h", context: context(24))
        await t.attempt("unlock nobody") {
            try await security.unlock(AccountID(999_999), hash: "h", context: context(24))
        }
        t.note(
            "unlocked",
            try await security.account(login: teacher.login).map { "\($0.isLocked) \($0.mustChangePassword)" } as Any)
        t.note("lock", try await security.lock(teacher.id, reason: "попытки", context: context(25)))
        return t.lines
    }

    @Test(
        """
        every board, room, read marker and security call returns the same on every backend, a breach voiding the \
        marks the account entered after the report; the audit texts match and verify
        """)
    func boardsAndSecurityBehaveTheSame() async throws {
        let stores = try await SchoolContractTests.schools()
        defer { for store in stores { store.close() } }
        var transcripts: [[String]] = []
        for store in stores { transcripts.append(try await Self.script(store, snapshot: SchoolContractTests.snapshot)) }
        let sqlite = transcripts[0]
        #expect(sqlite.contains { $0.hasPrefix("voided: [\"marks #") })
        #expect(sqlite.contains("alerts saved: [\"утечка: 1\"]"), "\(sqlite)")
        #expect(sqlite.contains("hide again: false") && sqlite.contains("not back: 2026-11-18 11:26:40 +0000"))
        try await SchoolStore.expectSame(transcripts, stores)
        try await SchoolStore.expectVerified(stores)
    }
}
