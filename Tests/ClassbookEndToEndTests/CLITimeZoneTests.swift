import ClassbookDomain
import ClassbookStore
import ClassbookTestSupport
import Foundation
import Testing

/// The real `classbook` binary counts days in the school's configured time zone (`--config`), as
/// the server does: one composition root for both.
@Suite("The CLI's time zone", .timeLimit(.minutes(2)))
struct CLITimeZoneTests {
    /// Runs the binary; returns what it printed on standard output.
    static func run(_ arguments: [String]) async throws -> String {
        try await ChildProcess.run(CrashTests.binary, arguments, environment: ProcessInfo.processInfo.environment)
            .output
    }

    @Test(
        """
        a report and a digest count the day in the configured zone: a lesson held today on Kiritimati is tomorrow \
        at UTC−12
        """
    )
    func reportAndDigestInTheSchoolsZone() async throws {
        let school = try await TestSchool.make()
        defer { school.remove() }
        // Kiritimati is UTC+14 and Etc/GMT+12 is UTC−12: 26 hours apart, so their dates always differ.
        let east = TimeZone(identifier: "Pacific/Kiritimati")!
        let day = SchoolDate(Date(), in: east)
        let teacher = try school.credential { $0.roles.contains(.teacher) }
        let (className, student) = try await { () async throws -> (String, String) in
            let store = try school.open()
            defer { store.close() }
            let journal = store.repositories.journal
            let account = try await journal.staff(login: teacher.login)!
            let assignment = try await journal.assignments(teacher: account.id).first { $0.group == nil }!
            let pupil = try await journal.students(inClass: assignment.classID, on: day).first!
            let context = AuditContext(actor: nil, sessionID: "test", at: Date())
            // The first lesson of the day, just after midnight in the school's day.
            let lesson = try await journal.lesson(
                classID: assignment.classID, group: nil, subject: assignment.subject.id, teacher: account.id,
                date: day, number: 1, context: context)
            _ = try await journal.writeAbsences([(pupil.id, .unexcused)], lesson: lesson.id, context: context)
            return (assignment.className, pupil.shortName)
        }()
        let month = String(format: "%04d-%02d", day.year, day.month)
        var answers: [String: (report: String, digest: String)] = [:]
        for zone in ["Pacific/Kiritimati", "Etc/GMT+12"] {
            let config = school.directory + "/\(zone.replacingOccurrences(of: "/", with: "-")).yaml"
            try "time-zone: \(zone)\n".write(toFile: config, atomically: true, encoding: .utf8)
            let report = try await Self.run(
                [
                    "report", "attendance", "--config", config, "--class", className, "--month", month, "--format",
                    "csv"
                ] + school.storeArguments)
            let digest = try await Self.run(
                [
                    "digest", "--config", config, "--login", teacher.login
                ] + school.storeArguments)
            answers[zone] = (report, digest)
        }
        func row(_ csv: String) -> [String]? {
            csv.components(separatedBy: "\r\n").first { $0.hasPrefix(student + ";") }?.components(separatedBy: ";")
        }
        // Уроков, Пропущено уроков: on Kiritimati the lesson was held today; at UTC−12 it is tomorrow's.
        #expect(
            row(answers["Pacific/Kiritimati"]!.report)?.dropFirst().prefix(2) == ["1", "1"],
            "\(answers["Pacific/Kiritimati"]!.report)")
        #expect(
            row(answers["Etc/GMT+12"]!.report)?.dropFirst().prefix(2) == ["0", "0"], "\(answers["Etc/GMT+12"]!.report)")
        // The teacher's digest names the day's lesson, left without a topic, only where it has been held.
        let lesson = String(format: "%02d.%02d №1", day.day, day.month)
        #expect(
            answers["Pacific/Kiritimati"]!.digest.contains("Уроки без темы — 1: \(className)"),
            "\(answers["Pacific/Kiritimati"]!.digest)")
        #expect(answers["Pacific/Kiritimati"]!.digest.contains(lesson), "\(answers["Pacific/Kiritimati"]!.digest)")
        #expect(!answers["Etc/GMT+12"]!.digest.contains(lesson), "\(answers["Etc/GMT+12"]!.digest)")
    }
}
