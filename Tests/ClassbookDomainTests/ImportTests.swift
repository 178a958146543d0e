import ClassbookDomain
import ClassbookStore
import Foundation
import GRDB
import Testing

@Suite("CSV import")
struct ImportTests {
    /// The sample files operators start from: deploy/import-example/.
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/import-example")

    static func files(_ names: [String]) throws -> [(name: String, data: Data)] {
        try names.map { ($0 + ".csv", try Data(contentsOf: examples.appendingPathComponent($0 + ".csv"))) }
    }

    static let all = ["timetable", "students", "periods", "guardians", "staff", "classes", "assignments", "holidays"]

    func database() throws -> (ClassbookDatabase, String) {
        let directory = NSTemporaryDirectory() + "classbook-import-" + UUID().uuidString
        return (try ClassbookDatabase(directory: directory), directory)
    }

    let context = AuditContext(actor: nil, sessionID: "test", at: Date())

    @Test("the example school imports in any file order, and its rows are audited")
    func example() async throws {
        let (database, directory) = try database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let summary = try await CSVImporter(database: database).run(files: try Self.files(Self.all), context: context)
        #expect(
            summary.counts == [
                "periods": 6, "holidays": 3, "staff": 4, "classes": 1, "students": 3, "guardians": 2,
                "assignments": 3, "timetable": 4
            ])
        let (children, group, weekday, birth, hash) = try await database.pool.read { db in
            (
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT s.last_name FROM guardianships g JOIN accounts a ON a.id = g.guardian_id JOIN students s
                            ON s.id = g.student_id
                        WHERE a.login = 'ivanova.ea'
                        """),
                try String.fetchOne(db, sql: "SELECT g.name FROM timetable t JOIN study_groups g ON g.id = t.group_id"),
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT weekday FROM timetable t JOIN subjects s ON s.id = t.subject_id WHERE s.name = "
                        + "'Английский язык'"
                ),
                try String.fetchOne(
                    db, sql: "SELECT value FROM person_details WHERE field = 'birth_date' ORDER BY id LIMIT 1"),
                try String.fetchOne(db, sql: "SELECT password_hash FROM accounts WHERE login = 'petrov.vs'")
            )
        }
        #expect(children == ["Иванов"] && group == "Англ-1" && weekday == 2 && birth == "12.03.2013")
        #expect(hash == CSVImporter.noPassword)
        // Grades 10–11 study in half-years; every other grade in quarters.
        let day = SchoolDate(year: 2026, month: 11, day: 20)
        #expect(try await database.diary.periods(on: day, grade: 10).map(\.name) == ["1 полугодие", "2 полугодие"])
        #expect(
            try await database.diary.periods(on: day, grade: 7).map(\.name) == [
                "1 четверть", "2 четверть", "3 четверть", "4 четверть"
            ])
        #expect(try await AuditVerifier(database: database).verify() != .intact(records: 0))
        guard case .intact = try await AuditVerifier(database: database).verify() else {
            Issue.record("audit not intact"); return
        }
        // An imported account cannot log in until a password is set.
        let accounts = AccountService(accounts: database.accounts, executor: DetachedThreadExecutor())
        #expect(try await accounts.authenticate(login: "petrov.vs", password: "!") == nil)
        try await accounts.setPassword(login: "petrov.vs", password: "correct horse", context: context)
        #expect(try await accounts.authenticate(login: "petrov.vs", password: "correct horse")?.login == "petrov.vs")
    }

    @Test("an invalid file is refused whole: every error with file and line, nothing written")
    func refusedWhole() async throws {
        let (database, directory) = try database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let badStudents = Data(
            "класс;фамилия;имя;логин\n7А;Смирнов;Олег;Smirnov Oleg\n7Б;Орлов;Иван;\n7А;;Анна;\n".utf8)
        let badTimetable = Data(
            ("класс,день,урок,предмет,учитель\n7А,вс,1,Алгебра,petrov.vs\n7А,пн,13,Алгебра,petrov.vs\n"
                + "7А,пн,2,Физика,nobody\n").utf8)
        var files = try Self.files(["periods", "staff", "classes"])
        files += [("students-bad.csv", badStudents), ("timetable-bad.csv", badTimetable)]
        await #expect {
            try await CSVImporter(database: database).run(files: files, context: context)
        } throws: { error in
            let problems = (error as? CSVImporter.Failure)?.problems.map(\.description) ?? []
            return problems == [
                "students-bad.csv:2: «Smirnov Oleg» is not a valid login: 2–32 Latin lower-case letters, digits, "
                    + "'.', '_' or '-', starting with a letter",
                "students-bad.csv:3: no class «7Б»",
                "students-bad.csv:4: the column «фамилия» is empty",
                "timetable-bad.csv:2: «вс» is not a school day: 1–6 or пн…сб",
                "timetable-bad.csv:3: «13» is not a lesson number 1–12",
                "timetable-bad.csv:4: no teacher with the login «nobody»"
            ]
        }
        let (accounts, years, audit) = try await database.pool.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM accounts"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM school_years"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log WHERE action != 'audit.baseline'")
            )
        }
        #expect(accounts == 0 && years == 0 && audit == 0)
    }

    @Test("files that cannot be read as a school's CSV are named with the reason")
    func unreadable() async throws {
        let (database, directory) = try database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files: [(name: String, data: Data)] = [
            ("latin1.csv", Data([0x6C, 0x6F, 0x67, 0x69, 0x6E, 0x0A, 0xE9, 0xFF])),
            ("odd.csv", Data("цвет;размер\nкрасный;1\n".utf8)),
            ("short.csv", Data("\u{FEFF}логин;ФИО;роли\nivanov.ii;Иванов\n".utf8)),
            ("quote.csv", Data("логин;ФИО;роли\nivanov.ii;\"Иванов;teacher\n".utf8))
        ]
        await #expect {
            try await CSVImporter(database: database).run(files: files, context: context)
        } throws: { error in
            (error as? CSVImporter.Failure)?.problems.map(\.description) == [
                "latin1.csv: not UTF-8 text: save the spreadsheet as «CSV UTF-8»",
                "odd.csv:1: unknown column «цвет»; see docs/import.md",
                "short.csv:2: 2 fields where the header has 3",
                "quote.csv:2: a quoted field is not closed"
            ]
        }
    }
}
