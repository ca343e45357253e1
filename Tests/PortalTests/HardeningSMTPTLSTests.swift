import Mail
@testable import Portal
import Testing
import TestSupport
import Threads

/// Issue 15, item 23: a relay that is not on this machine gets mail only over TLS. No such relay can be
/// reached from the test machine, so two things are shown apart: that a non-loopback `--smtp` host
/// turns the requirement on (`requiredForRemoteRelay`, `serveSaysSo`), and that with the requirement on
/// the real sink (aiosmtpd on 127.0.0.1) gets nothing in clear text and everything over STARTTLS. For
/// the second, `smtpRequireTLS` turns the requirement on for the loopback sink; that option can only
/// add the requirement, never lift it, so it stands honestly for a remote relay.
@Suite struct HardeningSMTPTLSTests {
    @Test("A non-loopback --smtp host makes the console require STARTTLS; a loopback one does not")
    func requiredForRemoteRelay() throws {
        let remote = try TestConsole { $0.smtp = "192.0.2.25:587" }
        #expect(try #require(remote.portal.delivery.withLock { $0 }).smtp.requireTLS)
        let named = try TestConsole { $0.smtp = "127.0.0.1.mail.example:25" }
        #expect(try #require(named.portal.delivery.withLock { $0 }).smtp.requireTLS)
        let local = try TestConsole { $0.smtp = "127.0.0.1:2525" }
        #expect(try #require(local.portal.delivery.withLock { $0 }).smtp.requireTLS == false)
    }

    @Test("A relay that must use TLS and offers no STARTTLS gets nothing in clear text; the message stays queued and is retried")
    func noClearTextFallback() throws {
        let sink = try SMTPSink.start()
        let console = try TestConsole {
            $0.smtp = "127.0.0.1:\(sink.port)"
            $0.smtpRequireTLS = true
        }
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let first = try console.newestOutboxMessage { $0.attempts >= 1 }
        #expect(first.status == .pending, "kept for another try, not failed and not dropped")
        #expect(first.lastError?.contains("does not offer STARTTLS, and TLS is required") == true)
        // The worker logs the attempt just after recording it.
        #expect(eventually { console.accessLog.all.contains { $0.contains("mail \(first.id) to jane@northwind.example: pending, tried again in 5 s")
                                                               && $0.contains("does not offer STARTTLS") } }, "the log says why")
        #expect(try sink.messages.isEmpty, "nothing went out in clear text")

        console.clock.advance(by: 6)
        console.portal.wakeMailDelivery()
        let again = try console.newestOutboxMessage { $0.attempts > first.attempts }
        #expect(again.status == .pending, "tried again, and kept again")
        #expect(try sink.messages.isEmpty)
    }

    @Test("The same relay with STARTTLS gets the message over TLS")
    func deliveredOverTLS() throws {
        let sink = try SMTPSink.start(["--starttls"])
        let console = try TestConsole {
            $0.smtp = "127.0.0.1:\(sink.port)"
            $0.smtpRequireTLS = true
            // The sink's certificate is self-signed; certificate checks are MailTests' subject.
            $0.smtpVerifyCertificate = false
        }
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let received = try #require(try sink.waitForMessages(1).first)
        #expect(received.record.tls)
        #expect(received.record.body?.contains("/login/reset?token=") == true)
    }

    @Test("A loopback relay without STARTTLS still gets the message in clear text (it never leaves the machine)")
    func loopbackClearText() throws {
        let sink = try SMTPSink.start()
        let console = try TestConsole { $0.smtp = "127.0.0.1:\(sink.port)" }
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let received = try #require(try sink.waitForMessages(1).first)
        #expect(received.record.tls == false)
    }

    @Test("serve says whether mail goes only over TLS or may go in clear text on this machine")
    func serveSaysSo() throws {
        let cli = CLI()
        let remote = try ServeProcess(["--smtp", "192.0.2.25:587"], database: cli.database)
        let remoteSaid = remote.stop()
        #expect(remoteSaid.contains("Mail goes through the SMTP server at 192.0.2.25:587, only over TLS (STARTTLS, certificate checked)"))
        let local = try ServeProcess(["--smtp", "127.0.0.1:2525"], database: cli.database)
        let localSaid = local.stop()
        #expect(localSaid.contains("on this machine (loopback): over STARTTLS when it offers it, otherwise in clear text"))
    }
}
