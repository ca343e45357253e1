import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Threads

/// A program the tests check the code against or drive, and the Debian package that provides it.
public struct ExternalTool: Sendable {
    public let name: String
    public let package: String

    public init(name: String, package: String) {
        self.name = name
        self.package = package
    }

    public static let oathtool = ExternalTool(name: "oathtool", package: "oathtool")
    public static let rsvgConvert = ExternalTool(name: "rsvg-convert", package: "librsvg2-bin")
    public static let zbarimg = ExternalTool(name: "zbarimg", package: "zbar-tools")

    /// The tool's path on PATH. A missing tool throws an error saying what to install: a test that
    /// needs it fails rather than skips, so a machine without it cannot pass unnoticed.
    public func path() throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let found = directories.map({ "\($0)/\(name)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ChildProcessError(description: "\(name) not found on PATH: install the Debian package \(package) (scripts/test does)")
        }
        return found
    }

    /// Runs the tool to completion.
    public func run(_ arguments: [String]) throws -> ProcessOutput {
        try ChildProcess.run(try path(), arguments)
    }
}

/// What a finished process left behind.
public struct ProcessOutput: Sendable {
    public let status: Int32
    public let standardOutput: Data
    public let standardError: Data

    public var stdout: String { String(decoding: standardOutput, as: UTF8.self) }
    public var stderr: String { String(decoding: standardError, as: UTF8.self) }
}

/// A tool was missing, or a child did not do what a test needs (start, print its port, exit).
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}

/// The one way the tests start other programs: the `clientone` binary, the oracles (oathtool, zbarimg,
/// rsvg-convert), the SMTP sink. Both outputs are read while the child runs, since a child that fills
/// a pipe nobody reads blocks forever; its standard input is a pipe, closed once `input` is written
/// (`run`) or held open for the child's life (`start`), so a child never reads the test's terminal.
public enum ChildProcess {
    /// Runs `executable` to completion with `input` on its standard input.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           input: String? = nil) throws -> ProcessOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe(), errors = Pipe(), standardInput = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = standardInput
        try process.run()
        let errorText = Locked(Data())
        let errorsRead = DispatchSemaphore(value: 0)
        Thread {
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            errorText.withLock { $0 = data }
            errorsRead.signal()
        }.start()
        if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
        try standardInput.fileHandleForWriting.close()
        let standardOutput = output.fileHandleForReading.readDataToEndOfFile()
        errorsRead.wait()
        process.waitUntilExit()
        return ProcessOutput(status: process.terminationStatus, standardOutput: standardOutput,
                             standardError: errorText.withLock { $0 })
    }

    /// Starts `executable` and leaves it running; see ``RunningProcess``.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                             standardError: RunningProcess.ErrorOutput = .merged) throws -> RunningProcess {
        try RunningProcess(executable, arguments, environment: environment, standardError: standardError)
    }
}

/// A program left running while a test talks to it (`clientone serve`, the SMTP sink). What it prints
/// is collected as it comes; its standard input is a pipe held open for its life, so a child that
/// watches it (smtp_sink.py) exits when the test process does, even after a crash. Stopped, if still
/// running, when the value goes away.
public final class RunningProcess: @unchecked Sendable {
    /// Where the child's standard error goes.
    public enum ErrorOutput: Sendable {
        /// Into the collected output, interleaved with standard output.
        case merged
        /// Nowhere (a child whose first line of output is an answer, such as a port).
        case discarded
    }

    public let process = Process()
    private let output = Pipe()
    private let lifeline = Pipe()
    private let printed = Locked(Data())
    private let outputClosed = DispatchSemaphore(value: 0)
    private let closed = Locked(false)
    private let lifelineOpen = Locked(true)

    init(_ executable: String, _ arguments: [String], environment: [String: String]?, standardError: ErrorOutput) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = lifeline
        process.standardOutput = output
        switch standardError {
        case .merged: process.standardError = output
        case .discarded: process.standardError = FileHandle.nullDevice
        }
        try process.run()
        // A thread of its own: a blocking read on GCD's pool could starve the pool's other work.
        let reader = output.fileHandleForReading
        Thread { [printed, closed, outputClosed] in
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                printed.withLock { $0.append(chunk) }
            }
            closed.withLock { $0 = true }
            outputClosed.signal()
        }.start()
    }

    /// Everything printed so far.
    public var text: String { String(decoding: printed.withLock { $0 }, as: UTF8.self) }

    /// Waits up to `seconds` until what it printed satisfies `condition`, and says whether it did. Stops
    /// waiting early once the child has closed its output, since nothing more will come.
    public func waitForOutput(within seconds: Double, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(text) { return true }
            if closed.withLock({ $0 }) { break }
            usleep(10_000)
        }
        return condition(text)
    }

    /// SIGTERM, then SIGKILL if it is still running after `grace` seconds; waits for it to exit and for
    /// the rest of its output, and returns everything it printed.
    @discardableResult
    public func stop(grace: Double = 10) -> String {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        return finish()
    }

    /// SIGKILL at once, as a crash would end it, then waits as `stop` does.
    @discardableResult
    public func crash() -> String {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        return finish()
    }

    /// The exit status, once it has exited.
    public var terminationStatus: Int32 { process.terminationStatus }

    private func finish() -> String {
        process.waitUntilExit()
        closeLifeline()
        // A grandchild may still hold the output open; the test does not wait for it forever.
        _ = outputClosed.wait(timeout: .now() + 5)
        return text
    }

    private func closeLifeline() {
        lifelineOpen.withLock { open in
            if open { try? lifeline.fileHandleForWriting.close() }
            open = false
        }
    }

    deinit {
        if process.isRunning { stop() } else { closeLifeline() }
    }
}
