import Foundation

/// A program a test runs (a Python client, a browser driver, openssl): its output gathered in a
/// file, its end waited for by polling with `Task.sleep`, never by blocking a thread — the
/// server under test runs on the same cooperative pool, and a blocked thread of two starves it.
enum ChildProcess {
    struct Result {
        /// Standard output (and error, when kept), in the order written.
        var output: String
        var status: Int32
        /// False when it was stopped at the time limit.
        var finished: Bool

        var lines: [String] { output.components(separatedBy: "\n").filter { !$0.isEmpty } }
        var succeeded: Bool { finished && status == 0 }
    }

    /// `keepsErrors: false` drops standard error (a client whose output is parsed line by line).
    static func run(_ executable: String, _ arguments: [String], in directory: String = NSTemporaryDirectory(),
                    timeLimit: Duration = .seconds(60), keepsErrors: Bool = true) async throws -> Result {
        let outputPath = directory + "/process-\(UUID().uuidString.prefix(8)).txt"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = keepsErrors ? output : FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeLimit
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let finished = !process.isRunning
        if !finished { process.terminate() }
        try output.close()
        return Result(output: try String(contentsOfFile: outputPath, encoding: .utf8), status: finished ? process.terminationStatus : -1,
                      finished: finished)
    }
}
