import Foundation

/// What the weekly digest tells each person: a class teacher about their class, a subject
/// teacher about their own journal, the deputy and director about the whole school.
public struct ClassDigest: Sendable {
    public var schoolClass: SchoolClass
    public var week: DutiesService.Week
    public var unexcused: [UnexcusedAbsence]
    public var pendingNotes: [AbsenceNote]
    public var filling: JournalFilling
    public var atRisk: [StudentAtRisk]
    public var consentMissing: [ClassGuardian]
    /// Guardians on the paper path: they refused electronic information.
    public var consentRefused: [ClassGuardian]
    public var notAcknowledged: [ClassGuardian]
    public var neverLoggedIn: [ClassGuardian]
    /// The monthly reminder (first week of a month): students whose data was not checked for 30 days.
    public var dataCheckDue: [Student]?
}

public struct SchoolSummary: Sendable {
    public struct Row: Sendable {
        public var schoolClass: SchoolClass
        public var fillingGaps: Int
        public var guardians: Int
        public var acknowledged: Int
        public var consented: Int
    }

    public var rows: [Row]
}

public struct WeeklyDigest: Sendable {
    public var week: DutiesService.Week
    public var classes: [ClassDigest] = []
    public var ownJournal: JournalFilling?
    public var school: SchoolSummary?

    public var isEmpty: Bool { classes.isEmpty && ownJournal == nil && school == nil }
}

/// One weekly digest run for many people: what several digests share is computed once.
///
/// The director's and each deputy's school summary cover every class; a class teacher's
/// digest covers that class again. Within one run each class's journal filling and its
/// guardians' consent and activity are read once, and the school summary is built once.
public actor DigestRun {
    private var results: [String: Task<any Sendable, any Error>] = [:]

    public init() {}

    func value<T: Sendable>(_ key: String, _ compute: @escaping @Sendable () async throws -> T) async throws -> T {
        let task: Task<any Sendable, any Error>
        if let existing = results[key] {
            task = existing
        } else {
            task = Task { try await compute() }
            results[key] = task
        }
        guard let value = try await task.value as? T else {
            preconditionFailure("digest run key \(key) holds another type")
        }
        return value
    }
}

extension DutiesService {
    /// A class's digest for the week containing `day`.
    public func classDigest(className: String, for principal: Principal) async throws -> ClassDigest {
        let scope = try await journal.scope(.superviseClass, className: className, subject: nil, for: principal)
        return try await classDigest(scope.schoolClass, week: Week(containing: today))
    }

    /// A class's guardians with their latest consent and the week's activity.
    struct GuardianFacts: Sendable {
        var guardians: [ClassGuardian]
        var consents: [AccountID: ConsentRecord]
        var activity: [AccountID: GuardianActivity]
    }

    func guardianFacts(_ schoolClass: SchoolClass, week: Week, run: DigestRun?) async throws -> GuardianFacts {
        let compute: @Sendable () async throws -> GuardianFacts = { [self] in
            let guardians = try await duties.guardians(ofClass: schoolClass.id, on: today)
            let consents = try await duties.latestConsents(of: guardians.map(\.account))
            let (from, through) = week.instants(in: journal.timeZone)
            let activity = try await duties.activity(
                of: guardians.map(\.account), from: from, through: through, days: week.monday...week.sunday)
            return GuardianFacts(guardians: guardians, consents: consents, activity: activity)
        }
        guard let run else { return try await compute() }
        return try await run.value("guardians \(schoolClass.id.rawValue)", compute)
    }

    func classDigest(_ schoolClass: SchoolClass, week: Week, run: DigestRun? = nil) async throws -> ClassDigest {
        let facts = try await guardianFacts(schoolClass, week: week, run: run)
        let (guardians, consents, activity) = (facts.guardians, facts.consents, facts.activity)
        return ClassDigest(
            schoolClass: schoolClass, week: week,
            unexcused: try await duties.unexcusedAbsences(
                ofClass: schoolClass.id, from: week.monday, through: min(week.sunday, today)),
            pendingNotes: try await duties.absenceNotes(ofClass: schoolClass.id, pendingOnly: true),
            filling: try await filling(of: schoolClass, run: run),
            atRisk: try await atRisk(in: schoolClass, run: run),
            consentMissing: guardians.filter { consents[$0.account] == nil },
            consentRefused: guardians.filter { consents[$0.account]?.decision == .refused },
            notAcknowledged: guardians.filter {
                consents[$0.account]?.decision != .refused && (activity[$0.account]?.acknowledgements ?? []).isEmpty
            },
            neverLoggedIn: guardians.filter { activity[$0.account]?.lastLogin == nil },
            dataCheckDue: today.day <= 7
                ? try await duties.dataCheckDue(ofClass: schoolClass.id, since: today.adding(days: -30), on: today)
                : nil)
    }

    /// The school-wide summary: each class's journal gaps, acknowledgement and consent rates.
    func schoolSummary(week: Week, run: DigestRun? = nil) async throws -> SchoolSummary {
        if let run {
            return try await run.value("school summary") { [self] in try await schoolSummary(week: week, shared: run) }
        }
        return try await schoolSummary(week: week, shared: nil)
    }

    private func schoolSummary(week: Week, shared run: DigestRun?) async throws -> SchoolSummary {
        let classes = try await repository.classes()
        // A row per class, four classes at a time: alone, this loop is the longest path of a
        // digest run (every class of the school, one after another).
        let row: @Sendable (SchoolClass) async throws -> SchoolSummary.Row = { [self] schoolClass in
            let facts = try await guardianFacts(schoolClass, week: week, run: run)
            let (guardians, consents, activity) = (facts.guardians, facts.consents, facts.activity)
            let filling = try await self.filling(of: schoolClass, run: run)
            return .init(
                schoolClass: schoolClass,
                fillingGaps: filling.withoutTopic.count + filling.ungradedControlWorks.count
                    + filling.missingFinals.count,
                guardians: guardians.count,
                acknowledged: guardians.filter { !(activity[$0.account]?.acknowledgements ?? []).isEmpty }.count,
                consented: guardians.filter { consents[$0.account]?.decision == .granted }.count)
        }
        return SchoolSummary(rows: try await classes.concurrentMap(width: 4, row))
    }

    /// Everything the person's roles give them a digest of: the classes they lead, their own
    /// journal, the school. Nil parts are for roles the person does not have.
    /// `run` shares what several people's digests have in common (see `DigestRun`).
    public func digest(for principal: Principal, run: DigestRun? = nil) async throws -> WeeklyDigest {
        let week = Week(containing: today)
        var digest = WeeklyDigest(week: week)
        if principal.has(.classTeacher) {
            for schoolClass in try await repository.classes() where schoolClass.classTeacher == principal.account.id {
                digest.classes.append(try await classDigest(schoolClass, week: week, run: run))
            }
        }
        if AccessPolicy.allows(.reviewOwnJournal, for: principal.account.roles, relations: [.own]) {
            digest.ownJournal = try await ownFilling(for: principal, run: run)
        }
        if AccessPolicy.allows(.superviseSchool, for: principal.account.roles, relations: []) {
            digest.school = try await schoolSummary(week: week, run: run)
        }
        return digest
    }
}
