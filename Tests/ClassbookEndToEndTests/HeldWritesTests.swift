@testable import ClassbookServer
import Foundation
import IRC
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

/// While a session answers a batch of lines, its `SessionHandle` holds what is sent to the
/// connection and writes it once, in order, when the batch ends (`hold()` … `release()`).
@Suite("Held writes")
struct HeldWritesTests {
    static func connected() throws -> (EmbeddedChannel, SessionHandle) {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6697)).wait()
        let handle = SessionHandle(id: "test", channel: channel)
        handle.setNick("ivanova.mp")
        return (channel, handle)
    }

    /// Every buffer written to the channel so far, one string each.
    static func writes(_ channel: EmbeddedChannel) throws -> [String] {
        var writes: [String] = []
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            writes.append(buffer.readString(length: buffer.readableBytes) ?? "")
        }
        return writes
    }

    static func message(_ text: String) -> IRCMessage {
        IRCMessage(source: "server", command: "NOTICE", parameters: ["ivanova.mp", text])
    }

    @Test("a batch's replies and what others sent meanwhile go out as one write, in order")
    func oneWrite() throws {
        let (channel, handle) = try Self.connected()
        handle.hold()
        handle.sendText(["Алгебра: 5 4", "Физика: 3"], from: "diary!diary@classbook.local")
        handle.send(Self.message("from another session"))
        handle.send(IRCMessage(source: "server", command: "PONG", parameters: ["server", "t"]))
        #expect(try Self.writes(channel).isEmpty)
        handle.release()
        #expect(
            try Self.writes(channel) == [
                ":diary!diary@classbook.local PRIVMSG ivanova.mp :Алгебра: 5 4\r\n"
                    + ":diary!diary@classbook.local PRIVMSG ivanova.mp :Физика: 3\r\n"
                    + ":server NOTICE ivanova.mp :from another session\r\n"
                    + ":server PONG server t\r\n"
            ])
        // Not holding: each send is written at once.
        handle.send(Self.message("one"))
        handle.send(Self.message("two"))
        #expect(try Self.writes(channel) == [":server NOTICE ivanova.mp one\r\n", ":server NOTICE ivanova.mp two\r\n"])
        // A batch that sent nothing writes nothing.
        handle.hold()
        handle.release()
        #expect(try Self.writes(channel).isEmpty)
    }

    @Test("sending what is held before a wait goes on holding what comes after")
    func sendHeld() throws {
        let (channel, handle) = try Self.connected()
        handle.hold()
        handle.send(Self.message("before"))
        handle.sendHeld()
        #expect(try Self.writes(channel) == [":server NOTICE ivanova.mp before\r\n"])
        handle.send(Self.message("after"))
        #expect(try Self.writes(channel).isEmpty)
        handle.release()
        #expect(try Self.writes(channel) == [":server NOTICE ivanova.mp after\r\n"])
    }

    @Test("ERROR goes after what was held, and the connection closes")
    func closeAfterHeld() throws {
        let (channel, handle) = try Self.connected()
        handle.hold()
        handle.send(Self.message("the reply"))
        handle.close(error: "Closing link")
        handle.release()
        #expect(try Self.writes(channel) == [":server NOTICE ivanova.mp :the reply\r\nERROR :Closing link\r\n"])
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }
}

/// The order of what a connection is sent against the answers to its lines, over TLS.
@Suite("Write order", .timeLimit(.minutes(2)))
struct WriteOrderTests {
    /// Runs `hook` once, on the connection's event loop, when a batch of lines reaches it on
    /// its way to the session, then passes the batch on.
    final class BeforeSession: ChannelInboundHandler, Sendable {
        typealias InboundIn = [InboundLine]
        typealias InboundOut = [InboundLine]
        private let hook: NIOLockedValueBox<(@Sendable () -> Void)?>

        init(hook: @escaping @Sendable () -> Void) { self.hook = NIOLockedValueBox(hook) }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let hook = self.hook.withLockedValue { hook in
                defer { hook = nil }; return hook
            }
            hook?()
            context.fireChannelRead(data)
        }
    }

    @Test(
        """
        a message another thread sent a connection before its line reached the session goes out before the line's \
        answer
        """
    )
    func sentBeforeAnswer() async throws {
        try await withServer { server in
            let client = try await server.login(try server.school.guardianWithOneChild)
            let nick = try #require(client.nick)
            let handle = try #require(server.server.context.registry.sessions(nick: nick).first)
            // While the loop reads the next line, and before the session has it, another
            // thread sends the connection a message (as another session's relay or the
            // digest does): a write queued to the connection's loop. The hook returns once
            // it is queued.
            let hook: @Sendable () -> Void = {
                let queued = DispatchSemaphore(value: 0)
                Thread {
                    handle.send(
                        IRCMessage(source: "classbook.test", command: "NOTICE", parameters: ["order", "sent first"]))
                    queued.signal()
                }.start()
                queued.wait()
            }
            let channel = handle.channel
            try await channel.eventLoop.submit {
                let driver = try channel.pipeline.syncOperations.context(handlerType: SessionDriver.self)
                try channel.pipeline.syncOperations.addHandler(
                    BeforeSession(hook: hook), position: .before(driver.handler))
            }.get()
            try await client.send("PING :answer")
            let messages = try await client.consume(until: "PONG") { $0.command == "PONG" }
            #expect(
                messages.contains { $0.command == "NOTICE" && $0.parameters.last == "sent first" },
                "the answer came first: \(messages.map { $0.command })")
            await client.close()
        }
    }
}
