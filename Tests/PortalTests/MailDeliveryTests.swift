import Foundation
@testable import Portal
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `clientone serve` running as its own process, stopped when the value goes away.
final class ServeProcess {
    /// What serve is given: a plain PATH and the repository's static files.
    static let environment = ["PATH": "/usr/bin:/bin", "CLIENTONE_PUBLIC": TestConsole.repositoryRoot.appendingPathComponent("Public").path]

    private let child: RunningProcess
    let port: UInt16
    /// What it printed up to "Press Ctrl-C".
    let printed: String

    init(_ arguments: [String], database: String) throws {
        child = try ChildProcess.start(CLI.executable, ["serve", "--port", "0", "--db", database] + arguments, environment: Self.environment)
        _ = child.waitForOutput(within: 60) { $0.contains("Press Ctrl-C") }
        printed = child.text
        guard let port = printed.firstMatch(of: /localhost:(\d+)\//).flatMap({ UInt16($0.1) }) else {
            child.stop()
            throw TestFailure("serve did not start: \(printed)")
        }
        self.port = port
    }

    /// SIGTERM, then everything it printed.
    func stop() -> String { child.stop() }

    /// SIGKILL, as a crash or a power cut would end it.
    func crash() { child.crash() }

    var isRunning: Bool { child.process.isRunning }

    /// The exit status, once stopped.
    var terminationStatus: Int32 { child.terminationStatus }
}

/// A loopback port nothing listens on (bound and released at once).
func unusedPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw TestFailure("could not find a free port") }
    return UInt16(bigEndian: address.sin_port)
}

@Suite struct MailDeliveryTests {
    @Test("serve --smtp: the reset link arrives through a real SMTP server (aiosmtpd), and it works")
    func resetThroughRealSMTP() throws {
        let sink = try SMTPSink.start()
        let cli = CLI()
        let serve = try ServeProcess(["--demo", "--smtp", "127.0.0.1:\(sink.port)", "--mail-from", "portal@msp.example"],
                                     database: cli.database)
        let browser = HTTPClient(port: serve.port)
        let asked = try browser.submit("/login/forgot", from: "/login/forgot", [("email", "Jane.Doe@northwind.example")])
        #expect(asked.status == 303)

        let received = try #require(try sink.waitForMessages(1).first, "no message reached the SMTP server")
        #expect(received.record.rcpt_tos == ["jane.doe@northwind.example"])
        #expect(received.record.mail_from == "portal@msp.example")
        #expect(received.record.headers["Subject"] == "Reset your ClientOne password")
        #expect(received.record.headers["Content-Type"]?.contains("text/plain") == true)
        #expect(received.record.headers["Message-ID"] != nil && received.record.headers["Date"] != nil)
        #expect(received.record.defects.isEmpty)
        let body = try #require(received.record.body)
        let link = try #require(body.captures("(http://localhost:\(serve.port)/login/reset\\?token=[A-Za-z0-9_-]+)").first,
                                "no reset link in: \(body)")

        let form = try browser.get(TestConsole.target(of: link))
        #expect(form.status == 200)
        let token = try #require(link.captures("token=([A-Za-z0-9_-]+)").first)
        let set = try browser.post("/login/reset", form: [("csrf_token", try browser.csrfToken(from: form)), ("token", token),
                                                          ("new_password", "a brand new passphrase"),
                                                          ("confirm_password", "a brand new passphrase")])
        #expect(set.status == 303)
        #expect(set.header("Location") == "/login?reset=1")
        let signIn = try HTTPClient(port: serve.port).signIn(email: "jane.doe@northwind.example", password: "a brand new passphrase")
        #expect(signIn.status == 303)
        // The change is announced by mail too, through the same server.
        let both = try sink.waitForMessages(2)
        #expect(both.count == 2)
        #expect(both.last?.record.headers["Subject"] == "Your ClientOne password was changed")
        #expect(try browser.get(TestConsole.target(of: link)).status == 410, "the link works once")

        let printed = serve.stop()
        #expect(printed.contains("Stopped."))
        let listing = try cli.run(["outbox"])
        #expect(listing.status == 0)
        #expect(listing.stdout.contains("sent to jane.doe@northwind.example: Reset your ClientOne password"))
    }

    @Test("A message sent while the SMTP server is down is delivered once it is back, and never twice")
    func deliveredAfterOutage() throws {
        let port = try unusedPort()
        let console = try TestConsole { $0.smtp = "127.0.0.1:\(port)" }
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        console.portal.wakeMailDelivery()
        let waiting = try console.newestOutboxMessage { $0.attempts >= 1 }
        #expect(waiting.status == .pending)
        #expect(waiting.lastError != nil, "the failed attempt is recorded")

        let sink = try SMTPSink.start(port: port)
        // The next attempt is 5 s after the first failure; the console's clock is moved past it.
        console.clock.advance(by: 6)
        console.portal.wakeMailDelivery()
        let received = try sink.waitForMessages(1)
        #expect(received.count == 1)
        #expect(received.first?.record.body?.contains("/login/reset?token=") == true)
        let sent = try console.newestOutboxMessage { $0.status == .sent }
        #expect(sent.sentAt != nil)
        // A second message, an hour on, marks a later pass: the worker takes pending messages oldest
        // first, so the first message, were it still pending, would reach the sink again before it.
        console.clock.advance(by: 3_600)
        _ = try console.requestReset("jane@northwind.example")
        let both = try sink.waitForMessages(2)
        #expect(both.count == 2)
        #expect(both.last?.record.body != both.first?.record.body, "a delivered message is not sent again")
        #expect(try console.portal.outboxMessages().allSatisfy { $0.status == .sent })
    }

    /// A reset request to a console whose SMTP server is a sink started with `options`, after the
    /// first delivery attempt.
    private func afterFirstAttempt(_ options: [String]) throws -> OutboxMessage {
        let sink = try SMTPSink.start(options)
        let console = try TestConsole { $0.smtp = "127.0.0.1:\(sink.port)" }
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        console.portal.wakeMailDelivery()
        let message = try console.newestOutboxMessage { $0.attempts >= 1 }
        #expect(try sink.messages.isEmpty)
        return message
    }

    @Test("A server that refuses a message (5xx) marks it failed and keeps it for staff; a 4xx is retried")
    func refusalsKept() throws {
        let failed = try afterFirstAttempt(["--fail-with", "550"])
        #expect(failed.status == .failed)
        #expect(failed.lastError?.contains("550") == true)
        #expect(failed.body.contains("Open this link within 30 minutes"), "the message is kept, readable by staff")
        #expect(!failed.body.contains("/login/reset?token="), "but not its link, which was handed to the SMTP server (issue 15)")

        let retried = try afterFirstAttempt(["--fail-with", "451"])
        #expect(retried.status == .pending)
        #expect(retried.lastError?.contains("451") == true)
    }
}

extension TestConsole {
    /// The newest outbox message once `settled` holds for it: the mail worker writes on a thread of its
    /// own, so a test waits for the row to show the attempt it expects (at most ten seconds).
    func newestOutboxMessage(where settled: (OutboxMessage) -> Bool) throws -> OutboxMessage {
        var newest: OutboxMessage?
        _ = eventually(within: 10) {
            newest = try? portal.outboxMessages().first
            return newest.map(settled) ?? false
        }
        let message = try #require(newest, "the outbox is empty")
        try #require(settled(message), "the mail worker did not get there: \(message.status), \(message.attempts) attempts")
        return message
    }
}
