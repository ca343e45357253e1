import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What smtp_sink.py saved for one accepted message: the raw content and its JSON record.
public struct ReceivedMessage: Sendable {
    /// The record smtp_sink.py writes beside each message; the parsed fields come from Python's
    /// email package, an oracle that shares no code with the Mail target.
    public struct Record: Decodable, Sendable {
        public let mail_from: String
        public let rcpt_tos: [String]
        public let tls: Bool
        public let helo: String?
        public let headers: [String: String]
        public let date_epoch: Double?
        public let body: String?
        public let defects: [String]
    }

    public let raw: [UInt8]
    public let record: Record
}

/// smtp_sink.py (aiosmtpd) running in a child process on 127.0.0.1, with a fresh folder for what it
/// receives. Stopped, and its folder removed, when the value goes away.
public final class SMTPSink {
    public let port: UInt16
    private let folder = TemporaryDirectory(prefix: "smtp-sink")
    private let process = Process()
    /// Held open for the sink's life: smtp_sink.py exits when it closes, even if this process crashes.
    private let lifeline = Pipe()

    /// Whether aiosmtpd can be imported; asked once per test run.
    static let aiosmtpdAvailable: Bool = {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import aiosmtpd"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return false }
        check.waitUntilExit()
        return check.terminationStatus == 0
    }()

    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("smtp_sink.py").path

    /// Starts the sink with smtp_sink.py's options (`--starttls`, `--fail-with 451`, …), on `port` when
    /// given (0: any free one). Without aiosmtpd it throws an error that says how to install it: a
    /// missing server must fail the run, not skip the tests quietly.
    public static func start(_ options: [String] = [], port: UInt16 = 0) throws -> SMTPSink {
        guard aiosmtpdAvailable else {
            throw SinkError(description: "python3 cannot import aiosmtpd, which the SMTP tests run against: pip install aiosmtpd")
        }
        return try SMTPSink(options + (port == 0 ? [] : ["--port", String(port)]))
    }

    private init(_ options: [String]) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, folder.path] + options
        process.standardInput = lifeline
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let line = try Self.readLine(output.fileHandleForReading.fileDescriptor, seconds: 20)
        guard let port = UInt16(line) else {
            process.terminate()
            throw SinkError(description: "smtp_sink.py did not print its port (got \(line.debugDescription))")
        }
        self.port = port
    }

    deinit {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The self-signed certificate of a `--starttls` sink, to trust in a test that verifies it.
    public var certificatePath: String { folder.file("server-cert.pem") }

    /// The messages received so far, oldest first.
    public var messages: [ReceivedMessage] {
        get throws {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            let count = names.filter { $0.hasPrefix("message-") && $0.hasSuffix(".json") }.count
            return try (0..<count).map { index in
                let number = index + 1
                let json = try Data(contentsOf: URL(fileURLWithPath: folder.file("message-\(number).json")))
                let raw = try Data(contentsOf: URL(fileURLWithPath: folder.file("message-\(number).eml")))
                return ReceivedMessage(raw: Array(raw), record: try JSONDecoder().decode(ReceivedMessage.Record.self, from: json))
            }
        }
    }

    /// The only message received; throws when there is not exactly one.
    public func onlyMessage() throws -> ReceivedMessage {
        let all = try messages
        guard all.count == 1, let only = all.first else {
            throw SinkError(description: "expected one message, the sink has \(all.count)")
        }
        return only
    }

    /// Waits up to `seconds` until the sink holds `count` messages, and returns them.
    public func waitForMessages(_ count: Int, seconds: Double = 20) throws -> [ReceivedMessage] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let all = try messages
            if all.count >= count || Date() > deadline { return all }
            usleep(50_000)
        }
    }

    /// The first line the child writes, waiting at most `seconds` so a broken sink cannot hang the test.
    private static func readLine(_ descriptor: Int32, seconds: Double) throws -> String {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        while !bytes.contains(0x0A) {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard poll(&entry, 1, left) > 0 else { throw SinkError(description: "smtp_sink.py printed no port in time") }
            var byte: UInt8 = 0
            guard read(descriptor, &byte, 1) == 1 else { throw SinkError(description: "smtp_sink.py exited early") }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Why the sink could not be started.
public struct SinkError: Error, CustomStringConvertible {
    public let description: String
}
