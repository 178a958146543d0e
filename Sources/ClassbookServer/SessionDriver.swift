import DequeModule
import NIOConcurrencyHelpers
import NIOCore

/// Hands a connection's lines to its `ClientSession` from the channel pipeline, and tells the
/// server when the connection has ended.
///
/// Batches of lines (one per read, from `IRCLineDecoder`) are answered in order, one at a
/// time, by a short task on the connection's event loop that runs while there are batches
/// waiting and then ends: an idle connection holds no task, no task frames and no async
/// stream, only its channel, its session and this handler. The task may suspend (a login
/// awaits the hashing threads, a write its commit, flood control its delay); lines read
/// meanwhile wait here, and after `maximumWaiting` batches the handler stops asking the
/// socket for more until the session catches up (backpressure: a client that floods fills
/// its own socket buffers, not the server's memory).
///
/// The end comes once: after the channel closed and the last batch's task finished, so a
/// command in flight completes (its write commits) before `onEnd` releases the session.
final class SessionDriver: ChannelDuplexHandler, @unchecked Sendable {
    // @unchecked: the mutable state is in `state`, behind its lock; `session` is touched only
    // by the one task that `state.running` admits at a time.
    typealias InboundIn = [InboundLine]
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Batches read but not yet answered above which the socket is not read.
    static let maximumWaiting = 8

    private let session: ClientSession
    private let executor: EventLoopExecutor
    private let onEnd: @Sendable () -> Void
    private let state = NIOLockedValueBox(State())

    private struct State {
        var waiting = Deque<[InboundLine]>()
        /// A task is answering batches; the next one read joins `waiting`.
        var running = false
        /// The pipeline asked for a read while too many batches waited; it is passed on later.
        var heldRead = false
        var inactive = false
        var ended = false
    }

    init(session: ClientSession, executor: EventLoopExecutor, onEnd: @escaping @Sendable () -> Void) {
        self.session = session
        self.executor = executor
        self.onEnd = onEnd
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let batch = unwrapInboundIn(data)
        let start = state.withLockedValue { state -> Bool in
            guard !state.inactive else { return false }
            state.waiting.append(batch)
            if state.running { return false }
            state.running = true
            return true
        }
        if start { startAnswering(channel: context.channel) }
    }

    func read(context: ChannelHandlerContext) {
        let hold = state.withLockedValue { state -> Bool in
            if state.waiting.count >= Self.maximumWaiting {
                state.heldRead = true
                return true
            }
            return false
        }
        if !hold { context.read() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let end = state.withLockedValue { state -> Bool in
            state.inactive = true
            return !state.running && Self.claimEnd(&state)
        }
        if end { onEnd() }
        context.fireChannelInactive()
    }

    /// Errors end the connection (a broken TLS record, a reset): the session cannot go on.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        session.context.logger.debug("connection ended: \(error)", metadata: ["session": "\(session.handle.id)"])
        context.close(promise: nil)
    }

    /// One task on the connection's loop answers every waiting batch, then ends. It is a job
    /// queued to the loop, not started inside this `channelRead` (`Task.immediate`): a
    /// message another thread sent this connection before the line was read is a job queued
    /// before it, and so written before the line's answer. Answered inline, a PONG overtook a
    /// digest delivered before its PING (`WriteOrderTests` checks the order).
    private func startAnswering(channel: any Channel) {
        Task(executorPreference: executor) {
            while let batch = self.nextBatch(channel: channel) {
                await self.session.process(batch)
            }
        }
    }

    /// The next batch to answer, or nil (and the task ends) when none waits or the session
    /// is closing; passes on a held read once there is room, and ends the connection if it
    /// closed meanwhile.
    private func nextBatch(channel: any Channel) -> [InboundLine]? {
        let closing = session.closing
        var resumeReading = false
        var end = false
        let batch = state.withLockedValue { state -> [InboundLine]? in
            if closing { state.waiting.removeAll() }
            if state.heldRead && state.waiting.count <= Self.maximumWaiting / 2 {
                state.heldRead = false
                resumeReading = !closing
            }
            if state.waiting.isEmpty {
                state.running = false
                end = state.inactive && Self.claimEnd(&state)
                return nil
            }
            return state.waiting.removeFirst()
        }
        if resumeReading { channel.read() }
        if end { onEnd() }
        return batch
    }

    private static func claimEnd(_ state: inout State) -> Bool {
        if state.ended { return false }
        state.ended = true
        state.waiting.removeAll()
        return true
    }
}

/// A connection refused at the door (too many from its address): it is told why and closed
/// once that is written. Over TLS the ERROR waits for the handshake, which needs the
/// connection read: what it sends is read and dropped meanwhile. One that does not finish
/// the handshake is cut off after `grace`.
final class RefusalHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let reason: String
    private let grace: TimeAmount

    init(reason: String, grace: TimeAmount = .seconds(5)) {
        self.reason = reason
        self.grace = grace
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context.channel) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func refuse(_ channel: any Channel) {
        SessionHandle(id: "refused", channel: channel).close(error: reason)
        channel.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
    }
}
