import NIOCore

/// The PROXY protocol (HAProxy's, versions 1 and 2) at the start of a connection from a load
/// balancer: it names the client the balancer accepted, so that the per-address limit, the
/// login guard and `/sessions` see the family's address rather than the balancer's.
///
/// Written by hand: no package of the mirror parses it (swift-nio-extras has none), and both
/// versions are a few dozen bytes of fixed layout
/// (https://www.haproxy.org/download/2.8/doc/proxy-protocol.txt).
enum ProxyProtocol {
    /// What a header says about the connection.
    enum Header: Equatable {
        /// The client's address (TCP over IPv4 or IPv6).
        case client(String)
        /// The balancer's own connection (v2 LOCAL, a health check) or an unknown family
        /// (v1 `UNKNOWN`): the connection's own peer address stands.
        case local
    }

    enum Failure: Error, Equatable {
        case notProxyProtocol
        case malformed
    }

    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    /// The longest v1 header, CR LF included.
    static let v1Limit = 107

    /// Parses a header at the start of `bytes`: nil while more bytes are needed; else the header
    /// and how many bytes it took.
    static func parse(_ bytes: [UInt8]) throws(Failure) -> (Header, Int)? {
        if bytes.first == v2Signature[0] {
            guard bytes.count >= 16 else {
                guard bytes.elementsEqual(v2Signature.prefix(bytes.count)) else { throw .notProxyProtocol }
                return nil
            }
            guard bytes.prefix(12).elementsEqual(v2Signature) else { throw .notProxyProtocol }
            return try parseV2(bytes)
        }
        let prefix = Array("PROXY ".utf8)
        guard bytes.prefix(prefix.count).elementsEqual(prefix.prefix(min(bytes.count, prefix.count))) else {
            throw .notProxyProtocol
        }
        guard let lf = bytes.prefix(v1Limit).firstIndex(of: 0x0A) else {
            if bytes.count >= v1Limit { throw .malformed }
            return nil
        }
        guard lf > 0, bytes[lf - 1] == 0x0D else { throw .malformed }
        return (try parseV1(String(decoding: bytes[..<(lf - 1)], as: UTF8.self)), lf + 1)
    }

    private static func parseV1(_ line: String) throws(Failure) -> Header {
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard words.count >= 2, words[0] == "PROXY" else { throw .malformed }
        switch words[1] {
        case "UNKNOWN":
            return .local
        case "TCP4", "TCP6":
            guard words.count == 6, let source = SocketAddress.validated(words[2], v6: words[1] == "TCP6"),
                SocketAddress.validated(words[3], v6: words[1] == "TCP6") != nil, UInt16(words[4]) != nil,
                UInt16(words[5]) != nil
            else { throw .malformed }
            return .client(source)
        default:
            throw .malformed
        }
    }

    private static func parseV2(_ bytes: [UInt8]) throws(Failure) -> (Header, Int)? {
        let versionCommand = bytes[12], family = bytes[13]
        let length = Int(bytes[14]) << 8 | Int(bytes[15])
        guard versionCommand >> 4 == 2 else { throw .malformed }
        guard bytes.count >= 16 + length else { return nil }
        let total = 16 + length
        switch versionCommand & 0x0F {
        case 0x0:
            return (.local, total)
        case 0x1:
            let body = Array(bytes[16..<total])
            switch family >> 4 {
            case 0x1:
                guard body.count >= 12,
                    let address = SocketAddress.validated(
                        body[0..<4].map(String.init).joined(separator: "."), v6: false)
                else { throw .malformed }
                return (.client(address), total)
            case 0x2:
                guard body.count >= 36 else { throw .malformed }
                let groups = stride(from: 0, to: 16, by: 2).map {
                    String(Int(body[$0]) << 8 | Int(body[$0 + 1]), radix: 16)
                }
                guard let address = SocketAddress.validated(groups.joined(separator: ":"), v6: true) else {
                    throw .malformed
                }
                return (.client(address), total)
            default:
                // AF_UNIX or unspecified: nothing to learn about the client.
                return (.local, total)
            }
        default:
            throw .malformed
        }
    }
}

private extension SocketAddress {
    /// The address, if it is a valid IPv4 (or, `v6`, IPv6) literal.
    static func validated(_ text: String, v6: Bool) -> String? {
        guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        switch address {
        case .v4 where !v6, .v6 where v6: return address.ipAddress
        default: return nil
        }
    }
}

/// The first handler of a connection on a PROXY-protocol listener: reads the header, then hands
/// the rest of the bytes on to the pipeline `setUp` builds for the client's address, and leaves.
/// A connection that sends no valid header within `timeout` is closed.
final class ProxyHeaderHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    // @unchecked: `buffered` and `done` are touched only on the channel's event loop.
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let setUp: (any Channel, String) throws -> Void
    private let timeout: TimeAmount
    private var buffered: ByteBuffer?
    private var done = false

    init(timeout: TimeAmount = .seconds(10), setUp: @escaping (any Channel, String) throws -> Void) {
        self.timeout = timeout
        self.setUp = setUp
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: timeout) {
            if !loopBound.value.done { channel.close(promise: nil) }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return context.fireChannelRead(data) }
        var incoming = unwrapInboundIn(data)
        if buffered == nil { buffered = incoming } else { buffered!.writeBuffer(&incoming) }
        // The longest header: v2's sixteen bytes and a length of at most 65,535.
        let bytes = Array(buffered!.readableBytesView.prefix(16 + 65_535))
        do {
            guard let (header, length) = try ProxyProtocol.parse(bytes) else { return }
            done = true
            var rest = buffered!
            buffered = nil
            rest.moveReaderIndex(forwardBy: length)
            let address: String =
                switch header {
                case .client(let address): address
                case .local: context.channel.remoteAddress?.ipAddress ?? "unknown"
                }
            try setUp(context.channel, address)
            if rest.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(rest)) }
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
        } catch {
            done = true
            context.close(promise: nil)
        }
    }
}
