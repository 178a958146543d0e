import Foundation

/// The SASL PLAIN exchange of one connection, carried by `AUTHENTICATE` (IRCv3 sasl-3.1).
///
/// It accepts the mechanism, then base64 chunks of at most 400 bytes (a chunk of exactly
/// 400 bytes means more follows; `+` ends a payload that is a multiple of 400), and yields
/// the decoded credentials. It never sees whether they are right: the server checks them
/// and calls `finish(succeeded:)`.
public struct SASLPlainExchange: Sendable {
    public enum Step: Equatable, Sendable {
        /// Send `AUTHENTICATE +`.
        case continueWithPayload
        /// Wait for the next chunk.
        case awaitingMoreData
        case credentials(authorizationID: String, login: String, password: String)
        /// 908 RPL_SASLMECHS then 904.
        case unsupportedMechanism
        /// 904: the payload is not valid PLAIN.
        case malformed
        /// 905.
        case tooLong
        /// 906.
        case aborted
        /// 907.
        case alreadyAuthenticated
    }

    public static let chunkBytes = 400
    /// PLAIN carries two names and a password; anything longer is refused with 905.
    public static let maxPayloadBytes = 4 * chunkBytes

    private enum State: Sendable {
        case idle
        case receiving(buffer: String)
        case verifying
        case authenticated
    }

    private var state: State = .idle

    public init() {}

    public var isAuthenticated: Bool {
        if case .authenticated = state { return true }
        return false
    }

    public mutating func receive(_ parameter: String) -> Step {
        switch state {
        case .authenticated:
            return .alreadyAuthenticated
        case .verifying:
            // A client that sends more while we check the previous attempt aborts it.
            state = .idle
            return .aborted
        case .idle:
            if parameter == "*" { return .aborted }
            guard parameter.uppercased() == "PLAIN" else { return .unsupportedMechanism }
            state = .receiving(buffer: "")
            return .continueWithPayload
        case .receiving(let buffer):
            if parameter == "*" {
                state = .idle
                return .aborted
            }
            if parameter.utf8.count > Self.chunkBytes {
                state = .idle
                return .tooLong
            }
            let total = parameter == "+" ? buffer : buffer + parameter
            if total.utf8.count > Self.maxPayloadBytes {
                state = .idle
                return .tooLong
            }
            if parameter != "+" && parameter.utf8.count == Self.chunkBytes {
                state = .receiving(buffer: total)
                return .awaitingMoreData
            }
            guard let step = Self.decode(total) else {
                state = .idle
                return .malformed
            }
            state = .verifying
            return step
        }
    }

    /// Records the server's verdict on the credentials last yielded.
    public mutating func finish(succeeded: Bool) {
        state = succeeded ? .authenticated : .idle
    }

    private static func decode(_ base64: String) -> Step? {
        guard let data = Data(base64Encoded: base64) else { return nil }
        let parts = data.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3,
            let authorization = String(data: Data(parts[0]), encoding: .utf8),
            let login = String(data: Data(parts[1]), encoding: .utf8),
            let password = String(data: Data(parts[2]), encoding: .utf8),
            !login.isEmpty
        else { return nil }
        return .credentials(authorizationID: authorization, login: login, password: password)
    }
}
