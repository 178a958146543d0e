import ArgumentParser
import ClassbookDomain
import ClassbookStore
import Foundation

struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "Manage accounts (works while the server runs).",
        subcommands: [Add.self, Passwd.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account. Without --password-stdin a random password is generated and printed once.")

        @OptionGroup var data: DataOptions

        @Option(help: "The login: Latin lower-case letters, digits, '.', '_' or '-'.")
        var login: String

        @Option(help: "The person's full name, as it is shown to others.")
        var name: String

        @Option(
            help: ArgumentHelp(
                "A role (guardian, student, teacher, class-teacher, deputy, director, admin); repeat or separate "
                    + "with commas.")
        )
        var role: [String]

        @OptionGroup var passwordInput: PasswordInput

        @Option(help: "The language of replies: ru or en.")
        var language: String = "ru"

        func run() async throws {
            var roles: Set<Role> = []
            for item in role.flatMap({ $0.split(separator: ",").map(String.init) }) {
                guard let parsed = Role(parsing: item.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError(
                        "unknown role '\(item)'; roles: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                roles.insert(parsed)
            }
            guard let language = Language(rawValue: language) else {
                throw ValidationError("--language must be ru or en")
            }
            let (password, generated) = try passwordInput.read()
            let service = try await Composition.open(data).school.accounts
            do {
                let account = try await service.createAccount(
                    login: login, displayName: name, roles: roles, password: password, language: language,
                    context: AuditContext(actor: nil, sessionID: "cli:account-add", at: Date()))
                print("created \(account.login) (\(account.roles.sorted().map(\.rawValue).joined(separator: ", ")))")
                if generated { print("password: \(password)") }
            } catch let error as AccountService.CreationError {
                switch error {
                case .invalidLogin(let login):
                    throw ValidationError(
                        "invalid login '\(login)': use 2-32 Latin lower-case letters, digits, '.', '_' or '-', "
                            + "starting with a letter"
                    )
                case .loginTaken(let login): throw ValidationError("the login '\(login)' is taken")
                case .emptyName: throw ValidationError("--name must not be empty")
                case .noRoles: throw ValidationError("give at least one --role")
                case .weakPassword:
                    throw ValidationError(
                        "the password must have at least \(AccountService.minimumPasswordLength) characters")
                }
            }
        }

    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Set an account's password (imported accounts have none). Without --password-stdin one is generated "
                + "and printed once."
        )

        @OptionGroup var data: DataOptions

        @Option(help: "The login.")
        var login: String

        @OptionGroup var passwordInput: PasswordInput

        func run() async throws {
            let (password, generated) = try passwordInput.read()
            let service = try await Composition.open(data).school.accounts
            do {
                try await service.setPassword(
                    login: login, password: password,
                    context: AuditContext(actor: nil, sessionID: "cli:account-passwd", at: Date()))
            } catch AccountService.CreationError.weakPassword {
                throw ValidationError(
                    "the password must have at least \(AccountService.minimumPasswordLength) characters")
            } catch RepositoryError.notFound {
                throw ValidationError("no account '\(login)'")
            }
            print("password set for \(login.lowercased())")
            if generated { print("password: \(password)") }
        }
    }
}

/// `--password-stdin`, or a generated password.
struct PasswordInput: ParsableArguments {
    @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    /// The password, and whether it was generated (and so must be printed once).
    func read() throws -> (String, Bool) {
        guard passwordStdin else { return (try Self.randomPassword(), true) }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("no password on standard input")
        }
        return (line, false)
    }

    static func randomPassword() throws -> String {
        try DutiesService.oneTimePassword()
    }
}
