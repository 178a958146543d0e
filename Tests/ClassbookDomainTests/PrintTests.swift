import ClassbookDomain
import ClassbookPrint
import ClassbookStore
import ClassbookTestSupport
import Foundation
import Testing

/// PDFs checked by their text, as poppler's pdftotext reads it (installed by commands/setup).
@Suite("Printed documents")
struct PrintTests {
    static func pdfText(_ path: String) async throws -> String {
        try await ChildProcess.run("/usr/bin/pdftotext", ["-layout", path, "-"], keepsErrors: false).output
    }

    @Test("credential slips for an imported class: Cyrillic names, logins and the one-time passwords, five to a page")
    func credentialSlips() async throws {
        let directory = NSTemporaryDirectory() + "classbook-print-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try ClassbookDatabase(directory: directory)
        let files = try ImportTests.files(ImportTests.all)
        _ = try await CSVImporter(database: database).run(
            files: files, context: AuditContext(actor: nil, sessionID: "test", at: Date()))
        let diary = DiaryService(diary: database.diary, journal: database.journal)
        let journal = JournalService(journal: database.journal, diary: database.diary)
        let duties = DutiesService(
            duties: database.duties, journal: journal, diary: diary, executor: DetachedThreadExecutor())
        let (schoolClass, issued) = try await duties.issueCredentials(
            className: "7а", includePending: false,
            context: AuditContext(actor: nil, sessionID: "test", at: Date()))
        // Two guardians and three students (one of them without an account until now).
        #expect(schoolClass.name == "7А" && issued.count == 5)
        #expect(issued.contains { $0.kind == .student && $0.login == "petrova.mariya" })
        let path = directory + "/slips.pdf"
        try PDFRenderer.write(
            CredentialSlips(className: "7А", server: "school.example:6697", issued: issued).document, to: path)
        let text = try await Self.pdfText(path)
        for credential in issued {
            #expect(text.contains(credential.login) && text.contains(credential.password), "\(credential.login)")
        }
        #expect(text.contains("Иванова Елена Андреевна") && text.contains("Временный пароль"))
        // The slips' passwords work, and must be replaced at first use.
        let accounts = AccountService(accounts: database.accounts, executor: DetachedThreadExecutor())
        let guardian = try #require(issued.first { $0.login == "ivanova.ea" })
        let account = try #require(try await accounts.authenticate(login: guardian.login, password: guardian.password))
        #expect(account.mustChangePassword)
        // Issued once: a second run issues nothing unless asked for the pending ones too.
        #expect(
            try await duties.issueCredentials(
                className: "7А", includePending: false, context: AuditContext(actor: nil, sessionID: "t", at: Date())
            ).1.isEmpty)
        #expect(
            try await duties.issueCredentials(
                className: "7А", includePending: true, context: AuditContext(actor: nil, sessionID: "t", at: Date())
            ).1.count == 5)
    }

    @Test("a long table breaks across pages and repeats its header")
    func longTable() async throws {
        let path = NSTemporaryDirectory() + "classbook-table-\(UUID().uuidString).pdf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rows = (1...120).map { ["Ученик \($0)", "Алгебра", String($0 % 5 + 1)] }
        try PDFRenderer.write(
            PrintDocument(
                title: "Ведомость",
                blocks: [
                    .heading("Сводная ведомость"),
                    .table(header: ["Фамилия", "Предмет", "Оценка"], rows: rows, widths: [3, 2, 1])
                ]),
            to: path)
        let text = try await Self.pdfText(path)
        let pages = text.components(separatedBy: "\u{0C}").filter {
            !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
        #expect(pages.count >= 2)
        #expect(pages.allSatisfy { $0.contains("Фамилия") && $0.contains("Предмет") })
        #expect(text.contains("Ученик 120"))
    }
}
