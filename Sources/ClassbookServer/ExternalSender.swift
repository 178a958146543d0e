import AsyncHTTPClient
import ClassbookDomain
import Foundation
import Logging
import NIOCore

/// Sends what waits in the email and SMS outbox; a failure is retried with a growing delay
/// (1, 2, 4 … minutes, at most an hour), so nothing is lost while a mail server or gateway is
/// down or the process restarts: the outbox is in the database.
struct ExternalSender: Sendable {
    let messaging: any MessagingRepository
    let smtp: SMTPConfiguration?
    let sms: SMSConfiguration?
    let group: any EventLoopGroup
    /// For the SMS gateway (async-http-client), the server's.
    let http: HTTPClient?
    let clock: any SchoolClock
    let logger: Logger

    static func retryDelay(afterAttempts attempts: Int) -> TimeInterval {
        min(3600, 60 * pow(2, Double(max(0, attempts - 1))))
    }

    /// Sends what is due; returns how many went out. After a failure the run leaves the rest of
    /// that channel for the next run: a mail server or gateway that is down costs one timeout a
    /// run, not one a message.
    @discardableResult
    func runDue() async throws -> Int {
        var sent = 0
        var down: Set<ExternalMessage.Channel> = []
        for message in try await messaging.dueExternal(at: clock.now(), limit: 100)
        where !down.contains(message.channel) {
            do {
                switch message.channel {
                case .email:
                    guard let smtp else { throw SMTPClient.Failure(description: "no SMTP server is configured") }
                    try await SMTPClient(configuration: smtp, group: group).send(
                        to: message.address, subject: message.subject,
                        body: message.body, date: clock.now())
                case .sms:
                    guard let sms, let http else {
                        throw SMSGateway.Failure(description: "no SMS gateway is configured")
                    }
                    try await SMSGateway(configuration: sms, client: http).send(to: message.address, text: message.body)
                }
                try await messaging.markExternalSent(message.id, at: clock.now())
                sent += 1
            } catch {
                let retry = clock.now().addingTimeInterval(Self.retryDelay(afterAttempts: message.attempts + 1))
                logger.warning(
                    "\(message.channel.rawValue) #\(message.id) not sent (attempt \(message.attempts + 1)): \(error)")
                down.insert(message.channel)
                try await messaging.markExternalFailed(message.id, error: "\(error)", retryAt: retry)
            }
        }
        return sent
    }
}
