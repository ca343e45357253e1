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
    /// smtp_sink.py, whose standard input is held open for the sink's life: it exits when that closes,
    /// even if this process crashes.
    private let child: RunningProcess

    /// Whether aiosmtpd can be imported; asked once per test run.
    static let aiosmtpdAvailable: Bool = {
        (try? ChildProcess.run("/usr/bin/env", ["python3", "-c", "import aiosmtpd"]))?.status == 0
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
        // Its first line is the port; what aiosmtpd says on standard error is not wanted.
        child = try ChildProcess.start("/usr/bin/env", ["python3", Self.script, folder.path] + options, standardError: .discarded)
        _ = child.waitForOutput(within: 20) { $0.contains("\n") }
        let line = child.text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard let port = UInt16(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            child.stop(grace: 5)
            throw SinkError(description: "smtp_sink.py did not print its port (got \(child.text.debugDescription))")
        }
        self.port = port
    }

    deinit {
        // Before the folder goes: the sink writes into it.
        child.stop(grace: 5)
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
}

/// Why the sink could not be started.
public struct SinkError: Error, CustomStringConvertible {
    public let description: String
}
