import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An SMS gateway reached over HTTP: a URL template with `{to}` and `{text}` (URL-encoded in),
/// requested with GET, with HTTP Basic credentials when given. Any 2xx answer means sent.
public struct SMSConfiguration: Sendable, Equatable {
    public var url: String
    public var username: String?
    public var password: String?

    public init(url: String, username: String? = nil, password: String? = nil) {
        self.url = url
        self.username = username
        self.password = password
    }
}

struct SMSGateway: Sendable {
    let configuration: SMSConfiguration
    let group: any EventLoopGroup

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    func send(to phone: String, text: String) async throws {
        let filled = configuration.url.replacingOccurrences(of: "{to}", with: Self.encode(phone))
            .replacingOccurrences(of: "{text}", with: Self.encode(text))
        guard let url = URL(string: filled), let host = url.host, let scheme = url.scheme, ["http", "https"].contains(scheme) else {
            throw Failure(description: "the SMS gateway URL is not an http(s) URL")
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query { path += "?" + query }
        let tlsContext = scheme == "https" ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        let status = NIOLockedValueBox<HTTPResponseStatus?>(nil)
        let done = group.next().makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseHandler(status: status, done: done))
                }
            }
            .connect(host: host, port: port).get()
        defer { channel.close(promise: nil) }
        var headers = HTTPHeaders([("Host", host), ("User-Agent", "Classbook"), ("Connection", "close")])
        if let username = configuration.username, let password = configuration.password {
            headers.add(name: "Authorization", value: "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
        }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(30)) { done.fail(Failure(description: "no answer in time")) }
        defer { timeout.cancel() }
        try await done.futureResult.get()
        guard let code = status.withLockedValue({ $0 }), (200..<300).contains(Int(code.code)) else {
            throw Failure(description: "the gateway answered \(status.withLockedValue { $0 }.map { "\($0.code)" } ?? "nothing")")
        }
    }

    /// Notes the response's status and completes at its end (or when the connection closes).
    final class ResponseHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        let status: NIOLockedValueBox<HTTPResponseStatus?>
        let done: EventLoopPromise<Void>

        init(status: NIOLockedValueBox<HTTPResponseStatus?>, done: EventLoopPromise<Void>) {
            self.status = status
            self.done = done
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): status.withLockedValue { $0 = head.status }
            case .body: break
            case .end: done.succeed(())
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.succeed(())
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            done.fail(error)
            context.close(promise: nil)
        }
    }
}
