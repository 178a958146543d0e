import ClassbookDomain
import Foundation
import IRC
import Testing

/// `CLASSBOOK PROFILE`, `TOKEN` and `FORGET`: what the web client reads in machine-readable form,
/// over real TLS sockets. Each reads and issues only the asker's own things.
@Suite("CLASSBOOK, the web client's verb", .timeLimit(.minutes(2)))
struct WebClientProtocolTests {
    /// The CLASSBOOK lines answering `CLASSBOOK PROFILE`, up to `END PROFILE`.
    static func profile(_ client: IRCTestClient) async throws -> [IRCMessage] {
        try await client.send("CLASSBOOK PROFILE")
        return try await client.consume(until: "END PROFILE") {
            $0.command == "CLASSBOOK" && $0.parameters == ["END", "PROFILE"]
        }
        .filter { $0.command == "CLASSBOOK" }
    }

    @Test("a guardian's profile: who, the children, the staff to write to, and the commands a guardian may run")
    func guardianProfile() async throws {
        try await withServer { server in
            let guardian = try server.school.guardianWithTwoChildren
            let client = try await server.login(guardian)
            let lines = try await Self.profile(client)
            #expect(lines.first?.parameters == ["PROFILE", guardian.login, "guardian", "ru", "0", guardian.name])
            let children = lines.filter { $0.parameters[0] == "CHILD" }.map {
                "\($0.parameters[2]) (\($0.parameters[1]))"
            }
            #expect(children.sorted() == guardian.children.sorted())
            let contacts = lines.filter { $0.parameters[0] == "CONTACT" }
            #expect(contacts.contains { $0.parameters[2].contains("классный руководитель") }, "\(contacts)")
            #expect(contacts.count == Set(contacts.map { $0.parameters[1] }).count, "each person once")
            let commands = Dictionary(
                lines.filter { $0.parameters[0] == "COMMAND" }.map { ($0.parameters[1], $0.parameters[2]) }
            ) { a, _ in a }
            #expect(commands["marks"] == "optional" && commands["ack"] == "optional" && commands["help"] == "optional")
            #expect(commands["mark"] == nil && commands["journal"] == nil, "no teacher's commands")
            let marks = lines.first { $0.parameters[0] == "USAGE" && $0.parameters[1] == "marks" }
            #expect(marks?.parameters[2] == "/marks [ребёнок] [предмет] [период]")
            // The same commands /help lists for this person.
            let help = try await client.ask("/help")
            for (name, _) in commands { #expect(help.contains { $0.hasPrefix("/\(name)") }, "\(name) is not in /help") }
            #expect(help.count == commands.count + 2, "\(help.count) lines of /help for \(commands.count) commands")
            await client.close()
        }
    }

    @Test("a teacher's journal commands need arguments; staff get no children or contacts")
    func teacherProfile() async throws {
        try await withServer { server in
            let teacher = try server.school.credential { $0.roles == [.teacher] }
            let client = try await server.login(teacher)
            let lines = try await Self.profile(client)
            #expect(lines.first?.parameters.prefix(5) == ["PROFILE", teacher.login, "teacher", "ru", "0"])
            #expect(!lines.contains { ["CHILD", "CONTACT"].contains($0.parameters[0]) })
            let commands = Dictionary(
                lines.filter { $0.parameters[0] == "COMMAND" }.map { ($0.parameters[1], $0.parameters[2]) }
            ) { a, _ in a }
            #expect(commands["mark"] == "required" && commands["lesson"] == "required")
            #expect(commands["marks"] == nil && commands["ack"] == nil)
            await client.close()
        }
    }

    @Test("TOKEN issues a device token that logs in; FORGET revokes one's own and no one else's")
    func tokenAndForget() async throws {
        try await withServer { server in
            let guardian = try server.school.guardianWithOneChild
            let other = try server.school.guardianWithTwoChildren
            let phone = try await server.login(guardian)
            try await phone.send("CLASSBOOK TOKEN web Chrome Android")
            let issued = try await phone.expect("TOKEN") { $0.command == "CLASSBOOK" && $0.parameters.first == "TOKEN" }
            let token = issued.parameters[1]
            #expect(token.wholeMatch(of: /cbt-[0-9a-f]{40}/) != nil && issued.parameters[2] == "web Chrome Android")
            #expect(try await DeviceTokenTests.logsIn(server, guardian.login, token))
            #expect(try await phone.ask("/sessions").contains { $0.hasPrefix("1. web Chrome Android — ") })
            // Someone else cannot revoke it, even knowing it.
            let stranger = try await server.login(other)
            try await stranger.send("CLASSBOOK FORGET \(token)")
            #expect(
                try await stranger.expect("FORGET") { $0.command == "CLASSBOOK" }.parameters == ["FORGET", "UNKNOWN"])
            #expect(try await DeviceTokenTests.logsIn(server, guardian.login, token))
            try await phone.send("CLASSBOOK FORGET \(token)")
            #expect(try await phone.expect("FORGET") { $0.command == "CLASSBOOK" }.parameters == ["FORGET", "OK"])
            #expect(try await !DeviceTokenTests.logsIn(server, guardian.login, token))
            try await phone.send("CLASSBOOK WHATEVER")
            #expect(
                try await phone.expect("FAIL") { $0.command == "FAIL" }.parameters.prefix(3) == [
                    "CLASSBOOK", "INVALID_PARAMS", "WHATEVER"
                ])
            try await phone.send("CLASSBOOK")
            _ = try await phone.expectNumeric("461")
            await phone.close()
            await stranger.close()
        }
    }

    @Test("with a one-time password the profile says so, and no token is issued until it is replaced")
    func oneTimePassword() async throws {
        try await withServer { server in
            let guardian = try server.school.guardianWithOneChild
            try await server.store.execute(
                "UPDATE accounts SET must_change_password = (1 = 1) WHERE login = ?", [guardian.login])
            let client = try await server.login(guardian)
            #expect(try await Self.profile(client).first?.parameters[4] == "1")
            try await client.send("CLASSBOOK TOKEN web")
            #expect(
                try await client.expect("FAIL") { $0.command == "FAIL" }.parameters.prefix(2) == [
                    "CLASSBOOK", "PASSWORD_CHANGE_REQUIRED"
                ])
            #expect(try await client.ask("/passwd новый-надёжный-пароль").first?.hasPrefix("Пароль изменён") == true)
            #expect(try await Self.profile(client).first?.parameters[4] == "0")
            await client.close()
        }
    }

    @Test("the published command table matches /help for every role, with forms, parts and the person's choices")
    func commandTable() async throws {
        try await withServer { server in
            let school = server.school
            let people = [
                try school.guardianWithTwoChildren, try school.credential { $0.roles == [.student] },
                try school.credential { $0.roles == [.teacher] },
                try school.credential { $0.roles.contains(.classTeacher) },
                try school.credential { $0.roles == [.deputy] }, try school.credential { $0.roles == [.director] },
                try school.credential { $0.roles == [.admin] }
            ]
            for person in people {
                let client = try await server.login(person)
                try await client.send("CLASSBOOK COMMANDS")
                let lines = try await client.consume(until: "END COMMANDS") {
                    $0.command == "CLASSBOOK" && $0.parameters == ["END", "COMMANDS"]
                }
                .map(\.parameters).filter { $0[0] != "END" }
                let commands = lines.filter { $0[0] == "COMMAND" }
                let usages = Dictionary(uniqueKeysWithValues: lines.filter { $0[0] == "USAGE" }.map { ($0[1], $0[2]) })
                // /help: a heading, "usage — summary" for each command, a closing line.
                let help = try await client.ask("/help")
                #expect(
                    Array(help.dropFirst().dropLast()) == commands.map { "\(usages[$0[1]]!) — \($0[3])" },
                    "\(person.roles)")
                for command in commands {
                    let forms = lines.filter { $0[0] == "FORM" && $0[1] == command[1] }
                    #expect(!forms.isEmpty && forms.allSatisfy { $0[3].hasPrefix("/\(command[1])") }, "\(command)")
                    let parts = lines.filter { $0[0] == "PART" && $0[1] == command[1] }
                    #expect(command[2] == (parts.isEmpty ? "none" : command[2]), "\(command) has parts but says none")
                    #expect(parts.allSatisfy { ["required", "optional"].contains($0[4]) && !$0[5].isEmpty }, "\(parts)")
                }
                if person.roles == [.guardian] {
                    // The children switch's names are the choices of a child.
                    let choices = Set(
                        lines.filter { $0[0] == "CHOICE" && $0[1] == "marks" && $0[3] == "child" }.map { $0[4] })
                    #expect(choices == Set(person.children.map { $0.components(separatedBy: " (")[0] }), "\(choices)")
                    #expect(lines.contains(["CHOICE", "consent", "1", "keyword", "да"]))
                }
                await client.close()
            }
        }
    }
}
