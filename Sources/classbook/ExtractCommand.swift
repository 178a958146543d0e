import ArgumentParser
import ClassbookDomain
import ClassbookPrint
import ClassbookStore
import Foundation

struct ExtractCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract:
            "Print paper extracts of the diary (PDF): one student's, or every student's of a class whose family gets "
            + "the diary on paper."
    )

    @OptionGroup var data: DataOptions

    @Option(help: "The student's login.")
    var student: String?

    @Option(
        name: .customLong("class"),
        help: "A class: an extract for each student whose guardians refused electronic information.")
    var className: String?

    @Option(help: "A date in the week (YYYY-MM-DD); this week by default.")
    var week: String?

    @Option(help: "A reporting period's number instead of a week (with --student).")
    var period: String?

    @Option(help: "The PDF to write.")
    var out: String

    func validate() throws {
        guard (student == nil) != (className == nil) else {
            throw ValidationError("give --student LOGIN or --class CLASS")
        }
        if week != nil && period != nil { throw ValidationError("give --week or --period, not both") }
        if period != nil && className != nil { throw ValidationError("a class's batch is weekly: use --week") }
        if let week, SchoolDate(iso: week) == nil { throw ValidationError("--week is a date, YYYY-MM-DD") }
    }

    func run() async throws {
        let services = try await Composition.open(data).school
        let day = week.flatMap(SchoolDate.init(iso:)) ?? services.journal.today
        let extracts: [Extract]
        do {
            if let student {
                extracts = [
                    try await services.reports.extract(login: student, range: period.map { .period($0) } ?? .week(day))
                ]
            } else {
                extracts = try await services.reports.paperExtracts(className: className!, week: day)
            }
        } catch let error as JournalError {
            throw ValidationError(CLIErrors.describe(error))
        }
        guard !extracts.isEmpty else {
            print("no family of \(className ?? "") gets the diary on paper: nothing to print")
            return
        }
        try PDFRenderer.write(ExtractRenderer.document(extracts, .ru), to: out)
        print("\(extracts.count) extract(s): \(out)")
    }
}
