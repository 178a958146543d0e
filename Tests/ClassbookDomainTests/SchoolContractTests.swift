import ClassbookDomain
import Foundation
import Testing

/// The school's repositories, the same on every backend: one demo school imported into a new
/// store of each, and everything read back compared between them and with the snapshot.
@Suite("School contract")
struct SchoolContractTests {
    static let context = AuditContext(actor: nil, sessionID: "import", at: Date(timeIntervalSince1970: 1_795_000_000))
    static let snapshot: SchoolSnapshot = {
        var output = DemoSchoolGenerator(studentCount: 8, seed: 5, asOf: SchoolDate(year: 2026, month: 11, day: 20))
            .generate()
        for index in output.snapshot.people.indices { output.snapshot.people[index].passwordHash = "!" }
        return output.snapshot
    }()

    /// The same school in every backend.
    static func schools() async throws -> [SchoolStore] {
        var stores: [SchoolStore] = []
        for backend in Backend.allCases { stores.append(try await backend.school(snapshot, context: context)) }
        return stores
    }

    @Test(
        """
        an imported school reads back the same on every backend: guardians' children, students' own records and \
        accounts, periods by grade, every student's marks and absences and their stamp; the audit records of the \
        journal's rows carry the same text, and each chain verifies
        """)
    func importedSchoolReadsTheSame() async throws {
        let stores = try await Self.schools()
        defer { for store in stores { store.close() } }
        let sqlite = stores[0]
        let year = (Self.snapshot.yearStart, Self.snapshot.yearEnd)
        var compared = 0
        for store in stores.dropFirst() {
            #expect(try await store.auditedTexts() == sqlite.auditedTexts())
            for person in Self.snapshot.people {
                // Accounts are numbered in the snapshot's order on both.
                let account = AccountID(Int64(Self.snapshot.people.firstIndex { $0.login == person.login }! + 1))
                let children = try await store.diary.studentsInCare(of: account)
                #expect(children == (try await sqlite.diary.studentsInCare(of: account)))
                #expect(try await store.diary.student(ownedBy: account) == sqlite.diary.student(ownedBy: account))
                #expect(try await store.diary.accountExists(login: person.login))
                for child in children { #expect(try await store.diary.isGuardian(account, of: child.id)) }
            }
            #expect(try await !store.diary.accountExists(login: "nobody"))
            for index in Self.snapshot.students.indices {
                let student = StudentID(Int64(index + 1))
                let marks = try await store.diary.marks(of: student, from: year.0, through: year.1)
                #expect(marks == (try await sqlite.diary.marks(of: student, from: year.0, through: year.1)))
                #expect(
                    try await store.diary.absences(of: student, from: year.0, through: year.1)
                        == sqlite.diary.absences(of: student, from: year.0, through: year.1))
                #expect(try await store.diary.marksStamp(of: student) == sqlite.diary.marksStamp(of: student))
                #expect(try await store.diary.accountOf(student: student) == sqlite.diary.accountOf(student: student))
                compared += marks.count
            }
            for grade in 1...11 {
                let day = SchoolDate(year: 2026, month: 11, day: 20)
                #expect(
                    try await store.diary.periods(on: day, grade: grade) == sqlite.diary.periods(on: day, grade: grade))
            }
        }
        #expect(compared == Self.snapshot.marks.count * (stores.count - 1))
        try await SchoolStore.expectVerified(stores)
    }

    @Test(
        """
        acknowledgements and consent: an acknowledgement covers every entry not yet acknowledged and a second one \
        finds none; consent decisions, the latest in force; both audited, on every backend
        """, arguments: Backend.allCases)
    func acknowledgementsAndConsent(_ backend: Backend) async throws {
        let store = try await backend.school(Self.snapshot, context: Self.context)
        defer { store.close() }
        let index = try #require(Self.snapshot.students.firstIndex { !$0.guardianLogins.isEmpty })
        let student = StudentID(Int64(index + 1))
        let login = Self.snapshot.students[index].guardianLogins[0]
        let guardian = AccountID(Int64(Self.snapshot.people.firstIndex { $0.login == login }! + 1))
        let marks = Self.snapshot.marks.filter { $0.student == index }.count
        let absences = Self.snapshot.absences.filter { $0.student == index }.count
        let context = AuditContext(actor: guardian, sessionID: "s1", at: Date(timeIntervalSince1970: 1_795_000_100))
        #expect(try await store.diary.lastAcknowledgement(student: student, guardian: guardian) == nil)
        let first = try #require(
            try await store.diary.acknowledge(student: student, guardian: guardian, context: context))
        #expect(first.markCount == marks && first.absenceCount == absences && first.at == context.at)
        #expect(try await store.diary.acknowledge(student: student, guardian: guardian, context: context) == nil)
        #expect(try await store.diary.lastAcknowledgement(student: student, guardian: guardian) == first)

        #expect(try await store.diary.latestConsent(guardian: guardian) == nil)
        _ = try await store.diary.recordConsent(.refused, guardian: guardian, context: context)
        let later = AuditContext(actor: guardian, sessionID: "s1", at: Date(timeIntervalSince1970: 1_795_000_200))
        _ = try await store.diary.recordConsent(.granted, guardian: guardian, context: later)
        #expect(
            try await store.diary.latestConsent(guardian: guardian) == ConsentRecord(decision: .granted, at: later.at))
        guard case .intact = try await store.verifyAudit() else {
            Issue.record("the audit does not verify")
            return
        }
    }

    @Test(
        """
        audit verify finds a journal row changed, added or removed behind the application's back, on every backend
        """, arguments: Backend.allCases)
    func tamperedRowsAreFound(_ backend: Backend) async throws {
        for (statement, finding) in [
            ("UPDATE marks SET comment = 'подделка' WHERE id = 1", "marks row 1 differs"),
            (
                "DELETE FROM guardianships WHERE student_id = 1 AND guardian_id = (SELECT min(guardian_id) FROM "
                    + "guardianships WHERE student_id = 1)", "is missing"
            ),
            (
                "INSERT INTO remarks (student_id, author_id, date, kind, text, revision, created_at) VALUES (1, 1, "
                    + "'2026-11-20', 'remark', 'x', 0, '2026-11-20 10:00:00')", "has no audit record"
            )
        ] {
            let store = try await backend.school(Self.snapshot, context: Self.context)
            defer { store.close() }
            guard case .intact = try await store.verifyAudit() else {
                Issue.record("the audit does not verify before tampering")
                return
            }
            try await store.tamper(statement)
            guard case .rowTampered(let reason) = try await store.verifyAudit() else {
                Issue.record("not found: \(statement)")
                continue
            }
            #expect(reason.contains(finding), "\(reason)")
        }
    }
}

/// What a node keeps of the school's structure follows a change made on another node.
@Suite("Structure across nodes")
struct StructureAcrossNodesTests {
    @Test(
        """
        a weight, a setting and a holiday changed on one node are what another node answers once it has read the \
        change feed (its own change at once), on every backend
        """, arguments: Backend.allCases)
    func structureFollowsChanges(_ backend: Backend) async throws {
        let a = try await backend.school(SchoolContractTests.snapshot, context: SchoolContractTests.context)
        defer { a.close() }
        let b = try a.another()
        defer { b.close() }
        let day = SchoolDate(year: 2026, month: 11, day: 20)
        // Both have read (and may keep) the structure.
        let before = try await b.journal.gradingRules()
        _ = try await b.diary.marksStamp(of: StudentID(1))
        _ = try await b.journal.holidays(on: day)
        let start = try await b.feed.latestSequence()
        let context = AuditContext(actor: nil, sessionID: "cli", at: Date())
        try await a.journal.updateSetting(.weight(kind: "test", 3.5), context: context)
        try await a.journal.updateSetting(.lateCountsAsMissed(!before.lateCountsAsMissed), context: context)
        // Its own change, at once.
        #expect(try await a.journal.gradingRules().weights["test"] == 3.5)
        try await a.tamper(
            "INSERT INTO holidays (year_id, name, start_date, end_date) VALUES (1, 'Карантин', "
                + "'2026-11-23', '2026-11-27')")
        // The other node, once its feed is read (a server's follower reads it every 0.1 s).
        _ = try await b.feed.changes(after: start, limit: 1000)
        let after = try await b.journal.gradingRules()
        #expect(after.weights["test"] == 3.5 && after.lateCountsAsMissed != before.lateCountsAsMissed)
        #expect(try await b.diary.marksStamp(of: StudentID(1)).weights["test"] == 3.5)
        #expect(try await b.journal.holidays(on: day).contains { $0.name == "Карантин" })
    }

    @Test(
        """
        a guardian's children as another node keeps them follow a change of a child's name made on one node, once \
        that node's feed is read, on every backend
        """, arguments: Backend.allCases)
    func rostersFollowChanges(_ backend: Backend) async throws {
        let a = try await backend.school(SchoolContractTests.snapshot, context: SchoolContractTests.context)
        defer { a.close() }
        let b = try a.another()
        defer { b.close() }
        let index = try #require(SchoolContractTests.snapshot.students.firstIndex { !$0.guardianLogins.isEmpty })
        let login = SchoolContractTests.snapshot.students[index].guardianLogins[0]
        let guardian = AccountID(Int64(SchoolContractTests.snapshot.people.firstIndex { $0.login == login }! + 1))
        let child = StudentID(Int64(index + 1))
        #expect(try await b.diary.studentsInCare(of: guardian).contains { $0.id == child })
        let start = try await b.feed.latestSequence()
        _ = try await a.journal.setPersonalData(
            of: child, field: .firstName, value: "Феврония", context: SchoolContractTests.context)
        #expect(try await a.diary.studentsInCare(of: guardian).first { $0.id == child }?.firstName == "Феврония")
        _ = try await b.feed.changes(after: start, limit: 1000)
        #expect(try await b.diary.studentsInCare(of: guardian).first { $0.id == child }?.firstName == "Феврония")
    }
}

/// CSV import, the same on every backend: the example files, and files with errors.
@Suite("CSV import contract")
struct ImportContractTests {
    static let context = SchoolContractTests.context

    @Test(
        """
        the example school's CSV files import into every backend with the same counts, rows and audit texts, and \
        each audit verifies; files with errors are refused the same on each, naming every error, writing nothing
        """)
    func importsTheSame() async throws {
        var stores: [SchoolStore] = []
        for backend in Backend.allCases { stores.append(try await backend.emptySchool()) }
        defer { for store in stores { store.close() } }
        var summaries: [CSVImport.Summary] = []
        for store in stores {
            summaries.append(try await store.importCSV(try ImportTests.files(ImportTests.all), Self.context))
        }
        #expect(summaries.allSatisfy { $0 == summaries[0] } && summaries[0].counts["students"] == 3)
        let rows = """
            SELECT s.last_name || ' ' || c.name || ' ' || coalesce(a.login, '-') FROM students s
            JOIN classes c ON c.id = s.class_id LEFT JOIN accounts a ON a.id = s.account_id ORDER BY s.id
            """
        for store in stores.dropFirst() {
            #expect(try await store.texts(rows) == stores[0].texts(rows))
            #expect(try await store.auditedTexts() == stores[0].auditedTexts())
            #expect(try await store.auditedTexts().count > 10)
        }
        try await SchoolStore.expectVerified(stores)

        let bad = Data("класс;фамилия;имя;логин\n7А;Смирнов;Олег;Smirnov Oleg\n7Б;Орлов;Иван;\n7А;;Анна;\n".utf8)
        var refusals: [[String]] = []
        for backend in Backend.allCases {
            let store = try await backend.emptySchool()
            defer { store.close() }
            do {
                _ = try await store.importCSV(
                    try ImportTests.files(["periods", "staff", "classes"]) + [("students-bad.csv", bad)], Self.context)
                Issue.record("imported")
            } catch let failure as CSVImport.Failure {
                refusals.append(failure.problems.map(\.description))
            }
            #expect(try await store.texts("SELECT CAST(count(*) AS TEXT) FROM school_years") == ["0"])
        }
        #expect(refusals.count == 2 && refusals[0] == refusals[1] && refusals[0].count == 3, "\(refusals)")
    }
}
