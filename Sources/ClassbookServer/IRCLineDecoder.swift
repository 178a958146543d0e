import IRC
import NIOCore

/// What the line decoder hands on: a line without its CR LF, or the news that one was too long.
public enum InboundLine: Sendable {
    case line([UInt8])
    /// A complete line longer than `IRCLimits.lineBytes`: answered with 417, connection kept.
    case tooLong
    /// `unterminatedLimit` bytes arrived without a line end: the client is closed.
    case unterminated
    /// A WebSocket frame held CR or LF: a frame is one line (refused, connection kept).
    case lineEnds
}

/// Splits the byte stream into lines at LF (a preceding CR is dropped).
///
/// Consumes bytes, produces the lines that arrived together as one batch (`[InboundLine]`,
/// in order): the session answers a batch with one write (see `ClientSession.process`).
/// Memory per connection stays bounded: a line longer than `IRCLimits.lineBytes` is
/// discarded as it arrives rather than buffered.
struct IRCLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = [InboundLine]

    static let unterminatedLimit = 16 * 1024

    private var discarding = false
    private var discarded = 0

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var batch: [InboundLine] = []
        while let event = next(&buffer) {
            batch.append(event)
        }
        if !batch.isEmpty { context.fireChannelRead(wrapInboundOut(batch)) }
        return .needMoreData
    }

    /// The next event in `buffer`, if a whole one has arrived; consumes what it reads.
    private mutating func next(_ buffer: inout ByteBuffer) -> InboundLine? {
        while true {
            let view = buffer.readableBytesView
            guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
                if discarding || view.count > IRCLimits.lineBytes {
                    discarding = true
                    discarded += view.count
                    buffer.moveReaderIndex(forwardBy: view.count)
                    if discarded > Self.unterminatedLimit {
                        discarded = 0
                        return .unterminated
                    }
                }
                return nil
            }
            let length = newline - view.startIndex
            if discarding {
                discarding = false
                discarded = 0
                buffer.moveReaderIndex(forwardBy: length + 1)
                return .tooLong
            }
            var bytes = buffer.readBytes(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            if bytes.count > IRCLimits.lineBytes { return .tooLong }
            // An empty line is no message: skipped.
            if !bytes.isEmpty { return .line(bytes) }
        }
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        // A last line without a line end is not a message.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
