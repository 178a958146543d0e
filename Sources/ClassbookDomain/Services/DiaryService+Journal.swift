import Foundation

/// What guardians and students read beyond marks and absences: homework, the schedule with
/// its changes, control works, holidays, teachers, remarks and the history of marks.
extension DiaryService {
    /// The days a command covers: one date, the week of a date, or a default.
    public enum Days: Sendable, Equatable {
        case day(SchoolDate)
        case week(containing: SchoolDate)

        public func range() -> (SchoolDate, SchoolDate) {
            switch self {
            case .day(let date): return (date, date)
            case .week(let date):
                let monday = date.adding(days: 1 - date.isoWeekday)
                return (monday, monday.adding(days: 6))
            }
        }
    }

    /// The groups of its class a student belongs to.
    func groups(of student: Student) async throws -> Set<GroupID> {
        Set(try await journal.groups(inClass: student.classID).filter { $0.members.contains(student.id) }.map(\.id))
    }

    /// The class's lessons in a range that concern the student (whole-class ones and their groups').
    func lessons(of student: Student, from: SchoolDate, through: SchoolDate) async throws -> [Lesson] {
        let groups = try await groups(of: student)
        return try await journal.lessons(ofClass: student.classID, subject: nil, from: from, through: through)
            .filter { $0.group.map(groups.contains) ?? true }
    }

    // MARK: Homework

    public struct HomeworkItem: Sendable, Equatable {
        public var date: SchoolDate
        public var subject: String
        public var text: String
    }

    /// Homework given in the lessons of a day or week; by default, the latest homework of each
    /// subject over the last two weeks (what is due now).
    public func homework(of student: Student, days: Days?, for principal: Principal) async throws -> (
        Days?, [HomeworkItem]
    ) {
        try await require(.readDiary, principal, on: student)
        let (from, through) = days?.range() ?? (today.adding(days: -14), today)
        let lessons = try await lessons(of: student, from: from, through: through).filter {
            ($0.homework ?? "").isEmpty == false
        }
        var items = lessons.map { HomeworkItem(date: $0.date, subject: $0.subject.name, text: $0.homework!) }
        if days == nil {
            var latest: [String: HomeworkItem] = [:]
            for item in items { latest[item.subject] = item }
            items = latest.values.sorted { ($0.subject) < ($1.subject) }
        }
        return (days, items)
    }

    // MARK: Schedule

    /// The student's lessons day by day, with substitutions, moves and cancellations, and no
    /// lessons during holidays.
    public func schedule(of student: Student, days: Days, for principal: Principal) async throws -> [ScheduledLesson] {
        try await require(.readDiary, principal, on: student)
        let (from, through) = days.range()
        let groups = try await groups(of: student)
        let slots = try await journal.timetable(ofClass: student.classID).filter {
            $0.group.map(groups.contains) ?? true
        }
        let changes = try await journal.timetableChanges(ofClass: student.classID, from: from, through: through)
            .filter { $0.group.map(groups.contains) ?? true }
        let holidays = try await journal.holidays(on: from)
        let controlWorks = Set(
            try await lessons(of: student, from: from, through: through).filter(\.isControlWork)
                .map { "\($0.date.iso)#\($0.number)" })
        var result: [ScheduledLesson] = []
        var day = from
        while day <= through {
            let onHoliday = holidays.contains { $0.start <= day && day <= $0.end }
            if !onHoliday {
                for slot in slots where slot.weekday == day.isoWeekday {
                    var status = ScheduledLesson.Status.asPlanned
                    if let change = changes.first(where: { $0.date == day && $0.number == slot.number }) {
                        switch change.change {
                        case .substitution(_, let name): status = .substituted(teacherName: name)
                        case .cancelled: status = .cancelled
                        case .moved(let date, let number): status = .movedTo(date, number)
                        }
                    }
                    result.append(
                        ScheduledLesson(
                            date: day, number: slot.number, subject: slot.subject.name, teacherName: slot.teacherName,
                            groupName: slot.groupName, status: status,
                            isControlWork: controlWorks.contains("\(day.iso)#\(slot.number)")))
                }
                // Lessons moved into this day from another.
                for change in changes {
                    guard case .moved(let date, let number) = change.change, date == day,
                        let slot = slots.first(where: {
                            $0.weekday == change.date.isoWeekday && $0.number == change.number
                        })
                    else { continue }
                    result.append(
                        ScheduledLesson(
                            date: day, number: number, subject: slot.subject.name, teacherName: slot.teacherName,
                            groupName: slot.groupName, status: .movedFrom(change.date, change.number),
                            isControlWork: controlWorks.contains("\(day.iso)#\(number)")))
                }
            }
            day = day.adding(days: 1)
        }
        return result.sorted { ($0.date, $0.number) < ($1.date, $1.number) }
    }

    // MARK: Control works, holidays, teachers, remarks, history

    /// Control works of the current period, held and planned.
    public func controlWorks(of student: Student, for principal: Principal) async throws -> (Period, [Lesson]) {
        try await require(.readDiary, principal, on: student)
        let period = try await period(nil, grade: student.grade)
        return (period, try await lessons(of: student, from: period.start, through: period.end).filter(\.isControlWork))
    }

    public func holidays(for principal: Principal) async throws -> [Holiday] {
        guard AccessPolicy.allows(.readCalendar, for: principal.account.roles, relations: [.own]) else {
            throw DiaryError.notAllowed
        }
        return try await journal.holidays(on: today)
    }

    /// Who teaches the student (the whole class or the student's groups), and the class teacher.
    public func teachers(of student: Student, for principal: Principal) async throws -> (
        classTeacher: String?, [Assignment]
    ) {
        try await require(.readDiary, principal, on: student)
        let groups = try await groups(of: student)
        let assignments = try await journal.assignments(inClass: student.classID).filter {
            $0.group.map(groups.contains) ?? true
        }
        var classTeacher: String?
        if let id = try await journal.classes().first(where: { $0.id == student.classID })?.classTeacher {
            classTeacher = try await journal.accountName(id)
        }
        return (classTeacher, assignments)
    }

    /// Whom a family writes to: each of their students' class teacher and subject teachers (with
    /// the student's groups), each person once, the class teachers first.
    public func contacts(for principal: Principal) async throws -> [Contact] {
        var contacts: [Contact] = []
        func add(_ account: AccountID, _ name: String, classTeacherOf className: String?, subject: String?) {
            if let index = contacts.firstIndex(where: { $0.account == account }) {
                if let className, !contacts[index].classTeacherOf.contains(className) {
                    contacts[index].classTeacherOf.append(className)
                }
                if let subject, !contacts[index].subjects.contains(subject) { contacts[index].subjects.append(subject) }
            } else {
                contacts.append(
                    Contact(
                        account: account, name: name, classTeacherOf: className.map { [$0] } ?? [],
                        subjects: subject.map { [$0] } ?? []))
            }
        }
        let classes = try await journal.classes()
        for student in try await students(visibleTo: principal) {
            if let id = classes.first(where: { $0.id == student.classID })?.classTeacher,
                let name = try await journal.accountName(id)
            {
                add(id, name, classTeacherOf: student.className, subject: nil)
            }
        }
        for student in try await students(visibleTo: principal) {
            let groups = try await groups(of: student)
            for assignment in try await journal.assignments(inClass: student.classID)
            where assignment.group.map(groups.contains) ?? true {
                add(assignment.teacher, assignment.teacherName, classTeacherOf: nil, subject: assignment.subject.name)
            }
        }
        return contacts
    }

    /// A member of staff a family may write to, and why.
    public struct Contact: Sendable, Equatable {
        public var account: AccountID
        public var name: String
        public var classTeacherOf: [String]
        public var subjects: [String]
    }

    public func remarks(of student: Student, for principal: Principal) async throws -> (Period, [Remark]) {
        try await require(.readDiary, principal, on: student)
        let period = try await period(nil, grade: student.grade)
        return (period, try await journal.remarks(of: student.id, from: period.start, through: period.end))
    }

    /// When each mark of the period was set, changed or deleted, and by whom, from the audit log.
    public func markHistory(
        of student: Student, subject: String?, period periodQuery: String?, for principal: Principal
    ) async throws
        -> (Period, [MarkHistoryEvent])
    {
        try await require(.readMarkHistory, principal, on: student)
        let period = try await period(periodQuery, grade: student.grade)
        var events = try await journal.markHistory(of: student.id, from: period.start, through: period.end)
        if let subject {
            events = events.filter { JournalService.subjectMatches($0.subject, subject) }
            if events.isEmpty { throw DiaryError.noSuchSubject(subject) }
        }
        return (period, events)
    }
}
