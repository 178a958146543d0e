import ArgumentParser
import ClassbookDomain
import ClassbookStore
import Foundation

struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract:
            "Show or change the school's rules: the rounding threshold of finals, mark weights, missed days, the "
            + "digest's day and time, the risk thresholds.",
        discussion: "Keys: " + SchoolSetting.keys.joined(separator: ", ")
            + ". Every change is audited; see docs/reports.md for the figures they affect.")

    @OptionGroup var data: DataOptions

    @Option(
        name: .customLong("set"),
        help: "KEY=VALUE, for example final-rounding-threshold=0.6 or weight.control=2; repeat for several.")
    var assignments: [String] = []

    func run() async throws {
        let settings = try assignments.map { text in
            do { return try SchoolSetting(parsing: text) } catch let error as SchoolSetting.ParseError {
                throw ValidationError(error.description)
            }
        }
        let composition = try await Composition.open(data)
        let journal = composition.school.repositories.journal
        let context = AuditContext(actor: nil, sessionID: "cli:settings", at: Date())
        for setting in settings {
            do {
                try await journal.updateSetting(setting, context: context)
            } catch RepositoryError.notFound {
                let kinds = try await journal.gradingRules().weights.keys.sorted().joined(separator: ", ")
                throw ValidationError(
                    "no such mark kind in '\(assignments[settings.firstIndex(of: setting)!])'; kinds: \(kinds)")
            }
        }
        let rules = try await journal.gradingRules()
        print("final-rounding-threshold=\(rules.roundingThreshold)")
        print("missed-day-rule=\(rules.missedDay.setting)")
        print("late-counts-as-missed=\(rules.lateCountsAsMissed ? "yes" : "no")")
        for (kind, weight) in rules.weights.sorted(by: { $0.key < $1.key }) { print("weight.\(kind)=\(weight)") }
        let duties = composition.school.repositories.duties
        let schedule = try await duties.digestSchedule()
        let risk = try await duties.riskRules()
        print("digest-weekday=\(schedule.weekday)")
        print(String(format: "digest-time=%02d:%02d", schedule.hour, schedule.minute))
        print("risk-average-below=\(risk.averageBelow)")
        print("risk-twos=\(risk.recentTwos)")
        print("risk-missed-share=\(risk.missedShare)")
    }
}
