import IRC
import NIOCore

/// What the line decoder hands on: a line without its CR LF, or the news that one was too long.
public enum InboundLine: Sendable {
    case line([UInt8])
    /// A complete line longer than `IRCLimits.lineBytes`: answered with 417, connection kept.
    case tooLong
    /// `unterminatedLimit` bytes arrived without a line end: the client is closed.
    case unterminated
}

/// Splits the byte stream into lines at LF (a preceding CR is dropped).
///
/// Consumes bytes, produces `InboundLine`s. Memory per connection stays bounded: a line
/// longer than `IRCLimits.lineBytes` is discarded as it arrives rather than buffered.
struct IRCLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = InboundLine

    static let unterminatedLimit = 16 * 1024

    private var discarding = false
    private var discarded = 0

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if discarding || view.count > IRCLimits.lineBytes {
                discarding = true
                discarded += view.count
                buffer.moveReaderIndex(forwardBy: view.count)
                if discarded > Self.unterminatedLimit {
                    discarded = 0
                    context.fireChannelRead(wrapInboundOut(.unterminated))
                }
            }
            return .needMoreData
        }
        let length = newline - view.startIndex
        if discarding {
            discarding = false
            discarded = 0
            buffer.moveReaderIndex(forwardBy: length + 1)
            context.fireChannelRead(wrapInboundOut(.tooLong))
            return .continue
        }
        var bytes = buffer.readBytes(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        if bytes.count > IRCLimits.lineBytes {
            context.fireChannelRead(wrapInboundOut(.tooLong))
        } else if !bytes.isEmpty {
            context.fireChannelRead(wrapInboundOut(.line(bytes)))
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last line without a line end is not a message.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
