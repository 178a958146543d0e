import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// The floor of what a line server can do on this machine: TLS on the same event loops,
/// the same line splitting, and no work per line but writing it back. It answers just
/// enough IRC for `LoadClient` (001 after USER, PONG to PING) and echoes every other line,
/// so the `marks` scenario run against it measures the bare TLS echo rate.
enum EchoServer {
    static func run(port: Int, certificate: String, key: String, group: any EventLoopGroup) async throws {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LoadClient.LineSplitter()))
                    try channel.pipeline.syncOperations.addHandler(Echo())
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        print("echo server listening on \(channel.localAddress.map { "\($0)" } ?? "?")")
        fflush(nil)
        try await channel.closeFuture.get()
    }

    final class Echo: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let line = unwrapInboundIn(data)
            let view = line.readableBytesView
            var out: ByteBuffer
            if view.starts(with: "PING ".utf8) {
                out = context.channel.allocator.buffer(capacity: line.readableBytes + 16)
                out.writeString(":echo PONG echo ")
                out.writeImmutableBuffer(line.getSlice(at: line.readerIndex + 5, length: line.readableBytes - 5)!)
            } else if view.starts(with: "USER ".utf8) {
                out = context.channel.allocator.buffer(capacity: 32)
                out.writeString(":echo 001 load :Welcome\r\n")
            } else if view.starts(with: "PASS ".utf8) || view.starts(with: "NICK ".utf8) {
                return
            } else {
                out = line
            }
            context.write(wrapOutboundOut(out), promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
