import Foundation
import Mail
import Testing
import TestSupport

/// End-to-end tests against a real SMTP server (aiosmtpd, through smtp_sink.py) and against sockets
/// that refuse or never answer.
@Suite struct SMTPClientTests {
    private func configuration(_ port: UInt16, host: String = "127.0.0.1") -> SMTPConfiguration {
        var configuration = SMTPConfiguration(host: host, port: port)
        configuration.heloName = "console.msp.example"
        configuration.timeout = 10
        configuration.verifyCertificate = false
        return configuration
    }

    private func message(subject: String = "Reset your password",
                         body: String = "Hello Jane,\n\nReset: https://console.example/reset?token=abc=\n")
        throws(MailError) -> MailMessage {
        try MailMessage(from: MailAddress("portal@msp.example", displayName: "ClientOne Portal"),
                        to: MailAddress("jane.doe@northwind.example", displayName: "Doe, Jane"),
                        subject: subject, body: body, date: Date(timeIntervalSince1970: 1_772_355_900),
                        hostName: "console.msp.example")
    }

    /// `text` with its LF line ends as the message carries them, CRLF.
    private func crlf(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: "\r\n") }

    /// The error `body` throws, or nil (with an issue recorded) when it throws none.
    private func mailError(_ body: () throws(MailError) -> Void) -> MailError? {
        do {
            try body()
            Issue.record("expected a MailError, the call succeeded")
            return nil
        } catch {
            return error
        }
    }

    @Test("a plain delivery arrives with its envelope and every header")
    func plainDelivery() throws {
        let sink = try SMTPSink.start()
        let sent = try message()
        try SMTPClient(configuration(sink.port)).send(sent)

        let received = try sink.onlyMessage()
        #expect(received.record.mail_from == "portal@msp.example")
        #expect(received.record.rcpt_tos == ["jane.doe@northwind.example"])
        #expect(received.record.helo == "console.msp.example")
        #expect(received.record.tls == false)
        #expect(received.record.defects.isEmpty)
        #expect(received.record.date_epoch == 1_772_355_900)
        #expect(received.record.body == "Hello Jane,\r\n\r\nReset: https://console.example/reset?token=abc=\r\n")

        let parsed = ParsedMessage(received.raw)
        #expect(parsed.headers["Date"] == "Sun, 01 Mar 2026 09:05:00 +0000")
        #expect(parsed.headers["Message-ID"] == sent.messageID)
        #expect(sent.messageID.wholeMatch(of: /<[0-9a-f]{32}@console\.msp\.example>/) != nil)
        #expect(parsed.headers["From"] == "ClientOne Portal <portal@msp.example>")
        #expect(parsed.headers["To"] == "\"Doe, Jane\" <jane.doe@northwind.example>")
        #expect(received.record.headers["To"] == "\"Doe, Jane\" <jane.doe@northwind.example>")
        #expect(parsed.headers["Subject"] == "Reset your password")
        #expect(parsed.headers["MIME-Version"] == "1.0")
        #expect(parsed.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(parsed.headers["Content-Transfer-Encoding"] == "quoted-printable")
        #expect(received.raw == sent.rendered())
    }

    @Test("a UTF-8 subject and body arrive and decode back unchanged")
    func utf8RoundTrip() throws {
        let sink = try SMTPSink.start()
        let subject = "Einladung: Zugang zum Kundenportal für Zoë – ✓ 日本語 🎉"
        let body = "Grüße aus Zürich!\nПривет, мир. こんにちは 👋\nÀ bientôt.\n"
        try SMTPClient(configuration(sink.port)).send(message(subject: subject, body: body))

        let received = try sink.onlyMessage()
        let parsed = ParsedMessage(received.raw)
        #expect(received.raw.allSatisfy { $0 < 0x80 })
        #expect(decodeEncodedWords(try #require(parsed.headers["Subject"])) == subject)
        #expect(parsed.decodedBody == crlf(body))
        #expect(received.record.headers["Subject"] == subject)
        #expect(received.record.body == crlf(body))
    }

    @Test("lines made of dots arrive intact: the client stuffs them and the server unstuffs")
    func dotStuffing() throws {
        let sink = try SMTPSink.start()
        let body = ".\n..\n.hidden\n...\nend.\n."
        try SMTPClient(configuration(sink.port)).send(message(body: body))

        let received = try sink.onlyMessage()
        #expect(ParsedMessage(received.raw).decodedBody == crlf(body))
        #expect(received.record.body == crlf(body))
    }

    @Test("long body lines arrive wrapped with soft breaks and decode back equal")
    func longLines() throws {
        let sink = try SMTPSink.start()
        let body = String(repeating: "Please follow this link to choose a new password: ", count: 12)
            + "https://console.example/reset?token=" + String(repeating: "Zm9v", count: 60) + "\n"
        try SMTPClient(configuration(sink.port)).send(message(body: body))

        let received = try sink.onlyMessage()
        let parsed = ParsedMessage(received.raw)
        let bodyLines = String(decoding: parsed.body, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(bodyLines.count > 10)
        #expect(bodyLines.allSatisfy { $0.utf8.count <= 76 })
        #expect(parsed.decodedBody == crlf(body))
        #expect(received.record.body == crlf(body))
    }

    @Test("STARTTLS is used when offered, and EHLO is sent again inside TLS")
    func startTLS() throws {
        // --require-starttls: aiosmtpd refuses MAIL before TLS and forgets the first EHLO after it, so
        // the delivery succeeds only if the client upgraded and greeted again.
        let sink = try SMTPSink.start(["--starttls", "--require-starttls"])
        var settings = configuration(sink.port, host: "localhost")
        settings.requireTLS = true
        try SMTPClient(settings).send(message())

        let received = try sink.onlyMessage()
        #expect(received.record.tls == true)
        #expect(received.record.helo == "console.msp.example")
        #expect(received.record.rcpt_tos == ["jane.doe@northwind.example"])
    }

    @Test("requireTLS refuses to send when the server does not offer STARTTLS")
    func requireTLSRefusal() throws {
        let sink = try SMTPSink.start()
        var settings = configuration(sink.port)
        settings.requireTLS = true
        let error = mailError { () throws(MailError) in try SMTPClient(settings).send(message()) }
        guard case .tls(let detail) = error else {
            Issue.record("expected a TLS error, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("STARTTLS"))
        #expect(error?.isTransient == false)
        #expect(try sink.messages.isEmpty)
    }

    @Test("with certificate verification on, a self-signed server certificate is refused")
    func verifiesCertificate() throws {
        let sink = try SMTPSink.start(["--starttls"])
        var settings = configuration(sink.port, host: "localhost")
        settings.verifyCertificate = true
        let error = mailError { () throws(MailError) in try SMTPClient(settings).send(message()) }
        guard case .tls(let detail) = error else {
            Issue.record("expected a TLS error, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("certificate verification failed"))
        #expect(try sink.messages.isEmpty)
    }

    @Test("with the server's certificate trusted, verification passes for its DNS name and for its IP address",
          arguments: ["localhost", "127.0.0.1"])
    func verifiedTLS(_ host: String) throws {
        let sink = try SMTPSink.start(["--starttls"])
        var settings = configuration(sink.port, host: host)
        settings.verifyCertificate = true
        settings.trustedCertificatesFile = sink.certificatePath
        settings.requireTLS = true
        try SMTPClient(settings).send(message())
        #expect(try sink.onlyMessage().record.tls == true)
    }

    @Test("a trusted certificate that names another host is refused")
    func certificateNameMismatch() throws {
        let sink = try SMTPSink.start(["--starttls", "--cert-host", "mail.elsewhere.example"])
        var settings = configuration(sink.port, host: "localhost")
        settings.verifyCertificate = true
        settings.trustedCertificatesFile = sink.certificatePath
        let error = mailError { () throws(MailError) in try SMTPClient(settings).send(message()) }
        guard case .tls(let detail) = error else {
            Issue.record("expected a TLS error, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("hostname mismatch"))
        #expect(try sink.messages.isEmpty)
    }

    @Test("a 4xx refusal is transient and a 5xx refusal permanent, at RCPT and at the end of DATA",
          arguments: [(451, "rcpt"), (550, "rcpt"), (452, "data"), (554, "data")])
    func refusals(_ code: Int, _ stage: String) throws {
        let sink = try SMTPSink.start(["--fail-with", String(code), "--fail-at", stage])
        let error = mailError { () throws(MailError) in try SMTPClient(configuration(sink.port)).send(message()) }
        guard case .rejected(let replyCode, let text) = error else {
            Issue.record("expected a refusal, got \(String(describing: error))")
            return
        }
        #expect(replyCode == code)
        #expect(text.contains("Refused by the test sink"))
        #expect(error?.isTransient == (code < 500))
        #expect(try sink.messages.isEmpty)
    }

    @Test("a refused connection is a transient connection error")
    func connectionRefused() {
        let closed = SilentListener(listening: false)
        let error = mailError { () throws(MailError) in try SMTPClient(configuration(closed.port)).send(message()) }
        guard case .connection(let detail) = error else {
            Issue.record("expected a connection error, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("refused"))
        #expect(error?.isTransient == true)
    }

    @Test("a server that accepts the connection but never speaks times out within the configured time")
    func silentServer() {
        let silent = SilentListener(listening: true)
        var settings = configuration(silent.port)
        settings.timeout = 1
        let started = ContinuousClock.now
        let error = mailError { () throws(MailError) in try SMTPClient(settings).send(message()) }
        let elapsed = ContinuousClock.now - started
        guard case .timeout = error else {
            Issue.record("expected a time-out, got \(String(describing: error))")
            return
        }
        #expect(error?.isTransient == true)
        #expect(elapsed >= .milliseconds(900))
        #expect(elapsed < .seconds(4))
    }

    @Test("a server that does not know EHLO is greeted with HELO and still gets the message")
    func heloFallback() throws {
        let sink = try SMTPSink.start(["--misbehave", "no-ehlo"])
        try SMTPClient(configuration(sink.port)).send(message())

        let received = try sink.onlyMessage()
        #expect(received.record.helo == "console.msp.example")
        #expect(received.record.tls == false)
    }

    @Test("a server that takes the data but never answers its end times out within the configured time")
    func silentAfterData() throws {
        let sink = try SMTPSink.start(["--misbehave", "hang-after-data"])
        var settings = configuration(sink.port)
        settings.timeout = 1
        let started = ContinuousClock.now
        let error = mailError { () throws(MailError) in try SMTPClient(settings).send(message()) }
        let elapsed = ContinuousClock.now - started
        guard case .timeout = error else {
            Issue.record("expected a time-out, got \(String(describing: error))")
            return
        }
        #expect(elapsed < .seconds(4))
    }

    @Test("a server that hangs up mid-conversation gives a transient connection error")
    func hangUp() throws {
        let sink = try SMTPSink.start(["--misbehave", "drop-at-rcpt"])
        let error = mailError { () throws(MailError) in try SMTPClient(configuration(sink.port)).send(message()) }
        guard case .connection = error else {
            Issue.record("expected a connection error, got \(String(describing: error))")
            return
        }
        #expect(error?.isTransient == true)
        #expect(try sink.messages.isEmpty)
    }

    @Test("an unresolvable host is a transient connection error")
    func unknownHost() {
        let error = mailError { () throws(MailError) in
            try SMTPClient(configuration(25, host: "no-such-host.invalid")).send(message())
        }
        guard case .connection = error else {
            Issue.record("expected a connection error, got \(String(describing: error))")
            return
        }
    }

    @Test("a HELO name that could inject a command is refused before connecting")
    func badHeloName() {
        var settings = configuration(SilentListener(listening: false).port)
        settings.heloName = "console\r\nRCPT TO:<evil@example.com>"
        #expect(throws: MailError.invalidHeader("HELO name \"console\\r\\nRCPT TO:<evil@example.com>\" is not a domain or address literal")) {
            try SMTPClient(settings).send(message())
        }
    }
}
