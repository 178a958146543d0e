import ClassbookDomain
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Counts diary views for the activity review with one write per person, child and day: the
/// first view of a day is recorded, later ones that day are not written again, so reading the
/// diary stays a read.
struct DiaryViewRecorder: Sendable {
    let duties: any DutiesRepository
    let clock: any SchoolClock
    let timeZone: TimeZone
    let logger: Logger
    private struct Seen: Hashable {
        var account: AccountID
        var student: StudentID
    }

    private let seen = NIOLockedValueBox<(day: SchoolDate?, keys: Set<Seen>)>((nil, []))

    init(duties: any DutiesRepository, clock: any SchoolClock, timeZone: TimeZone, logger: Logger) {
        self.duties = duties
        self.clock = clock
        self.timeZone = timeZone
        self.logger = logger
    }

    func record(account: AccountID, student: StudentID) async {
        let now = clock.now()
        let day = SchoolDate(now, in: timeZone)
        let first = seen.withLockedValue { state -> Bool in
            if state.day != day { state = (day, []) }
            return state.keys.insert(Seen(account: account, student: student)).inserted
        }
        guard first else { return }
        do {
            try await duties.recordDiaryView(account: account, student: student, day: day, at: now)
        } catch {
            logger.error("cannot record a diary view: \(error)")
        }
    }
}
