import ArgumentParser
import ClassbookBot
import ClassbookDomain
import ClassbookStore
import Foundation

/// `classbook digest`: the weekly digest as it would go out now, composed without sending
/// anything: one person's (`--login`), or everyone's at once with a count (what the scheduler
/// does at the digest hour; commands/bench times it).
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Compose the weekly digest without sending it: one person's text, or everyone's with a count.")

    @OptionGroup var data: DataOptions

    @Option(help: "Print this person's digest; without it, compose everyone's and print how many.")
    var login: String?

    func run() async throws {
        let composition = try await Composition.open(data)
        let (services, timeZone) = (composition.school, composition.timeZone)
        var recipients = try await services.repositories.duties.digestRecipients()
        if let login {
            recipients = recipients.filter { $0.login == login.lowercased() }
            guard !recipients.isEmpty else {
                throw ValidationError(
                    "\(login) gets no weekly digest (only class teachers, subject teachers, deputies and directors do)")
            }
        }
        let start = ContinuousClock.now
        let digests = try await DiaryBot.digests(
            for: recipients, sessionID: "cli:digest", duties: services.duties, timeZone: timeZone)
        let people = digests.count
        let lines = digests.map(\.1.count).reduce(0, +)
        if login != nil {
            digests.first?.1.forEach { print($0) }
        } else {
            let ms = (ContinuousClock.now - start).milliseconds
            print(
                "composed \(people) digests of \(recipients.count) recipients, \(lines) lines, in "
                    + "\(String(format: "%.0f", ms)) ms"
            )
        }
    }
}
