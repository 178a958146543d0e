import ArgumentParser
import ClassbookDomain
import ClassbookStore
import Foundation

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract:
            "Import a school from CSV files (periods, holidays, staff, classes, students, guardians, assignments, "
            + "timetable).",
        discussion:
            "Each file's kind is told by its columns (docs/import.md). Nothing is written unless every file is valid.")

    @OptionGroup var data: DataOptions

    @Argument(help: "CSV files, UTF-8, separated by ';' or ','.")
    var files: [String]

    func run() async throws {
        guard !files.isEmpty else { throw ValidationError("name at least one CSV file") }
        var contents: [(name: String, data: Data)] = []
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read \(path)")
            }
            contents.append((path, data))
        }
        let store = try await Composition.open(data, create: true).store
        do {
            let summary = try await store.importCSV(
                contents, context: AuditContext(actor: nil, sessionID: "cli:import", at: Date()))
            print(
                "imported: "
                    + summary.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            print("imported accounts have no password yet: set one with 'classbook account passwd --login LOGIN'")
            // Folds SQLite's WAL into the database file now, unless the server has it open.
            try store.close()
        } catch let failure as CSVImport.Failure {
            var standardError = FileHandle.standardError
            for problem in failure.problems { print(problem.description, to: &standardError) }
            print("nothing was imported (\(failure.problems.count) error(s))", to: &standardError)
            throw ExitCode(1)
        }
    }
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) {
        write(Data(string.utf8))
    }
}
