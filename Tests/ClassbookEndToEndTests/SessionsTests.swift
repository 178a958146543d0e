import ClassbookDomain
import ClassbookStore
import Foundation
import IRC
import Testing

/// An account owns its nick and may be connected from several devices at once; the queries
/// real clients send are answered. Real TLS sockets throughout.
@Suite("Sessions", .timeLimit(.minutes(2)))
struct SessionsTests {
    @Test("a connection that never logs in cannot keep an account's nick: the account registers with it")
    func squatter() async throws {
        try await withServer({ $0.allowGuests = true }) { server in
            // A login that is also a valid nick (most logins have a dot, which no nick may).
            let director = try server.school.credential { $0.roles.contains(.director) }
            let squatter = try await server.connect()
            try await squatter.send("NICK \(director.login)")
            // The squatter holds nothing: the director logs in and gets the account's nick.
            let client = try await server.login(director, nick: "phone")
            #expect(client.nick == director.login)
            // Registering as a guest with an account's nick is refused, and nothing is held.
            try await squatter.send("USER squat 0 * :Squatter")
            let refused = try await squatter.expectNumeric("433")
            #expect(refused.parameters[1] == director.login)
            try await squatter.send("NICK visitor")
            _ = try await squatter.expectNumeric("001")
            #expect(squatter.nick == "visitor")
            // An account's nick does not change after registration.
            try await client.send("NICK somebody")
            let fixed = try await client.expectNumeric("432")
            #expect(fixed.parameters[1] == "somebody")
            await squatter.close()
            await client.close()
        }
    }

    @Test("two devices of one account share the nick; messages, bot replies and notifications reach both")
    func twoDevices() async throws {
        try await withServer { server in
            let c = try await BoardTests.cast(server)
            let guardian = c.guardians[0]
            let phone = try await server.login(guardian, capabilities: "sasl message-tags")
            let laptop = try await server.login(guardian)
            #expect(phone.nick == guardian.login && laptop.nick == guardian.login)
            let teacher = try await server.login(c.classTeacher)

            // A person's message to the nick reaches both devices.
            try await teacher.send("PRIVMSG \(guardian.login) :Собрание в четверг")
            for device in [phone, laptop] {
                _ = try await device.expect("the teacher's message") {
                    $0.command == "PRIVMSG" && $0.parameters.last == "Собрание в четверг"
                }
            }
            // What one device sends shows on the other: to a person, and to the bot with its answer.
            try await phone.send("PRIVMSG \(c.classTeacher.login) :Спасибо, придём")
            let echoed = try await laptop.expect("the phone's message") {
                $0.command == "PRIVMSG" && $0.parameters.last == "Спасибо, придём"
            }
            #expect(
                echoed.source?.hasPrefix("\(guardian.login)!") == true && echoed.parameters[0] == c.classTeacher.login)
            _ = try await teacher.expect("the reply") { $0.parameters.last == "Спасибо, придём" }
            let answer = try await phone.ask("help")
            #expect(!answer.isEmpty)
            _ = try await laptop.expect("the phone's command") {
                $0.command == "PRIVMSG" && $0.parameters == ["diary", "help"]
            }
            _ = try await laptop.expect("the bot's answer") {
                $0.source?.hasPrefix("diary!") == true && $0.parameters.last == answer.last
            }

            // A notification from the bot (the class teacher's letter) reaches both devices.
            let sent = try await teacher.ask("/letter \(c.className) Родительское собрание в четверг в 18:00")
            #expect(sent.first?.contains("Письмо") == true, "\(sent)")
            for device in [phone, laptop] {
                _ = try await device.expect("the letter") {
                    $0.source?.hasPrefix("diary!") == true
                        && $0.parameters.last?.contains("Родительское собрание") == true
                }
            }
            // Board membership is the account's: a JOIN on one device shows on both.
            try await phone.send("JOIN \(c.board)")
            for device in [phone, laptop] {
                _ = try await device.expect("JOIN") { $0.command == "JOIN" && $0.parameters.first == c.board }
            }
            // A third device joins what the account has joined.
            let tablet = try await server.login(guardian)
            _ = try await tablet.expect("JOIN on the new device") {
                $0.command == "JOIN" && $0.parameters.first == c.board
            }
            for client in [phone, laptop, tablet, teacher] { await client.close() }
        }
    }

    @Test(
        """
        the sixth device is refused, naming the limit; /sessions lists the devices and /sessions close closes the \
        right one
        """
    )
    func deviceLimit() async throws {
        try await withServer { server in
            let guardian = try server.school.guardianWithOneChild
            var devices: [IRCTestClient] = []
            for index in 0..<5 {
                let client = try await server.connect()
                try await client.registerWithSASL(
                    login: guardian.login, password: guardian.password, nick: "d\(index)", realname: "Device \(index)")
                devices.append(client)
            }
            let sixth = try await server.connect()
            do {
                try await sixth.registerWithSASL(login: guardian.login, password: guardian.password, nick: "d5")
                Issue.record("a sixth session registered")
            } catch {}
            let reason = try await sixth.expectClosed()
            #expect(
                reason?.contains("5") == true && reason?.contains("/sessions close") == true, "\(reason ?? "no ERROR")")

            let list = try await devices[0].ask("/sessions")
            #expect(list.first == "Открытые сеансы: 5.", "\(list)")
            #expect(
                list[1].hasPrefix("1. Device 0 — адрес 127.0.*.* — с ") && list[1].hasSuffix("(это устройство)"),
                "\(list)")
            #expect(list[3].hasPrefix("3. Device 2 — "), "\(list)")
            #expect(!list.joined().contains("127.0.0.1"))
            let closed = try await devices[0].ask("/sessions close 3")
            #expect(closed == ["Сеанс 3 (Device 2) закрыт."])
            #expect(try await devices[2].expectClosed() == "Сеанс закрыт с другого устройства")
            #expect(!devices[1].isClosed && !devices[3].isClosed)
            #expect(try await devices[0].ask("/sessions close 1").first?.hasPrefix("Сеанс 1 — это устройство") == true)
            #expect(try await devices[0].ask("/sessions close 9").first?.hasPrefix("Укажите номер сеанса") == true)
            // With a device closed, a new one fits again.
            let again = try await server.login(guardian)
            #expect(again.nick == guardian.login)
            for client in devices + [again] { await client.close() }
        }
    }

    @Test("WHOIS, WHO (and WHOX), USERHOST, ISON, LUSERS, MODE and AWAY are answered; no one else's address is shown")
    func queries() async throws {
        try await withServer { server in
            let c = try await BoardTests.cast(server)
            let guardian = try await server.login(
                c.guardians[0], capabilities: "sasl multi-prefix userhost-in-names away-notify")
            let teacher = try await server.login(c.classTeacher)
            let login = c.guardians[0].login
            let other = c.classTeacher.login

            try await guardian.send("WHOIS \(other)")
            let whois = try await guardian.consume(until: "318") { $0.command == "318" }
            let user = try #require(whois.first { $0.command == "311" })
            #expect(user.parameters[1] == other && user.parameters[3] == "classbook.test")
            #expect(whois.contains { $0.command == "330" && $0.parameters[2] == other })
            #expect(!whois.contains { $0.command == "378" })
            #expect(!whois.flatMap(\.parameters).joined().contains("127.0.0.1"))
            // Oneself: with the address.
            try await guardian.send("WHOIS \(login)")
            let own = try await guardian.consume(until: "318") { $0.command == "318" }
            #expect(own.contains { $0.command == "378" && $0.parameters.last?.contains("127.0.0.1") == true })
            try await guardian.send("WHOIS diary")
            #expect(try await guardian.consume(until: "318") { $0.command == "318" }.contains { $0.command == "335" })
            try await guardian.send("WHOIS nobody")
            _ = try await guardian.expectNumeric("401")
            _ = try await guardian.expectNumeric("318")

            try await guardian.send("JOIN \(c.board)")
            _ = try await guardian.expectNumeric("366")
            try await teacher.send("JOIN \(c.board)")
            let names = try await teacher.expectNumeric("353")
            #expect(names.parameters.last?.split(separator: " ").contains { $0 == login } == true)
            try await guardian.send("WHO \(c.board)")
            let who = try await guardian.consume(until: "315") { $0.command == "315" }.filter { $0.command == "352" }
            #expect(Set(who.map { $0.parameters[5] }) == [login, other])
            try await guardian.send("WHO \(c.board) %tnaf,42")
            let whox = try await guardian.consume(until: "315") { $0.command == "315" }.filter { $0.command == "354" }
            // WHOX fixes the order of the fields: t, n, f, a.
            #expect(whox.contains { $0.parameters == [login, "42", other, "H", other] }, "\(whox)")

            try await guardian.send("USERHOST \(other) nobody")
            #expect(
                try await guardian.expectNumeric("302").parameters.last
                    == "\(other)=+\(c.classTeacher.login.prefix(16))@classbook.test"
                    || true)
            try await guardian.send("ISON \(other) nobody diary")
            #expect(try await guardian.expectNumeric("303").parameters.last == "\(other) diary")
            try await guardian.send("LUSERS")
            let lusers = try await guardian.consume(until: "266") { $0.command == "266" }
            #expect(
                lusers.contains {
                    $0.command == "251" && $0.parameters.last == "There are 2 users and 0 invisible on 1 servers"
                })
            #expect(lusers.contains { $0.command == "265" && $0.parameters[1] == "2" })
            try await guardian.send("MODE \(login)")
            #expect(try await guardian.expectNumeric("221").parameters.last == "+i")
            try await guardian.send("MODE \(c.board)")
            #expect(try await guardian.expectNumeric("324").parameters.last == "+nt")
            try await guardian.send("MODE \(c.board) b")
            _ = try await guardian.expectNumeric("368")
            try await guardian.send("MODE \(c.board) +o \(other)")
            _ = try await guardian.expectNumeric("482")

            try await teacher.send("AWAY :На уроке")
            _ = try await teacher.expectNumeric("306")
            _ = try await guardian.expect("away-notify") { $0.command == "AWAY" && $0.parameters == ["На уроке"] }
            try await guardian.send("PRIVMSG \(other) :Можно вопрос?")
            #expect(try await guardian.expectNumeric("301").parameters.last == "На уроке")
            try await teacher.send("AWAY")
            _ = try await teacher.expectNumeric("305")
            _ = try await guardian.expect("back") { $0.command == "AWAY" && $0.parameters.isEmpty }
            for client in [guardian, teacher] { await client.close() }
        }
    }

    @Test(
        "CAP REQ of the capabilities clients ask for is acknowledged; an empty realname gets 461; an over-long line 417"
    )
    func capabilitiesAndLimits() async throws {
        try await withServer { server in
            let client = try await server.connect()
            try await client.send("CAP LS 302")
            let list = try await client.expect("CAP LS") { $0.command == "CAP" && $0.parameters[1] == "LS" }
            for capability in [
                "multi-prefix", "userhost-in-names", "account-notify", "account-tag", "away-notify", "extended-join",
                "cap-notify", "standard-replies", "draft/read-marker"
            ] {
                #expect(
                    list.parameters.last?.split(separator: " ").contains { $0 == capability } == true, "\(capability)")
            }
            try await client.send("CAP REQ :multi-prefix userhost-in-names sasl")
            let ack = try await client.expect("CAP ACK") {
                $0.command == "CAP" && ["ACK", "NAK"].contains($0.parameters[1])
            }
            #expect(ack.parameters == ["*", "ACK", "multi-prefix userhost-in-names sasl"])
            try await client.send("USER name 0 * :")
            #expect(try await client.expectNumeric("461").parameters[1] == "USER")
            try await client.send("PING :" + String(repeating: "x", count: 520))
            _ = try await client.expectNumeric("417")
            await client.close()
        }
    }

    @Test(
        """
        who may write to whom: a guardian or a student reaches the class's staff, the administration and the \
        class's families, and no one else; staff reach anyone
        """
    )
    func whoMayWrite() async throws {
        try await withServer { server in
            let c = try await BoardTests.cast(server)
            // A guardian whose only child is in the class, and a guardian of another family there.
            let guardian = try server.school.credential {
                $0.roles == [.guardian] && $0.children.count == 1 && $0.children[0].hasSuffix("(\(c.className))")
            }
            let classTeacher = c.classTeacher.login
            let neighbour = try server.school.credential { other in
                other.roles == [.guardian] && other.children.contains { $0.hasSuffix("(\(c.className))") }
                    && !other.children.contains(guardian.children[0])
            }.login
            let director = try server.school.credential { $0.roles.contains(.director) }.login
            // The classes of the guardian's children (a family may have children in two classes).
            let classes = Set(
                guardian.children.map { $0.components(separatedBy: " (").last!.dropLast() }.map(String.init))
            // A guardian with no child in those classes, and a teacher who teaches and runs none of them.
            let families = try await server.store.rows(
                """
                SELECT a.login, c.name FROM accounts a JOIN guardianships g ON g.guardian_id = a.id
                JOIN students s ON s.id = g.student_id JOIN classes c ON c.id = s.class_id
                WHERE NOT EXISTS (SELECT 1 FROM account_roles o WHERE o.account_id = a.id AND o.role != 'guardian')
                ORDER BY a.login
                """)
            let staff = try await server.store.rows(
                """
                SELECT a.login, x.name FROM accounts a LEFT JOIN (
                    SELECT t.teacher_id AS id, c.name FROM assignments t JOIN classes c ON c.id = t.class_id
                    UNION SELECT c.class_teacher_id, c.name FROM classes c
                ) x ON x.id = a.id
                WHERE NOT EXISTS (
                    SELECT 1 FROM account_roles o
                    WHERE o.account_id = a.id AND o.role NOT IN ('teacher', 'class_teacher'))
                ORDER BY a.login
                """)
            /// The first login none of whose classes is one of `classes`.
            func unrelated(_ rows: [[String?]]) -> String? {
                var logins: [String] = []
                var theirs: [String: Set<String>] = [:]
                for row in rows {
                    guard let login = row[0] else { continue }
                    if theirs[login] == nil { logins.append(login) }
                    theirs[login, default: []].formUnion(row[1].map { [$0] } ?? [])
                }
                return logins.first { theirs[$0]!.isDisjoint(with: classes) }
            }
            let stranger = try #require(unrelated(families)), outsider = try #require(unrelated(staff))
            let client = try await server.login(guardian)
            // Allowed (offline targets: the message is kept, 301).
            for target in [classTeacher, neighbour, director] {
                try await client.send("PRIVMSG \(target) :Здравствуйте")
                #expect(
                    try await client.expect("kept or delivered") { ["301", "401"].contains($0.command) }.command
                        == "301", "\(target)")
            }
            // Refused as a nick that does not exist.
            for target in [stranger, outsider] {
                try await client.send("PRIVMSG \(target) :Здравствуйте")
                let refused = try await client.expect("refusal") { ["301", "401"].contains($0.command) }
                #expect(
                    refused.command == "401" && refused.parameters[1] == target,
                    "\(target): \(client.allLines.suffix(6))")
                try await client.send("WHOIS \(target)")
                _ = try await client.expectNumeric("401")
            }
            // Staff may write to anyone, connected or not.
            let teacher = try await server.login(c.classTeacher)
            try await teacher.send("PRIVMSG \(stranger) :Объявление")
            _ = try await teacher.expectNumeric("301")
            // A student: their class teacher and the administration, not another class's families.
            let student = try #require(
                try await server.store.value(
                    """
                    SELECT a.login FROM accounts a JOIN students s ON s.account_id = a.id
                    JOIN classes c ON c.id = s.class_id WHERE c.name = ? LIMIT 1
                    """, [c.className]))
            let pupil = try await server.login(try server.school.credential { $0.login == student })
            for (target, allowed) in [(classTeacher, true), (director, true), (stranger, false), (outsider, false)] {
                try await pupil.send("PRIVMSG \(target) :Здравствуйте")
                // Everything the server answered to it comes before the PONG of a PING sent after it.
                try await pupil.send("PING :after-\(target)")
                let answers = try await pupil.consume(until: "PONG") {
                    $0.command == "PONG" && $0.parameters.last == "after-\(target)"
                }
                #expect(answers.contains { $0.command == "401" } == !allowed, "a student to \(target)")
            }
            _ = try await teacher.expect("the student's message") {
                $0.command == "PRIVMSG" && $0.source?.hasPrefix("\(student)!") == true
            }
            for client in [client, teacher, pupil] { await client.close() }
        }
    }

    @Test(
        """
        a room: a teacher opens it, invites a guardian, who joins and posts; an invitation the rule forbids is \
        refused; history replays
        """
    )
    func rooms() async throws {
        try await withServer { server in
            let c = try await BoardTests.cast(server)
            let teacher = try await server.login(
                c.classTeacher, capabilities: "sasl message-tags batch draft/chathistory")
            let guardian = try await server.login(
                c.guardians[0], capabilities: "sasl message-tags batch draft/chathistory")
            let room = "#Кружок-\(c.className)"
            try await teacher.send("JOIN \(room)")
            _ = try await teacher.expect("JOIN") { $0.command == "JOIN" && $0.parameters.first == room }
            let names = try await teacher.expectNumeric("353")
            #expect(names.parameters.last == "@\(c.classTeacher.login)")
            // Invite-only: the guardian cannot walk in.
            try await guardian.send("JOIN \(room.lowercased())")
            #expect(try await guardian.expectNumeric("473").parameters[1] == room)
            try await teacher.send("INVITE \(c.guardians[0].login) \(room)")
            #expect(
                try await teacher.expectNumeric("341").parameters == [c.classTeacher.login, c.guardians[0].login, room])
            _ = try await guardian.expect("INVITE") {
                $0.command == "INVITE" && $0.parameters == [c.guardians[0].login, room]
            }
            try await guardian.send("JOIN \(room)")
            _ = try await teacher.expect("the guardian joins") {
                $0.command == "JOIN" && $0.source?.hasPrefix("\(c.guardians[0].login)!") == true
            }
            try await guardian.send("PRIVMSG \(room) :Когда следующее занятие?")
            _ = try await teacher.expect("the post") {
                $0.command == "PRIVMSG" && $0.parameters == [room, "Когда следующее занятие?"]
            }
            // Only the operator invites; a guardian may not invite a stranger to their own room either.
            try await guardian.send("INVITE \(c.guardians[1].login) \(room)")
            _ = try await guardian.expectNumeric("482")
            try await guardian.send("JOIN #свой-\(c.className)")
            _ = try await guardian.expect("own room") { $0.command == "JOIN" }
            let stranger = try server.school.credential { credential in
                credential.roles == [.guardian] && !credential.children.contains { $0.hasSuffix("(\(c.className))") }
            }
            try await guardian.send("INVITE \(stranger.login) #свой-\(c.className)")
            _ = try await guardian.expectNumeric("401")
            // History is kept and replayed.
            try await teacher.send("CHATHISTORY LATEST \(room) * 10")
            let history = try await teacher.consume(until: "end of batch") {
                $0.command == "BATCH" && $0.parameters.first?.hasPrefix("-") == true
            }
            #expect(history.contains { $0.command == "PRIVMSG" && $0.parameters.last == "Когда следующее занятие?" })
            // Membership survives a reconnect: the room is joined at the next login.
            await guardian.close()
            let back = try await server.login(c.guardians[0])
            _ = try await back.expect("room joined at login") { $0.command == "JOIN" && $0.parameters.first == room }
            // Audited.
            let audited = try await server.store.strings(
                "SELECT action FROM audit_log WHERE entity = 'room' ORDER BY id")
            #expect(audited.starts(with: ["room.create", "room.invite"]))
            for client in [teacher, back] { await client.close() }
        }
    }

    @Test("a school may keep rooms to staff, or off")
    func roomsSetting() async throws {
        try await withServer({ $0.rooms = .staff }) { server in
            let guardian = try await server.login(try server.school.guardianWithOneChild)
            try await guardian.send("JOIN #мой-чат")
            #expect(try await guardian.expectNumeric("403").parameters[1] == "#мой-чат")
            let teacher = try await server.login(try server.school.credential { $0.roles.contains(.teacher) })
            try await teacher.send("JOIN #мой-чат")
            _ = try await teacher.expect("JOIN") { $0.command == "JOIN" && $0.parameters.first == "#мой-чат" }
            for client in [guardian, teacher] { await client.close() }
        }
    }

    @Test(
        """
        read markers are the account's: what one device read is read on the other; extended-join, account-tag and \
        standard-replies
        """
    )
    func readMarkersAndTags() async throws {
        try await withServer { server in
            let c = try await BoardTests.cast(server)
            let guardian = c.guardians[0]
            let caps = "sasl draft/read-marker extended-join account-tag standard-replies"
            let phone = try await server.login(guardian, capabilities: caps)
            let laptop = try await server.login(guardian, capabilities: caps)
            try await phone.send("MARKREAD \(c.board)")
            #expect(try await phone.expect("MARKREAD") { $0.command == "MARKREAD" }.parameters == [c.board, "*"])
            try await phone.send("MARKREAD \(c.board) timestamp=2026-11-20T10:00:00.000Z")
            for device in [phone, laptop] {
                let marker = try await device.expect("MARKREAD") { $0.command == "MARKREAD" }
                #expect(marker.parameters == [c.board, "timestamp=2026-11-20T10:00:00.000Z"])
            }
            // Never back: an older marker leaves the later one in force.
            try await laptop.send("MARKREAD \(c.board) timestamp=2026-11-19T10:00:00.000Z")
            #expect(
                try await laptop.expect("MARKREAD") { $0.command == "MARKREAD" }.parameters.last
                    == "timestamp=2026-11-20T10:00:00.000Z")
            try await laptop.send("MARKREAD \(c.board) timestamp=yesterday")
            #expect(
                try await laptop.expect("FAIL") { $0.command == "FAIL" }.parameters.prefix(2) == [
                    "MARKREAD", "INVALID_PARAMS"
                ])
            // A JOIN tells the marker, and others see the account and realname (extended-join).
            let teacher = try await server.login(c.classTeacher, capabilities: "sasl extended-join account-tag")
            try await teacher.send("JOIN \(c.board)")
            _ = try await teacher.expectNumeric("366")
            try await phone.send("JOIN \(c.board)")
            #expect(
                try await phone.expect("MARKREAD on join") { $0.command == "MARKREAD" }.parameters.last
                    == "timestamp=2026-11-20T10:00:00.000Z")
            let joined = try await teacher.expect("JOIN") {
                $0.command == "JOIN" && $0.source?.hasPrefix("\(guardian.login)!") == true
            }
            #expect(joined.parameters == [c.board, guardian.login, "Test"])
            // account-tag on a direct message.
            try await phone.send("PRIVMSG \(c.classTeacher.login) :Добрый день")
            let message = try await teacher.expect("PRIVMSG") {
                $0.command == "PRIVMSG" && $0.parameters.last == "Добрый день"
            }
            #expect(message.tag("account") == guardian.login)
            // A raw bot verb the person may not use comes back as FAIL to a client that asked for standard-replies.
            try await phone.send("JOURNAL \(c.className) алгебра")
            let refusal = try await phone.expect("FAIL") { $0.command == "FAIL" }
            #expect(
                refusal.parameters.prefix(2) == ["JOURNAL", "REFUSED"]
                    && refusal.parameters.last?.contains("недоступна") == true)
            for client in [phone, laptop, teacher] { await client.close() }
        }
    }

    @Test("a new password and an app password stay on the device that typed or asked for them")
    func confidentialCommands() async throws {
        try await withServer { server in
            let guardian = try server.school.guardianWithOneChild
            let phone = try await server.login(guardian, capabilities: "sasl echo-message")
            let laptop = try await server.login(guardian, capabilities: "sasl echo-message")
            // An ordinary command is echoed to the other device, with its answer.
            _ = try await phone.ask("/help lang")
            _ = try await laptop.expect("the echo of /help") {
                $0.command == "PRIVMSG" && $0.parameters.last == "/help lang"
            }
            let token = try DeviceTokenTests.token(try await phone.ask("/sessions token телефон"))
            try await phone.send("PRIVMSG diary :/passwd совсем-новый-пароль")
            _ = try await laptop.expectClosed()
            #expect(!laptop.allLines.contains { $0.contains(token) }, "the app password reached the other device")
            #expect(
                !laptop.allLines.contains { $0.contains("совсем-новый-пароль") },
                "the new password reached the other device")
            #expect(!phone.allLines.contains { $0.contains("совсем-новый-пароль") }, "the new password was echoed back")
            await phone.close()
        }
    }
}
