import ClassbookBot
import Foundation
import IRC

/// libFuzzer's entry: IRC lines through the parser and back, and the same bytes as chat text
/// through every parser of the bot. `commands/fuzz` builds this with `-sanitize=fuzzer`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    run(bytes)
    return 0
}

func run(_ bytes: [UInt8]) {
    guard let text = String(validating: bytes, as: UTF8.self) else { return }
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if let message = try? IRCMessage(parsing: String(line)) {
            // What parses serializes, and the serialized form parses to the same message.
            let again = try? IRCMessage(parsing: message.serialized())
            precondition(again == nil || again?.command == message.command, "round trip changed the command")
        }
    }
    FuzzEntry.parse(text)
    _ = IRCTextSplitter.split(text, maxBytes: 400)
}

#if FUZZING
    /// libFuzzer's driver, entered from our own main (SwiftPM names the executable's entry point).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    @main
    struct Fuzzer {
        static func main() {
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) })
        }
    }
#else
    /// Without libFuzzer: replays corpus files given as arguments (a regression run).
    @main
    struct Replay {
        static func main() throws {
            for path in CommandLine.arguments.dropFirst() {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    throw CocoaError(.fileNoSuchFile)
                }
                let files =
                    isDirectory.boolValue
                    ? try FileManager.default.contentsOfDirectory(atPath: path).map { path + "/" + $0 } : [path]
                for file in files.sorted() { run(Array(try Data(contentsOf: URL(fileURLWithPath: file)))) }
                print("replayed \(files.count) input(s) from \(path)")
            }
        }
    }
#endif
