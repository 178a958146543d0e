import ClassbookDomain
import ClassbookStore
import Foundation
import Testing

/// One test per counting rule of docs/reports.md («Report fidelity»), each on a tiny school
/// built here, its figures worked out by hand in the comments, and chosen so that the wrong rule
/// gives a different figure. Class 5А; period 1 is 01.09–24.10.2026, period 2 05.11–27.12.2026;
/// today is 20.11.2026 unless a test says otherwise.
@Suite("Report rules")
struct ReportRuleTests {
    static let today = SchoolDate(year: 2026, month: 11, day: 20)

    static func d(_ month: Int, _ day: Int) -> SchoolDate { SchoolDate(year: 2026, month: month, day: day) }

    /// A lesson: subject, date, number in the day.
    typealias Lesson = (subject: String, date: SchoolDate, number: Int)

    /// A school of one class from the lists given; marks and absences name lessons and students by index.
    struct School {
        var database: ClassbookDatabase
        var reports: ReportService
        var directory: String
        var classID: ClassID

        func student(_ lastName: String) async throws -> StudentID {
            try await database.journal.students(
                inClass: classID, from: ReportRuleTests.d(9, 1), through: ReportRuleTests.d(12, 27)
            )
            .first { $0.lastName == lastName }!.id
        }

        func lesson(_ subject: String, _ date: SchoolDate) async throws -> LessonID {
            try await database.journal.lessons(ofClass: classID, subject: nil, from: date, through: date).first {
                $0.subject.name == subject
            }!.id
        }

        func csv(_ request: ReportService.Request, table: Int = 0) async throws -> [String: [String]] {
            let report = try await reports.report(request).text(.ru)
            return Dictionary(
                report.tables[table].rows.map { ($0[0], Array($0.dropFirst())) }, uniquingKeysWith: { a, _ in a })
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    static let context = AuditContext(actor: nil, sessionID: "test", at: Date())

    static func school(
        students: [String], subjects: [String], lessons: [Lesson],
        marks: [(lesson: Int, student: Int, value: MarkValue, kind: MarkKind)] = [],
        absences: [(lesson: Int, student: Int, reason: AbsenceReason)] = [],
        today: SchoolDate = today
    ) async throws -> School {
        let directory = NSTemporaryDirectory() + "classbook-report-rules-" + UUID().uuidString
        let database = try ClassbookDatabase(directory: directory)
        let calendar = DemoSchoolGenerator.calendar(containing: today)
        let people = [
            SchoolSnapshot.Person(
                login: "teacher.t", displayName: "Учитель Предметов", roles: [.teacher, .classTeacher],
                passwordHash: "!")
        ]
        let records = students.map { name in
            SchoolSnapshot.StudentRecord(
                login: nil, className: "5А", lastName: name, firstName: "Ученик", middleName: "", guardianLogins: [])
        }
        let snapshot = SchoolSnapshot(
            yearName: calendar.name, yearStart: calendar.start, yearEnd: calendar.end, periods: calendar.periods,
            holidays: calendar.holidays,
            subjects: subjects, people: people, classes: [.init(name: "5А", grade: 5, classTeacherLogin: "teacher.t")],
            students: records,
            assignments: subjects.map { .init(teacherLogin: "teacher.t", subject: $0, className: "5А") },
            lessons: lessons.map {
                .init(
                    className: "5А", subject: $0.subject, teacherLogin: "teacher.t", date: $0.date, number: $0.number,
                    topic: "Тема", homework: nil)
            },
            marks: marks.map { .init(lesson: $0.lesson, student: $0.student, value: $0.value, kind: $0.kind) },
            absences: absences.map { .init(lesson: $0.lesson, student: $0.student, reason: $0.reason) })
        try await SchoolImporter(database: database).write(snapshot, context: context)
        let clock = ReportTests.FixedDay(day: today)
        let diary = DiaryService(diary: database.diary, journal: database.journal, clock: clock)
        let journal = JournalService(journal: database.journal, diary: diary.diary, clock: clock)
        let duties = DutiesService(
            duties: database.duties, journal: journal, diary: diary, executor: DetachedThreadExecutor())
        return School(
            database: database, reports: ReportService(journal: journal, duties: duties), directory: directory,
            classID: try await database.journal.classes()[0].id)
    }

    /// Math on five days in a row, one lesson a day: 09.11 to 13.11.
    static let week: [Lesson] = (9...13).map { ("Математика", d(11, $0), 1) }

    // MARK: Rule 1

    @Test("rule 1: attendance counts only the lessons held while the student was on the class list")
    func attendanceWhileOnTheList() async throws {
        // Андреев all week; Власов leaves on 12.11 (on the list 09–11: 3 lessons), absent Б on 10.11;
        // Борисова arrives on 11.11 (on the list 11–13: 3 lessons), absent Н on 12.11.
        let school = try await Self.school(
            students: ["Андреев", "Власов"], subjects: ["Математика"], lessons: Self.week,
            absences: [(1, 1, .illness)])
        defer { school.remove() }
        let journal = school.database.journal
        try await journal.recordDeparture(
            student: try await school.student("Власов"), on: Self.d(11, 12), note: "переезд", context: Self.context)
        let arrived = try await journal.addStudent(
            classID: school.classID, lastName: "Борисова", firstName: "Ученик", middleName: "",
            arrivedOn: Self.d(11, 11), note: "из школы № 3", context: Self.context)
        _ = try await journal.writeAbsences(
            [(arrived.id, .unexcused)], lesson: try await school.lesson("Математика", Self.d(11, 12)),
            context: Self.context)

        let r = try await school.csv(.init(kind: .attendance, className: "5А", month: "2026-11"))
        // Уроков, пропущено, по болезни, по уважительной причине, без уважительной причины, опозданий, дней.
        #expect(r["Андреев Ученик"] == ["5", "0", "0", "0", "0", "0", "0"])
        #expect(r["Борисова Ученик"] == ["3", "1", "0", "0", "1", "0", "1"])  // counting the week: 5
        #expect(r["Власов Ученик"] == ["3", "1", "1", "0", "0", "0", "1"])  // counting the week: 5
        #expect(r["Итого"] == ["11", "2", "1", "0", "1", "0", "2"])
        // The risk check's share: 1 missed of the 3 she attended is 0.33, over the school's 0.3
        // (of 5 it would be 0.2, under it).
        let risk = try await school.csv(.init(kind: .preliminary, className: "5А", period: "2"))
        #expect(risk["Борисова Ученик"]?.last == "пропущено 1 из 3 уроков")
        // Missed lessons per student listed in the period: 2 / 3 = 0,67.
        let period = try await school.csv(.init(kind: .period, className: "5А", period: "2"), table: 4)
        #expect(period["Пропущено уроков на одного обучающегося"] == ["0,67"])
    }

    // MARK: Rule 2

    @Test("rule 2: a report for a period that has ended describes that period")
    func endedPeriodDescribesItself() async throws {
        // Period 1: Андреев 3 (13.10), 2 (20.10), 2 (21.10) → average 7/3 = 2,33, two 2s in the
        // last two weeks of the period. Period 2: 5 and 5, no risk.
        let lessons: [Lesson] = [
            ("Математика", Self.d(10, 13), 1), ("Математика", Self.d(10, 20), 1), ("Математика", Self.d(10, 21), 1),
            ("Математика", Self.d(11, 9), 1), ("Математика", Self.d(11, 10), 1)
        ]
        let school = try await Self.school(
            students: ["Андреев"], subjects: ["Математика"], lessons: lessons,
            marks: [
                (0, 0, .grade(3), .oral), (1, 0, .grade(2), .oral), (2, 0, .grade(2), .oral),
                (3, 0, .grade(5), .oral), (4, 0, .grade(5), .oral)
            ])
        defer { school.remove() }
        let first = try await school.reports.report(.init(kind: .preliminary, className: "5А", period: "1")).text(.ru)
        #expect(
            first.tables[0].rows == [
                ["Андреев Ученик", "неуспевающие", "Математика 2*", "Математика: средний 2,33; двоек за две недели: 2"]
            ])
        #expect(first.subtitle.hasSuffix("на 24.10.2026"))
        let second = try await school.csv(.init(kind: .preliminary, className: "5А", period: "2"))
        #expect(second["Андреев Ученик"] == ["отличники", "Математика 5*", ""])
        // «(на сегодня)» only while the period runs.
        let ended = try await school.csv(.init(kind: .period, className: "5А", period: "1"))
        #expect(ended["На конец периода"] == ["1"] && ended["На конец периода (на сегодня)"] == nil)
        let running = try await school.csv(.init(kind: .period, className: "5А", period: "2"))
        #expect(running["На конец периода (на сегодня)"] == ["1"] && running["На конец периода"] == nil)
    }

    // MARK: Rule 3

    @Test(
        "rule 3: illness is not merged with other valid reasons; the three reason columns add up to the missed lessons")
    func illnessApart() async throws {
        // Андреев: Б 09.11, Б 10.11, УП 11.11, Н 12.11 — one lesson a day, so four missed days.
        let school = try await Self.school(
            students: ["Андреев", "Борисова", "Власов"], subjects: ["Математика"], lessons: Self.week,
            absences: [(0, 0, .illness), (1, 0, .illness), (2, 0, .excused), (3, 0, .unexcused)])
        defer { school.remove() }
        let report = try await school.reports.report(.init(kind: .attendance, className: "5А", month: "2026-11")).text(
            .ru)
        #expect(
            report.tables[0].header == [
                "Обучающийся", "Уроков", "Пропущено уроков", "По болезни", "По уважительной причине",
                "Без уважительной причины", "Опозданий", "Пропущено дней"
            ])
        // Merged it would say 3 excused.
        #expect(report.tables[0].rows[0] == ["Андреев Ученик", "5", "4", "2", "1", "1", "0", "4"])
        let period = try await school.reports.report(.init(kind: .period, className: "5А", period: "2")).text(.ru)
        let attendance = try #require(period.tables.first { $0.caption == "Посещаемость" })
        #expect(
            attendance.rows == [
                ["Пропущено уроков", "4"], ["По болезни", "2"], ["По уважительной причине", "1"],
                ["Без уважительной причины", "1"], ["Пропущено дней", "4"],
                ["Пропущено уроков на одного обучающегося", "1,33"]
            ])  // 4 / 3
    }

    // MARK: Rule 4

    @Test("rule 4: period averages are averages of the period marks shown")
    func averagesOfPeriodMarks() async throws {
        // Математика: Андреев 5, 5, 4 → 14/3 = 4,67 → 5*; Борисова 4, 4, 3 → 3,67 → 4*.
        // Русский язык: Андреев 5, 5 → 5,00, the teacher set 3; Борисова 4, 5 → 4,50 → 5*.
        let lessons: [Lesson] =
            (9...11).map { ("Математика", Self.d(11, $0), 1) } + (9...10).map { ("Русский язык", Self.d(11, $0), 2) }
        let school = try await Self.school(
            students: ["Андреев", "Борисова"], subjects: ["Математика", "Русский язык"], lessons: lessons,
            marks: [
                (0, 0, .grade(5), .oral), (1, 0, .grade(5), .oral), (2, 0, .grade(4), .oral),
                (0, 1, .grade(4), .oral), (1, 1, .grade(4), .oral), (2, 1, .grade(3), .oral),
                (3, 0, .grade(5), .oral), (4, 0, .grade(5), .oral), (3, 1, .grade(4), .oral), (4, 1, .grade(5), .oral)
            ])
        defer { school.remove() }
        let russian = try await school.database.journal.subjects().first { $0.name == "Русский язык" }!
        _ = try await school.database.journal.writeFinals(
            [(try await school.student("Андреев"), .grade(3))], subject: russian.id, period: 2,
            on: Self.today, context: Self.context)
        let sheet = try await school.csv(.init(kind: .marks, className: "5А", period: "2"))
        #expect(sheet["Андреев Ученик"] == ["5*", "3", "4,00"])  // (5 + 3) / 2; of the weighted averages 4,83
        #expect(sheet["Борисова Ученик"] == ["4*", "5*", "4,50"])  // (4 + 5) / 2; of the weighted averages 4,08
        // (5 + 4) / 2, (3 + 5) / 2; of the averages 4,17 and 4,75.
        #expect(sheet["Средний балл класса"] == ["4,50", "4,00", ""])
        let subjects = try await school.csv(.init(kind: .period, className: "5А", period: "2"), table: 3)
        #expect(subjects["Математика"]?.first == "4,50" && subjects["Русский язык"]?.first == "4,00")
        // The analytics report keeps the weighted average of current marks: (4,67 + 3,67) / 2 = 4,17.
        let analytics = try await school.csv(.init(kind: .analytics, className: "5А"))
        #expect(analytics["Математика"]?.contains("4,17") == true)
    }

    // MARK: Rule 5

    @Test("rule 5: a failed pass/fail result makes the student failing and prints as незач; a pass enters no average")
    func failIsFailing() async throws {
        // Андреев: Математика 5, Физкультура незачёт; Борисова: Математика 4, Физкультура зачёт.
        let lessons: [Lesson] = [("Математика", Self.d(11, 9), 1), ("Физкультура", Self.d(11, 9), 2)]
        let school = try await Self.school(
            students: ["Андреев", "Борисова"], subjects: ["Математика", "Физкультура"], lessons: lessons,
            marks: [(0, 0, .grade(5), .oral), (1, 0, .fail, .oral), (0, 1, .grade(4), .oral), (1, 1, .pass, .oral)])
        defer { school.remove() }
        let sheet = try await school.csv(.init(kind: .marks, className: "5А", period: "2"))
        #expect(sheet["Андреев Ученик"] == ["5*", "незач", "5,00"])
        #expect(sheet["Борисова Ученик"] == ["4*", "зач", "4,00"])
        #expect(sheet["Средний балл класса"] == ["4,50", "—", ""])
        let results = try await school.csv(.init(kind: .results, className: "5А", period: "2"))
        #expect(results["Неуспевающие"] == ["1", "Андреев Ученик"])  // with only his 5 he would be excellent
        #expect(results["Хорошисты"] == ["1", "Борисова Ученик"])
        let figures = try await school.csv(.init(kind: .results, className: "5А", period: "2"), table: 1)
        #expect(figures["Успеваемость"] == ["50,0%"] && figures["Качество знаний"] == ["50,0%"])
        let preliminary = try await school.csv(.init(kind: .preliminary, className: "5А", period: "2"))
        #expect(preliminary["Андреев Ученик"]?.prefix(2) == ["неуспевающие", "Математика 5*, Физкультура незач"])
    }

    // MARK: Rule 6

    @Test("rule 6: figures are computed exactly and rounded half up: 56,25 % prints as 56,3%, 4,125 as 4,13")
    func roundingHalfUp() async throws {
        // Sixteen students, one mark each: nine 5s, seven 3s. Quality 9/16 = 56,25 %; the class
        // average 66/16 = 4,125. Binary floating point printed with %.1f says 56,2%.
        let names = (1...16).map { String(format: "Ученик%02d", $0) }
        let school = try await Self.school(
            students: names, subjects: ["Математика"], lessons: [("Математика", Self.d(11, 9), 1)],
            marks: (0..<16).map { (0, $0, .grade($0 < 9 ? 5 : 3), .oral) })
        defer { school.remove() }
        let figures = try await school.csv(.init(kind: .results, className: "5А", period: "2"), table: 1)
        #expect(figures["Качество знаний"] == ["56,3%"] && figures["Успеваемость"] == ["100,0%"])
        let sheet = try await school.csv(.init(kind: .marks, className: "5А", period: "2"))
        #expect(sheet["Средний балл класса"] == ["4,13", ""])
        let subjects = try await school.csv(.init(kind: .period, className: "5А", period: "2"), table: 3)
        #expect(subjects["Математика"] == ["4,13", "9", "0", "7", "0", "56,3%"])
    }
}
