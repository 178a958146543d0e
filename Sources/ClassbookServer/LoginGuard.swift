import ClassbookDomain
import ClassbookText
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Failed logins slow down, per account and per address: the first few are free, then each
/// waits twice as long as the one before (up to a maximum); after `lockAfter` failures in a row
/// an account is locked and the administrators and the director are told. Waiting happens on
/// the connection's own task, never on an event loop, so a storm of bad logins does not slow
/// anyone else.
struct LoginGuard: Sendable {
    struct Settings: Sendable, Equatable {
        /// Failures without any delay.
        var freeFailures = 3
        var baseDelay: TimeInterval = 1
        var maxDelay: TimeInterval = 30
        /// Failures in a row that lock an account (0: never).
        var lockAfter = 10
    }

    let settings: Settings
    let security: any SecurityRepository
    let delivery: ServerDelivery
    let clock: any SchoolClock
    let logger: Logger
    let metrics: ServerMetrics
    private let failures = NIOLockedValueBox<[String: Int]>([:])

    init(
        settings: Settings, security: any SecurityRepository, delivery: ServerDelivery, clock: any SchoolClock,
        logger: Logger,
        metrics: ServerMetrics
    ) {
        self.settings = settings
        self.security = security
        self.delivery = delivery
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
    }

    func delay(afterFailures count: Int) -> TimeInterval {
        guard count >= settings.freeFailures else { return 0 }
        return min(settings.maxDelay, settings.baseDelay * pow(2, Double(count - settings.freeFailures)))
    }

    /// Waits as long as earlier failures for this login or address demand.
    func wait(login: String, address: String) async {
        let count = failures.withLockedValue { max($0["login:" + login] ?? 0, $0["address:" + address] ?? 0) }
        let seconds = delay(afterFailures: count)
        if seconds > 0 { try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
    }

    func succeeded(login: String, address: String) {
        failures.withLockedValue {
            $0["login:" + login] = nil; $0["address:" + address] = nil
        }
    }

    /// Counts a failure; locks an existing account that reached the limit.
    func failed(login: String, address: String) async {
        metrics.failedLogins.increment()
        let count = failures.withLockedValue { failures -> Int in
            failures["address:" + address, default: 0] += 1
            failures["login:" + login, default: 0] += 1
            return failures["login:" + login]!
        }
        guard settings.lockAfter > 0, count == settings.lockAfter, LoginRules.isValid(login) else { return }
        do {
            guard let account = try await security.account(login: login) else { return }
            // The administrators' alert is saved with the lock, in its transaction.
            let administrators = try await security.alertRecipients()
            let alerts = try await delivery.alerts(to: administrators)(
                [Language.ru.t("server.lockoutAlert", ["login": login, "count": count, "address": address])])
            guard
                try await security.lock(
                    account.id, reason: "failed logins",
                    context: AuditContext(actor: nil, sessionID: "login-guard", at: clock.now()), alerts: alerts)
            else { return }
            metrics.lockouts.increment()
            logger.warning("account locked after \(count) failed logins", metadata: ["login": "\(login)"])
            await delivery.deliverSaved(to: administrators.map(\.id))
        } catch {
            logger.error("cannot lock an account: \(error)")
        }
    }
}
