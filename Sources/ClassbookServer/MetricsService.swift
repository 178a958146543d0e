import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// `GET /metrics` in Prometheus's text format on `metrics-listen` (loopback by default): one
/// request a connection, answered with what the server's registry holds after the figures read
/// at scrape time (the outboxes) are refreshed. Anything else: 404; another method: 405.
///
/// On NIOHTTP1, the ecosystem's HTTP/1 codec, over the server's own event loops, as the web
/// listener is: one URL for a scraper does not call for a web framework.
struct MetricsService: Service {
    let channel: any Channel

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }

    /// GET (or HEAD) `/metrics`: the registry's text, collected off the event loop; 405 for
    /// another method, 404 for another path.
    private static func answer(
        _ context: ChannelHandlerContext, _ request: HTTPRequestHead, collect: @escaping @Sendable () async -> [UInt8]
    ) {
        guard request.method == .GET || request.method == .HEAD else {
            return HTTPAnswer.send(
                context, .methodNotAllowed, body: Array("GET /metrics\n".utf8), headers: [("Allow", "GET, HEAD")])
        }
        guard request.uri == "/metrics" || request.uri.hasPrefix("/metrics?") else {
            return HTTPAnswer.send(context, .notFound, body: Array("Classbook's metrics are at /metrics\n".utf8))
        }
        let head = request.method == .HEAD
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask { await collect() }.whenSuccess { body in
            HTTPAnswer.send(
                loopBound.value, .ok, body: head ? [] : body, length: body.count,
                contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    /// Binds the endpoint; `collect` gives the body of a scrape.
    static func bind(
        _ endpoint: ServerConfiguration.Endpoint, group: any EventLoopGroup,
        collect: @escaping @Sendable () async -> [UInt8]
    ) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        OneRequestHandler { context, request in
                            answer(context, request, collect: collect)
                        })
                }
            }
            .bind(host: endpoint.host, port: endpoint.port)
            .get()
    }
}

/// One HTTP answer and then the connection's close: what the metrics and the web listeners send
/// for a plain request.
enum HTTPAnswer {
    static func send(
        _ context: ChannelHandlerContext, _ status: HTTPResponseStatus, body: [UInt8], length: Int? = nil,
        contentType: String = "text/plain; charset=utf-8", headers extra: [(String, String)] = []
    ) {
        var headers = HTTPHeaders([
            ("Content-Type", contentType), ("Content-Length", String(length ?? body.count)), ("Connection", "close")
        ])
        for (name, value) in extra { headers.add(name: name, value: value) }
        context.write(
            NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
            promise: nil)
        if !body.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Gathers an HTTP request and has `answer` reply to it once it is whole (the body is not
/// needed): the metrics and the web listeners' plain requests.
final class OneRequestHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    // @unchecked: `request` is touched only on the channel's event loop, where `answer` runs.
    typealias InboundIn = HTTPServerRequestPart

    private let answer: (ChannelHandlerContext, HTTPRequestHead) -> Void
    private var request: HTTPRequestHead?

    init(answer: @escaping (ChannelHandlerContext, HTTPRequestHead) -> Void) {
        self.answer = answer
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
            answer(context, request)
        }
    }
}
