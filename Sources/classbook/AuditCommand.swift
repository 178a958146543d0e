import ArgumentParser
import Foundation

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check the audit log.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Recompute the audit log's hash chain and check every journal row against it; exit 2 naming the "
                + "first broken record or row."
        )

        @OptionGroup var data: DataOptions

        func run() async throws {
            let store = try await Composition.open(data).store
            defer { try? store.close() }
            switch try await store.verifyAudit() {
            case .intact(let records):
                print("audit chain intact: \(records) records")
            case .broken(let id, let reason):
                print("audit chain broken at record \(id): \(reason)")
                throw ExitCode(2)
            case .rowTampered(let reason):
                print("audit chain intact, but \(reason)")
                throw ExitCode(2)
            }
        }
    }
}
