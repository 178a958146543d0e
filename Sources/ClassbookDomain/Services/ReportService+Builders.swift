import Foundation

/// The eight reports, each from the class's journal over its range.
extension ReportService {
    private func subtitle(_ schoolClass: SchoolClass, _ range: String) -> String {
        "Класс \(schoolClass.name), \(range)"
    }

    private func periodRange(_ period: Period) -> String {
        "\(period.name) (\(period.start.russian) – \(period.end.russian))"
    }

    // MARK: 1. Attendance by month

    func attendance(_ schoolClass: SchoolClass, month: (SchoolDate, SchoolDate)) async throws -> Report {
        let data = try await load(schoolClass, from: month.0, through: month.1)
        var rows: [[String]] = []
        var total = GradingRules.Attendance.zero
        func cells(_ a: GradingRules.Attendance) -> [String] {
            [a.missedLessons, a.illnessLessons, a.otherExcusedLessons, a.unexcusedLessons, a.lateArrivals, a.missedDays]
                .map(String.init)
        }
        for student in data.students {
            let a = data.rules.attendance(
                data.absences[student.id] ?? [], lessonsPerDay: data.lessonsPerDay[student.id] ?? [:])
            rows.append([student.shortName, String(data.lessonCount[student.id] ?? 0)] + cells(a))
            total += a
        }
        rows.append(["Итого", String(data.lessonCount.values.reduce(0, +))] + cells(total))
        let name = Self.monthNames[month.0.month - 1]
        return Report(
            title: ReportKind.attendance.title, subtitle: subtitle(schoolClass, "\(name) \(month.0.year)"),
            tables: [
                .init(
                    header: [
                        "Обучающийся", "Уроков", "Пропущено уроков", "По болезни", "По уважительной причине",
                        "Без уважительной причины", "Опозданий", "Пропущено дней"
                    ], rows: rows)
            ],
            notes: attendanceNotes(data.rules))
    }

    func attendanceNotes(_ rules: GradingRules) -> [String] {
        let day =
            switch rules.missedDay {
            case .allLessons: "все его уроки пропущены"
            case .atLeast(let n): "пропущено не меньше \(n) уроков"
            }
        return [
            "Пропущенный урок — отметка Н, УП или Б\(rules.lateCountsAsMissed ? " или ОП" : ""); по болезни — Б, по "
                + "уважительной причине — УП, без уважительной причины — "
                + "Н\(rules.lateCountsAsMissed ? " и ОП" : ""). Опоздание — "
                + "ОП\(rules.lateCountsAsMissed ? "" : ", в пропуски не входит").",
            "Пропущенный день — день, в который \(day). Учитываются уроки класса и групп ученика, проведённые по "
                + "сегодняшний день, пока ученик числился в классе (со дня прибытия до дня выбытия)."
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
        var header = ["Обучающийся"]
        for (_, month) in months {
            header += ["\(Self.monthNames[month - 1]): пропущено", "\(Self.monthNames[month - 1]): уваж."]
        }
        header += ["Всего пропущено", "Всего уваж.", "Пропущено дней"]
        var rows: [[String]] = []
        for student in data.students {
            let absences = data.absences[student.id] ?? []
            var row = [student.shortName]
            for (year, month) in months {
                let inMonth = absences.filter {
                    $0.date.year == year && $0.date.month == month && data.rules.countsAsMissed($0.reason)
                }
                row += [String(inMonth.count), String(inMonth.filter { $0.reason.isExcused }.count)]
            }
            let a = data.rules.attendance(absences, lessonsPerDay: data.lessonsPerDay[student.id] ?? [:])
            row += [String(a.missedLessons), String(a.excusedLessons), String(a.missedDays)]
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
        var rows: [[String]] = []
        for student in data.current {
            var row = [student.shortName]
            var marks: [Int] = []
            for subject in data.subjects {
                let result = periodResult(data, student.id, subject: subject, period: period)
                row.append(result?.text ?? "—")
                if case .grade(let value, _) = result { marks.append(value) }
            }
            row.append(Self.decimal(Fraction.mean(marks)))
            rows.append(row)
        }
        rows.append(
            ["Средний балл класса"]
                + data.subjects.map { subject in
                    Self.decimal(Fraction.mean(periodMarks(data, subject: subject, period: period)))
                } + [""])
        return Report(
            title: ReportKind.marks.title, subtitle: subtitle(schoolClass, periodRange(period)),
            tables: [.init(header: ["Обучающийся"] + data.subjects + ["Средний балл"], rows: rows)],
            notes: [
                "Оценка за период — выставленная учителем итоговая; со звёздочкой (*) — ещё не выставлена и "
                    + "предложена по средневзвешенному баллу с порогом округления "
                    + "\(Self.decimal(Fraction(thousandths: data.rules.roundingThreshold))).",
                "«зач» и «незач» — зачёт и незачёт по предмету без отметок; в средний балл не входят, «незач» делает "
                    + "обучающегося неуспевающим.",
                "Средний балл ученика — среднее его отметок за период в этой строке; средний балл класса по предмету "
                    + "— среднее отметок за период в этом столбце (только отметки 1–5)."
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
        let rows = Standing.allCases.map { standing -> [String] in
            let students = standings.byStanding[standing] ?? []
            return [
                standing.rawValue.capitalizedFirst, String(students.count),
                students.map(\.shortName).joined(separator: ", ")
            ]
        }
        return [
            .init(header: ["Категория", "Число", "Обучающиеся"], rows: rows, widths: [2, 1, 5]),
            .init(
                header: ["Показатель", "Значение"],
                rows: [
                    ["Обучающихся", String(standings.total)],
                    ["Успеваемость", NumberText.percent(standings.success, of: standings.total)],
                    ["Качество знаний", NumberText.percent(standings.quality, of: standings.total)]
                ], widths: [3, 2])
        ]
    }

    static let standingNotes = [
        "Отметка за период — итоговая, а где она не выставлена, — предложенная по средневзвешенному баллу.",
        "Отличники — только «5»; хорошисты — «4» и «5»; с одной «3» — ровно одна «3», остальные «4» и «5»; "
            + "неуспевающие — хотя бы одна «2» (или «1», «незачёт»); не аттестованы — нет ни одной отметки, или по "
            + "окончании периода по предмету, который изучает класс, нет ни одной отметки (пока период идёт, "
            + "такой предмет не учитывается).",
        "Успеваемость — доля обучающихся без неуспевающих и неаттестованных; качество знаний — доля отличников и "
            + "хорошистов (от всех обучающихся класса за период)."
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
        var rows: [[String]] = []
        for student in data.current {
            let expected = data.subjects.compactMap { subject in
                periodResult(data, student.id, subject: subject, period: period).map { "\(subject) \($0.text)" }
            }
            let risk =
                risks.first { $0.student.id == student.id }?.reasons.map(Self.riskText).joined(separator: "; ") ?? ""
            rows.append([
                student.shortName, standing(data, student.id, period: period).rawValue,
                expected.joined(separator: ", "), risk
            ])
        }
        let counts = standings(data, period: period)
        return Report(
            title: ReportKind.preliminary.title,
            subtitle: subtitle(schoolClass, periodRange(period) + ", на \(min(today, period.end).russian)"),
            tables: [
                .init(
                    caption: "Ожидаемые итоговые и неуспешная ситуация",
                    header: ["Обучающийся", "Ожидается", "Отметки за период", "Риск"],
                    rows: rows, widths: [2, 1.3, 4, 2.5])
            ] + standingsTable(counts),
            notes: [
                "Ожидаемая отметка со звёздочкой (*) предложена по средневзвешенному баллу "
                    + "\(ended ? "на конец периода" : "на сегодня")."
                    + " Риск — по отметкам, двойкам за последние две недели и пропускам "
                    + "\(ended ? "этого периода" : "периода по сегодняшний день")."
            ]
                + Self.standingNotes,
            landscape: true)
    }

    static func riskText(_ reason: StudentAtRisk.Reason) -> String {
        switch reason {
        case .lowAverage(let subject, let average): "\(subject): средний \(decimal(average))"
        case .recentTwos(let count): "двоек за две недели: \(count)"
        case .missedLessons(let missed, let of): "пропущено \(missed) из \(of) уроков"
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
        var subjectRows: [[String]] = []
        for subject in data.subjects {
            let marks = periodMarks(data, subject: subject, period: period)
            let counts =
                [5, 4, 3].map { value in String(marks.filter { $0 == value }.count) } + [
                    String(marks.filter { $0 <= 2 }.count)
                ]
            subjectRows.append(
                [subject, Self.decimal(Fraction.mean(marks))] + counts + [
                    NumberText.percent(marks.filter { $0 >= 4 }.count, of: marks.count)
                ])
        }
        let running = period.end >= today
        let tables: [Report.Table] =
            [
                .init(
                    caption: "Состав класса", header: ["Показатель", "Число"],
                    rows: [
                        ["На начало периода", String(atStart)],
                        ["Прибыло", String(movements.filter { $0.kind == .arrival }.count)],
                        ["Выбыло", String(movements.filter { $0.kind == .departure }.count)],
                        [running ? "На конец периода (на сегодня)" : "На конец периода", String(atEnd)]
                    ],
                    widths: [3, 1])
            ] + standingsTable(standings(data, period: period)) + [
                .init(
                    caption: "Предметы", header: ["Предмет", "Средний балл", "«5»", "«4»", "«3»", "«2»", "Качество"],
                    rows: subjectRows),
                .init(
                    caption: "Посещаемость", header: ["Показатель", "Число"],
                    rows: [
                        ["Пропущено уроков", String(total.missedLessons)], ["По болезни", String(total.illnessLessons)],
                        ["По уважительной причине", String(total.otherExcusedLessons)],
                        ["Без уважительной причины", String(total.unexcusedLessons)],
                        ["Пропущено дней", String(total.missedDays)],
                        [
                            "Пропущено уроков на одного обучающегося",
                            Self.decimal(Fraction.ratio(total.missedLessons, data.students.count))
                        ]
                    ],
                    widths: [3, 1])
            ]
        return Report(
            title: ReportKind.period.title, subtitle: subtitle(schoolClass, periodRange(period)), tables: tables,
            notes: Self.standingNotes + [
                "Средний балл по предмету — среднее отметок за период (как в сводной ведомости); качество — доля "
                    + "отметок «4» и «5» среди них."
            ]
                + attendanceNotes(data.rules))
    }

    // MARK: 7. Movement

    func movement(_ schoolClass: SchoolClass, period: Period) async throws -> Report {
        let movements = try await repository.movements(ofClass: schoolClass.id, from: period.start, through: period.end)
        let atStart = try await repository.students(inClass: schoolClass.id, on: period.start).count
        let end = min(period.end, today)
        let atEnd = try await repository.students(inClass: schoolClass.id, on: end).count
        let rows = movements.map {
            [$0.date.russian, $0.studentName, $0.kind == .arrival ? "прибыл(а)" : "выбыл(а)", $0.note]
        }
        return Report(
            title: ReportKind.movement.title, subtitle: subtitle(schoolClass, periodRange(period)),
            tables: [
                .init(
                    caption: "Движение", header: ["Дата", "Обучающийся", "Движение", "Откуда / куда, основание"],
                    rows: rows, widths: [1.2, 2.5, 1.2, 3]),
                .init(
                    caption: "Итоги", header: ["Показатель", "Число"],
                    rows: [
                        ["Обучающихся на \(period.start.russian)", String(atStart)],
                        ["Прибыло", String(movements.filter { $0.kind == .arrival }.count)],
                        ["Выбыло", String(movements.filter { $0.kind == .departure }.count)],
                        ["Обучающихся на \(end.russian)", String(atEnd)]
                    ], widths: [3, 1])
            ],
            notes: ["Обучающийся числится в классе со дня прибытия до дня выбытия (в день выбытия уже не числится)."])
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
        var header = ["Предмет"]
        for period in periods {
            if student != nil { header.append("\(period.name): ученик") }
            header += ["\(period.name): класс", "\(period.name): школа"]
        }
        header.append("Динамика")
        var rows: [[String]] = []
        for subject in classAverages.keys.sorted() {
            var row = [subject]
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
            row.append(series.count >= 2 ? Self.trend(series[series.count - 2], series[series.count - 1]) : "—")
            rows.append(row)
        }
        let who = student.map { "обучающийся \($0.shortName), " } ?? ""
        return Report(
            title: ReportKind.analytics.title,
            subtitle: subtitle(schoolClass, who + "периоды: " + periods.map(\.name).joined(separator: ", ")),
            tables: [.init(header: header, rows: rows)],
            notes: [
                "Здесь, в отличие от сводной ведомости, средний балл — средневзвешенный балл текущих отметок: класса "
                    + "— среднее средневзвешенных баллов учеников класса по предмету; школы — то же по всем ученикам "
                    + "школы, изучающим предмет.",
                "Динамика — изменение \(student == nil ? "класса" : "ученика") от предыдущего периода к последнему: "
                    + "↑ выше на 0,1 и больше, ↓ ниже на 0,1 и больше, = иначе."
            ],
            landscape: periods.count > 2)
    }

    static func trend(_ before: Fraction, _ after: Fraction) -> String {
        let delta = after - before
        let step = Fraction(1, 10)
        return delta >= step ? "↑ \(decimal(delta))" : delta <= -step ? "↓ \(decimal(-delta))" : "="
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
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
