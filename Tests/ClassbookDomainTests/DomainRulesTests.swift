import ClassbookDomain
import Foundation
import Testing

@Suite("Diary rules")
struct DiaryRulesTests {
    func mark(_ value: MarkValue, weight: Double = 1) -> MarkEntry {
        MarkEntry(
            id: 1, date: SchoolDate(year: 2026, month: 11, day: 10), subject: "Алгебра", value: value, kind: "oral",
            weight: weight, comment: nil)
    }

    @Test("the average weighs each mark and ignores pass/fail")
    func weightedAverage() throws {
        let average = try #require(
            GradingRules.weightedAverage([mark(.grade(5)), mark(.grade(3), weight: 2), mark(.pass)]))
        #expect(average == Fraction(11, 3))
        #expect(GradingRules.weightedAverage([mark(.pass), mark(.fail)]) == nil)
    }

    @Test(
        "periods are named as people name them",
        arguments: [
            ("2", 2), ("II", 2), ("q3", 3), ("2 четверть", 2), ("2-я четверть", 2), ("IV", 4)
        ])
    func periodNames(_ text: String, _ ordinal: Int) {
        #expect(DiaryService.periodOrdinal(text) == ordinal)
    }

    @Test("words that are not periods are not read as periods", arguments: ["алгебра", "2 алгебра", "", "0", "100"])
    func notPeriods(_ text: String) {
        #expect(DiaryService.periodOrdinal(text) == nil)
    }

    @Test("a child is found by the beginning of a name, ё or е, any case")
    func nameMatching() {
        let student = Student(
            id: StudentID(1), lastName: "Королёв", firstName: "Пётр", classID: ClassID(1), className: "7А", grade: 7)
        #expect(DiaryService.NameQuery("петр").matches(student))
        #expect(DiaryService.NameQuery("Королев П").matches(student))
        #expect(DiaryService.NameQuery("ПЁТР").matches(student))
        #expect(DiaryService.NameQuery("пе\u{308}тр").matches(student))  // ё typed as е and a combining diaeresis
        #expect(DiaryService.normalize("Ёлка Пётр") == "елка петр")
        #expect(!DiaryService.NameQuery("Петров").matches(student))
        #expect(!DiaryService.NameQuery("").matches(student))
    }

    @Test("school dates parse, reject impossible days and know weekdays")
    func dates() throws {
        let date = try #require(SchoolDate(iso: "2026-11-23"))
        #expect(date.isoWeekday == 1)
        #expect(date.adding(days: 6).isWeekend)
        #expect(SchoolDate(iso: "2026-02-30") == nil)
        #expect(SchoolDate(russian: "23.11.2026") == date)
        #expect(date.adding(days: 40) == SchoolDate(iso: "2027-01-02"))
        #expect(SchoolDate(iso: "2028-02-29")?.adding(days: 1) == SchoolDate(iso: "2028-03-01"))
        #expect(SchoolDate(iso: "2100-02-29") == nil)
        #expect(SchoolDate(iso: "2000-02-29") != nil)
        #expect(date.iso == "2026-11-23" && date.russian == "23.11.2026" && date.dayMonth == "23.11")
    }

    @Test("date arithmetic agrees with Foundation's Gregorian calendar, day by day over two centuries")
    func dateArithmetic() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let origin = SchoolDate(year: 1950, month: 1, day: 1)
        var instant = try #require(calendar.date(from: DateComponents(year: 1950, month: 1, day: 1, hour: 12)))
        for offset in stride(from: 0, to: 200 * 366, by: 1) {
            let c = calendar.dateComponents([.year, .month, .day, .weekday], from: instant)
            let date = origin.adding(days: offset)
            guard date == SchoolDate(year: c.year!, month: c.month!, day: c.day!),
                date.isoWeekday == (c.weekday! == 1 ? 7 : c.weekday! - 1),
                date.days(since: origin) == offset
            else {
                Issue.record("\(date) at offset \(offset) disagrees with \(c)")
                return
            }
            instant = calendar.date(byAdding: .day, value: 1, to: instant)!
        }
    }

    @Test("the date of an instant in a time zone agrees with Foundation's calendar, across offsets and DST changes")
    func dateOfInstant() throws {
        for zone in [
            "Europe/Moscow", "Asia/Vladivostok", "Europe/Kaliningrad", "America/New_York", "Pacific/Chatham", "UTC"
        ] {
            let timeZone = try #require(TimeZone(identifier: zone))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            // Every 111 minutes (every hour of the day comes round) for five years, across
            // Russia's offset changes of 2011 and 2014.
            var instant = Date(timeIntervalSince1970: 1_262_304_000)
            while instant.timeIntervalSince1970 < 1_420_070_400 {
                let c = calendar.dateComponents([.year, .month, .day], from: instant)
                guard SchoolDate(instant, in: timeZone) == SchoolDate(year: c.year!, month: c.month!, day: c.day!)
                else {
                    Issue.record("\(instant) in \(zone): \(SchoolDate(instant, in: timeZone)), Foundation says \(c)")
                    return
                }
                instant += 111 * 60
            }
        }
    }
}

@Suite("Access policy")
struct AccessPolicyTests {
    @Test("a guardian reads and acknowledges only their own child's diary")
    func guardian() {
        #expect(AccessPolicy.allows(.readDiary, for: [.guardian], relations: [.guardianOf]))
        #expect(AccessPolicy.allows(.acknowledgeDiary, for: [.guardian], relations: [.guardianOf]))
        #expect(!AccessPolicy.allows(.readDiary, for: [.guardian], relations: [.unrelated]))
        #expect(!AccessPolicy.allows(.acknowledgeDiary, for: [.guardian], relations: [.unrelated]))
    }

    @Test("a student reads only their own diary and cannot acknowledge it")
    func student() {
        #expect(AccessPolicy.allows(.readDiary, for: [.student], relations: [.isStudent]))
        #expect(!AccessPolicy.allows(.readDiary, for: [.student], relations: [.unrelated]))
        #expect(!AccessPolicy.allows(.acknowledgeDiary, for: [.student], relations: [.isStudent]))
        #expect(!AccessPolicy.allows(.manageOwnConsent, for: [.student], relations: [.own]))
    }

    @Test("no role reads an unrelated student's diary through the guardian rules")
    func unrelated() {
        for role in Role.allCases {
            #expect(!AccessPolicy.allows(.readDiary, for: [role], relations: [.unrelated]), "\(role)")
            #expect(!AccessPolicy.allows(.acknowledgeDiary, for: [role], relations: [.unrelated]), "\(role)")
        }
    }
}

@Suite("Passwords")
struct PasswordHasherTests {
    let hasher = PasswordHasher(cost: .init(logN: 10, r: 8, p: 1))

    @Test("a hash verifies its password only, and never contains it")
    func verify() throws {
        let hash = try hasher.hash("correct horse")
        #expect(hash.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(!hash.contains("correct horse"))
        #expect(hasher.verify("correct horse", against: hash))
        #expect(!hasher.verify("correct horsE", against: hash))
    }

    @Test(
        """
        a hash made by another scrypt (Python's hashlib on OpenSSL) verifies: stored hashes survive the switch of \
        library
        """
    )
    func knownAnswer() {
        let stored = "$scrypt$ln=10,r=8,p=1$Y2xhc3Nib29rLWthdC0xNg==$vOJRzYCoV2GU3/6fY5QMkIBV+TwV25wpfmSxSpBGFL0="
        #expect(hasher.verify("correct horse", against: stored))
        #expect(!hasher.verify("correct horse ", against: stored))
    }

    @Test("two hashes of one password differ (per-password salt)")
    func salted() throws {
        #expect(try hasher.hash("same") != hasher.hash("same"))
    }

    @Test(
        "malformed or absurd stored hashes never match",
        arguments: [
            "", "plain", "$scrypt$ln=10,r=8,p=1$AAAA", "$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",
            "$bcrypt$x$y$z"
        ])
    func malformed(_ stored: String) {
        #expect(!hasher.verify("x", against: stored))
    }
}

@Suite("Demo school")
struct DemoSchoolTests {
    let day = SchoolDate(year: 2026, month: 11, day: 20)

    @Test("the same seed gives the same school")
    func deterministic() {
        let a = DemoSchoolGenerator(studentCount: 30, seed: 7, asOf: day).generate()
        let b = DemoSchoolGenerator(studentCount: 30, seed: 7, asOf: day).generate()
        #expect(a.credentials == b.credentials)
        #expect(a.snapshot.marks.count == b.snapshot.marks.count)
        #expect(DemoSchoolGenerator(studentCount: 30, seed: 8, asOf: day).generate().credentials != a.credentials)
    }

    @Test("the school has three classes with class teachers, guardians with two children, and six weeks of lessons")
    func shape() throws {
        let output = DemoSchoolGenerator(studentCount: 75, seed: 1, asOf: day).generate()
        let school = output.snapshot
        #expect(school.classes.count >= 3)
        #expect(Set(school.classes.map(\.classTeacherLogin)).count == school.classes.count)
        #expect(school.students.count == 75)
        #expect(school.students.allSatisfy { (1...2).contains($0.guardianLogins.count) })
        #expect(output.credentials.contains { $0.roles == [.guardian] && $0.children.count == 2 })
        // Lessons held up to the day; after it only planned control works.
        let held = school.lessons.filter { $0.date <= day }
        #expect(
            school.lessons.filter { $0.date > day }.allSatisfy { $0.isControlWork && $0.date <= day.adding(days: 16) })
        let dates = Set(held.map(\.date)).sorted()
        let first = try #require(dates.first), last = try #require(dates.last)
        #expect(last == day)
        #expect(first >= day.adding(days: -41))
        #expect(dates.allSatisfy { !$0.isWeekend })
        #expect(!school.marks.isEmpty && !school.absences.isEmpty)
        #expect(held.allSatisfy { !($0.homework ?? "").isEmpty && !($0.topic ?? "").isEmpty })
        #expect(!school.timetable.isEmpty)
        #expect(Set(output.credentials.map(\.login)).count == output.credentials.count)
        #expect(output.credentials.allSatisfy { LoginRules.isValid($0.login) })
        // No lesson on a holiday.
        let calendar = DemoSchoolGenerator.calendar(containing: day)
        #expect(dates.allSatisfy { date in !calendar.holidays.contains { $0.start <= date && date <= $0.end } })
    }
}

@Suite("Number text")
struct NumberTextTests {
    @Test("averages print with two decimals, rounded half away from zero, the same in replies and reports")
    func twoDecimals() {
        #expect(NumberText.twoDecimals(Fraction(33, 8)) == "4,13")  // 4.125
        #expect(NumberText.twoDecimals(Fraction(4)) == "4,00")
        #expect(NumberText.twoDecimals(Fraction(3999, 1000)) == "4,00")
        #expect(NumberText.twoDecimals(Fraction(405, 100), comma: false) == "4.05")
        #expect(NumberText.twoDecimals(Fraction(-1, 1000)) == "0,00")
        #expect(NumberText.twoDecimals(Fraction(-33, 8)) == "-4,13")
        // 1.005 is 1.00499999999999989… in binary: printed from a double it would be 1,00.
        #expect(NumberText.twoDecimals(Fraction(1005, 1000)) == "1,01")
        #expect(NumberText.decimal(Fraction(2, 3), places: 0) == "1")
        #expect(NumberText.percent(9, of: 16) == "56,3%")  // 56.25 %: half up, not to even
        #expect(
            NumberText.percent(1, of: 3) == "33,3%" && NumberText.percent(2, of: 3) == "66,7%"
                && NumberText.percent(1, of: 0) == "—")
    }
}

@Suite("Timestamps")
struct UTCTimestampTests {
    @Test("UTC timestamps by hand agree with ISO8601DateFormatter to the millisecond, before 1970 too")
    func agreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        let instants =
            [0, 1, 999, 1_000, -1, -1_000, 1_764_000_000_123]
            + (0..<5_000).map { _ in
                Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator)
            }
        for milliseconds in instants {
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            guard UTCTimestamp.format(date) == formatter.string(from: date) else {
                Issue.record(
                    "\(milliseconds) ms: \(UTCTimestamp.format(date)), Foundation \(formatter.string(from: date))")
                return
            }
        }
    }
}
