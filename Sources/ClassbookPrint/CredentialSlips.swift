import ClassbookDomain
import ClassbookText

/// Slips to cut and hand out: one per person, with the login, the one-time password and how to
/// connect, in a language (the school's: Russian, unless a family is told otherwise).
public struct CredentialSlips: Sendable {
    public var className: String
    public var server: String
    public var issued: [DutiesService.IssuedCredential]
    public var language: Language

    public init(className: String, server: String, issued: [DutiesService.IssuedCredential], language: Language = .ru) {
        self.className = className
        self.server = server
        self.issued = issued
        self.language = language
    }

    private func lines(_ credential: DutiesService.IssuedCredential) -> [String] {
        let who =
            credential.kind == .student
            ? language.t("slip.student", ["class": className])
            : language.t("slip.guardian", ["student": credential.studentName, "class": className])
        return [
            language.t("slip.heading", ["name": credential.name, "who": who]),
            language.t("slip.login", ["login": credential.login]),
            language.t("slip.password", ["password": credential.password]),
            language.t("slip.connect", ["server": server]),
            language.t("slip.firstLogin")
        ]
    }

    public var text: String {
        issued.isEmpty
            ? language.t("slip.nobody", ["class": className]) + "\n"
            : issued.map { lines($0).joined(separator: "\n") }.joined(
                separator: "\n" + String(repeating: "-", count: 60) + "\n") + "\n"
    }

    /// Five slips a page, so that none is cut by a page's end.
    public var document: PrintDocument {
        var document = PrintDocument(title: language.t("slip.title", ["class": className]))
        if issued.isEmpty { document.blocks = [.paragraph(language.t("slip.nobody", ["class": className]))] }
        for (index, credential) in issued.enumerated() {
            let text = lines(credential)
            document.blocks += [
                .paragraph(text[0]), .heading(text[1]), .heading(text[2]), .note(text[3]), .note(text[4])
            ]
            if index < issued.count - 1 { document.blocks.append(index % 5 == 4 ? .pageBreak : .cutLine) }
        }
        return document
    }
}
