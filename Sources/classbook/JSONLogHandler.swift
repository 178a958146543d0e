import Foundation
import Logging

/// swift-log records as JSON lines on standard error, for journald's structured fields or a log
/// collector (`log-format: json`): one object a line, with `time` (UTC, milliseconds), `level`,
/// `label`, `message`, `source` and the metadata as strings.
///
/// By hand: swift-log ships only its plain stream handler, and a handler is a page of code.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: any Sendable] = [
            "time": Self.timestamp(Date()), "level": event.level.rawValue, "label": label,
            "message": "\(event.message)",
            "source": event.source
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        if !merged.isEmpty { fields["metadata"] = merged.mapValues { "\($0)" } }
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
