import ClassbookDomain

/// Slips to cut and hand out: one per person, with the login, the one-time password and how to connect.
public struct CredentialSlips: Sendable {
    public var className: String
    public var server: String
    public var issued: [DutiesService.IssuedCredential]

    public init(className: String, server: String, issued: [DutiesService.IssuedCredential]) {
        self.className = className
        self.server = server
        self.issued = issued
    }

    private func lines(_ credential: DutiesService.IssuedCredential) -> [String] {
        let who =
            credential.kind == .student
            ? "ученик(ца) \(className)" : "родитель (законный представитель): \(credential.studentName), \(className)"
        return [
            "Электронный дневник школы — доступ для: \(credential.name), \(who)",
            "Логин: \(credential.login)",
            "Временный пароль: \(credential.password)",
            "Подключение: любая программа IRC, сервер \(server), TLS, вход SASL PLAIN (логин и пароль). Напишите "
                + "боту diary: help.",
            "При первом входе задайте свой пароль: /passwd НОВЫЙ_ПАРОЛЬ. Никому не передавайте логин и пароль."
        ]
    }

    public var text: String {
        issued.isEmpty
            ? "\(className): у всех есть действующие пароли.\n"
            : issued.map { lines($0).joined(separator: "\n") }.joined(
                separator: "\n" + String(repeating: "-", count: 60) + "\n") + "\n"
    }

    /// Five slips a page, so that none is cut by a page's end.
    public var document: PrintDocument {
        var document = PrintDocument(title: "Доступ к электронному дневнику, \(className)")
        if issued.isEmpty { document.blocks = [.paragraph("\(className): у всех есть действующие пароли.")] }
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
