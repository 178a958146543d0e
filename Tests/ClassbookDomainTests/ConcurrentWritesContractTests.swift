import ClassbookDomain
import ClassbookPostgres
import ClassbookTestSupport
import Foundation
import Synchronization
import Testing

/// Writes from two nodes at once, on every backend. PostgreSQL runs several batches of writes at
/// the same time (a node's committers, and other nodes'): what a write decides from what it read
/// must still hold when it commits, the audit chain must stay one chain, and `audit verify` must
/// read the chain and the rows as of one moment.
@Suite("Concurrent writes")
struct ConcurrentWritesContractTests {
    @Test(
        "the same mark written from two nodes at once is one mark, and each change is audited once",
        arguments: Backend.allCases)
    func oneMarkFromTwoNodes(_ backend: Backend) async throws {
        let (a, b, lesson, mark) = try await Self.twoNodes(backend)
        defer {
            b.close()
            a.close()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask { try await mark(index % 2 == 0 ? a : b, index) }
            }
            try await group.waitForAll()
        }
        let marks = try await a.journal.entries(ofLessons: [lesson]).marks[lesson] ?? []
        #expect(marks.count == 1, "one mark, however many wrote it at once: \(marks)")
        // The mark's records chain its values: each record's old value is the one before's new.
        let id = try #require(marks.first).1.id
        let records = try await a.texts(
            """
            SELECT coalesce(old_value, '∅') || ' → ' || coalesce(new_value, '∅') FROM audit_log
            WHERE entity = 'marks' AND entity_id = '\(id)' ORDER BY id
            """)
        #expect(records.count > 1)
        for (earlier, later) in zip(records, records.dropFirst()) {
            #expect(
                later.components(separatedBy: " → ")[0] == earlier.components(separatedBy: " → ")[1],
                "each change's old value is what the change before it left")
        }
        try await SchoolStore.expectVerified([a, b])
    }

    @Test(
        "audit verify reads the chain and the rows as of one moment while another node writes",
        arguments: Backend.allCases)
    func verifyWhileWriting(_ backend: Backend) async throws {
        let (a, b, _, mark) = try await Self.twoNodes(backend)
        defer {
            b.close()
            a.close()
        }
        let done = Atomic(false)
        let writing = Task {
            defer { done.store(true, ordering: .sequentiallyConsistent) }
            for index in 0..<200 { try await mark(b, index) }
        }
        var verified = 0
        while !done.load(ordering: .sequentiallyConsistent) {
            let outcome = try await a.verifyAudit()
            guard case .intact = outcome else {
                Issue.record("verify while another node writes: \(outcome)")
                break
            }
            verified += 1
        }
        try await writing.value
        #expect(verified > 1, "verify ran while the other node wrote")
    }

    @Test(
        """
        PostgreSQL: two nodes switching the languages of the same accounts at once never deadlock (a node's writes \
        of one account meet in one batch, and each batch locks its accounts first, in one order), and the chain \
        stays whole
        """)
    func noDeadlockOnSharedAccounts() async throws {
        let url = try await ThrowawayPostgres.server().newDatabase()
        let nodes = [try PostgresStore(url: url), try PostgresStore(url: url)]
        defer { for node in nodes { node.close() } }
        try await nodes[0].migrate()
        let reruns = Atomic(0)
        for node in nodes { node.observeReruns { _ in reruns.add(1, ordering: .relaxed) } }
        var accounts: [AccountID] = []
        for index in 0..<16 {
            accounts.append(
                try await nodes[0].accounts.createAccount(
                    NewAccount(login: "a\(index)", displayName: "A \(index)", roles: [.guardian], passwordHash: "!"),
                    context: AuditContext(actor: nil, sessionID: "s", at: Date())
                ).id)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<128 {
                group.addTask { [accounts] in
                    for step in 0..<16 {
                        let account = accounts[(writer + step * 5) % accounts.count]
                        try await nodes[writer % 2].accounts.setLanguage(
                            step % 2 == 0 ? .en : .ru, for: account,
                            context: AuditContext(actor: account, sessionID: "w\(writer)", at: Date()))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(reruns.load(ordering: .relaxed) == 0, "batches that failed (deadlocked) and ran again alone")
        #expect(try await nodes[1].verifyAuditChain().failure == nil)
    }

    /// Two nodes of a new store of the demo school, a new lesson, and a write for either node: the
    /// mark `2 + index % 4` for the same student in that lesson.
    static func twoNodes(_ backend: Backend) async throws -> (
        a: SchoolStore, b: SchoolStore, lesson: LessonID, mark: @Sendable (SchoolStore, Int) async throws -> Void
    ) {
        let a = try await backend.school(SchoolContractTests.snapshot, context: SchoolContractTests.context)
        let b = try a.another()
        let snapshot = SchoolContractTests.snapshot
        let teacher = try #require(try await a.journal.staff(login: snapshot.lessons[0].teacherLogin)).id
        let assignment = try #require(try await a.journal.assignments(teacher: teacher).first)
        let lesson = try await a.journal.lesson(
            classID: assignment.classID, group: nil, subject: assignment.subject.id, teacher: teacher, date: day,
            number: 8, context: AuditContext(actor: teacher, sessionID: "s", at: Date())
        ).id
        let student = try #require(try await a.journal.students(inClass: assignment.classID, on: day).first).id
        return (
            a, b, lesson,
            { store, index in
                _ = try await store.journal.writeMarks(
                    [MarkWrite(student: student, value: .grade(2 + index % 4), kind: "oral", comment: nil)],
                    lesson: lesson, context: AuditContext(actor: teacher, sessionID: "s\(index)", at: Date()),
                    events: { _ in [] })
            }
        )
    }

    static let day = SchoolDate(year: 2026, month: 11, day: 23)
}
