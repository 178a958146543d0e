import ArgumentParser
import ClassbookDomain
import ClassbookStore
import Foundation

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the database and, with --demo, a demo school with its logins in demo-accounts.csv.")

    @OptionGroup var data: DataOptions

    @Flag(help: "Fill the database with a demo school.")
    var demo = false

    @Option(help: "How many students the demo school has.")
    var students = 75

    @Option(help: "The seed of the demo school: the same seed gives the same school.")
    var seed: UInt64 = 1

    @Option(
        name: .customLong("as-of"), help: "The day the demo's six weeks of lessons end (YYYY-MM-DD); today by default.")
    var asOf: String?

    @Flag(
        name: .customLong("full-year"),
        help: "Give the demo lessons, marks and absences for the whole school year, not six weeks (for benchmarks).")
    var fullYear = false

    func validate() throws {
        guard students >= 3 && students <= 100_000 else {
            throw ValidationError("--students must be between 3 and 100000")
        }
        if let asOf, SchoolDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date as YYYY-MM-DD") }
    }

    func run() async throws {
        let composition = try await Composition.open(data, create: true)
        let store = composition.store
        print("database ready: \(store.location)")
        guard demo else { return try store.close() }
        let day = asOf.flatMap(SchoolDate.init(iso:)) ?? SchoolDate(Date(), in: composition.timeZone)
        let output = DemoSchoolGenerator(studentCount: students, seed: seed, asOf: day, fullYear: fullYear).generate()
        var snapshot = output.snapshot
        let hashes = try await Self.hashPasswords(output.credentials.map(\.password))
        for index in snapshot.people.indices { snapshot.people[index].passwordHash = hashes[index] }
        do {
            try await store.importSchool(snapshot, context: AuditContext(actor: nil, sessionID: "cli:init", at: Date()))
        } catch let error as SchoolImportError {
            throw ValidationError("\(error)")
        }
        try FileManager.default.createDirectory(atPath: data.data, withIntermediateDirectories: true)
        let csvPath = (data.data as NSString).appendingPathComponent("demo-accounts.csv")
        try Self.writeCredentials(output.credentials, to: csvPath)
        print(
            "demo school \(snapshot.yearName): \(snapshot.classes.count) classes, \(snapshot.students.count) students, "
                + "\(snapshot.people.count) accounts, \(snapshot.marks.count) marks, \(snapshot.absences.count) "
                + "absences"
        )
        print("logins and passwords: \(csvPath)")
        // Closing checkpoints SQLite's WAL: a generated year is half a gigabyte of it, which the
        // first write after the next start (a migration) would otherwise fold in.
        try store.close()
    }

    /// Hashes on every core at once: each hash takes tens of milliseconds by design.
    static func hashPasswords(_ passwords: [String]) async throws -> [String] {
        let hasher = PasswordHasher()
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        return try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            let chunk = (passwords.count + workers - 1) / workers
            for worker in 0..<workers {
                let range = (worker * chunk)..<min(passwords.count, (worker + 1) * chunk)
                guard !range.isEmpty else { continue }
                let slice = Array(passwords[range])
                group.addTask {
                    (worker, try await DetachedThreadExecutor().run { try slice.map { try hasher.hash($0) } })
                }
            }
            var parts: [Int: [String]] = [:]
            for try await (worker, hashes) in group { parts[worker] = hashes }
            return parts.keys.sorted().flatMap { parts[$0]! }
        }
    }

    /// `login,password,roles,name,children`, roles and children separated by `;`. Readable by the owner only.
    static func writeCredentials(_ credentials: [DemoSchoolGenerator.Credential], to path: String) throws {
        var csv = "login,password,roles,name,children\n"
        for credential in credentials {
            let fields = [
                credential.login, credential.password, credential.roles.sorted().map(\.rawValue).joined(separator: ";"),
                credential.name, credential.children.joined(separator: ";")
            ]
            csv += fields.map(csvField).joined(separator: ",") + "\n"
        }
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(csv.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw ValidationError("cannot write \(path)")
        }
    }

    static func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"") || text.contains("\n")
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
