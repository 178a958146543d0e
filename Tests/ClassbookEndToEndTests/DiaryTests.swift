import ClassbookDomain
import ClassbookStore
import Foundation
import Testing

@Suite("The diary over TLS", .timeLimit(.minutes(2)))
struct DiaryTests {
    /// The child's marks in the second quarter, read straight from the database and
    /// rendered the way the diary shows them: `Алгебра: 5 4к 3с`.
    static func expectedMarkLines(guardian login: String, in store: TestStore) async throws -> Set<String> {
        let rows = try await store.rows(
            """
            SELECT sub.name AS subject, m.value, m.kind FROM marks m
            JOIN lessons l ON l.id = m.lesson_id JOIN subjects sub ON sub.id = l.subject_id
            JOIN guardianships g ON g.student_id = m.student_id JOIN accounts a ON a.id = g.guardian_id
            WHERE a.login = ? AND l.date BETWEEN '2026-11-05' AND '2026-12-27'
            ORDER BY l.date, l.number, m.id
            """, [login])
        var bySubject: [String: [String]] = [:]
        var order: [String] = []
        for row in rows {
            let (subject, value, kind) = (row[0] ?? "", row[1] ?? "", row[2] ?? "")
            var token = value == "pass" ? "зач" : value == "fail" ? "незач" : value
            if kind == "control" { token += "к" }
            if kind == "independent" { token += "с" }
            if bySubject[subject] == nil { order.append(subject) }
            bySubject[subject, default: []].append(token)
        }
        return Set(order.map { "\($0): " + bySubject[$0]!.joined(separator: " ") })
    }

    @Test("/marks shows exactly the guardian's child's marks for the current quarter, with averages")
    func marksAreExactlyTheChilds() async throws {
        try await withServer { server in
            let school = server.school
            let guardian = try school.guardianWithOneChild
            let child = guardian.children[0]
            let client = try await server.login(guardian)
            let reply = try await client.ask("/marks")
            let header = try #require(reply.first)
            #expect(
                header.hasPrefix(
                    child.replacingOccurrences(of: " (", with: ", ").replacingOccurrences(of: ")", with: "")))
            #expect(header.contains("2 четверть"))
            let expected = try await Self.expectedMarkLines(guardian: guardian.login, in: server.store)
            #expect(!expected.isEmpty)
            let subjectLines = reply.dropFirst().dropLast()
            let shown = Set(subjectLines.map { $0.components(separatedBy: " — средний").first! })
            #expect(shown == expected)
            #expect(subjectLines.filter { $0.contains(" — средний ") }.count >= expected.count - 1)
            // The same through the Russian alias and the raw verb.
            #expect(try await client.ask("/оценки") == reply)
            #expect(try await client.askRaw("MARKS") == reply)
            await client.close()
        }
    }

    @Test("another family's child is refused exactly like a child that does not exist")
    func otherFamilyRefused() async throws {
        try await withServer { server in
            let school = server.school
            let parent = try school.guardianWithTwoChildren
            let strangersChild = try school.childOfAnotherFamily(than: parent)
            let client = try await server.login(parent)
            for command in ["marks", "absences", "ack"] {
                let refusal = try await client.ask("/\(command) \(strangersChild)")
                let missing = try await client.ask("/\(command) Несуществующий Ребёнок")
                #expect(refusal == missing, "\(command)")
                #expect(
                    refusal == [
                        "Среди ваших детей такого нет. Назовите ребёнка по имени или фамилии (достаточно начала)."
                    ], "\(command)")
            }
            // Nothing was acknowledged for anyone.
            let count = try await server.store.int("SELECT count(*) FROM acknowledgements")
            #expect(count == 0)
            // Naming no child, a parent of two is asked which one.
            let which = try await client.ask("marks")
            #expect(which.count == 1 && which[0].hasPrefix("Укажите ребёнка: "))
            await client.close()

            // A guardian of one child gets, for someone else's child and for a made-up name,
            // the same answer but for the words echoed back.
            let single = try school.guardianWithOneChild
            let othersChild = try school.childOfAnotherFamily(than: single)
            let singleClient = try await server.login(single)
            for command in ["marks", "absences", "ack"] {
                let refusal = try await singleClient.ask("/\(command) \(othersChild)")
                let missing = try await singleClient.ask("/\(command) Абвгд Еёжз")
                #expect(!refusal.isEmpty && !refusal[0].contains("—"), "\(command): \(refusal)")
                #expect(
                    refusal.map { $0.replacingOccurrences(of: othersChild, with: "?") }
                        == missing.map { $0.replacingOccurrences(of: "Абвгд Еёжз", with: "?") }, "\(command)")
            }
            await singleClient.close()
        }
    }

    @Test("a guardian with two children names one by part of the name")
    func twoChildren() async throws {
        try await withServer { server in
            let school = server.school
            let parent = try school.guardianWithTwoChildren
            let client = try await server.login(parent)
            for child in parent.children {
                let firstName = child.components(separatedBy: " ")[1]
                let reply = try await client.ask("marks \(firstName.prefix(4))")
                #expect(reply.first?.hasPrefix(TestSchool.nameWithoutClass(child)) == true, "\(reply)")
            }
            await client.close()
        }
    }

    @Test("/ack and /consent are recorded, audited and survive a server restart")
    func ackAndConsentSurviveRestart() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        let guardian = try school.guardianWithOneChild
        var server = try await RunningServer.start(school)
        var client = try await server.login(guardian)
        let ack = try await client.ask("/ack")
        #expect(ack.count == 1 && ack[0].hasPrefix("Записано: вы ознакомились с дневником"))
        #expect(try await client.ask("/consent").first?.contains("не записано") == true)
        let consent = try await client.ask("/согласие нет")
        #expect(consent.first?.hasPrefix("Записан отказ") == true)
        #expect(try await client.ask("/consent yes").first?.hasPrefix("Записано: согласие") == true)
        await client.close()
        try await server.stop()

        server = try await RunningServer.start(school)
        client = try await server.login(guardian)
        let again = try await client.ask("/ознакомлен")
        #expect(
            again.count == 1 && again[0].contains("Новых записей в дневнике")
                && again[0].contains("Последнее ознакомление: 20.11.2026 15:00"))
        #expect(
            try await client.ask("consent").first?.hasPrefix(
                "Согласие на обработку персональных данных и получение информации в электронном виде дано 20.11.2026 "
                    + "15:00"
            ) == true)
        // The refusal was kept, not overwritten; both decisions and the acknowledgement are in the audit chain.
        let decisions = try await server.store.strings("SELECT decision FROM consents ORDER BY id")
        let audited = try await server.store.strings(
            "SELECT action FROM audit_log WHERE action IN ('consent.record', 'diary.acknowledge') ORDER BY id")
        let covered = try await server.store.int("SELECT count(*) FROM acknowledgement_entries") ?? 0
        #expect(decisions == ["refused", "granted"])
        #expect(audited == ["diary.acknowledge", "consent.record", "consent.record"])
        #expect(covered > 0)
        await client.close()
        try await server.stop()
    }

    @Test("/absences lists missed lessons with reasons; /lang en switches the language")
    func absencesAndLanguage() async throws {
        try await withServer { server in
            let school = server.school
            let guardian = try school.guardianWithOneChild
            let client = try await server.login(guardian)
            let absences = try await client.ask("пропуски 1")
            #expect(absences.first?.contains("пропуски, 1 четверть") == true)
            #expect(try await client.ask("lang en") == ["I will answer in English from now on."])
            let english = try await client.ask("absences 1")
            #expect(english.first?.contains("absences, term 1") == true)
            #expect(english.count == absences.count)
            #expect(
                try await client.ask("/marks 9") == ["No such reporting period: \"9\". Give its number, for example 2."]
            )
            await client.close()
        }
    }

    @Test("a student sees their own marks and cannot acknowledge or consent")
    func student() async throws {
        try await withServer { server in
            let school = server.school
            let student = try school.credential { $0.roles == [.student] }
            let client = try await server.login(student)
            let marks = try await client.ask("marks")
            let lastAndFirst = student.name.components(separatedBy: " ").prefix(2).joined(separator: " ")
            #expect(marks.first?.hasPrefix(lastAndFirst) == true)
            #expect(try await client.ask("ack") == ["Команда /ack вам недоступна. Список ваших команд: /help"])
            #expect(
                try await client.ask("consent да") == ["Команда /consent вам недоступна. Список ваших команд: /help"])
            await client.close()
        }
    }
}
