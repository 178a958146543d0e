import IRC
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// IRC over WebSocket as the IRCv3 WebSocket specification says: one IRC line per frame, without
/// CR or LF; subprotocol `text.ircv3.net` (text frames, UTF-8) or `binary.ircv3.net` (binary
/// frames); a client that names neither gets text frames. The frames become the same
/// `InboundLine` batches the TLS decoder makes, in front of the same `SessionDriver`: one session
/// core, two transports.
public enum WebSocketTransport {
    public static let path = "/socket"
    static let text = "text.ircv3.net"
    static let binary = "binary.ircv3.net"

    /// The subprotocol to answer with: the first of the two the client names, in its order.
    static func subprotocol(_ head: HTTPRequestHead) -> String? {
        let offered = head.headers[canonicalForm: "Sec-WebSocket-Protocol"].map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return offered.first { $0 == text || $0 == binary }
    }

    /// Whether a browser page of `origin` may open the socket: the allowed origins, or without any
    /// configured, the listener's own: `https://` and the Host the browser addressed (so the page
    /// works behind a port forward or a TCP balancer), or the server's name, localhost or
    /// 127.0.0.1 with the listener's port. A client that sends no Origin is no browser page and is
    /// let through.
    static func allows(_ head: HTTPRequestHead, allowed: [String], serverName: String, port: Int) -> Bool {
        guard let origin = head.headers.first(name: "Origin")?.lowercased() else { return true }
        if !allowed.isEmpty { return allowed.contains(origin) }
        if let host = head.headers.first(name: "Host"), origin == "https://" + host.lowercased() { return true }
        return [serverName, "localhost", "127.0.0.1"].map { "https://\($0.lowercased()):\(port)" }.contains(origin)
    }

    /// No inline script or style, nothing from elsewhere, no framing.
    static let securityHeaders: [(String, String)] = [
        (
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'"
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer")
    ]
}

/// Frames to lines and lines to frames for one WebSocket connection.
///
/// Consumes `WebSocketFrame`s and produces `[InboundLine]` (one frame, one line; a frame with CR
/// or LF is `.lineEnds`, refused by the session like a malformed line), the frames of one read
/// as one batch, as the TLS decoder hands on the lines of one read: a command and the PING
/// after it are answered with one write, not two. Consumes the
/// `ByteBuffer`s the session writes (lines ending in CR LF) and produces one frame per line.
/// Answers pings, and a close with a close.
final class WebSocketLineHandler: ChannelDuplexHandler, @unchecked Sendable {
    // @unchecked: `closeSent` and `batch` are touched only on the channel's event loop.
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = [InboundLine]
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    private let opcode: WebSocketOpcode
    private var closeSent = false
    /// The lines of the frames read so far in this read, handed on at its end.
    private var batch: [InboundLine] = []

    init(binary: Bool) {
        opcode = binary ? .binary : .text
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            var payload = frame.unmaskedData
            let bytes = payload.readBytes(length: payload.readableBytes) ?? []
            guard frame.fin else {
                // A line split over frames is not IRC over WebSocket.
                return closeWith(context, .protocolError)
            }
            if bytes.contains(13) || bytes.contains(10) {
                batch.append(.lineEnds)
            } else if bytes.count > IRCLimits.lineBytes {
                batch.append(.tooLong)
            } else if !bytes.isEmpty {
                batch.append(.line(bytes))
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            closeWith(context, .normalClosure)
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !batch.isEmpty {
            let lines = batch
            batch = []
            context.fireChannelRead(wrapInboundOut(lines))
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var buffer = unwrapOutboundIn(data)
        var frames: [WebSocketFrame] = []
        let view = buffer.readableBytesView
        var start = view.startIndex
        var index = view.startIndex
        while index < view.endIndex {
            if view[index] == 10 {
                var end = index
                if end > start && view[end - 1] == 13 { end -= 1 }
                if end > start, let line = buffer.getSlice(at: start, length: end - start) {
                    frames.append(WebSocketFrame(fin: true, opcode: opcode, data: line))
                }
                start = index + 1
            }
            index += 1
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        guard let last = frames.popLast() else {
            promise?.succeed()
            return
        }
        for frame in frames { context.write(wrapOutboundOut(frame), promise: nil) }
        context.write(wrapOutboundOut(last), promise: promise)
    }

    /// A close from the server side (QUIT, ERROR, a stop) sends a close frame first.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if !closeSent && context.channel.isActive {
            closeSent = true
            var data = context.channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: .normalClosure)
            context.writeAndFlush(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        }
        context.close(mode: mode, promise: promise)
    }

    private func closeWith(_ context: ChannelHandlerContext, _ code: WebSocketErrorCode) {
        if !closeSent {
            closeSent = true
            var data = context.channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: code)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)))
                .whenComplete { _ in
                    channel.close(promise: nil)
                }
        }
    }
}

/// Joins the buffers written between two flushes into one, so that TLS seals them into one
/// record. Below the WebSocket frame encoder, which writes each frame as its own buffer (and
/// often its header as another): a `/marks` answer of nine lines was eighteen records, each
/// encrypted and framed on its own, where the same answer over TLS IRC is one.
final class WriteCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var pending: ByteBuffer?
    private var promises: [EventLoopPromise<Void>] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var buffer = unwrapOutboundIn(data)
        if pending == nil {
            pending = buffer
        } else {
            pending!.writeBuffer(&buffer)
        }
        if let promise { promises.append(promise) }
    }

    func flush(context: ChannelHandlerContext) {
        writePending(context)
        context.flush()
    }

    /// What was written and not flushed goes out before the close, as the frames before a
    /// close frame must.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        writePending(context)
        context.flush()
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        pending = nil
        let waiting = promises
        promises = []
        for promise in waiting { promise.fail(ChannelError.ioOnClosedChannel) }
    }

    private func writePending(_ context: ChannelHandlerContext) {
        guard let buffer = pending else { return }
        pending = nil
        let waiting = promises
        promises = []
        var combined: EventLoopPromise<Void>?
        if !waiting.isEmpty {
            let promise = context.eventLoop.makePromise(of: Void.self)
            promise.futureResult.whenComplete { result in
                for each in waiting { each.completeWith(result) }
            }
            combined = promise
        }
        context.write(wrapOutboundOut(buffer), promise: combined)
    }
}
