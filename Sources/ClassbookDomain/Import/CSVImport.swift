import Foundation

/// Importing a school from CSV exports (docs/import.md), what every store shares: which file is
/// which, the order they apply in, every problem with its file and line, and the rules a row
/// must keep. Each store writes the rows in one transaction of its own (all or nothing).
public enum CSVImport {
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var message: String
        public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }

        public init(file: String, line: Int?, message: String) {
            self.file = file
            self.line = line
            self.message = message
        }
    }

    public struct Failure: Error, Sendable {
        public var problems: [Problem]
        public init(problems: [Problem]) { self.problems = problems }
    }

    public struct Summary: Sendable, Equatable {
        public var counts: [String: Int]
        public init(counts: [String: Int]) { self.counts = counts }

        /// `classes=2 staff=5 …`: the import's audit record.
        public var auditText: String {
            counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
    }

    /// A row refused: the message its problem carries.
    public struct RowError: Error, Sendable {
        public var text: String
        public init(_ text: String) { self.text = text }
    }

    public enum Kind: String, CaseIterable, Sendable {
        case periods, holidays, staff, classes, students, guardians, timetable, assignments

        public var required: Set<String> {
            switch self {
            case .periods: ["period", "start", "end"]
            case .holidays: ["holiday", "start", "end"]
            case .staff: ["login", "name", "roles"]
            case .classes: ["class", "class_teacher"]
            case .students: ["class", "last_name", "first_name"]
            case .guardians: ["login", "name", "class", "student"]
            case .timetable: ["class", "weekday", "number", "subject", "teacher"]
            case .assignments: ["class", "subject", "teacher"]
            }
        }

        public var optional: Set<String> {
            switch self {
            case .periods: ["grades"]
            case .students: ["middle_name", "login", "birth_date", "phone", "email", "address"]
            case .guardians: ["phone", "email", "address"]
            case .timetable, .assignments: ["group"]
            default: []
            }
        }

        static func of(_ columns: [String]) -> Kind? {
            let set = Set(columns)
            return allCases.first { $0.required.isSubset(of: set) && set.isSubset(of: $0.required.union($0.optional)) }
        }
    }

    /// The files parsed and told apart by their columns, in the order they apply (periods first,
    /// the timetable last); every file's problems at once when any has one.
    public static func tables(_ files: [(name: String, data: Data)]) throws -> [(Kind, CSVTable)] {
        var problems: [Problem] = []
        var tables: [(Kind, CSVTable)] = []
        for file in files {
            do {
                let table = try CSVTable.parse(file: file.name, data: file.data)
                guard let kind = Kind.of(table.columns) else {
                    problems.append(
                        Problem(
                            file: file.name, line: 1,
                            message: "cannot tell what this file holds from its columns ("
                                + table.columns.joined(separator: ", ") + "); see docs/import.md"))
                    continue
                }
                tables.append((kind, table))
            } catch let error as CSVTable.ParseError {
                problems.append(problem(error, file: file.name))
            }
        }
        if !problems.isEmpty { throw Failure(problems: problems) }
        return tables.sorted { Kind.allCases.firstIndex(of: $0.0)! < Kind.allCases.firstIndex(of: $1.0)! }
    }

    static func problem(_ error: CSVTable.ParseError, file: String) -> Problem {
        switch error {
        case .notUTF8: Problem(file: file, line: nil, message: "not UTF-8 text: save the spreadsheet as «CSV UTF-8»")
        case .empty: Problem(file: file, line: 1, message: "no header row")
        case .unterminatedQuote(let line): Problem(file: file, line: line, message: "a quoted field is not closed")
        case .fieldCount(let line, let expected, let found):
            Problem(file: file, line: line, message: "\(found) fields where the header has \(expected)")
        case .unknownColumn(let name):
            Problem(file: file, line: 1, message: "unknown column «\(name)»; see docs/import.md")
        case .duplicateColumn(let name): Problem(file: file, line: 1, message: "the column «\(name)» appears twice")
        }
    }

    // MARK: The rules a row keeps

    /// Refuses a row whose required columns are empty.
    public static func checkRequired(_ kind: Kind, _ row: CSVTable.Row, titles: [String: String]) throws {
        for column in kind.required.sorted() where row[column].isEmpty {
            throw RowError("the column «\(titles[column] ?? column)» is empty")
        }
    }

    public static func date(_ text: String) throws -> SchoolDate {
        guard let date = SchoolDate(iso: text) ?? SchoolDate(russian: text) else {
            throw RowError("«\(text)» is not a date (ДД.ММ.ГГГГ or YYYY-MM-DD)")
        }
        return date
    }

    /// A period's dates, name and grade scheme; the name of the school year its start falls in.
    public static func period(_ row: CSVTable.Row) throws -> (
        name: String, start: SchoolDate, end: SchoolDate, grades: String, yearName: String
    ) {
        let start = try date(row["start"])
        let end = try date(row["end"])
        guard start <= end else { throw RowError("the period ends before it starts") }
        let grades = row["grades"].replacingOccurrences(of: " ", with: "")
        guard grades.isEmpty || GradeRange(parsing: grades) != nil else {
            throw RowError("«\(row["grades"])» is not a list of grades such as 10-11 or 1-4,9")
        }
        let yearStart = start.month >= 8 ? start.year : start.year - 1
        return (row["period"], start, end, grades, "\(yearStart)/\(yearStart + 1)")
    }

    public static func holiday(_ row: CSVTable.Row) throws -> (name: String, start: SchoolDate, end: SchoolDate) {
        let start = try date(row["start"])
        let end = try date(row["end"])
        guard start <= end else { throw RowError("the holiday ends before it starts") }
        return (row["holiday"], start, end)
    }

    /// A login as stored (lower-cased), refused when invalid.
    public static func login(_ raw: String) throws -> String {
        let login = raw.lowercased()
        guard LoginRules.isValid(login) else {
            throw RowError(
                "«\(raw)» is not a valid login: 2–32 Latin lower-case letters, digits, '.', '_' or '-', starting "
                    + "with a letter"
            )
        }
        return login
    }

    public static func staffRoles(_ text: String) throws -> Set<Role> {
        var roles: Set<Role> = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "+" || $0 == "/" }) {
            guard let role = Role(parsing: String(word)), role != .guardian, role != .student else {
                throw RowError("unknown staff role «\(word)»: teacher, class_teacher, deputy, director, admin")
            }
            roles.insert(role)
        }
        return roles
    }

    /// A class's name as stored (upper-cased) and its grade.
    public static func schoolClass(_ text: String) throws -> (name: String, grade: Int) {
        let name = text.uppercased()
        guard let grade = Int(name.prefix { $0.isNumber }), (1...11).contains(grade), name.count <= 8 else {
            throw RowError("«\(text)» is not a class name like 7А")
        }
        return (name, grade)
    }

    /// A student's full name for their own account: the name parts given, in order.
    public static func studentName(_ row: CSVTable.Row) -> String {
        [row["last_name"], row["first_name"], row["middle_name"]].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Whether «Фамилия Имя» of a guardians file names this student.
    public static func names(_ words: String, lastName: String, firstName: String) -> Bool {
        let words = words.split(separator: " ").map(String.init)
        return words.count == 2 && DiaryService.normalize(words[0]) == DiaryService.normalize(lastName)
            && DiaryService.normalize(words[1]) == DiaryService.normalize(firstName)
    }

    static let weekdays: [String: Int] = [
        "пн": 1, "вт": 2, "ср": 3, "чт": 4, "пт": 5, "сб": 6,
        "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6
    ]

    /// A timetable row's school day (1–6) and lesson number (1–12).
    public static func slot(_ row: CSVTable.Row) throws -> (weekday: Int, number: Int) {
        guard
            let weekday = Int(row["weekday"]).flatMap({ (1...6).contains($0) ? $0 : nil })
                ?? weekdays[String(row["weekday"].lowercased().prefix(3))]
                ?? weekdays[String(row["weekday"].lowercased().prefix(2))]
        else {
            throw RowError("«\(row["weekday"])» is not a school day: 1–6 or пн…сб")
        }
        guard let number = Int(row["number"]), (1...12).contains(number) else {
            throw RowError("«\(row["number"])» is not a lesson number 1–12")
        }
        return (weekday, number)
    }
}
