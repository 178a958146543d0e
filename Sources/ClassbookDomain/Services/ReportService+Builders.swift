import Foundation

/// The eight reports, each from the class's journal over its range.
extension ReportService {
    private func subtitle(_ schoolClass: SchoolClass, _ range: Localized) -> Localized {
        Localized("report.subtitle", ["class": schoolClass.name, "range": range])
    }

    private func periodRange(_ period: Period) -> Localized {
        Localized(
            "report.periodRange", ["period": period.name, "start": period.start.russian, "end": period.end.russian])
    }

    // MARK: 1. Attendance by month

    func attendance(_ schoolClass: SchoolClass, month: (SchoolDate, SchoolDate)) async throws -> Report {
        let data = try await load(schoolClass, from: month.0, through: month.1)
        var rows: [[Localized]] = []
        var total = GradingRules.Attendance.zero
        func cells(_ a: GradingRules.Attendance) -> [Localized] {
            [a.missedLessons, a.illnessLessons, a.otherExcusedLessons, a.unexcusedLessons, a.lateArrivals, a.missedDays]
                .map(Self.figure)
        }
        for student in data.students {
            let a = data.rules.attendance(
                data.absences[student.id] ?? [], lessonsPerDay: data.lessonsPerDay[student.id] ?? [:])
            rows.append([.verbatim(student.shortName), Self.figure(data.lessonCount[student.id] ?? 0)] + cells(a))
            total += a
        }
        rows.append([Localized("report.total"), Self.figure(data.lessonCount.values.reduce(0, +))] + cells(total))
        let name = Localized("report.monthOfYear", ["month": Self.monthNames[month.0.month - 1], "year": month.0.year])
        return Report(
            title: ReportKind.attendance.title, subtitle: subtitle(schoolClass, name),
            tables: [
                .init(
                    header: [
                        Localized("report.column.student"), Localized("report.column.lessons"),
                        Localized("report.column.missedLessons"), Localized("report.column.illness"),
                        Localized("report.column.excused"), Localized("report.column.unexcused"),
                        Localized("report.column.late"), Localized("report.column.missedDays")
                    ], rows: rows)
            ],
            notes: attendanceNotes(data.rules))
    }

    func attendanceNotes(_ rules: GradingRules) -> [Localized] {
        let day =
            switch rules.missedDay {
            case .allLessons: Localized("report.note.dayAllLessons")
            case .atLeast(let n): Localized("report.note.dayAtLeast", ["lessons": n])
            }
        return [
            rules.lateCountsAsMissed
                ? Localized("report.note.missedLessonWithLate") : Localized("report.note.missedLesson"),
            Localized("report.note.missedDay", ["day": day])
        ]
    }

    // MARK: 6. Summary sheet of attendance

    func attendanceSheet(_ schoolClass: SchoolClass, period: Period) async throws -> Report {
        let data = try await load(schoolClass, from: period.start, through: period.end)
        var months: [(Int, Int)] = []
        var day = period.start
        while day <= period.end {
            if months.last.map({ $0 != (day.year, day.month) }) ?? true { months.append((day.year, day.month)) }
            day = day.adding(days: 1)
        }
        var header = [Localized("report.column.student")]
        for (_, month) in months {
            header += [
                Localized("report.column.monthMissed", ["month": Self.monthNames[month - 1]]),
                Localized("report.column.monthExcused", ["month": Self.monthNames[month - 1]])
            ]
        }
        header += [
            Localized("report.column.totalMissed"), Localized("report.column.totalExcused"),
            Localized("report.column.missedDays")
        ]
        var rows: [[Localized]] = []
        for student in data.students {
            let absences = data.absences[student.id] ?? []
            var row: [Localized] = [.verbatim(student.shortName)]
            for (year, month) in months {
                let inMonth = absences.filter {
                    $0.date.year == year && $0.date.month == month && data.rules.countsAsMissed($0.reason)
                }
                row += [Self.figure(inMonth.count), Self.figure(inMonth.filter { $0.reason.isExcused }.count)]
            }
            let a = data.rules.attendance(absences, lessonsPerDay: data.lessonsPerDay[student.id] ?? [:])
            row += [Self.figure(a.missedLessons), Self.figure(a.excusedLessons), Self.figure(a.missedDays)]
            rows.append(row)
        }
        return Report(
            title: ReportKind.attendanceSheet.title, subtitle: subtitle(schoolClass, periodRange(period)),
            tables: [.init(header: header, rows: rows)], notes: attendanceNotes(data.rules), landscape: months.count > 2
        )
    }

    // MARK: 5. Summary sheet of marks

    func marksSheet(_ schoolClass: SchoolClass, period: Period) async throws -> Report {
        let data = try await load(schoolClass, from: period.start, through: period.end)
        var rows: [[Localized]] = []
        for student in data.current {
            var row: [Localized] = [.verbatim(student.shortName)]
            var marks: [Int] = []
            for subject in data.subjects {
                let result = periodResult(data, student.id, subject: subject, period: period)
                row.append(result?.text ?? Self.none)
                if case .grade(let value, _) = result { marks.append(value) }
            }
            row.append(Self.decimal(Fraction.mean(marks)))
            rows.append(row)
        }
        rows.append(
            [Localized("report.row.classAverage")]
                + data.subjects.map { subject in
                    Self.decimal(Fraction.mean(periodMarks(data, subject: subject, period: period)))
                } + [.verbatim("")])
        return Report(
            title: ReportKind.marks.title, subtitle: subtitle(schoolClass, periodRange(period)),
            tables: [
                .init(
                    header: [Localized("report.column.student")] + data.subjects.map(Localized.verbatim)
                        + [Localized("report.column.average")],
                    rows: rows)
            ],
            notes: [
                Localized(
                    "report.note.periodMark",
                    ["threshold": Self.decimal(Fraction(thousandths: data.rules.roundingThreshold))]),
                Localized("report.note.passFail"), Localized("report.note.averages")
            ],
            landscape: data.subjects.count > 6)
    }

    /// The numeric period marks of the students listed at the period's end in a subject: the
    /// column of the summary sheet whose mean is the class's average.
    func periodMarks(_ data: ClassData, subject: String, period: Period) -> [Int] {
        data.current.compactMap { periodMark(data, $0.id, subject: subject, period: period)?.value }
    }

    // MARK: 4. Results

    struct Standings {
        var byStanding: [Standing: [Student]] = [:]
        var total: Int
        var success: Int { total - (byStanding[.failing]?.count ?? 0) - (byStanding[.notAttested]?.count ?? 0) }
        var quality: Int { (byStanding[.excellent]?.count ?? 0) + (byStanding[.good]?.count ?? 0) }
    }

    func standings(_ data: ClassData, period: Period) -> Standings {
        var result = Standings(total: data.current.count)
        for student in data.current {
            result.byStanding[standing(data, student.id, period: period), default: []].append(student)
        }
        return result
    }

    func standingsTable(_ standings: Standings) -> [Report.Table] {
        let rows = Standing.allCases.map { standing -> [Localized] in
            let students = standings.byStanding[standing] ?? []
            return [
                standing.title, Self.figure(students.count),
                .verbatim(students.map(\.shortName).joined(separator: ", "))
            ]
        }
        return [
            .init(
                header: [
                    Localized("report.column.category"), Localized("report.column.count"),
                    Localized("report.column.students")
                ],
                rows: rows, widths: [2, 1, 5]),
            .init(
                header: [Localized("report.column.measure"), Localized("report.column.value")],
                rows: [
                    [Localized("report.row.students"), Self.figure(standings.total)],
                    [
                        Localized("report.row.success"),
                        .verbatim(NumberText.percent(standings.success, of: standings.total))
                    ],
                    [
                        Localized("report.row.quality"),
                        .verbatim(NumberText.percent(standings.quality, of: standings.total))
                    ]
                ], widths: [3, 2])
        ]
    }

    static let standingNotes = [
        Localized("report.note.standingMark"), Localized("report.note.standings"), Localized("report.note.success")
    ]

    func results(_ schoolClass: SchoolClass, period: Period) async throws -> Report {
        let data = try await load(schoolClass, from: period.start, through: period.end)
        return Report(
            title: ReportKind.results.title, subtitle: subtitle(schoolClass, periodRange(period)),
            tables: standingsTable(standings(data, period: period)), notes: Self.standingNotes)
    }

    // MARK: 2. Preliminary report

    func preliminary(_ schoolClass: SchoolClass, period: Period) async throws -> Report {
        let data = try await load(schoolClass, from: period.start, through: period.end)
        // For an ended period, its own marks, twos and absences; while it runs, up to today.
        let risks = try await duties.atRisk(in: schoolClass, period: period)
        let ended = period.end < today
        var rows: [[Localized]] = []
        for student in data.current {
            let expected = data.subjects.compactMap { subject in
                periodResult(data, student.id, subject: subject, period: period).map {
                    Localized("report.cell.subjectMark", ["subject": subject, "mark": $0.text])
                }
            }
            let risk = risks.first { $0.student.id == student.id }?.reasons.map(Self.riskText) ?? []
            rows.append([
                .verbatim(student.shortName), standing(data, student.id, period: period).name,
                Self.list(expected, separator: ", "), Self.list(risk, separator: "; ")
            ])
        }
        let counts = standings(data, period: period)
        return Report(
            title: ReportKind.preliminary.title,
            subtitle: subtitle(
                schoolClass,
                Localized("report.rangeAsOf", ["range": periodRange(period), "date": min(today, period.end).russian])),
            tables: [
                .init(
                    caption: Localized("report.caption.expected"),
                    header: [
                        Localized("report.column.student"), Localized("report.column.expected"),
                        Localized("report.column.periodMarks"), Localized("report.column.risk")
                    ],
                    rows: rows, widths: [2, 1.3, 4, 2.5])
            ] + standingsTable(counts),
            notes: [ended ? Localized("report.note.expectedEnded") : Localized("report.note.expectedRunning")]
                + Self.standingNotes,
            landscape: true)
    }

    static func riskText(_ reason: StudentAtRisk.Reason) -> Localized {
        switch reason {
        case .lowAverage(let subject, let average):
            Localized("report.risk.lowAverage", ["subject": subject, "average": decimal(average)])
        case .recentTwos(let count): Localized("report.risk.recentTwos", ["count": count])
        case .missedLessons(let missed, let of): Localized("report.risk.missedLessons", ["missed": missed, "of": of])
        }
    }

    /// Words joined into one cell: `алгебра 4*, физика 5`.
    static func list(_ items: [Localized], separator: String) -> Localized {
        items.dropFirst().reduce(items.first ?? .verbatim("")) { joined, item in
            Localized("report.cell.joined", ["first": joined, "separator": separator, "next": item])
        }
    }

    // MARK: 3. The class teacher's report for a period

    func periodReport(_ schoolClass: SchoolClass, period: Period) async throws -> Report {
        let data = try await load(schoolClass, from: period.start, through: period.end)
        let movements = try await repository.movements(ofClass: schoolClass.id, from: period.start, through: period.end)
        let atStart = try await repository.students(inClass: schoolClass.id, on: period.start).count
        let atEnd = try await repository.students(inClass: schoolClass.id, on: min(period.end, today)).count
        var total = GradingRules.Attendance.zero
        for student in data.students {
            total += data.rules.attendance(
                data.absences[student.id] ?? [], lessonsPerDay: data.lessonsPerDay[student.id] ?? [:])
        }
        var subjectRows: [[Localized]] = []
        for subject in data.subjects {
            let marks = periodMarks(data, subject: subject, period: period)
            let counts =
                [5, 4, 3].map { value in Self.figure(marks.filter { $0 == value }.count) } + [
                    Self.figure(marks.filter { $0 <= 2 }.count)
                ]
            subjectRows.append(
                [.verbatim(subject), Self.decimal(Fraction.mean(marks))] + counts + [
                    .verbatim(NumberText.percent(marks.filter { $0 >= 4 }.count, of: marks.count))
                ])
        }
        let running = period.end >= today
        let measure = [Localized("report.column.measure"), Localized("report.column.count")]
        let tables: [Report.Table] =
            [
                .init(
                    caption: Localized("report.caption.classList"), header: measure,
                    rows: [
                        [Localized("report.row.atStart"), Self.figure(atStart)],
                        [Localized("report.row.arrived"), Self.figure(movements.filter { $0.kind == .arrival }.count)],
                        [
                            Localized("report.row.departed"),
                            Self.figure(movements.filter { $0.kind == .departure }.count)
                        ],
                        [
                            running ? Localized("report.row.atEndToday") : Localized("report.row.atEnd"),
                            Self.figure(atEnd)
                        ]
                    ],
                    widths: [3, 1])
            ] + standingsTable(standings(data, period: period)) + [
                .init(
                    caption: Localized("report.caption.subjects"),
                    header: [Localized("report.column.subject"), Localized("report.column.average")]
                        + ["«5»", "«4»", "«3»", "«2»"].map(Localized.verbatim) + [Localized("report.column.quality")],
                    rows: subjectRows),
                .init(
                    caption: Localized("report.caption.attendance"), header: measure,
                    rows: [
                        [Localized("report.column.missedLessons"), Self.figure(total.missedLessons)],
                        [Localized("report.column.illness"), Self.figure(total.illnessLessons)],
                        [Localized("report.column.excused"), Self.figure(total.otherExcusedLessons)],
                        [Localized("report.column.unexcused"), Self.figure(total.unexcusedLessons)],
                        [Localized("report.column.missedDays"), Self.figure(total.missedDays)],
                        [
                            Localized("report.row.missedPerStudent"),
                            Self.decimal(Fraction.ratio(total.missedLessons, data.students.count))
                        ]
                    ],
                    widths: [3, 1])
            ]
        return Report(
            title: ReportKind.period.title, subtitle: subtitle(schoolClass, periodRange(period)), tables: tables,
            notes: Self.standingNotes + [Localized("report.note.subjectAverage")] + attendanceNotes(data.rules))
    }

    // MARK: 7. Movement

    func movement(_ schoolClass: SchoolClass, period: Period) async throws -> Report {
        let movements = try await repository.movements(ofClass: schoolClass.id, from: period.start, through: period.end)
        let atStart = try await repository.students(inClass: schoolClass.id, on: period.start).count
        let end = min(period.end, today)
        let atEnd = try await repository.students(inClass: schoolClass.id, on: end).count
        let rows = movements.map {
            [
                .verbatim($0.date.russian), .verbatim($0.studentName),
                $0.kind == .arrival ? Localized("report.cell.arrived") : Localized("report.cell.departed"),
                .verbatim($0.note)
            ]
        }
        return Report(
            title: ReportKind.movement.title, subtitle: subtitle(schoolClass, periodRange(period)),
            tables: [
                .init(
                    caption: Localized("report.caption.movement"),
                    header: [
                        Localized("report.column.date"), Localized("report.column.student"),
                        Localized("report.column.movement"), Localized("report.column.movementNote")
                    ],
                    rows: rows, widths: [1.2, 2.5, 1.2, 3]),
                .init(
                    caption: Localized("report.caption.totals"),
                    header: [Localized("report.column.measure"), Localized("report.column.count")],
                    rows: [
                        [Localized("report.row.studentsOn", ["date": period.start.russian]), Self.figure(atStart)],
                        [Localized("report.row.arrived"), Self.figure(movements.filter { $0.kind == .arrival }.count)],
                        [
                            Localized("report.row.departed"),
                            Self.figure(movements.filter { $0.kind == .departure }.count)
                        ],
                        [Localized("report.row.studentsOn", ["date": end.russian]), Self.figure(atEnd)]
                    ], widths: [3, 1])
            ],
            notes: [Localized("report.note.movement")])
    }

    // MARK: 8. Analytical report

    /// Subject averages by period for the class (and a student), compared with the school:
    /// the same subject's average over every class of the school.
    func analytics(_ schoolClass: SchoolClass, student query: String?) async throws -> Report {
        let periods = try await journal.periods(today, schoolClass.grade).filter { $0.start <= today }
        let student: Student? = try await query.asyncFlatMap { query in
            let roster = try await repository.students(inClass: schoolClass.id, on: today)
            if let byLogin = try await roster.asyncFirst(where: {
                try await journal.journal.accountLogin(of: $0.id) == query.lowercased()
            }) {
                return byLogin
            }
            return try JournalService.pick(query, among: roster)
        }
        var classAverages: [String: [Int: Fraction]] = [:]
        var studentAverages: [String: [Int: Fraction]] = [:]
        var schoolAverages: [String: [Int: Fraction]] = [:]
        let allClasses = try await repository.classes()
        for period in periods {
            let data = try await load(schoolClass, from: period.start, through: period.end)
            for subject in data.subjects {
                classAverages[subject, default: [:]][period.ordinal] = Fraction.mean(
                    data.current.compactMap {
                        GradingRules.weightedAverage((data.marks[$0.id] ?? []).filter { $0.subject == subject })
                    })
                if let student {
                    studentAverages[subject, default: [:]][period.ordinal] = GradingRules.weightedAverage(
                        (data.marks[student.id] ?? []).filter { $0.subject == subject })
                }
            }
            var school: [String: [Fraction]] = [:]
            for other in allClasses {
                let otherData = try await load(other, from: period.start, through: period.end)
                for s in otherData.current {
                    let bySubject = Dictionary(grouping: otherData.marks[s.id] ?? [], by: \.subject)
                    for (subject, marks) in bySubject {
                        if let average = GradingRules.weightedAverage(marks) {
                            school[subject, default: []].append(average)
                        }
                    }
                }
            }
            for (subject, values) in school {
                schoolAverages[subject, default: [:]][period.ordinal] = Fraction.mean(values)
            }
        }
        var header = [Localized("report.column.subject")]
        for period in periods {
            if student != nil { header.append(Localized("report.column.periodStudent", ["period": period.name])) }
            header += [
                Localized("report.column.periodClass", ["period": period.name]),
                Localized("report.column.periodSchool", ["period": period.name])
            ]
        }
        header.append(Localized("report.column.trend"))
        var rows: [[Localized]] = []
        for subject in classAverages.keys.sorted() {
            var row: [Localized] = [.verbatim(subject)]
            for period in periods {
                if student != nil { row.append(Self.decimal(studentAverages[subject]?[period.ordinal] ?? nil)) }
                row += [
                    Self.decimal(classAverages[subject]?[period.ordinal] ?? nil),
                    Self.decimal(schoolAverages[subject]?[period.ordinal] ?? nil)
                ]
            }
            let series = periods.compactMap {
                (student != nil ? studentAverages : classAverages)[subject]?[$0.ordinal] ?? nil
            }
            row.append(
                series.count >= 2
                    ? .verbatim(Self.trend(series[series.count - 2], series[series.count - 1])) : Self.none)
            rows.append(row)
        }
        let names = periods.map(\.name).joined(separator: ", ")
        let range =
            student.map { Localized("report.rangeStudentPeriods", ["student": $0.shortName, "periods": names]) }
            ?? Localized("report.rangePeriods", ["periods": names])
        return Report(
            title: ReportKind.analytics.title, subtitle: subtitle(schoolClass, range),
            tables: [.init(header: header, rows: rows)],
            notes: [
                Localized("report.note.weightedAverages"),
                student == nil ? Localized("report.note.trendClass") : Localized("report.note.trendStudent")
            ],
            landscape: periods.count > 2)
    }

    static func trend(_ before: Fraction, _ after: Fraction) -> String {
        let delta = after - before
        let step = Fraction(1, 10)
        return delta >= step ? "↑ \(decimal(delta))" : delta <= -step ? "↓ \(decimal(-delta))" : "="
    }
}

extension ReportService {
    /// A count, as it stands in a cell.
    static func figure(_ value: Int) -> Localized { .verbatim(String(value)) }

    /// A cell with no figure.
    static let none = Localized.verbatim("—")
}

extension Optional {
    func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

extension Sequence {
    func asyncFirst(where predicate: (Element) async throws -> Bool) async rethrows -> Element? {
        for element in self where try await predicate(element) { return element }
        return nil
    }
}
