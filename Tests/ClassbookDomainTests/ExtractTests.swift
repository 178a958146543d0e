import ClassbookDomain
import ClassbookPrint
import ClassbookStore
import Foundation
import GRDB
import Testing

/// Paper extracts for families on the paper path, and the record of handing them over.
@Suite("Paper extracts")
struct ExtractTests {
    @Test("a family that refused electronic information gets the week's extract on paper, and its handover is recorded")
    func paperPath() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let guardianCredential = school.output.credentials.first { $0.roles == [.guardian] && $0.children.count == 1 }!
        let child = guardianCredential.children[0].components(separatedBy: " (")[0]
        let className = String(guardianCredential.children[0].split(separator: "(")[1].dropLast())
        let classTeacher = try await school.principal(
            school.output.snapshot.classes.first { $0.name == className }!.classTeacherLogin,
            roles: [.classTeacher])
        let guardian = try await school.principal(guardianCredential.login)
        // Nobody is on the paper path yet.
        #expect(
            await school.ask("/extract missing \(className)", as: classTeacher).first?.hasPrefix(
                "\(className): все семьи") == true)
        _ = await school.ask("/consent нет", as: guardian)
        #expect(
            await school.ask("/extract missing \(className)", as: classTeacher) == [
                "\(className), не выдана выписка за 16.11–22.11: \(child)"
            ])

        let text = await school.ask("/extract \(className) \(child)", as: classTeacher)
        #expect(
            text.first == "Выписка из электронного дневника: \(child), \(className), 16.11.2026 – 22.11.2026", "\(text)"
        )
        #expect(text.contains { $0.hasPrefix("Оценки: ") } && text.last?.hasPrefix("Классный руководитель: ") == true)

        // The class's weekly batch holds exactly the paper-path students; the PDF carries their week.
        let reports = ReportService(journal: school.bot.journal, duties: school.bot.duties)
        let extracts = try await reports.paperExtracts(
            className: className, week: SchoolDate(year: 2026, month: 11, day: 18))
        #expect(extracts.map(\.student.shortName) == [child])
        let extract = try #require(extracts.first)
        let path = school.directory + "/extracts.pdf"
        try PDFRenderer.write(ExtractRenderer.document(extracts, .ru), to: path)
        let pdf = try await PrintTests.pdfText(path)
        #expect(
            pdf.contains("Выписка из электронного дневника") && pdf.contains(child)
                && pdf.contains("Родитель (законный представитель)"))
        for mark in extract.marks { #expect(pdf.contains(mark.subject)) }
        #expect(
            extract.marks.allSatisfy {
                $0.date >= SchoolDate(year: 2026, month: 11, day: 16)
                    && $0.date <= SchoolDate(year: 2026, month: 11, day: 22)
            })

        #expect(
            await school.ask("/extract given \(className) \(child)", as: classTeacher)
                == ["Записано: выписка за 16.11–22.11 выдана семье \(child)."])
        #expect(
            await school.ask("/extract given \(className) \(child)", as: classTeacher) == [
                "Выдача выписки за эту неделю (\(child)) уже записана."
            ])
        #expect(
            await school.ask("/extract missing \(className)", as: classTeacher).first?.hasPrefix(
                "\(className): все семьи") == true)
        // The next week's is missing again.
        #expect(
            await school.ask("/extract missing \(className) 25.11", as: classTeacher) == [
                "\(className), не выдана выписка за 23.11–29.11: \(child)"
            ])
        // Not for the guardian, nor for another class's teacher.
        #expect(
            await school.ask("/extract \(className) \(child)", as: guardian) == [
                "Команда /extract вам недоступна. Список ваших команд: /help"
            ])
    }

    @Test("/report in chat is paged")
    func pagedReport() async throws {
        let school = try await JournalSchool.make(students: 60)
        defer { school.remove() }
        let snapshot = school.output.snapshot
        let schoolClass = snapshot.classes[0]
        let teacher = try await school.principal(schoolClass.classTeacherLogin, roles: [.classTeacher])
        let first = await school.ask("/report marks \(schoolClass.name)", as: teacher)
        #expect(
            first.count == ReportCommands_pageSize + 1
                && first.last?.hasPrefix("Страница 1 из 2. Дальше: /report marks \(schoolClass.name) стр 2") == true,
            "\(first)")
        let second = await school.ask("/report marks \(schoolClass.name) стр 2", as: teacher)
        #expect(second.last == "Страница 2 из 2.")
        #expect(
            await school.ask("/report nonsense \(schoolClass.name)", as: teacher).first?.hasPrefix("Нет такого отчёта")
                == true)
        #expect(
            await school.ask("/report marks \(snapshot.classes[1].name)", as: teacher).first?.hasPrefix(
                "Это может только классный руководитель") == true)
    }
}

/// The bot's page size (20 lines), as the chat shows reports.
let ReportCommands_pageSize = 20
