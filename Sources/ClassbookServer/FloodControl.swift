import Foundation

/// A connection's line budget (as Ergo's fake lag): a burst of lines at once, then a steady
/// rate; a line over budget waits its turn, and a client that keeps sending over budget for
/// `hardLimit` lines in a row is disconnected.
public struct FloodControl: Sendable {
    public struct Settings: Sendable, Equatable {
        public init() {}
        public var burst: Double = 5
        public var linesPerSecond: Double = 2
        public var hardLimit: Int = 40
    }

    let settings: Settings
    private var tokens: Double
    private var last: ContinuousClock.Instant
    private var delayedInARow = 0

    init(settings: Settings) {
        self.settings = settings
        tokens = settings.burst
        last = .now
    }

    enum Decision: Equatable {
        case go
        /// Process the line after this delay (fake lag).
        case wait(Duration)
        case disconnect
    }

    mutating func admit(now: ContinuousClock.Instant = .now) -> Decision {
        let elapsed = now - last
        last = now
        tokens = min(
            settings.burst,
            tokens + Double(elapsed.components.seconds) * settings.linesPerSecond
                + Double(elapsed.components.attoseconds) / 1e18 * settings.linesPerSecond)
        tokens -= 1
        guard tokens < 0 else {
            delayedInARow = 0
            return .go
        }
        delayedInARow += 1
        if delayedInARow > settings.hardLimit { return .disconnect }
        let wait = -tokens / settings.linesPerSecond
        // The wait is the lag: time passes and the budget refills while the line waits.
        tokens = 0
        last = now + .milliseconds(Int64(wait * 1000))
        return .wait(.milliseconds(Int64(wait * 1000)))
    }
}
