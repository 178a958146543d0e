import ClassbookDomain
import ClassbookStore
import Foundation
import Testing

/// Teachers fill the journal over TLS and families see it: real sockets, a real SQLite file.
@Suite("The journal over TLS", .timeLimit(.minutes(2)))
struct JournalTests {
    /// A lesson held on the fixed day (Friday 20.11) in the class of a one-child guardian's
    /// child, with its teacher, and that child.
    struct Setting {
        var guardian: DemoSchoolGenerator.Credential
        var teacher: DemoSchoolGenerator.Credential
        var child: String
        var className: String
        var subject: String
        var number: Int
        var teacherName: String
    }

    static func setting(_ server: RunningServer) async throws -> Setting {
        let school = server.school
        let guardian = try school.guardianWithOneChild
        let child = TestSchool.nameWithoutClass(guardian.children[0])
        let className = String(guardian.children[0].split(separator: "(")[1].dropLast())
        let row = try await server.store.rows(
            """
            SELECT s.name AS subject, l.number, a.login, a.display_name
            FROM lessons l JOIN classes c ON c.id = l.class_id
            JOIN subjects s ON s.id = l.subject_id JOIN accounts a ON a.id = l.teacher_id
            WHERE c.name = ? AND l.date = '2026-11-20' ORDER BY l.number LIMIT 1
            """, [className]
        ).first
        let found = try #require(row)
        let teacher = try school.credential { $0.login == found[2] }
        return Setting(
            guardian: guardian, teacher: teacher, child: child, className: className, subject: found[0] ?? "",
            number: Int(found[1] ?? "") ?? 0, teacherName: found[3] ?? "")
    }

    static func count(_ server: RunningServer, _ sql: String) async throws -> Int {
        try await server.store.int(sql) ?? 0
    }

    @Test("a teacher enters a mark, corrects and deletes it; the guardian sees each step and who made it")
    func marksAndHistory() async throws {
        try await withServer { server in
            let s = try await Self.setting(server)
            let subjectWord = s.subject.split(separator: " ")[0].lowercased()
            let teacher = try await server.login(s.teacher)
            let lesson = "/mark \(s.className) \(subjectWord) 20.11 №\(s.number)"
            let saved = try await teacher.ask("\(lesson) \(s.child) 5 кр")
            #expect(
                saved.count == 1
                    && saved[0].hasPrefix("Записано: \(s.subject), пт 20.11, \(s.number)-й урок: \(s.child) — 5к."),
                "\(saved)")

            let guardian = try await server.login(s.guardian)
            let marks = try await guardian.ask("/marks")
            let line = try #require(marks.first { $0.hasPrefix(s.subject + ":") })
            #expect(line.contains("5к"))

            #expect(
                try await teacher.ask("\(lesson) \(s.child) 3 кр").first?.contains("\(s.child) — 3к (исправлено)")
                    == true)
            #expect(
                try await teacher.ask("/unmark \(s.className) \(subjectWord) 20.11 №\(s.number) \(s.child) кр")
                    == ["Удалено оценок: 1 (\(s.child), 20.11). Удаление видно в истории оценок."])
            let after = try await guardian.ask("/marks")
            #expect(after.first { $0.hasPrefix(s.subject + ":") } != line)

            let history = try await guardian.ask("/history \(subjectWord)")
            let steps = history.filter { $0.contains("урок 20.11") && $0.contains(s.teacherName) }
            #expect(
                steps.map { $0.components(separatedBy: " — ").last! } == [
                    "поставлена 5к (\(s.teacherName))", "исправлена 5к → 3к (\(s.teacherName))",
                    "удалена 3к (\(s.teacherName))"
                ], "\(history)")
            #expect(steps.allSatisfy { $0.hasPrefix("20.11.2026 15:00: \(s.subject)") })
            await teacher.close()
            await guardian.close()
        }
    }

    @Test("a teacher may not touch another teacher's subject, and a line with an unknown student writes nothing")
    func refusals() async throws {
        try await withServer { server in
            let s = try await Self.setting(server)
            let teacher = try await server.login(s.teacher)
            let before = try await Self.count(server, "SELECT count(*) FROM marks")
            let auditBefore = try await Self.count(server, "SELECT count(*) FROM audit_log")
            // A subject of the class that this teacher does not teach.
            let other = try await server.store.value(
                """
                SELECT s.name FROM assignments a JOIN subjects s ON s.id = a.subject_id
                JOIN classes c ON c.id = a.class_id
                JOIN accounts t ON t.id = a.teacher_id WHERE c.name = ? AND t.login != ? ORDER BY s.name LIMIT 1
                """, [s.className, s.teacher.login])
            let otherSubject = try #require(other)
            let refusal = try await teacher.ask("/mark \(s.className) \(otherSubject.lowercased()) \(s.child) 5")
            #expect(
                refusal == [
                    "Вы не ведёте «\(s.className), \(otherSubject)»: журнал заполняет только учитель этого предмета."
                ])
            let subjectWord = s.subject.split(separator: " ")[0].lowercased()
            let unknown = try await teacher.ask(
                "/mark \(s.className) \(subjectWord) 20.11 №\(s.number) \(s.child) 5, Несуществующий 4")
            #expect(unknown == ["В списке нет ученика «Несуществующий». Ничего не записано."])
            let badMark = try await teacher.ask("/mark \(s.className) \(subjectWord) \(s.child) 7")
            #expect(badMark.first?.hasPrefix("Не понял оценку") == true)
            // A guardian cannot use teachers' commands at all.
            let guardian = try await server.login(s.guardian)
            #expect(
                try await guardian.ask("/mark \(s.className) \(subjectWord) \(s.child) 5") == [
                    "Команда /mark вам недоступна. Список ваших команд: /help"
                ])
            #expect(try await Self.count(server, "SELECT count(*) FROM marks") == before)
            #expect(try await Self.count(server, "SELECT count(*) FROM audit_log") == auditBefore)
            await teacher.close()
            await guardian.close()
        }
    }

    @Test("homework, a scheduled control work and a cancelled lesson reach the family")
    func lessonsReachTheFamily() async throws {
        try await withServer { server in
            let s = try await Self.setting(server)
            let subjectWord = s.subject.split(separator: " ")[0].lowercased()
            let teacher = try await server.login(s.teacher)
            let saved = try await teacher.ask(
                "/lesson \(s.className) \(subjectWord) 20.11 №\(s.number) тема: Повторение дз: выучить §7")
            #expect(saved.last == "Тема: Повторение; дз: выучить §7", "\(saved)")
            // The next lesson of the subject in the timetable after the day.
            let slot = try await server.store.int(
                """
                SELECT t.weekday FROM timetable t JOIN classes c ON c.id = t.class_id
                JOIN subjects s ON s.id = t.subject_id
                WHERE c.name = ? AND s.name = ? ORDER BY t.weekday LIMIT 1
                """, [s.className, s.subject])
            let weekday = try #require(slot)
            let testDay = SchoolDate(year: 2026, month: 11, day: 22 + weekday)  // 23.11 is a Monday
            let scheduled = try await teacher.ask(
                "/test \(s.className) \(subjectWord) \(testDay.dayMonth) Итоговая по теме")
            #expect(
                scheduled.first?.hasPrefix("Контрольная работа назначена: \(s.className), \(s.subject)") == true,
                "\(scheduled)")

            let deputy = try await server.login(try server.school.credential { $0.roles == [.deputy] })
            let change = try await deputy.ask("/change \(s.className) 23.11 №1 отмена")
            #expect(change.first?.hasPrefix("Отмена записана") == true, "\(change)")
            #expect(
                try await teacher.ask("/change \(s.className) 23.11 №2 отмена") == [
                    "Команда /change вам недоступна. Список ваших команд: /help"
                ])

            let guardian = try await server.login(s.guardian)
            #expect(try await guardian.ask("/homework 20.11").contains("пт 20.11, \(s.subject): выучить §7"))
            let tests = try await guardian.ask("/tests")
            #expect(
                tests.contains {
                    $0.hasPrefix(
                        "\(self.weekdayName(testDay)) \(testDay.dayMonth), \(s.subject): Итоговая по теме (предстоит)")
                }, "\(tests)")
            let schedule = try await guardian.ask("/schedule 23.11")
            #expect(
                schedule.count > 1 && schedule[1].hasPrefix("1. ") && schedule[1].contains("— ОТМЕНЁН"), "\(schedule)")
            #expect(schedule.filter { $0.contains("ОТМЕНЁН") }.count == 1)
            let week = try await guardian.ask("/расписание след")
            #expect(
                week.contains {
                    $0.contains(testDay.dayMonth) && $0.contains(s.subject) && $0.hasSuffix("[контрольная]")
                }, "\(week)")
            for client in [teacher, deputy, guardian] { await client.close() }
        }
    }

    func weekdayName(_ date: SchoolDate) -> String {
        ["пн", "вт", "ср", "чт", "пт", "сб", "вс"][date.isoWeekday - 1]
    }

    @Test("a class teacher reads every subject of the class without editing it, and excuses absences")
    func classTeacher() async throws {
        try await withServer { server in
            // An unexcused absence in some class, its class teacher and the student's guardian.
            let found = try await server.store.rows(
                """
                SELECT c.name AS class, ct.login AS teacher, st.last_name || ' ' || st.first_name AS student, l.date,
                    s.name AS subject, g.login AS guardian
                FROM absences a JOIN lessons l ON l.id = a.lesson_id JOIN classes c ON c.id = l.class_id
                JOIN accounts ct ON ct.id = c.class_teacher_id JOIN students st ON st.id = a.student_id
                JOIN subjects s ON s.id = l.subject_id JOIN guardianships gs ON gs.student_id = st.id
                JOIN accounts g ON g.id = gs.guardian_id
                WHERE a.reason = 'Н' AND l.date >= '2026-11-05' AND NOT EXISTS (
                    SELECT 1 FROM assignments x
                    WHERE x.class_id = c.id AND x.subject_id = l.subject_id AND x.teacher_id = ct.id)
                ORDER BY l.date DESC LIMIT 1
                """
            ).first
            let row = try #require(found)
            let (className, subject, student) = (row[0] ?? "", row[4] ?? "", row[2] ?? "")
            let date = try #require(SchoolDate(iso: row[3] ?? ""))
            let classTeacher = try await server.login(
                try server.school.credential { $0.login == row[1] })
            let subjectWord = subject.split(separator: " ")[0].lowercased()
            let journal = try await classTeacher.ask("/journal \(className) \(subjectWord) \(date.dayMonth)")
            #expect(journal.first?.hasPrefix("\(className), \(subject), ") == true)
            #expect(journal.contains { $0.contains("\(student) Н") }, "\(journal)")
            #expect(
                try await classTeacher.ask("/mark \(className) \(subjectWord) \(student) 5").first?.hasPrefix(
                    "Вы не ведёте") == true)

            let excused = try await classTeacher.ask("/excuse \(className) \(student) \(date.dayMonth) б")
            #expect(excused.first?.hasPrefix("Пропусков отмечено как «Б»: ") == true, "\(excused)")
            let guardian = try await server.login(
                try server.school.credential { $0.login == row[5] })
            let absences = try await guardian.ask("/absences \(student)")
            #expect(
                absences.contains {
                    $0.hasPrefix(date.dayMonth) && $0.contains(subject) && $0.contains("— Б (болезнь)")
                }, "\(absences)")
            #expect(!absences.contains { $0.hasPrefix(date.dayMonth) && $0.contains("— Н ") })
            await classTeacher.close()
            await guardian.close()
        }
    }
}
