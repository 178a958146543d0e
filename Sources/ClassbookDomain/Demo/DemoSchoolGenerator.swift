/// Builds a realistic demo school: one school year with quarters and holidays, classes with
/// subjects, teachers and a class teacher each, students with one or two guardians (some
/// guardians with two children), and six weeks of lessons, marks, absences and homework
/// ending on the given day (or, with `fullYear`, the whole year's). The result depends only on
/// the seed, the size and the day.
public struct DemoSchoolGenerator: Sendable {
    /// One login with its clear password, as handed out on the demo's credentials sheet.
    public struct Credential: Sendable, Equatable {
        public var login: String
        public var password: String
        public var roles: Set<Role>
        public var name: String
        /// `Иванов Пётр (7А)` for each child of a guardian.
        public var children: [String]
    }

    public struct Output: Sendable {
        /// People carry an empty password hash: the caller hashes `credentials`' passwords.
        public var snapshot: SchoolSnapshot
        public var credentials: [Credential]
    }

    public var studentCount: Int
    public var seed: UInt64
    public var asOf: SchoolDate

    public static let studentsPerClass = 25

    /// Lessons for every school day of the year, September to May, not only the six weeks
    /// up to `asOf`: the size a school reaches by the year's end (for benchmarks).
    public var fullYear: Bool

    public init(studentCount: Int, seed: UInt64, asOf: SchoolDate, fullYear: Bool = false) {
        self.studentCount = max(3, studentCount)
        self.seed = seed
        self.asOf = asOf
        self.fullYear = fullYear
    }

    // MARK: Calendar

    /// The school year that contains `date` (September to May; summer belongs to the year just ended).
    /// Grades 10–11 study in half-years, as many schools do.
    public static func seniorPeriods(containing date: SchoolDate) -> [Period] {
        let y = date.month >= 9 ? date.year : date.year - 1
        return [
            Period(
                ordinal: 1, name: "1 полугодие", start: SchoolDate(year: y, month: 9, day: 1),
                end: SchoolDate(year: y, month: 12, day: 27)),
            Period(
                ordinal: 2, name: "2 полугодие", start: SchoolDate(year: y + 1, month: 1, day: 12),
                end: SchoolDate(year: y + 1, month: 5, day: 26))
        ]
    }

    public static func calendar(containing date: SchoolDate) -> (
        name: String, start: SchoolDate, end: SchoolDate, periods: [Period], holidays: [Holiday]
    ) {
        let y = date.month >= 9 ? date.year : date.year - 1
        func d(_ year: Int, _ month: Int, _ day: Int) -> SchoolDate { SchoolDate(year: year, month: month, day: day) }
        let periods = [
            Period(ordinal: 1, name: "1 четверть", start: d(y, 9, 1), end: d(y, 10, 24)),
            Period(ordinal: 2, name: "2 четверть", start: d(y, 11, 5), end: d(y, 12, 27)),
            Period(ordinal: 3, name: "3 четверть", start: d(y + 1, 1, 12), end: d(y + 1, 3, 21)),
            Period(ordinal: 4, name: "4 четверть", start: d(y + 1, 3, 30), end: d(y + 1, 5, 26))
        ]
        let holidays = [
            Holiday(name: "Осенние каникулы", start: d(y, 10, 25), end: d(y, 11, 4)),
            Holiday(name: "Зимние каникулы", start: d(y, 12, 28), end: d(y + 1, 1, 11)),
            Holiday(name: "Весенние каникулы", start: d(y + 1, 3, 22), end: d(y + 1, 3, 29))
        ]
        return ("\(y)/\(y + 1)", d(y, 9, 1), d(y + 1, 5, 26), periods, holidays)
    }

    // MARK: Curriculum

    /// Subjects of a grade with their lessons a week.
    static func curriculum(grade: Int) -> [(subject: String, hours: Int)] {
        var plan: [(String, Int)] = [
            ("Русский язык", 4), ("Литература", 2), ("Английский язык", 3), ("История", 2),
            ("Биология", 1), ("География", 1), ("Физкультура", 2)
        ]
        if grade <= 6 {
            plan += [("Математика", 5)]
        } else {
            plan += [("Алгебра", 3), ("Геометрия", 2), ("Физика", 2), ("Информатика", 1), ("Обществознание", 1)]
        }
        if grade >= 8 { plan += [("Химия", 2)] }
        return plan
    }

    static let topics: [String: [String]] = [
        "Русский язык": [
            "Причастный оборот", "Деепричастие", "Правописание н и нн", "Слитное и раздельное написание не", "Наречие",
            "Служебные части речи"
        ],
        "Литература": [
            "Пушкин. «Капитанская дочка»", "Гоголь. «Шинель»", "Лермонтов. «Мцыри»", "Тургенев. «Ася»", "Лирика Есенина"
        ],
        "Английский язык": [
            "Present Perfect", "Past Continuous", "Travelling", "My school", "Modal verbs", "Reading: London"
        ],
        "История": [
            "Смутное время", "Реформы Петра I", "Эпоха дворцовых переворотов", "Великие географические открытия"
        ],
        "Биология": ["Строение клетки", "Ткани растений", "Фотосинтез", "Классификация животных"],
        "География": ["Литосфера", "Атмосфера", "Климатические пояса", "Население мира"],
        "Физкультура": ["Лёгкая атлетика", "Баскетбол", "Волейбол", "Гимнастика"],
        "Математика": ["Обыкновенные дроби", "Десятичные дроби", "Проценты", "Уравнения", "Координатная плоскость"],
        "Алгебра": [
            "Линейная функция", "Степень с натуральным показателем", "Многочлены", "Формулы сокращённого умножения",
            "Системы уравнений"
        ],
        "Геометрия": ["Треугольники", "Признаки равенства треугольников", "Параллельные прямые", "Окружность"],
        "Физика": ["Механическое движение", "Плотность вещества", "Сила тяжести", "Давление", "Работа и мощность"],
        "Информатика": ["Кодирование информации", "Алгоритмы", "Электронные таблицы", "Основы программирования"],
        "Обществознание": ["Человек и общество", "Право", "Экономика семьи", "Гражданин"],
        "Химия": ["Атомы и молекулы", "Валентность", "Химические реакции", "Оксиды"]
    ]

    // MARK: Generation

    public func generate() -> Output {
        var rng = SeededGenerator(seed: seed)
        let calendar = Self.calendar(containing: asOf)
        var logins = LoginAllocator()
        var people: [SchoolSnapshot.Person] = []
        var credentials: [Credential] = []

        func addPerson(login: String, name: String, roles: Set<Role>, children: [String] = []) {
            let password = Self.password(&rng)
            people.append(SchoolSnapshot.Person(login: login, displayName: name, roles: roles, passwordHash: ""))
            credentials.append(
                Credential(login: login, password: password, roles: roles, name: name, children: children))
        }

        addPerson(login: logins.take("admin"), name: "Администратор системы", roles: [.admin])
        addPerson(login: logins.take("director"), name: "Белова Галина Николаевна", roles: [.director])
        addPerson(login: logins.take("zavuch"), name: "Орлова Ирина Викторовна", roles: [.deputy])

        // Classes: 5А, 6А, … 11А, then 5Б, …
        let classCount = max(3, (studentCount + Self.studentsPerClass - 1) / Self.studentsPerClass)
        let letters = ["А", "Б", "В", "Г", "Д", "Е", "Ж", "З", "И", "К"]
        var classes: [(name: String, grade: Int)] = []
        for index in 0..<classCount {
            let grade = 5 + index % 7
            let letter = letters[(index / 7) % letters.count] + (index / 70 > 0 ? String(index / 70) : "")
            classes.append(("\(grade)\(letter)", grade))
        }

        // Teachers: one per subject for every six classes that study it.
        let subjects = Array(Set(classes.flatMap { Self.curriculum(grade: $0.grade).map(\.subject) })).sorted()
        var teacherOf: [String: [String: String]] = [:]  // class → subject → login
        var assignments: [SchoolSnapshot.Assignment] = []
        var teacherLogins: [String] = []
        var teacherNames: [String: String] = [:]
        for subject in subjects {
            let studying = classes.filter { c in Self.curriculum(grade: c.grade).contains { $0.subject == subject } }
            var teachers: [String] = []
            for chunk in stride(from: 0, to: studying.count, by: 6) {
                _ = chunk
                let female = rng.chance(0.8)
                let surname = rng.pick(RussianNames.surnames)
                let first = female ? rng.pick(RussianNames.femaleFirstNames) : rng.pick(RussianNames.maleFirstNames)
                let patronymic = rng.pick(RussianNames.patronymics)
                let last = female ? RussianNames.feminine(surname) : surname
                let name = "\(last) \(first) \(female ? patronymic.daughter : patronymic.son)"
                let login = logins.take(
                    RussianNames.transliterate(last) + "." + RussianNames.transliterate(String(first.prefix(1)))
                        + RussianNames.transliterate(String(patronymic.father.prefix(1))))
                teachers.append(login)
                teacherLogins.append(login)
                teacherNames[login] = name
            }
            for (index, schoolClass) in studying.enumerated() {
                let login = teachers[index / 6]
                teacherOf[schoolClass.name, default: [:]][subject] = login
                assignments.append(.init(teacherLogin: login, subject: subject, className: schoolClass.name))
            }
        }

        // A class teacher for each class: one of its own teachers, none with two classes if avoidable.
        var classTeachers: [String: String] = [:]
        var taken: Set<String> = []
        for schoolClass in classes {
            let own = Self.curriculum(grade: schoolClass.grade).compactMap { teacherOf[schoolClass.name]?[$0.subject] }
            let choice = own.first(where: { !taken.contains($0) && $0 != "" }) ?? own[0]
            taken.insert(choice)
            classTeachers[schoolClass.name] = choice
        }
        for login in teacherLogins {
            var roles: Set<Role> = [.teacher]
            if taken.contains(login) { roles.insert(.classTeacher) }
            addPerson(login: login, name: teacherNames[login]!, roles: roles)
        }

        // Families: a surname, a mother and often a father; some families have a second child in another class.
        var students: [SchoolSnapshot.StudentRecord] = []
        var studentAbility: [Double] = []
        var perClass = [Int](repeating: 0, count: classes.count)
        for index in 0..<studentCount { perClass[index % classes.count] += 1 }
        var slots: [Int] = []  // class index per student slot, in order
        for (classIndex, count) in perClass.enumerated() { slots += Array(repeating: classIndex, count: count) }
        var remaining = slots
        var guardianChildren: [String: [String]] = [:]
        var guardianOrder: [(login: String, name: String)] = []
        while !remaining.isEmpty {
            let familySurname = rng.pick(RussianNames.surnames)
            let fatherName = rng.pick(RussianNames.patronymics)
            let motherFirst = rng.pick(RussianNames.femaleFirstNames)
            let motherPatronymic = rng.pick(RussianNames.patronymics)
            var family: [(login: String, name: String)] = []
            let motherName = "\(RussianNames.feminine(familySurname)) \(motherFirst) \(motherPatronymic.daughter)"
            family.append(
                (
                    logins.take(
                        RussianNames.transliterate(RussianNames.feminine(familySurname)) + "."
                            + RussianNames.transliterate(String(motherFirst.prefix(1)))
                            + RussianNames.transliterate(String(motherPatronymic.father.prefix(1)))), motherName
                ))
            if rng.chance(0.5) {
                let fatherPatronymic = rng.pick(RussianNames.patronymics)
                let name = "\(familySurname) \(fatherName.father) \(fatherPatronymic.son)"
                family.append(
                    (
                        logins.take(
                            RussianNames.transliterate(familySurname) + "."
                                + RussianNames.transliterate(String(fatherName.father.prefix(1)))
                                + RussianNames.transliterate(String(fatherPatronymic.father.prefix(1)))), name
                    ))
            }
            // The first child takes the next slot; a second child (one family in six) a slot in another class.
            var childSlots = [remaining.removeFirst()]
            if rng.chance(1.0 / 6.0), let other = remaining.lastIndex(where: { $0 != childSlots[0] }) {
                childSlots.append(remaining.remove(at: other))
            }
            for classIndex in childSlots {
                let male = rng.chance(0.5)
                let first = male ? rng.pick(RussianNames.maleFirstNames) : rng.pick(RussianNames.femaleFirstNames)
                let last = male ? familySurname : RussianNames.feminine(familySurname)
                let middle = male ? fatherName.son : fatherName.daughter
                let className = classes[classIndex].name
                let login = logins.take(RussianNames.transliterate(first) + "." + RussianNames.transliterate(last))
                students.append(
                    .init(
                        login: login, className: className, lastName: last, firstName: first, middleName: middle,
                        guardianLogins: family.map(\.login)))
                studentAbility.append(Double.random(in: 2.9...4.9, using: &rng))
                for guardian in family {
                    if guardianChildren[guardian.login] == nil { guardianOrder.append(guardian) }
                    guardianChildren[guardian.login, default: []].append("\(last) \(first) (\(className))")
                }
                addPerson(login: login, name: "\(last) \(first) \(middle)", roles: [.student])
            }
        }
        for guardian in guardianOrder {
            addPerson(
                login: guardian.login, name: guardian.name, roles: [.guardian],
                children: guardianChildren[guardian.login]!)
        }

        // Six weeks of school days up to the day (or the whole year), within the year, outside holidays.
        let windowEnd = fullYear ? calendar.end : min(asOf, calendar.end)
        var days: [SchoolDate] = []
        var day = fullYear ? calendar.start : windowEnd.adding(days: -41)
        while day <= windowEnd {
            if day >= calendar.start && !day.isWeekend
                && !calendar.holidays.contains(where: { $0.start <= day && day <= $0.end })
            {
                days.append(day)
            }
            day = day.adding(days: 1)
        }

        var lessons: [SchoolSnapshot.Lesson] = []
        var marks: [SchoolSnapshot.Mark] = []
        var absences: [SchoolSnapshot.Absence] = []
        var timetableEntries: [SchoolSnapshot.TimetableEntry] = []
        var remarks: [SchoolSnapshot.RemarkRecord] = []
        for (classIndex, schoolClass) in classes.enumerated() {
            // A weekly timetable: the week's lessons dealt over five days.
            var weekly: [String] = []
            for item in Self.curriculum(grade: schoolClass.grade) {
                weekly += Array(repeating: item.subject, count: item.hours)
            }
            weekly.shuffle(using: &rng)
            var timetable: [[String]] = Array(repeating: [], count: 5)
            for (index, subject) in weekly.enumerated() { timetable[index % 5].append(subject) }
            for (dayIndex, subjects) in timetable.enumerated() {
                for (offset, subject) in subjects.enumerated() {
                    timetableEntries.append(
                        .init(
                            className: schoolClass.name, weekday: dayIndex + 1, number: offset + 1, subject: subject,
                            teacherLogin: teacherOf[schoolClass.name]![subject]!))
                }
            }
            let classStudents = students.indices.filter { students[$0].className == schoolClass.name }
            var lessonCountBySubject: [String: Int] = [:]
            _ = classIndex
            for date in days {
                // A student ill for the day misses every lesson of it.
                let illToday = Set(classStudents.filter { _ in rng.chance(0.03) })
                for (offset, subject) in timetable[date.isoWeekday - 1].enumerated() {
                    let count = (lessonCountBySubject[subject] ?? 0) + 1
                    lessonCountBySubject[subject] = count
                    let topicList = Self.topics[subject] ?? ["Повторение"]
                    let topic = topicList[(count - 1) / 3 % topicList.count]
                    let kind: MarkKind = count % 8 == 0 ? .control : (count % 5 == 0 ? .independent : .oral)
                    let lessonIndex = lessons.count
                    lessons.append(
                        .init(
                            className: schoolClass.name, subject: subject,
                            teacherLogin: teacherOf[schoolClass.name]![subject]!,
                            date: date, number: offset + 1,
                            topic: kind == .control ? "Контрольная работа: \(topic)" : topic,
                            homework: "§\(count + 10), упр. \(Int.random(in: 1...30, using: &rng))",
                            isControlWork: kind == .control))
                    for student in classStudents {
                        if illToday.contains(student) {
                            absences.append(.init(lesson: lessonIndex, student: student, reason: .illness))
                            continue
                        }
                        if rng.chance(0.008) {
                            absences.append(
                                .init(
                                    lesson: lessonIndex, student: student,
                                    reason: rng.pick([.unexcused, .unexcused, .excused, .late])))
                            continue
                        }
                        let graded = kind != .oral || rng.chance(0.15)
                        guard graded else { continue }
                        if subject == "Физкультура" && rng.chance(0.1) {
                            marks.append(.init(lesson: lessonIndex, student: student, value: .pass, kind: .oral))
                            continue
                        }
                        let noisy = studentAbility[student] + Double.random(in: -1.2...1.2, using: &rng)
                        let value = min(5, max(2, Int(noisy.rounded())))
                        marks.append(.init(lesson: lessonIndex, student: student, value: .grade(value), kind: kind))
                        if value == 2 && rng.chance(0.3) {
                            remarks.append(
                                .init(
                                    student: student, authorLogin: teacherOf[schoolClass.name]![subject]!,
                                    subject: subject, date: date,
                                    kind: .recommendation, text: "Повторить тему «\(topic)»"))
                        }
                    }
                }
            }
            // Control works planned in the coming two weeks, one per main subject, as teachers announce them.
            // (A full year has its lessons already.)
            for subject in ["Алгебра", "Математика", "Русский язык"] where !fullYear {
                var date = asOf.adding(days: 3)
                while date <= asOf.adding(days: 16) {
                    let inHoliday = calendar.holidays.contains { $0.start <= date && date <= $0.end }
                    if !date.isWeekend, !inHoliday, date <= calendar.end,
                        let offset = timetable[date.isoWeekday - 1].firstIndex(of: subject)
                    {
                        let topicList = Self.topics[subject] ?? ["Повторение"]
                        lessons.append(
                            .init(
                                className: schoolClass.name, subject: subject,
                                teacherLogin: teacherOf[schoolClass.name]![subject]!,
                                date: date, number: offset + 1, topic: "Контрольная работа: \(topicList[0])",
                                homework: nil,
                                isControlWork: true))
                        break
                    }
                    date = date.adding(days: 1)
                }
            }
        }

        var snapshot = SchoolSnapshot(
            yearName: calendar.name, yearStart: calendar.start, yearEnd: calendar.end, periods: calendar.periods,
            holidays: calendar.holidays, subjects: subjects, people: people,
            classes: classes.map { .init(name: $0.name, grade: $0.grade, classTeacherLogin: classTeachers[$0.name]!) },
            students: students, assignments: assignments, lessons: lessons, marks: marks, absences: absences)
        snapshot.timetable = timetableEntries
        snapshot.gradePeriods = ["10-11": Self.seniorPeriods(containing: asOf)]
        snapshot.remarks = remarks
        return Output(snapshot: snapshot, credentials: credentials)
    }

    /// `k7pq-m3xw-r9ta`: easy to read aloud, no 0/o or 1/l confusion.
    static func password(_ rng: inout SeededGenerator) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        return (0..<3).map { _ in String((0..<4).map { _ in rng.pick(alphabet) }) }.joined(separator: "-")
    }
}

/// Hands out unique logins: `ivanov.pa`, then `ivanov.pa2`, …
struct LoginAllocator {
    private var used: Set<String> = []

    mutating func take(_ base: String) -> String {
        var candidate = String(base.prefix(28))
        if candidate.count < 2 || !(candidate.first?.isLetter ?? false) { candidate = "user" + candidate }
        var suffix = 2
        let stem = candidate
        while used.contains(candidate) {
            candidate = "\(stem)\(suffix)"
            suffix += 1
        }
        used.insert(candidate)
        return candidate
    }
}
