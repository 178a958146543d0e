import ClassbookDomain
import Foundation
import Testing

/// The journal repository, the same on every backend: one script of reads and writes (every
/// method, refusals included) run against the same demo school in a new store of each; what
/// each call returned is written down and the records compared, then the rows' audit texts,
/// the saved events and the audit's verification.
@Suite("Journal contract")
struct JournalContractTests {
    /// What a script saw, call by call.
    struct Transcript {
        var lines: [String] = []
        mutating func note(_ label: String, _ value: Any) { lines.append("\(label): \(value)") }
        mutating func attempt(_ label: String, _ body: () async throws -> Any) async {
            do { note(label, try await body()) } catch { note(label, "threw \(error)") }
        }
    }

    static func at(_ minute: Int) -> Date { Date(timeIntervalSince1970: 1_795_000_000 + Double(minute) * 60) }

    /// Every method of `JournalRepository`, in an order where each write is read back.
    static func script(_ journal: any JournalRepository, snapshot: SchoolSnapshot) async throws -> [String] {
        var t = Transcript()
        let teacherLogin = snapshot.lessons[0].teacherLogin
        let teacher = try #require(try await journal.staff(login: teacherLogin))
        func context(_ minute: Int) -> AuditContext { AuditContext(actor: teacher.id, sessionID: "s", at: at(minute)) }
        let day = SchoolDate(year: 2026, month: 11, day: 20)
        let start = snapshot.yearStart
        t.note("rules", try await journal.gradingRules())
        await t.attempt("threshold") { try await journal.updateSetting(.roundingThreshold(0.6), context: context(1)) }
        await t.attempt("weight") { try await journal.updateSetting(.weight(kind: "test", 2.5), context: context(2)) }
        await t.attempt("unknown kind") { try await journal.updateSetting(.weight(kind: "x", 2), context: context(3)) }
        await t.attempt("late") { try await journal.updateSetting(.lateCountsAsMissed(true), context: context(4)) }
        t.note("rules after", try await journal.gradingRules())
        let classes = try await journal.classes()
        t.note("classes", classes)
        let subjects = try await journal.subjects()
        t.note("subjects", subjects)
        let schoolClass = try #require(classes.first)
        let students = try await journal.students(inClass: schoolClass.id, on: day)
        t.note("students", students)
        t.note("student", try await journal.student(id: students[0].id) as Any)
        t.note("no student", try await journal.student(id: StudentID(999_999)) as Any)
        t.note("assignments", try await journal.assignments(teacher: teacher.id))
        t.note("class assignments", try await journal.assignments(inClass: schoolClass.id))
        t.note("name", try await journal.accountName(teacher.id) as Any)
        t.note("login", try await journal.accountLogin(of: students[0].id) as Any)
        t.note("not staff", try await journal.staff(login: "nobody") as Any)
        t.note("holidays", try await journal.holidays(on: day))
        t.note("timetable", try await journal.timetable(ofClass: schoolClass.id))

        // Timetable changes: each kind, and a second change of a slot replacing the first.
        let monday = SchoolDate(year: 2026, month: 11, day: 23)
        for (minute, change) in [
            (5, TimetableChange.substitution(teacher: teacher.id, teacherName: teacher.displayName)),
            (6, .moved(to: SchoolDate(year: 2026, month: 11, day: 24), number: 7)), (7, .cancelled)
        ] {
            await t.attempt("change \(minute)") {
                try await journal.recordTimetableChange(
                    TimetableChangeRecord(
                        classID: schoolClass.id, group: nil, date: monday, number: minute - 4, change: change),
                    context: context(minute))
            }
        }
        await t.attempt("change again") {
            try await journal.recordTimetableChange(
                TimetableChangeRecord(classID: schoolClass.id, group: nil, date: monday, number: 1, change: .cancelled),
                context: context(8))
        }
        t.note("changes", try await journal.timetableChanges(ofClass: schoolClass.id, from: monday, through: monday))

        // Lessons: found, created, a taken slot refused, updated.
        // The subject of the school's first lesson (it has lessons to list), and another.
        let subject = try #require(subjects.first { $0.name == snapshot.lessons[0].subject })
        let other = try #require(subjects.first { $0 != subject })
        t.note("lessons", try await journal.lessons(ofClass: schoolClass.id, subject: nil, from: start, through: day))
        t.note(
            "subject lessons",
            try await journal.lessons(ofClass: schoolClass.id, subject: subject.id, from: start, through: day))
        let lesson = try await journal.lesson(
            classID: schoolClass.id, group: nil, subject: subject.id, teacher: teacher.id, date: monday, number: 8,
            context: context(9))
        t.note("new lesson", lesson)
        await t.attempt("slot taken") {
            try await journal.lesson(
                classID: schoolClass.id, group: nil, subject: other.id, teacher: teacher.id, date: monday, number: 8,
                context: context(10))
        }
        await t.attempt("update") {
            try await journal.updateLesson(
                lesson.id, LessonUpdate(topic: "Дроби", homework: "№ 5", isControlWork: true), context: context(11))
        }
        await t.attempt("clear") {
            try await journal.updateLesson(lesson.id, LessonUpdate(homework: ""), context: context(12))
        }
        await t.attempt("no lesson") {
            try await journal.updateLesson(LessonID(999_999), LessonUpdate(topic: "x"), context: context(12))
        }

        // Marks and absences: created, unchanged, changed, deleted, brought back, excused.
        let (a, b) = (students[0].id, students[1].id)
        let pupil = students[0]
        let event: @Sendable ([WriteOutcome]) -> [JournalEvent] = { outcomes in
            outcomes.map { JournalEvent.remark(student: pupil, kind: .remark, text: $0.rawValue, author: "t") }
        }
        for (minute, marks) in [
            (
                13,
                [
                    MarkWrite(student: a, value: .grade(5), kind: "oral", comment: nil),
                    MarkWrite(student: b, value: .grade(3), kind: "test", comment: "устно")
                ]
            ),
            (
                14,
                [
                    MarkWrite(student: a, value: .grade(5), kind: "oral", comment: nil),
                    MarkWrite(student: b, value: .grade(4), kind: "test", comment: nil)
                ]
            )
        ] {
            await t.attempt("marks \(minute)") {
                try await journal.writeMarks(marks, lesson: lesson.id, context: context(minute), events: event)
            }
        }
        await t.attempt("delete marks") {
            try await journal.deleteMarks(student: a, lesson: lesson.id, kind: nil, context: context(15))
        }
        await t.attempt("delete none") {
            try await journal.deleteMarks(student: a, lesson: lesson.id, kind: "oral", context: context(16))
        }
        await t.attempt("absences") {
            try await journal.writeAbsences(
                [(a, .unexcused), (b, .illness)], lesson: lesson.id, context: context(17), events: event)
        }
        await t.attempt("absences again") {
            try await journal.writeAbsences(
                [(a, .unexcused), (b, .unexcused)], lesson: lesson.id, context: context(18), events: event)
        }
        await t.attempt("delete absence") {
            try await journal.deleteAbsence(student: a, lesson: lesson.id, context: context(19))
        }
        await t.attempt("delete absence again") {
            try await journal.deleteAbsence(student: a, lesson: lesson.id, context: context(19))
        }
        await t.attempt("absence back") {
            try await journal.writeAbsences([(a, .unexcused)], lesson: lesson.id, context: context(20), events: event)
        }
        await t.attempt("excuse") {
            try await journal.excuseAbsences(student: b, dates: [monday, day], reason: .excused, context: context(21))
        }
        let entries = try await journal.entries(ofLessons: [lesson.id, LessonID(1), LessonID(2)])
        for key in entries.marks.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            t.note("marks of \(key)", entries.marks[key]!.map { "\($0.0) \($0.1)" })
        }
        for key in entries.absences.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            t.note("absences of \(key)", entries.absences[key]!.map { "\($0.0) \($0.1)" })
        }
        t.note("no lessons", try await journal.entries(ofLessons: []).marks.count)

        // Finals: set, unchanged, changed, deleted, deleting none.
        for (minute, value) in [(22, MarkValue.grade(4)), (23, .grade(4)), (24, .grade(5))] {
            await t.attempt("final \(minute)") {
                try await journal.writeFinals(
                    [(a, value), (b, nil)], subject: subject.id, period: 1, on: day, context: context(minute))
            }
        }
        await t.attempt("final delete") {
            try await journal.writeFinals([(a, nil)], subject: subject.id, period: 1, on: day, context: context(25))
        }
        await t.attempt("final back") {
            try await journal.writeFinals(
                [(a, .grade(3))], subject: subject.id, period: 0, on: day, context: context(26))
        }
        t.note("finals", try await journal.finals(of: a, on: day))

        // Remarks: added (with its events), read, the latest deleted.
        await t.attempt("remark") {
            try await journal.addRemark(
                student: a, kind: .remark, subject: subject.id, text: "Шумел", date: monday, context: context(27),
                events: { remark in [JournalEvent.remark(student: pupil, kind: .remark, text: remark.text, author: "t")]
                })
        }
        await t.attempt("recommendation") {
            try await journal.addRemark(
                student: a, kind: .recommendation, subject: nil, text: "Читать", date: monday, context: context(28),
                events: { _ in [] })
        }
        t.note("remarks", try await journal.remarks(of: a, from: monday, through: monday))
        await t.attempt("delete remark") {
            try await journal.deleteLatestRemark(student: a, author: teacher.id, context: context(29)) as Any
        }
        await t.attempt("delete remark of nobody") {
            try await journal.deleteLatestRemark(student: b, author: teacher.id, context: context(29)) as Any
        }
        t.note("remarks after", try await journal.remarks(of: a, from: monday, through: monday))
        t.note("history", try await journal.markHistory(of: b, from: monday, through: monday))
        t.note("guardians", try await journal.guardians(of: a).map { "\($0.name) \($0.details)" })

        // The class list: groups, members, arrival and departure, personal data.
        let group = try await journal.createGroup(
            classID: schoolClass.id, name: "1 группа", subject: subject.id, context: context(30))
        t.note("group", group)
        await t.attempt("group again") {
            try await journal.createGroup(classID: schoolClass.id, name: "1 группа", subject: nil, context: context(31))
        }
        await t.attempt("members") {
            try await journal.setGroupMembership(group: group.id, students: [a, b], member: true, context: context(32))
        }
        await t.attempt("members again") {
            try await journal.setGroupMembership(group: group.id, students: [a], member: true, context: context(33))
        }
        await t.attempt("member out") {
            try await journal.setGroupMembership(group: group.id, students: [b], member: false, context: context(34))
        }
        t.note("groups", try await journal.groups(inClass: schoolClass.id))
        let arrived = try await journal.addStudent(
            classID: schoolClass.id, lastName: "Новиков", firstName: "Пётр", middleName: "", arrivedOn: monday,
            note: "из 5Б", context: context(35))
        t.note("arrived", arrived)
        await t.attempt("departure") {
            try await journal.recordDeparture(student: b, on: monday, note: "переезд", context: context(36))
        }
        await t.attempt("departure of nobody") {
            try await journal.recordDeparture(student: StudentID(999_999), on: monday, note: "", context: context(36))
        }
        t.note("movements", try await journal.movements(ofClass: schoolClass.id, from: monday, through: monday))
        t.note("on monday", try await journal.students(inClass: schoolClass.id, on: monday).map(\.id))
        t.note("in the week", try await journal.students(inClass: schoolClass.id, from: day, through: monday).map(\.id))
        let enrollments = try await journal.enrollments(inClass: schoolClass.id)
        t.note("enrollments", enrollments.keys.sorted().map { "\($0) \(enrollments[$0]!)" })
        for (minute, field, value) in [
            (37, PersonalField.phone, "+7 900 000-00-00"), (38, .phone, "+7 900 000-00-00"), (39, .phone, "+7 911"),
            (40, .firstName, "Петя"), (41, .firstName, "Петя")
        ] {
            await t.attempt("personal \(minute)") {
                try await journal.setPersonalData(of: arrived.id, field: field, value: value, context: context(minute))
            }
        }
        await t.attempt("personal of nobody") {
            try await journal.setPersonalData(
                of: StudentID(999_999), field: .lastName, value: "x", context: context(42))
        }
        t.note("personal", try await journal.personalData(of: arrived.id).map { "\($0.0)=\($0.1)" })
        t.note("personal of nobody", try await journal.personalData(of: StudentID(999_999)).count)
        return t.lines
    }

    @Test(
        """
        every journal call returns the same on every backend, from settings, the timetable and its changes, lessons, \
        marks, absences, finals and remarks to groups, movement and personal data; the writes leave the same audit \
        texts and events, and each store's audit verifies
        """)
    func journalBehavesTheSame() async throws {
        let stores = try await SchoolContractTests.schools()
        defer { for store in stores { store.close() } }
        var transcripts: [[String]] = []
        for store in stores {
            transcripts.append(try await Self.script(store.journal, snapshot: SchoolContractTests.snapshot))
        }
        let sqlite = transcripts[0]
        // The script did what it says on SQLite (whose behaviour the other suites pin down).
        #expect(sqlite.contains("unknown kind: threw notFound"))
        #expect(sqlite.contains { $0.hasPrefix("slot taken: threw slotTaken") })
        #expect(
            sqlite.contains("marks 14: [ClassbookDomain.WriteOutcome.unchanged, ClassbookDomain.WriteOutcome.changed]"))
        try await SchoolStore.expectSame(transcripts, stores)
        let events = "SELECT event FROM journal_events ORDER BY id"
        for store in stores.dropFirst() { #expect(try await store.texts(events) == stores[0].texts(events)) }
        try await SchoolStore.expectVerified(stores)
    }
}
