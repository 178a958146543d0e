import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

/// The bot's journal commands against a real database, acting as the school's people.
@Suite("Journal commands")
struct JournalBotTests {
    struct Cast {
        var school: JournalSchool
        var className: String
        var teacher: Principal
        var classTeacher: Principal
        var guardian: Principal
        var child: String
    }

    /// Mathematics in a class of grades 5–6, its teacher, its class teacher, and a one-child guardian there.
    static func cast() async throws -> Cast {
        let school = try await JournalSchool.make()
        let snapshot = school.output.snapshot
        let maths = snapshot.assignments.first { $0.subject == "Математика" }!
        let guardian = school.output.credentials.first {
            $0.roles == [.guardian] && $0.children.count == 1 && $0.children[0].hasSuffix("(\(maths.className))")
        }!
        let classTeacher = snapshot.classes.first { $0.name == maths.className }!.classTeacherLogin
        return Cast(
            school: school, className: maths.className, teacher: try await school.principal(maths.teacherLogin),
            classTeacher: try await school.principal(classTeacher, roles: [.classTeacher]),
            guardian: try await school.principal(guardian.login),
            child: guardian.children[0].components(separatedBy: " (")[0])
    }

    @Test("a final is set, shown to the guardian with the marks, and deleted")
    func finals() async throws {
        let c = try await Self.cast()
        defer { c.school.remove() }
        #expect(
            await c.school.ask("/final \(c.className) математика 2 \(c.child) 5", as: c.teacher) == [
                "Итоговые за период 2: \(c.child) — 5."
            ])
        let marks = await c.school.ask("/marks", as: c.guardian)
        #expect(marks.contains { $0.hasPrefix("Математика:") && $0.hasSuffix(", итог 5") }, "\(marks)")
        #expect(
            await c.school.ask("/final \(c.className) математика 2 \(c.child) 4", as: c.teacher) == [
                "Итоговые за период 2: \(c.child) — 4 (исправлено)."
            ])
        #expect(
            await c.school.ask("/final \(c.className) математика 2 \(c.child) -", as: c.teacher) == [
                "Итоговые за период 2: \(c.child) — - (удалено)."
            ])
        #expect(!(await c.school.ask("/marks", as: c.guardian)).contains { $0.contains("итог") })
        let proposals = await c.school.ask("/final \(c.className) математика 2", as: c.teacher)
        #expect(proposals.contains { $0.hasPrefix("\(c.child): ") && $0.hasSuffix("; —") }, "\(proposals)")
    }

    @Test("a remark reaches the diary and its author can take it back; nobody else can")
    func remarks() async throws {
        let c = try await Self.cast()
        defer { c.school.remove() }
        #expect(
            await c.school.ask("/remark \(c.className) \(c.child): забыл тетрадь", as: c.teacher)
                == ["Замечание записано в дневник: \(c.child) (\(c.className))."])
        let seen = await c.school.ask("/remarks", as: c.guardian)
        #expect(seen.contains { $0.hasSuffix("забыл тетрадь") && $0.contains("замечание (Математика)") }, "\(seen)")
        #expect(
            await c.school.ask("/unremark \(c.className) \(c.child)", as: c.classTeacher) == [
                "Ваших записей в дневнике \(c.child) нет."
            ])
        #expect(
            await c.school.ask("/unremark \(c.className) \(c.child)", as: c.teacher) == [
                "Удалено из дневника \(c.child): «забыл тетрадь» (20.11)."
            ])
        #expect(!(await c.school.ask("/remarks", as: c.guardian)).contains { $0.contains("забыл тетрадь") })
    }

    @Test("a student who arrives can be marked; one who departs no longer can, and keeps their records")
    func movement() async throws {
        let c = try await Self.cast()
        defer { c.school.remove() }
        #expect(
            await c.school.ask("/arrive \(c.className) Новиков Олег Петрович 20.11", as: c.classTeacher)
                == ["Новиков Олег зачислен(а) в \(c.className) с 20.11.2026."])
        let marked = await c.school.ask("/mark \(c.className) математика 20.11 №1 Новиков 5", as: c.teacher)
        #expect(
            marked.first?.hasPrefix("Записано") == true || marked.first?.contains("уже") == true
                || marked.first?.contains("нет урока") == true, "\(marked)")
        #expect(
            await c.school.ask("/depart \(c.className) \(c.child) 20.11 переезд", as: c.classTeacher)
                == ["\(c.child) выбыл(а) из \(c.className) 20.11.2026. Записи сохранены."])
        #expect(
            await c.school.ask("/mark \(c.className) математика \(c.child) 5", as: c.teacher)
                == ["В списке нет ученика «\(c.child)». Ничего не записано."])
        // The family still sees the diary as it was.
        #expect((await c.school.ask("/marks", as: c.guardian)).first?.hasPrefix(c.child) == true)
        let movements = try await c.school.database.journal.movements(
            ofClass: try #require(try await c.school.database.journal.classes().first { $0.name == c.className }).id,
            from: SchoolDate(year: 2026, month: 9, day: 1), through: SchoolDate(year: 2026, month: 12, day: 31))
        #expect(movements.map(\.kind) == [.arrival, .departure] && movements[1].note == "переезд")
    }

    @Test("personal data: the class teacher reads and corrects it, with the guardians' contacts")
    func personalData() async throws {
        let c = try await Self.cast()
        defer { c.school.remove() }
        #expect(
            await c.school.ask("/profile \(c.className) \(c.child) телефон +7 900 000-00-00", as: c.classTeacher)
                == ["Записано: телефон — \(c.className), \(c.child)."])
        #expect(
            await c.school.ask("/profile \(c.className) \(c.child) рождение 31.02.2013", as: c.classTeacher).first?
                .hasPrefix("Не понял дату") == true)
        let profile = await c.school.ask("/profile \(c.className) \(c.child)", as: c.classTeacher)
        #expect(profile.contains("телефон: +7 900 000-00-00"))
        #expect(
            profile.contains {
                $0.hasPrefix("законный представитель: ") && $0.contains(c.guardian.account.displayName)
            }, "\(profile)")
        // The subject teacher may not read it.
        #expect(
            await c.school.ask("/profile \(c.className) \(c.child)", as: c.teacher) == [
                "Команда /profile вам недоступна. Список ваших команд: /help"
            ])
    }

    @Test("study groups: created, filled and listed by the class teacher; an unknown name changes nothing")
    func groups() async throws {
        let c = try await Self.cast()
        defer { c.school.remove() }
        #expect(
            await c.school.ask("/group \(c.className) new Англ-1 английский", as: c.classTeacher)
                == ["Группа «Англ-1» создана. Добавить учеников: /group класс Англ-1 add Фамилия, …"])
        #expect(
            await c.school.ask("/group \(c.className) new Англ-1", as: c.classTeacher) == ["Группа «Англ-1» уже есть."])
        #expect(
            await c.school.ask("/group \(c.className) Англ-1 add \(c.child), Никтоневедомов", as: c.classTeacher)
                == ["В списке нет ученика «Никтоневедомов». Ничего не записано."])
        #expect(
            await c.school.ask("/group \(c.className) Англ-1 add \(c.child)", as: c.classTeacher)
                == ["В группу «Англ-1» добавлено: 1 (\(c.child))."])
        #expect(
            await c.school.ask("/group \(c.className)", as: c.classTeacher) == [
                "Учебные группы \(c.className):", "Англ-1 (Английский язык): \(c.child)"
            ])
    }
}
