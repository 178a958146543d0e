import ArgumentParser
import ClassbookDomain
import ClassbookPrint
import ClassbookStore
import Foundation

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Build a class report: " + ReportKind.allCases.map(\.rawValue).joined(separator: ", ") + ".",
        discussion: "Figures are defined in docs/reports.md.")

    @Argument(
        help: ArgumentHelp(
            "The report: attendance, preliminary, period, results, marks, attendance-sheet, movement, analytics."))
    var name: String

    @OptionGroup var data: DataOptions

    @Option(name: .customLong("class"), help: "The class, such as 7А.")
    var className: String

    @Option(help: "The reporting period's number (the current one by default).")
    var period: String?

    @Option(help: "The month of the attendance report, YYYY-MM (the current one by default).")
    var month: String?

    @Option(help: "A student's login or name, for the analytical report of one student.")
    var student: String?

    @Option(help: "text, csv or pdf.")
    var format: String = "text"

    @Option(help: "The file to write; standard output for text and CSV when left out.")
    var out: String?

    @Flag(help: "Say on standard error how long building and writing the report took, the database already open.")
    var timing = false

    func validate() throws {
        guard ReportKind(rawValue: name) != nil else {
            throw ValidationError(
                "unknown report '\(name)'; reports: " + ReportKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard ["text", "csv", "pdf"].contains(format) else { throw ValidationError("--format is text, csv or pdf") }
        if format == "pdf" && out == nil { throw ValidationError("a PDF needs --out FILE") }
    }

    func run() async throws {
        let services = try await Composition.open(data).school
        let start = ContinuousClock.now
        defer {
            if timing {
                let ms = (ContinuousClock.now - start).milliseconds
                FileHandle.standardError.write(Data("built in \(String(format: "%.1f", ms)) ms\n".utf8))
            }
        }
        let report: ReportText
        do {
            // A school document: in Russian.
            report = try await services.reports.report(
                .init(
                    kind: ReportKind(rawValue: name)!, className: className, period: period,
                    month: month, student: student)
            ).text(.ru)
        } catch let error as JournalError {
            throw ValidationError(CLIErrors.describe(error))
        }
        switch format {
        case "pdf":
            try PDFRenderer.write(ReportRenderer.document(report), to: out!)
            print("\(report.title): \(out!)")
        case "csv":
            try CLIOutput.write(ReportRenderer.csv(report), to: out)
        default:
            try CLIOutput.write(ReportRenderer.lines(report).joined(separator: "\n") + "\n", to: out)
        }
    }
}

/// Text to a file (readable by its owner only: reports hold children's data) or to standard output.
enum CLIOutput {
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            print(text, terminator: "")
            return
        }
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw ValidationError("cannot write \(path)")
        }
    }
}

/// Journal errors as operators read them.
enum CLIErrors {
    static func describe(_ error: JournalError) -> String {
        switch error {
        case .noSuchClass(let name): "no class \(name)"
        case .noSuchPeriod(let text): "no reporting period '\(text)'"
        case .invalidDate(let text): "cannot read the date or month '\(text)' (YYYY-MM)"
        case .noSuchStudent(let text): "no student '\(text)' in the class"
        case .ambiguousStudent(let text, let students):
            "'\(text)' matches several students: " + students.map(\.shortName).joined(separator: ", ")
        default: "\(error)"
        }
    }
}
