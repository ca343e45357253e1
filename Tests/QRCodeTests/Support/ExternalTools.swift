import Foundation
import Testing

/// A command-line tool the round-trip tests need, and the Debian package that provides it.
struct ExternalTool: Sendable {
    let name: String
    let package: String

    static let rsvgConvert = ExternalTool(name: "rsvg-convert", package: "librsvg2-bin")
    static let zbarimg = ExternalTool(name: "zbarimg", package: "zbar-tools")

    /// The tool's path on PATH; a test that needs a missing tool fails saying what to install
    /// rather than skipping, so a machine without it cannot pass unnoticed.
    func path(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        let found = directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(found, "\(name) not found on PATH: install it with `apt-get install \(package)`",
                            sourceLocation: sourceLocation)
    }
}

/// What a finished process left behind.
struct ProcessResult: Sendable {
    let status: Int32
    let standardOutput: Data
    let standardError: String
}

/// Runs `executable` with `arguments` to completion, collecting its output.
func run(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Read before waiting: a full pipe would otherwise block the child forever.
    let standardOutput = output.fileHandleForReading.readDataToEndOfFile()
    let standardError = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, standardOutput: standardOutput,
                         standardError: String(decoding: standardError, as: UTF8.self))
}
