import ClassbookBot
import Foundation
import IRC
import Testing

/// Inputs the fuzzer found interesting (and any crash it ever found) stay here as regressions.
@Suite("Fuzz corpus")
struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    @Test("every corpus input goes through the IRC parser and the bot's parsers without a crash")
    func replay() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        #expect(files.count >= 7)
        for file in files {
            let data = try Data(contentsOf: Self.corpus.appendingPathComponent(file))
            guard let text = String(validating: Array(data), as: UTF8.self) else { continue }
            for line in text.split(separator: "\n") {
                if let message = try? IRCMessage(parsing: String(line)) {
                    #expect((try? IRCMessage(parsing: message.serialized()))?.command == message.command, "\(file)")
                }
            }
            FuzzEntry.parse(text)
        }
    }
}
