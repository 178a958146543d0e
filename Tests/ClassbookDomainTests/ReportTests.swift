import ClassbookDomain
import ClassbookPrint
import ClassbookStore
import Foundation
import GRDB
import Testing

/// Reports of a small school built by hand, every figure worked out by hand below.
///
/// Class 5А, period 2 (05.11–27.12.2026), today 20.11.2026. Lessons:
/// L0 Математика 09.11 №1, L1 Русский язык 09.11 №2, L2 Математика 10.11 №1 (control work),
/// L3 Русский язык 10.11 №2, L4 Математика 11.11 №1.
/// - Андреев Антон: Математика 5 (L0), 5 control (L2) → (5 + 10) / 3 = 5.00 → 5*;
///   Русский 5 (L1), 4 (L3) → 4.50 → 5* (threshold .5); late (ОП) at L0.
/// - Борисова Вера: Математика 4 (L0), 3 control (L2) → (4 + 6) / 3 = 3.33 → 3*; Русский 5 (L3),
///   final 4 set by the teacher → 4; absent Б at L1 and at L4 (her only lesson on 11.11: a missed day).
/// - Власов Глеб: Математика 2 (L0), 2 control (L2) → 2.00 → 2*; Русский 3 (L1) → 3*; absent Н at L3.
/// - Дмитриева Ева: no marks; left the class on 12.11 (переезд).
@Suite("Reports")
struct ReportTests {
    static let day = SchoolDate(year: 2026, month: 11, day: 20)

    static func school() async throws -> (ClassbookDatabase, ReportService, String) {
        let directory = NSTemporaryDirectory() + "classbook-reports-" + UUID().uuidString
        let database = try ClassbookDatabase(directory: directory)
        let calendar = DemoSchoolGenerator.calendar(containing: day)
        func d(_ day: Int) -> SchoolDate { SchoolDate(year: 2026, month: 11, day: day) }
        let people = [
            ("teacher.m", "Учитель Математики", Set<Role>([.teacher, .classTeacher])),
            ("teacher.r", "Учитель Русского", [.teacher])
        ]
        .map { SchoolSnapshot.Person(login: $0.0, displayName: $0.1, roles: $0.2, passwordHash: "!") }
        let students = [("Андреев", "Антон"), ("Борисова", "Вера"), ("Власов", "Глеб"), ("Дмитриева", "Ева")].map {
            SchoolSnapshot.StudentRecord(
                login: nil, className: "5А", lastName: $0.0, firstName: $0.1, middleName: "", guardianLogins: [])
        }
        let lessons: [SchoolSnapshot.Lesson] = [
            .init(
                className: "5А", subject: "Математика", teacherLogin: "teacher.m", date: d(9), number: 1,
                topic: "Дроби", homework: "№1"),
            .init(
                className: "5А", subject: "Русский язык", teacherLogin: "teacher.r", date: d(9), number: 2,
                topic: "Наречие", homework: "упр. 1"),
            .init(
                className: "5А", subject: "Математика", teacherLogin: "teacher.m", date: d(10), number: 1,
                topic: "Контрольная", homework: nil, isControlWork: true),
            .init(
                className: "5А", subject: "Русский язык", teacherLogin: "teacher.r", date: d(10), number: 2,
                topic: "Наречие", homework: "упр. 2"),
            .init(
                className: "5А", subject: "Математика", teacherLogin: "teacher.m", date: d(11), number: 1,
                topic: "Дроби", homework: "№2")
        ]
        let marks: [SchoolSnapshot.Mark] = [
            .init(lesson: 0, student: 0, value: .grade(5), kind: .oral),
            .init(lesson: 2, student: 0, value: .grade(5), kind: .control),
            .init(lesson: 1, student: 0, value: .grade(5), kind: .oral),
            .init(lesson: 3, student: 0, value: .grade(4), kind: .oral),
            .init(lesson: 0, student: 1, value: .grade(4), kind: .oral),
            .init(lesson: 2, student: 1, value: .grade(3), kind: .control),
            .init(lesson: 3, student: 1, value: .grade(5), kind: .oral),
            .init(lesson: 0, student: 2, value: .grade(2), kind: .oral),
            .init(lesson: 2, student: 2, value: .grade(2), kind: .control),
            .init(lesson: 1, student: 2, value: .grade(3), kind: .oral)
        ]
        let absences: [SchoolSnapshot.Absence] = [
            .init(lesson: 0, student: 0, reason: .late), .init(lesson: 1, student: 1, reason: .illness),
            .init(lesson: 4, student: 1, reason: .illness), .init(lesson: 3, student: 2, reason: .unexcused)
        ]
        let snapshot = SchoolSnapshot(
            yearName: calendar.name, yearStart: calendar.start, yearEnd: calendar.end, periods: calendar.periods,
            holidays: calendar.holidays,
            subjects: ["Математика", "Русский язык"], people: people,
            classes: [.init(name: "5А", grade: 5, classTeacherLogin: "teacher.m")],
            students: students,
            assignments: [
                .init(teacherLogin: "teacher.m", subject: "Математика", className: "5А"),
                .init(teacherLogin: "teacher.r", subject: "Русский язык", className: "5А")
            ],
            lessons: lessons, marks: marks, absences: absences)
        let context = AuditContext(actor: nil, sessionID: "test", at: Date())
        try await SchoolImporter(database: database).write(snapshot, context: context)
        let clock = FixedDay(day: day)
        let diary = DiaryService(diary: database.diary, journal: database.journal, clock: clock)
        let journal = JournalService(journal: database.journal, diary: database.diary, clock: clock)
        let duties = DutiesService(
            duties: database.duties, journal: journal, diary: diary, executor: DetachedThreadExecutor())
        let roster = try await database.journal.students(inClass: try await database.journal.classes()[0].id, on: day)
        let russian = try await database.journal.subjects().first { $0.name == "Русский язык" }!
        _ = try await database.journal.writeFinals(
            [(roster.first { $0.lastName == "Борисова" }!.id, .grade(4))], subject: russian.id,
            period: 2, on: day, context: context)
        try await database.journal.recordDeparture(
            student: roster.first { $0.lastName == "Дмитриева" }!.id, on: d(12), note: "переезд", context: context)
        return (database, ReportService(journal: journal, duties: duties), directory)
    }

    struct FixedDay: SchoolClock {
        var day: SchoolDate
        func now() -> Date {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Europe/Moscow")!
            return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 15))!
        }
    }

    func rows(_ report: ReportText, table: Int = 0) -> [String: [String]] {
        Dictionary(report.tables[table].rows.map { ($0[0], Array($0.dropFirst())) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("attendance for November: lessons, missed, excused, late and missed days per student and in total")
    func attendance() async throws {
        let (_, reports, directory) = try await Self.school()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try await reports.report(.init(kind: .attendance, className: "5а", month: "2026-11")).text(.ru)
        let r = rows(report)
        #expect(report.subtitle == "Класс 5А, ноябрь 2026")
        // Уроков, пропущено, по болезни, по уважительной причине, без уважительной причины, опозданий, дней.
        #expect(r["Андреев Антон"] == ["5", "0", "0", "0", "0", "1", "0"])
        #expect(r["Борисова Вера"] == ["5", "2", "2", "0", "0", "0", "1"])
        #expect(r["Власов Глеб"] == ["5", "1", "0", "0", "1", "0", "0"])
        #expect(r["Дмитриева Ева"] == ["5", "0", "0", "0", "0", "0", "0"])
        #expect(r["Итого"] == ["20", "3", "2", "0", "1", "1", "1"])
    }

    @Test(
        """
        the summary sheet of marks: finals where set, suggested ones marked, averages of the period marks by row \
        and by column
        """
    )
    func marksSheet() async throws {
        let (_, reports, directory) = try await Self.school()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try await reports.report(.init(kind: .marks, className: "5А", period: "2")).text(.ru)
        #expect(report.tables[0].header == ["Обучающийся", "Математика", "Русский язык", "Средний балл"])
        let r = rows(report)
        #expect(r["Андреев Антон"] == ["5*", "5*", "5,00"])  // (5 + 5) / 2
        #expect(r["Борисова Вера"] == ["3*", "4", "3,50"])  // (3 + 4) / 2
        #expect(r["Власов Глеб"] == ["2*", "3*", "2,50"])  // (2 + 3) / 2
        #expect(r["Дмитриева Ева"] == nil)  // left before the period's end
        #expect(r["Средний балл класса"] == ["3,33", "4,00", ""])  // (5 + 3 + 2) / 3, (5 + 4 + 3) / 3
    }

    @Test("the same report in English: the words from the catalog, the data as it is")
    func inEnglish() async throws {
        let (_, reports, directory) = try await Self.school()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try await reports.report(.init(kind: .marks, className: "5А", period: "2"))
        let english = report.text(.en), russian = report.text(.ru)
        #expect(english.title == "Summary sheet of marks" && russian.title == "Сводная ведомость учёта успеваемости")
        #expect(english.subtitle.hasPrefix("Class 5А, ") && russian.subtitle.hasPrefix("Класс 5А, "))
        #expect(english.tables[0].header == ["Student", "Математика", "Русский язык", "Average"])
        #expect(rows(english)["Class average"] == rows(russian)["Средний балл класса"])
        #expect(english.notes.count == russian.notes.count && english.notes.allSatisfy { !$0.contains("«зач»") })
        #expect(ReportRenderer.lines(english).last?.hasPrefix("Note: ") == true)
    }

    @Test("results: one excellent, one with a single 3, one failing; success 66.7%, quality 33.3%")
    func results() async throws {
        let (_, reports, directory) = try await Self.school()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try await reports.report(.init(kind: .results, className: "5А", period: "2")).text(.ru)
        let r = rows(report)
        #expect(r["Отличники"] == ["1", "Андреев Антон"])
        #expect(r["Хорошисты"] == ["0", ""])
        #expect(r["С одной «3»"] == ["1", "Борисова Вера"])
        #expect(r["Неуспевающие"] == ["1", "Власов Глеб"])
        #expect(r["Не аттестованы"] == ["0", ""])
        let figures = rows(report, table: 1)
        #expect(
            figures["Обучающихся"] == ["3"] && figures["Успеваемость"] == ["66,7%"]
                && figures["Качество знаний"] == ["33,3%"])
    }

    @Test("movement: the departure with its date, and the counts at the start and at the end")
    func movement() async throws {
        let (_, reports, directory) = try await Self.school()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try await reports.report(.init(kind: .movement, className: "5А", period: "2")).text(.ru)
        #expect(report.tables[0].rows == [["12.11.2026", "Дмитриева Ева", "выбыл(а)", "переезд"]])
        let counts = rows(report, table: 1)
        #expect(
            counts["Обучающихся на 05.11.2026"] == ["4"] && counts["Прибыло"] == ["0"] && counts["Выбыло"] == ["1"]
                && counts["Обучающихся на 20.11.2026"] == ["3"])
    }

    @Test("the attendance sheet by months, the period report and the preliminary report agree with the figures above")
    func otherReports() async throws {
        let (_, reports, directory) = try await Self.school()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sheet = try await reports.report(.init(kind: .attendanceSheet, className: "5А", period: "2")).text(.ru)
        #expect(
            sheet.tables[0].header == [
                "Обучающийся", "ноябрь: пропущено", "ноябрь: уваж.", "декабрь: пропущено", "декабрь: уваж.",
                "Всего пропущено", "Всего уваж.", "Пропущено дней"
            ])
        #expect(rows(sheet)["Борисова Вера"] == ["2", "2", "0", "0", "2", "2", "1"])
        let period = try await reports.report(.init(kind: .period, className: "5А", period: "2")).text(.ru)
        let subjects = rows(period, table: 3)
        // Математика: period marks 5, 3, 2 → average 3,33, quality 1 of 3.
        #expect(subjects["Математика"] == ["3,33", "1", "0", "1", "1", "33,3%"])
        #expect(subjects["Русский язык"] == ["4,00", "1", "1", "1", "0", "66,7%"])
        #expect(rows(period, table: 4)["Пропущено уроков"] == ["3"])
        let preliminary = try await reports.report(.init(kind: .preliminary, className: "5А", period: "2")).text(.ru)
        #expect(rows(preliminary)["Власов Глеб"]?.prefix(2) == ["неуспевающие", "Математика 2*, Русский язык 3*"])
    }

    @Test("CSV has a header row and one row per student; the PDF carries the Cyrillic names and figures")
    func formats() async throws {
        let (_, reports, directory) = try await Self.school()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try await reports.report(.init(kind: .marks, className: "5А", period: "2")).text(.ru)
        let csv = ReportRenderer.csv(report)
        let lines = csv.dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(csv.hasPrefix("\u{FEFF}Обучающийся;Математика;Русский язык;Средний балл"))
        #expect(lines.count == 5 && lines[1] == "Андреев Антон;5*;5*;5,00")
        let path = directory + "/marks.pdf"
        try PDFRenderer.write(ReportRenderer.document(report), to: path)
        let text = try await PrintTests.pdfText(path)
        #expect(text.contains("Сводная ведомость учёта успеваемости"))
        for figure in ["Андреев Антон", "Борисова Вера", "5,00", "3,50", "2,50", "3,33"] {
            #expect(text.contains(figure), "\(figure)")
        }
    }
}
