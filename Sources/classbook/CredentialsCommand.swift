import ArgumentParser
import ClassbookDomain
import ClassbookText
import ClassbookPrint
import ClassbookStore
import Foundation

struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract:
            "Issue one-time passwords to a class's students and guardians who cannot log in yet, and print slips to "
            + "hand out.",
        discussion:
            "Each password is printed once and stored only as a hash; at the first login its owner must set their "
            + "own (/passwd)."
    )

    @OptionGroup var data: DataOptions

    @Option(name: .customLong("class"), help: "The class, such as 7А.")
    var className: String

    @Flag(help: "Also issue new passwords to those whose one-time password was not yet replaced (lost slips).")
    var all = false

    @Option(help: "text or pdf.")
    var format: String = "text"

    @Option(help: "The file to write; standard output for text when left out.")
    var out: String?

    @Option(help: "How the slips name the server, such as school18.example.ru:6697.")
    var server: String?

    func validate() throws {
        guard ["text", "pdf"].contains(format) else { throw ValidationError("--format is text or pdf") }
        if format == "pdf" && out == nil { throw ValidationError("a PDF needs --out FILE") }
    }

    func run() async throws {
        let services = try await Composition.open(data).school
        let issued: [DutiesService.IssuedCredential]
        let schoolClass: SchoolClass
        do {
            (schoolClass, issued) = try await services.duties.issueCredentials(
                className: className, includePending: all,
                context: AuditContext(actor: nil, sessionID: "cli:credentials", at: Date()))
        } catch JournalError.noSuchClass(let name) {
            throw ValidationError("no class \(name)")
        }
        let slips = CredentialSlips(
            className: schoolClass.name, server: server ?? Language.ru.t("slip.serverUnknown"), issued: issued)
        switch format {
        case "pdf":
            try PDFRenderer.write(slips.document, to: out!)
            print("\(issued.count) slip(s) for \(schoolClass.name): \(out!)")
        default:
            if let out {
                guard
                    FileManager.default.createFile(
                        atPath: out, contents: Data(slips.text.utf8), attributes: [.posixPermissions: 0o600])
                else {
                    throw ValidationError("cannot write \(out)")
                }
                print("\(issued.count) slip(s) for \(schoolClass.name): \(out)")
            } else {
                print(slips.text, terminator: "")
            }
        }
    }
}
