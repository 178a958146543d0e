import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// An SMS gateway reached over HTTP: a URL template with `{to}` and `{text}` (URL-encoded in),
/// requested with GET, with HTTP Basic credentials when given. Any 2xx answer means sent.
public struct SMSConfiguration: Sendable, Equatable {
    public var url: String
    public var username: String?
    public var password: String?
    /// PEM file of a trust root for an `https` gateway's certificate (a school's own CA); the
    /// system's otherwise. The certificate is always verified.
    public var trustRoot: String?

    public init(url: String, username: String? = nil, password: String? = nil, trustRoot: String? = nil) {
        self.url = url
        self.username = username
        self.password = password
        self.trustRoot = trustRoot
    }
}

/// Sends one SMS through the gateway with async-http-client: connections within 10 s, an answer
/// within 30 s, the gateway's certificate verified. A failure is the outbox's to retry, after 1,
/// 2, 4 … minutes (`ExternalSender`): the message waits in the database meanwhile.
struct SMSGateway: Sendable {
    let configuration: SMSConfiguration
    let client: HTTPClient

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The HTTP client of a server's gateway, on the server's event loops; shut it down with the server.
    static func client(_ configuration: SMSConfiguration, group: any EventLoopGroup) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let root = configuration.trustRoot {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(root))
        }
        var settings = HTTPClient.Configuration(
            tlsConfiguration: tls, timeout: .init(connect: .seconds(10), read: .seconds(30)))
        settings.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .shared(group), configuration: settings)
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    func send(to phone: String, text: String) async throws {
        let url = configuration.url.replacingOccurrences(of: "{to}", with: Self.encode(phone))
            .replacingOccurrences(of: "{text}", with: Self.encode(text))
        guard let scheme = URL(string: url)?.scheme, ["http", "https"].contains(scheme) else {
            throw Failure(description: "the SMS gateway URL is not an http(s) URL")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "Classbook")
        if let username = configuration.username, let password = configuration.password {
            request.headers.add(
                name: "Authorization", value: "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        // The body is read (and dropped) so that the connection is done with.
        _ = try await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw Failure(description: "the gateway answered \(response.status.code)")
        }
    }
}
