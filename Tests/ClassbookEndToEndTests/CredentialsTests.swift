import ClassbookDomain
import ClassbookStore
import Foundation
import Testing

/// Handing out logins over TLS: one-time passwords shown once to the class teacher, and a
/// forced change at the first login.
@Suite("Credentials", .timeLimit(.minutes(2)))
struct CredentialsTests {
    @Test("a class teacher issues one-time passwords; the first login must set a new password before anything else")
    func oneTimePasswords() async throws {
        try await withServer { server in
            let school = server.school
            // A class, its class teacher, and one of its guardians made unable to log in (as imported).
            let row = try await server.store.rows(
                """
                SELECT c.name AS class, ct.login AS teacher, g.login AS guardian, s.last_name || ' ' || s.first_name
                FROM classes c JOIN accounts ct ON ct.id = c.class_teacher_id JOIN students s ON s.class_id = c.id
                JOIN guardianships gs ON gs.student_id = s.id JOIN accounts g ON g.id = gs.guardian_id
                ORDER BY c.name, s.id LIMIT 1
                """
            ).first
            let found = try #require(row)
            let className = found[0] ?? "", guardianLogin = found[2] ?? ""
            try await server.store.execute("UPDATE accounts SET password_hash = '!' WHERE login = ?", [guardianLogin])
            let guardian = try school.credential { $0.login == guardianLogin }
            // The old password no longer works.
            let refused = try await server.connect()
            await #expect(throws: (any Error).self) {
                try await refused.registerWithSASL(login: guardianLogin, password: guardian.password, nick: "x1")
            }
            await refused.close()

            let teacher = try await server.login(try school.credential { $0.login == found[1] })
            let issued = try await teacher.ask("/credentials \(className)")
            #expect(issued.first?.hasPrefix("\(className), временные пароли — 1.") == true, "\(issued)")
            let line = try #require(issued.first { $0.contains("логин \(guardianLogin), пароль ") })
            let password = String(try #require(line.components(separatedBy: "пароль ").last))
            #expect(password.range(of: #"^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$"#, options: .regularExpression) != nil)
            // Issued once: asking again issues nothing, and the password is nowhere in the database.
            #expect(
                try await teacher.ask("/credentials \(className)").first?.contains("уже есть действующие пароли")
                    == true)
            let leaked = try await server.store.int(
                "SELECT count(*) FROM audit_log WHERE new_value LIKE ? OR old_value LIKE ?",
                ["%\(password)%", "%\(password)%"])
            #expect(leaked == 0)
            let audit = try await server.store.int("SELECT count(*) FROM audit_log WHERE action = 'credentials.issue'")
            #expect(audit == 1)

            // First login with the one-time password: everything but /passwd waits.
            let parent = try await server.connect()
            try await parent.registerWithSASL(login: guardianLogin, password: password, nick: "p1")
            let notice = try await parent.botMessages()
            #expect(notice.contains { $0.parameters[1].hasPrefix("Вы вошли по временному паролю") })
            #expect(
                try await parent.ask("/marks").first?.hasPrefix("Вы вошли по временному паролю. Сначала задайте свой")
                    == true)
            #expect(try await parent.ask("/passwd коротко").first?.hasPrefix("Пароль не подходит") == true)
            #expect(try await parent.ask("/passwd \(guardianLogin)").first?.hasPrefix("Пароль не подходит") == true)
            #expect(
                try await parent.ask("/passwd новый-надёжный-пароль") == [
                    "Пароль изменён. Теперь доступны все ваши команды: /help"
                ])
            #expect(try await parent.ask("/marks").first?.hasPrefix("Вы вошли по временному паролю") == false)
            await parent.close()
            // The one-time password is spent; the new one works and asks for nothing.
            let spent = try await server.connect()
            await #expect(throws: (any Error).self) {
                try await spent.registerWithSASL(login: guardianLogin, password: password, nick: "p2")
            }
            await spent.close()
            let back = try await server.connect()
            try await back.registerWithSASL(login: guardianLogin, password: "новый-надёжный-пароль", nick: "p3")
            #expect(try await back.ask("/marks").first?.hasPrefix("Вы вошли по временному паролю") == false)
            await back.close()

            // A reset for one person, by login.
            let reset = try await teacher.ask("/credentials reset \(className) \(guardianLogin)")
            #expect(reset.count == 3 && reset[1].contains("логин \(guardianLogin), пароль "), "\(reset)")
            await teacher.close()
        }
    }
}
