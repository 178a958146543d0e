import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

@Suite("School settings")
struct SchoolSettingsTests {
    @Test("settings are read as operators write them, and nonsense is refused")
    func parsing() throws {
        #expect(try SchoolSetting(parsing: "final-rounding-threshold=0.65") == .roundingThreshold(0.65))
        #expect(try SchoolSetting(parsing: "missed-day-rule=3") == .missedDay(.atLeast(3)))
        #expect(try SchoolSetting(parsing: "late-counts-as-missed = yes") == .lateCountsAsMissed(true))
        #expect(try SchoolSetting(parsing: "weight.control=2.5") == .weight(kind: "control", 2.5))
        for bad in [
            "final-rounding-threshold=1.5", "missed-day-rule=0", "late-counts-as-missed=maybe", "weight.control=-1",
            "colour=red", "nothing"
        ] {
            #expect(throws: SchoolSetting.ParseError.self, "\(bad)") { try SchoolSetting(parsing: bad) }
        }
    }

    @Test("a school's rounding threshold and weights change the suggested finals, and the change is audited")
    func thresholdChangesFinals() async throws {
        let school = try await JournalSchool.make()
        defer { school.remove() }
        let journal = school.database.journal
        let context = AuditContext(actor: nil, sessionID: "test", at: Date())
        try await journal.updateSetting(.roundingThreshold(0.6), context: context)
        try await journal.updateSetting(.weight(kind: "control", 3), context: context)
        await #expect(throws: RepositoryError.notFound) {
            try await journal.updateSetting(.weight(kind: "magic", 1), context: context)
        }
        let rules = try await journal.gradingRules()
        #expect(rules.roundingThreshold == 0.6 && rules.weight(of: "control") == 3)

        let assignment = school.output.snapshot.assignments.first { $0.subject == "Математика" }!
        let teacher = try await school.principal(assignment.teacherLogin)
        let service = JournalService(journal: journal, diary: school.database.diary, clock: TestClock())
        let (_, _, proposals) = try await service.proposeFinals(
            className: assignment.className, subject: "математика", period: "2", for: teacher)
        #expect(!proposals.isEmpty)
        for proposal in proposals {
            // The average recomputed here from the rows, with the new weight.
            let rows = try school.database.pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT m.value, m.kind FROM marks m JOIN lessons l ON l.id = m.lesson_id JOIN subjects s ON
                            s.id = l.subject_id
                        WHERE m.student_id = ? AND s.name = 'Математика' AND l.date BETWEEN '2026-11-05' AND
                            '2026-12-27'
                          AND m.deleted_at IS NULL AND m.value NOT IN ('pass', 'fail')
                        """, arguments: [proposal.student.id.rawValue])
            }
            let weighted = rows.map {
                (
                    Double($0["value"] as String)!,
                    ($0["kind"] as String) == "control" ? 3.0 : ($0["kind"] as String) == "independent" ? 1.5 : 1.0
                )
            }
            let total = weighted.map(\.1).reduce(0, +)
            guard total > 0 else { #expect(proposal.average == nil); continue }
            let average = weighted.map { $0.0 * $0.1 }.reduce(0, +) / total
            #expect(abs(proposal.average!.doubleValue - average) < 1e-9)
            // Rounded to two decimals first, as the teacher sees it.
            let shown = (average * 100).rounded() / 100
            let fraction = shown - shown.rounded(.down)
            #expect(proposal.suggested == Int(shown.rounded(.down)) + (fraction >= 0.6 - 1e-9 ? 1 : 0))
        }
        guard case .intact = try await AuditVerifier(database: school.database).verify() else {
            Issue.record("audit broken"); return
        }
        let audited: Int =
            try await school.scalar("SELECT count(*) FROM audit_log WHERE action = 'school.settings'") ?? 0
        #expect(audited == 2)
    }
}
