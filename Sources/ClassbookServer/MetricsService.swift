import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// `GET /metrics` in Prometheus's text format on `metrics-listen` (loopback by default): one
/// request a connection, answered with what the server's registry holds after the figures read
/// at scrape time (the outboxes) are refreshed. Anything else: 404; another method: 405.
///
/// On NIOHTTP1, the ecosystem's HTTP/1 codec, over the server's own event loops: one URL for a
/// scraper does not call for a web framework (the web client will bring its own HTTP stack).
struct MetricsService: Service {
    let channel: any Channel

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }

    /// Binds the endpoint; `collect` gives the body of a scrape.
    static func bind(_ endpoint: ServerConfiguration.Endpoint, group: any EventLoopGroup,
                     collect: @escaping @Sendable () async -> [UInt8]) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHandler(collect: collect))
                }
            }
            .bind(host: endpoint.host, port: endpoint.port)
            .get()
    }
}

/// Answers one request and closes the connection.
private final class MetricsHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: `request` is touched only on the channel's event loop.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let collect: @Sendable () async -> [UInt8]
    private var request: HTTPRequestHead?

    init(collect: @escaping @Sendable () async -> [UInt8]) {
        self.collect = collect
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let request else { return }
            self.request = nil
            guard request.method == .GET || request.method == .HEAD else {
                return respond(context, .methodNotAllowed, body: Array("GET /metrics\n".utf8), extra: [("Allow", "GET, HEAD")])
            }
            guard request.uri == "/metrics" || request.uri.hasPrefix("/metrics?") else {
                return respond(context, .notFound, body: Array("Classbook's metrics are at /metrics\n".utf8))
            }
            let head = request.method == .HEAD
            let collect = self.collect
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { await collect() }.whenSuccess { body in
                let (handler, context) = loopBound.value
                handler.respond(context, .ok, body: head ? [] : body, length: body.count,
                                contentType: "text/plain; version=0.0.4; charset=utf-8")
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, body: [UInt8], length: Int? = nil,
                         contentType: String = "text/plain; charset=utf-8", extra: [(String, String)] = []) {
        HTTPAnswer.send(context, status, body: body, length: length, contentType: contentType, headers: extra)
    }
}

/// One HTTP answer and then the connection's close: what the metrics and the web listeners send
/// for a plain request.
enum HTTPAnswer {
    static func send(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, body: [UInt8], length: Int? = nil,
                     contentType: String = "text/plain; charset=utf-8", headers extra: [(String, String)] = []) {
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", String(length ?? body.count)), ("Connection", "close")])
        for (name, value) in extra { headers.add(name: name, value: value) }
        context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if !body.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
