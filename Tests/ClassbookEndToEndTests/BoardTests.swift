import ClassbookDomain
import ClassbookStore
import Foundation
import IRC
import Testing

/// Boards (forum) as IRC channels over TLS: membership by role, posts and threads, topics,
/// history and moderation.
@Suite("Boards", .timeLimit(.minutes(2)))
struct BoardTests {
    struct Cast {
        var className: String
        var guardians: [DemoSchoolGenerator.Credential]
        var classTeacher: DemoSchoolGenerator.Credential
        var board: String { "#\(className.lowercased())-родители" }
    }

    /// A class with two guardians of different families, and its class teacher.
    static func cast(_ server: RunningServer) async throws -> Cast {
        let rows = try await server.store.rows(
            """
            SELECT c.name AS class, ct.login AS teacher, g.login AS guardian FROM classes c
            JOIN accounts ct ON ct.id = c.class_teacher_id
            JOIN students s ON s.class_id = c.id JOIN guardianships gs ON gs.student_id = s.id
            JOIN accounts g ON g.id = gs.guardian_id
            WHERE c.name = (SELECT min(name) FROM classes) ORDER BY s.id
            """)
        var guardians: [DemoSchoolGenerator.Credential] = []
        for row in rows {
            let credential = try server.school.credential { $0.login == row[2] }
            if !guardians.contains(where: {
                $0.login == credential.login
                    || $0.name.split(separator: " ")[0].prefix(4) == credential.name.split(separator: " ")[0].prefix(4)
            }) {
                guardians.append(credential)
            }
        }
        return Cast(
            className: rows[0][0] ?? "", guardians: Array(guardians.prefix(2)),
            classTeacher: try server.school.credential { $0.login == rows[0][1] })
    }

    @Test("members join their boards; others are refused with 473, names that can be neither board nor room with 403")
    func membership() async throws {
        try await withServer { server in
            let c = try await Self.cast(server)
            let parent = try await server.login(c.guardians[0], nick: "parent1")
            try await parent.send("JOIN \(c.board)")
            let joined = try await parent.expect("JOIN") { $0.command == "JOIN" }
            #expect(joined.parameters == [c.board] && joined.source?.hasPrefix("\(c.guardians[0].login)!") == true)
            let names = try await parent.expectNumeric("353")
            #expect(names.parameters.last == c.guardians[0].login)
            _ = try await parent.expectNumeric("366")
            try await parent.send("JOIN #school")
            _ = try await parent.expect("JOIN #school") { $0.command == "JOIN" && $0.parameters == ["#school"] }
            try await parent.send("JOIN #staff")
            #expect(try await parent.expectNumeric("473").parameters[1] == "#staff")
            // A class where this guardian has no child.
            let classes = try await server.store.strings("SELECT name FROM classes")
            let otherClass = try #require(
                classes.first { name in !c.guardians[0].children.contains { $0.hasSuffix("(\(name))") } })
            try await parent.send("JOIN #\(otherClass.lowercased())-родители")
            _ = try await parent.expectNumeric("473")
            // A name that is no board and cannot be a room (rooms open on any free valid name).
            try await parent.send("JOIN #no!such")
            _ = try await parent.expectNumeric("403")
            // A student's board is for students and teachers, not guardians; a student may not enter #school.
            try await parent.send("JOIN #\(c.className.lowercased())")
            _ = try await parent.expectNumeric("473")
            let student = try await server.login(
                try server.school.credential { $0.roles == [.student] }, nick: "pupil1")
            try await student.send("JOIN #school")
            _ = try await student.expectNumeric("473")
            // NAMES of a board one is not on shows nobody.
            try await student.send("NAMES \(c.board)")
            let end = try await student.consume(until: "366") { $0.command == "366" }
            #expect(!end.contains { $0.command == "353" })
            for client in [parent, student] { await client.close() }
        }
    }

    @Test(
        "a post reaches the other members with its msgid, a reply carries +draft/reply, and both are kept as a thread")
    func postsAndThreads() async throws {
        try await withServer { server in
            let c = try await Self.cast(server)
            let a = try await server.login(
                c.guardians[0], nick: "parentA", capabilities: "sasl message-tags echo-message")
            let b = try await server.login(c.guardians[1], nick: "parentB", capabilities: "sasl message-tags")
            for client in [a, b] {
                try await client.send("JOIN \(c.board)")
                _ = try await client.expectNumeric("366")
            }
            _ = try await a.expect("B joins") {
                $0.command == "JOIN" && $0.source?.hasPrefix("\(c.guardians[1].login)!") == true
            }
            // A thread started through the bot reaches those on the board.
            let started = try await a.ask("/thread new \(c.board) Экскурсия в музей")
            #expect(started.first?.hasPrefix("Тема №1 «Экскурсия в музей» открыта на \(c.board)") == true, "\(started)")
            let announced = try await b.expect("the thread") {
                $0.command == "PRIVMSG" && $0.parameters.first == c.board
            }
            #expect(announced.parameters[1] == "Экскурсия в музей")
            let root = try #require(announced.tag("msgid"))
            // A reply from a client, with +draft/reply.
            try await b.send("@+draft/reply=\(root) PRIVMSG \(c.board) :Мы поедем!")
            let reply = try await a.expect("the reply") {
                $0.command == "PRIVMSG" && $0.parameters == [c.board, "Мы поедем!"]
            }
            #expect(
                reply.tag("+draft/reply") == root && reply.source?.hasPrefix("\(c.guardians[1].login)!") == true
                    && reply.tag("msgid") != nil)
            // A plain message echoed back to its author (echo-message) and relayed to the other.
            try await a.send("PRIVMSG \(c.board) :Всем добрый вечер")
            let echo = try await a.expect("echo") {
                $0.command == "PRIVMSG" && $0.parameters.last == "Всем добрый вечер"
            }
            let relayed = try await b.expect("relay") {
                $0.command == "PRIVMSG" && $0.parameters.last == "Всем добрый вечер"
            }
            #expect(echo.tag("msgid") == relayed.tag("msgid"))

            let threads = try await b.ask("/threads \(c.board)")
            #expect(
                threads.count == 2 && threads[1].hasPrefix("№1 «Экскурсия в музей» — ")
                    && threads[1].contains("ответов: 1"), "\(threads)")
            let thread = try await b.ask("/thread 1")
            #expect(
                thread.first == "Тема №1 «Экскурсия в музей»:"
                    && thread.last?.hasSuffix("\(c.guardians[1].login): Мы поедем!") == true, "\(thread)")
            let answered = try await a.ask("/reply 1 Отлично, спасибо")
            #expect(answered == ["Ответ №4 записан в теме №1."])
            #expect(
                try await b.expect("bot reply relayed") {
                    $0.command == "PRIVMSG" && $0.parameters.last == "Отлично, спасибо"
                }.tag("+draft/reply") == root)
            // Someone not on the board cannot post to it or read its threads.
            let stranger = try await server.login(
                try server.school.credential { $0.roles == [.student] }, nick: "stranger")
            try await stranger.send("PRIVMSG \(c.board) :привет")
            _ = try await stranger.expectNumeric("404")
            #expect(try await stranger.ask("/thread 1") == ["Нет сообщения №1 на ваших досках."])
            let count = try await server.store.int("SELECT count(*) FROM board_posts")
            #expect(count == 4)
            for client in [a, b, stranger] { await client.close() }
        }
    }

    @Test(
        """
        topics are set by the class teacher; history is served with draft/chathistory in a batch; hidden posts \
        disappear
        """
    )
    func topicsHistoryModeration() async throws {
        try await withServer { server in
            let c = try await Self.cast(server)
            let parent = try await server.login(
                c.guardians[0], nick: "parentA", capabilities: "sasl message-tags batch draft/chathistory server-time")
            let teacher = try await server.login(c.classTeacher, nick: "teacherA")
            for client in [parent, teacher] {
                try await client.send("JOIN \(c.board)")
                _ = try await client.expectNumeric("366")
            }
            try await parent.send("TOPIC \(c.board) :Наш класс")
            _ = try await parent.expectNumeric("482")
            try await teacher.send("TOPIC \(c.board) :Родители \(c.className): объявления и вопросы")
            let topic = try await parent.expect("TOPIC") { $0.command == "TOPIC" }
            #expect(topic.parameters == [c.board, "Родители \(c.className): объявления и вопросы"])
            try await parent.send("TOPIC \(c.board)")
            #expect(
                try await parent.expectNumeric("332").parameters.last == "Родители \(c.className): объявления и вопросы"
            )

            for text in ["первое", "второе", "третье"] { try await parent.send("PRIVMSG \(c.board) :\(text)") }
            _ = try await teacher.expect("third") { $0.command == "PRIVMSG" && $0.parameters.last == "третье" }
            try await parent.send("CHATHISTORY LATEST \(c.board) * 10")
            let batch = try await parent.consume(until: "BATCH end") {
                $0.command == "BATCH" && $0.parameters.first?.hasPrefix("-") == true
            }
            let start = try #require(
                batch.first { $0.command == "BATCH" && $0.parameters.first?.hasPrefix("+") == true })
            #expect(start.parameters.dropFirst().first == "chathistory")
            let history = batch.filter { $0.command == "PRIVMSG" }
            #expect(history.map { $0.parameters[1] } == ["первое", "второе", "третье"])
            #expect(
                history.allSatisfy {
                    $0.tag("batch") == String(start.parameters[0].dropFirst()) && $0.tag("time") != nil
                })

            // Moderation: the guardian may not hide; the class teacher may, with a reason, audited.
            #expect(
                try await parent.ask("/hide 2 спам") == ["Команда /hide вам недоступна. Список ваших команд: /help"])
            #expect(try await teacher.ask("/hide 2 не по теме") == ["Сообщение №2 на \(c.board) скрыто."])
            try await parent.send("CHATHISTORY LATEST \(c.board) * 10")
            let after = try await parent.consume(until: "BATCH end") {
                $0.command == "BATCH" && $0.parameters.first?.hasPrefix("-") == true
            }
            #expect(after.filter { $0.command == "PRIVMSG" }.map { $0.parameters[1] } == ["первое", "третье"])
            let hiddenKept = try await server.store.value("SELECT hidden_reason FROM board_posts WHERE id = 2")
            let audited = try await server.store.int(
                "SELECT count(*) FROM audit_log WHERE action = 'board.hide' AND new_value = 'не по теме'")
            #expect(hiddenKept == "не по теме" && audited == 1)
            // A stranger's history request fails.
            let stranger = try await server.login(
                try server.school.credential { $0.roles == [.student] }, capabilities: "sasl draft/chathistory")
            try await stranger.send("CHATHISTORY LATEST \(c.board) * 10")
            let fail = try await stranger.expect("FAIL") { $0.command == "FAIL" }
            #expect(fail.parameters.prefix(2) == ["CHATHISTORY", "INVALID_TARGET"])
            for client in [parent, teacher, stranger] { await client.close() }
        }
    }
}
