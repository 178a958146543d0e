import Foundation
import IRC
import Testing

@Suite("CAP negotiation")
struct CapabilityNegotiationTests {
    let offered: [(name: String, value: String?)] = [("sasl", "PLAIN"), ("server-time", nil), ("message-tags", nil)]

    @Test("CAP LS 302 lists values and holds registration until CAP END")
    func lsHoldsRegistration() {
        var cap = CapabilityNegotiation(offered: offered)
        #expect(
            cap.handle(subcommand: "LS", argument: "302", registered: false)
                == .list(subcommand: "LS", tokens: ["sasl=PLAIN", "server-time", "message-tags"]))
        #expect(cap.isHoldingRegistration)
        #expect(cap.handle(subcommand: "END", argument: nil, registered: false) == .end)
        #expect(!cap.isHoldingRegistration)
    }

    @Test("CAP LS without 302 lists names only")
    func lsPlain() {
        var cap = CapabilityNegotiation(offered: offered)
        #expect(
            cap.handle(subcommand: "LS", argument: nil, registered: false)
                == .list(subcommand: "LS", tokens: ["sasl", "server-time", "message-tags"]))
    }

    @Test("a request with one unknown capability is refused whole")
    func nakWhole() {
        var cap = CapabilityNegotiation(offered: offered)
        #expect(cap.handle(subcommand: "REQ", argument: "sasl bogus", registered: false) == .nak("sasl bogus"))
        #expect(cap.enabled.isEmpty)
        #expect(
            cap.handle(subcommand: "REQ", argument: "sasl server-time", registered: false) == .ack("sasl server-time"))
        #expect(cap.handle(subcommand: "REQ", argument: "-sasl", registered: true) == .ack("-sasl"))
        #expect(cap.enabled == ["server-time"])
        #expect(
            cap.handle(subcommand: "LIST", argument: nil, registered: true)
                == .list(subcommand: "LIST", tokens: ["server-time"]))
    }

    @Test("an unknown sub-command is ERR_INVALIDCAPCMD")
    func invalid() {
        var cap = CapabilityNegotiation(offered: offered)
        #expect(cap.handle(subcommand: "FOO", argument: nil, registered: false) == .invalidSubcommand("FOO"))
    }
}

@Suite("SASL PLAIN")
struct SASLPlainExchangeTests {
    static func payload(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test("PLAIN, then one chunk, yields the credentials")
    func plain() {
        var sasl = SASLPlainExchange()
        #expect(sasl.receive("PLAIN") == .continueWithPayload)
        #expect(
            sasl.receive(Self.payload("\0ivanova\0secret pass"))
                == .credentials(authorizationID: "", login: "ivanova", password: "secret pass"))
        sasl.finish(succeeded: true)
        #expect(sasl.receive("PLAIN") == .alreadyAuthenticated)
    }

    @Test("a payload of exactly 400 bytes waits for '+'")
    func chunks() {
        var sasl = SASLPlainExchange()
        _ = sasl.receive("PLAIN")
        // 300 raw bytes encode to exactly 400 base64 characters.
        let password = String(repeating: "p", count: 300 - 4)
        let encoded = Self.payload("\0ab\0" + password)
        #expect(encoded.utf8.count == 400)
        #expect(sasl.receive(encoded) == .awaitingMoreData)
        #expect(sasl.receive("+") == .credentials(authorizationID: "", login: "ab", password: password))
    }

    @Test("unsupported mechanisms, garbage, aborts and over-long chunks are refused")
    func refusals() {
        var sasl = SASLPlainExchange()
        #expect(sasl.receive("EXTERNAL") == .unsupportedMechanism)
        _ = sasl.receive("PLAIN")
        #expect(sasl.receive("!!!not base64") == .malformed)
        _ = sasl.receive("PLAIN")
        #expect(sasl.receive("*") == .aborted)
        _ = sasl.receive("PLAIN")
        #expect(sasl.receive(String(repeating: "A", count: 401)) == .tooLong)
        _ = sasl.receive("PLAIN")
        #expect(sasl.receive(Self.payload("no separators")) == .malformed)
    }

    @Test("a failed attempt allows another")
    func retry() {
        var sasl = SASLPlainExchange()
        _ = sasl.receive("PLAIN")
        _ = sasl.receive(Self.payload("\0a1\0wrong"))
        sasl.finish(succeeded: false)
        #expect(sasl.receive("PLAIN") == .continueWithPayload)
    }
}
