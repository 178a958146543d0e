import ClassbookServer
import Foundation
import IRC
import Testing

/// The listener behind a load balancer (`proxy-listen`): each connection starts with a PROXY
/// protocol header (v1 or v2), and the client it names is the address the server sees. Real TLS
/// sockets, the header written before the TLS handshake as HAProxy writes it.
@Suite("PROXY protocol", .timeLimit(.minutes(2)))
struct ProxyProtocolTests {
    static func proxied(_ configuration: inout ServerConfiguration) {
        configuration.proxyListen = .init(host: "127.0.0.1", port: 0)
    }

    static func v1(_ client: String, family: String = "TCP4", to server: String = "10.0.0.1") -> [UInt8] {
        Array("PROXY \(family) \(client) \(server) 51234 6697\r\n".utf8)
    }

    /// A v2 header: PROXY (or LOCAL) over TCP6 from `client`.
    static func v2(_ client: [UInt8], local: Bool = false) -> [UInt8] {
        let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
        let body = client + [UInt8](repeating: 0, count: 15) + [1] + [0xC8, 0x22, 0x1A, 0x0B]
        return signature + [local ? 0x20 : 0x21, 0x21, 0x00, UInt8(body.count)] + body
    }

    static func connect(_ server: RunningServer, _ prelude: [UInt8]) async throws -> IRCTestClient {
        try await IRCTestClient.connect(
            port: try #require(server.ports.proxy), certificatePath: server.school.certificatePath,
            group: RunningServer.clientGroup, prelude: prelude)
    }

    /// Where WHOIS says one's account's devices come from (378, one a device, shown to oneself).
    static func ownAddresses(_ client: IRCTestClient, _ login: String) async throws -> [String] {
        try await client.send("WHOIS \(login)")
        let lines = try await client.consume(until: "318") { $0.command == "318" }
        return lines.filter { $0.command == "378" }.compactMap { $0.parameters.last?.components(separatedBy: " ").last }
    }

    @Test("v1 and v2 headers name the client: WHOIS and /sessions show its address, not the balancer's")
    func clientAddress() async throws {
        try await withServer(Self.proxied) { server in
            let guardian = try server.school.guardianWithOneChild
            let phone = try await Self.connect(server, Self.v1("203.0.113.7"))
            try await phone.registerWithSASL(login: guardian.login, password: guardian.password, nick: "p")
            #expect(try await Self.ownAddresses(phone, guardian.login) == ["203.0.113.7"])
            #expect(try await phone.ask("/sessions").contains { $0.contains("203.0.*.*") })

            let laptop = try await Self.connect(
                server, Self.v2([0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [5]))
            try await laptop.registerWithSASL(login: guardian.login, password: guardian.password, nick: "l")
            let addresses = try await laptop.ask("/sessions")
            #expect(addresses.contains { $0.contains("2001:db8:…") }, "\(addresses)")
            // A balancer's own check (v2 LOCAL) is the connection's own address.
            let check = try await Self.connect(server, Self.v2([UInt8](repeating: 0, count: 16), local: true))
            try await check.registerWithSASL(login: guardian.login, password: guardian.password, nick: "c")
            #expect(
                try await Self.ownAddresses(check, guardian.login).sorted() == [
                    "127.0.0.1", "2001:db8::5", "203.0.113.7"
                ])
            for client in [phone, laptop, check] { await client.close() }
        }
    }

    @Test("the per-address limit counts the client the header names; a connection without a valid header is closed")
    func limitsAndRefusals() async throws {
        try await withServer({ configuration in
            Self.proxied(&configuration)
            configuration.maxConnectionsPerAddress = 1
        }) { server in
            let people = server.school.credentials.filter { $0.roles == [.guardian] }
            let first = try await Self.connect(server, Self.v1("198.51.100.4"))
            try await first.registerWithSASL(login: people[0].login, password: people[0].password, nick: "a")
            // Another connection of the same family's address, through the same balancer: refused.
            let second = try await Self.connect(server, Self.v1("198.51.100.4"))
            #expect(try await second.expectClosed()?.contains("Too many connections from your address") == true)
            // Another family behind the same balancer: let in.
            let other = try await Self.connect(server, Self.v1("198.51.100.5"))
            try await other.registerWithSASL(login: people[1].login, password: people[1].password, nick: "b")
            #expect(other.nick == people[1].login)

            // No header (a client that bypassed the balancer), a malformed one: closed unserved.
            for prelude in [
                [UInt8](), Array("PROXY TCP4 banana 10.0.0.1 1 2\r\n".utf8), Array("GET / HTTP/1.1\r\n\r\n".utf8)
            ] {
                let stray = try await Self.connect(server, prelude)
                try? await stray.send("NICK x")
                _ = try? await stray.expectClosed(timeout: .seconds(15))
                #expect(
                    stray.isClosed && !stray.allLines.contains { $0.contains(" 001 ") }, "served: \(stray.allLines)")
                await stray.close()
            }
            for client in [first, other] { await client.close() }
        }
    }
}
