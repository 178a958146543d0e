/// The IRCv3 capability negotiation of one connection (`CAP LS/REQ/LIST/END`).
///
/// It consumes the sub-command and its argument and produces what the server must
/// answer; the server formats the answer with its own name and the client's nick.
public struct CapabilityNegotiation: Sendable {
    /// Capabilities the server offers, with the value advertised to `CAP LS 302` clients.
    public let offered: [(name: String, value: String?)]
    public private(set) var enabled: Set<String> = []
    /// True from the first `CAP LS` or `CAP REQ` before registration until `CAP END`:
    /// registration waits while it is true.
    public private(set) var isHoldingRegistration = false
    public private(set) var version = 0

    public enum Reply: Equatable, Sendable {
        case list(subcommand: String, tokens: [String])
        case ack(String)
        case nak(String)
        case end
        /// ERR_INVALIDCAPCMD (410).
        case invalidSubcommand(String)
    }

    public init(offered: [(name: String, value: String?)]) {
        self.offered = offered
    }

    public func isEnabled(_ capability: String) -> Bool {
        enabled.contains(capability)
    }

    public mutating func handle(subcommand: String, argument: String?, registered: Bool) -> Reply {
        switch subcommand.uppercased() {
        case "LS":
            if !registered { isHoldingRegistration = true }
            if let argument, let requested = Int(argument) { version = max(version, requested) }
            let tokens = offered.map { item in
                if version >= 302, let value = item.value { return "\(item.name)=\(value)" }
                return item.name
            }
            return .list(subcommand: "LS", tokens: tokens)
        case "LIST":
            return .list(subcommand: "LIST", tokens: enabled.sorted())
        case "REQ":
            if !registered { isHoldingRegistration = true }
            let request = argument ?? ""
            var toEnable: Set<String> = []
            var toDisable: Set<String> = []
            let names = Set(offered.map(\.name))
            for token in request.split(separator: " ") {
                if token.hasPrefix("-") {
                    let name = String(token.dropFirst())
                    guard names.contains(name) else { return .nak(request) }
                    toDisable.insert(name)
                } else {
                    let name = String(token)
                    guard names.contains(name) else { return .nak(request) }
                    toEnable.insert(name)
                }
            }
            // A request is applied whole or not at all.
            enabled.formUnion(toEnable)
            enabled.subtract(toDisable)
            return .ack(request)
        case "END":
            isHoldingRegistration = false
            return .end
        default:
            return .invalidSubcommand(subcommand)
        }
    }
}
