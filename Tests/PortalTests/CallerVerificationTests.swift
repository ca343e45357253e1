import Foundation
import Portal
import Testing
import TestSupport

/// A console that mails through a real SMTP server (smtp_sink.py), with Northwind, Jane (authenticator
/// on, locked out), Sam (invited) and two staff members, Morgan and Casey.
final class CallerWorld {
    let sink: SMTPSink
    let console: TestConsole
    let jane: Int64
    let sam: Int64

    init(verifyCallers: Bool = true, smtp: Bool = true) throws {
        let sink = try SMTPSink.start()
        self.sink = sink
        console = try TestConsole { if smtp { $0.smtp = "127.0.0.1:\(sink.port)" } }
        try console.seedNorthwind(verifyCallers: verifyCallers)
        _ = try console.portal.addStaff(email: "casey@msp.example", name: "Casey Ng", password: TestConsole.password)
        _ = try console.portal.addCustomer(NewCustomer(client: "Northwind Traders", email: "sam@northwind.example", name: "Sam Lee"))
        _ = try console.enrol(try console.signedIn())
        for _ in 0..<5 { _ = try console.browser().signIn(email: "jane@northwind.example", password: "wrong guess") }
        jane = try console.janeID()
        sam = Int64(try console.count("SELECT id AS n FROM customer_users WHERE email = 'sam@northwind.example'"))
    }

    func staff(_ email: String = "morgan@msp.example") throws -> HTTPClient {
        let browser = console.browser()
        let answer = try browser.submit("/admin/login", from: "/admin/login", [("email", email), ("password", TestConsole.password)])
        try #require(answer.status == 303 && answer.header("Location") == "/admin", "staff sign-in answered \(answer.status)")
        return browser
    }

    /// The codes mailed so far, oldest first, once `count` have arrived at the SMTP server.
    func mailedCodes(_ count: Int) throws -> [(to: String, code: String)] {
        let messages = try sink.waitForMessages(count).filter { $0.record.headers["Subject"] == "Your verification code for your IT provider" }
        return try messages.map { message in
            let body = try #require(message.record.body)
            let code = try #require(body.captures("\\n\\s*(\\d{6})\\s*\\n").first, "no code in: \(body)")
            return (message.record.rcpt_tos.first ?? "", code)
        }
    }

    /// What the SMTP server received with this subject, waiting for it to arrive.
    func mail(subject: String) throws -> String? {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let found = try sink.messages.first(where: { $0.record.headers["Subject"] == subject }) { return found.record.body }
            usleep(50_000)
        }
        return nil
    }

    var authenticators: Int { (try? console.count("SELECT count(*) AS n FROM totp_credentials")) ?? -1 }
    var janeLocked: Bool {
        (try? console.count("SELECT count(*) AS n FROM login_throttle WHERE key = 'account:jane@northwind.example' AND locked_until > ?",
                            console.clock.now())) == 1
    }
}

extension HTTPClient {
    /// A POST carrying a valid CSRF token (taken from the user's page), as a script would send it.
    func postDirectly(_ action: String, user: Int64, _ fields: [(String, String)] = []) throws -> HTTPResponse {
        try submit(action, from: "/admin/users/\(user)", fields)
    }
}

@Suite(.serialized) struct CallerVerificationTests {
    @Test("With the client's setting on, the resets are shown disabled and refused when posted directly: 403, nothing changes")
    func refusedWithoutVerification() throws {
        let world = try CallerWorld()
        let morgan = try world.staff()
        let page = try morgan.get("/admin/users/\(world.jane)").text
        #expect(page.contains("<button type=\"button\" class=\"button button--danger-quiet\" disabled aria-describedby=\"reset-2fa-gated\">Reset two-factor authentication</button>"))
        #expect(page.contains("<button type=\"button\" class=\"button button--secondary\" disabled aria-describedby=\"unlock-gated\">Unlock</button>"))
        #expect(page.contains("Verify the caller first."))
        #expect(!page.contains("action=\"/admin/users/\(world.jane)/unlock\""), "no working Unlock form")
        #expect(try morgan.get("/admin/users/\(world.sam)").text.contains("disabled aria-describedby=\"resend-gated\">Send the invitation again</button>"))

        let outbox = try world.console.count("SELECT count(*) AS n FROM outbox")
        let reset = try morgan.postDirectly("/admin/users/\(world.jane)/reset-2fa", user: world.jane)
        #expect(reset.status == 403)
        #expect(reset.text.contains("Verify the caller first"))
        #expect(world.authenticators == 1)
        #expect(try morgan.postDirectly("/admin/users/\(world.jane)/unlock", user: world.jane).status == 403)
        #expect(world.janeLocked)
        #expect(try morgan.postDirectly("/admin/users/\(world.sam)/resend-invitation", user: world.sam).status == 403)
        #expect(try world.console.count("SELECT count(*) AS n FROM outbox") == outbox, "no mail, no new link")
        #expect(try world.console.count("SELECT count(*) AS n FROM audit_events WHERE kind IN ('second_factor_reset', 'customer_unlocked')") == 0)

        // The confirmation page offers only break-glass.
        let confirm = try morgan.get("/admin/users/\(world.jane)/reset-2fa").text
        #expect(confirm.contains("Skip verification — reason <span class=\"field__required\">(required)</span>"))
        #expect(confirm.contains(">Reset two-factor authentication without verification</button>"))
        #expect(!confirm.contains(">Reset two-factor authentication</button>"))
    }

    @Test("The code arrives by mail only; the right code enables the three resets for that staff member and that user")
    func verifiedByMailedCode() throws {
        let world = try CallerWorld()
        let morgan = try world.staff()
        let sent = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller", user: world.jane)
        #expect(sent.status == 200)
        #expect(sent.text.contains("A code was mailed to jane@northwind.example."))
        let mailed = try #require(try world.mailedCodes(1).first)
        #expect(mailed.to == "jane@northwind.example")
        let code = mailed.code

        // Nowhere for staff: not the user's page, the outbox, the audit log, the terminal's outbox, the database.
        for target in ["/admin/users/\(world.jane)", "/admin/outbox", "/admin/audit"] {
            let text = try morgan.get(target).text
            #expect(!text.contains(code), "\(target) shows the code")
        }
        #expect(try morgan.get("/admin/outbox").text.contains("[code hidden: only the account&#39;s owner may read it]"))
        #expect(try world.console.portal.outboxMessages().allSatisfy { !$0.body.contains(code) })
        #expect(try world.console.count("SELECT count(*) AS n FROM caller_verifications WHERE length(code_hash) = 32") == 1)
        #expect(try world.console.count("SELECT count(*) AS n FROM caller_verifications WHERE code_hash = CAST('\(code)' AS BLOB)") == 0)

        let pending = try morgan.get("/admin/users/\(world.jane)").text
        #expect(pending.contains("Code the caller reads out"))
        let verified = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller/check", user: world.jane, [("code", code)])
        #expect(verified.status == 200)
        #expect(verified.text.contains("The caller is verified as Jane Doe."))
        #expect(!verified.text.contains("Verify the caller first."))

        // Another staff member, and another user, are still held back.
        let casey = try world.staff("casey@msp.example")
        #expect(try casey.postDirectly("/admin/users/\(world.jane)/reset-2fa", user: world.jane).status == 403)
        #expect(try casey.get("/admin/users/\(world.jane)").text.contains("Verify the caller first."))
        #expect(try morgan.postDirectly("/admin/users/\(world.sam)/resend-invitation", user: world.sam).status == 403)

        // Morgan, for Jane: Unlock and Reset two-factor authentication work.
        let unlocked = try morgan.postDirectly("/admin/users/\(world.jane)/unlock", user: world.jane)
        #expect(unlocked.status == 200)
        #expect(unlocked.text.contains("Jane Doe can sign in again."))
        #expect(!world.janeLocked)
        let confirm = try morgan.get("/admin/users/\(world.jane)/reset-2fa").text
        #expect(confirm.contains("You verified the caller: this is enabled for you until"))
        let reset = try morgan.submit("/admin/users/\(world.jane)/reset-2fa", from: "/admin/users/\(world.jane)/reset-2fa", [])
        #expect(reset.text.contains("were removed, and jane@northwind.example was told by mail."))
        #expect(world.authenticators == 0)
        #expect(try world.mail(subject: "Your two-factor authentication was reset") != nil)

        // The audit log and Jane's Recent activity say the caller was verified, by whom and how.
        #expect(try world.console.count("""
            SELECT count(*) AS n FROM audit_events e JOIN staff s ON s.id = e.staff_id
            WHERE e.kind = 'caller_verified' AND s.name = 'Morgan Reyes' AND e.detail = 'by a code sent to jane@northwind.example'
            """) == 1)
        #expect(try world.console.count("""
            SELECT count(*) AS n FROM audit_events WHERE kind = 'second_factor_reset' AND detail = 'caller verified by a code sent to their email'
            """) == 1)
        let audit = try morgan.get("/admin/audit").text
        #expect(audit.contains("Caller verified"))
        #expect(audit.contains("Caller verification code sent"))
        let activity = try world.console.signedIn().get("/portal/profile/security").text
        #expect(activity.contains("Your IT provider (Morgan Reyes) verified your identity by a code sent to your email"))
        #expect(activity.contains("Your IT provider (Morgan Reyes) sent a verification code to your email"))
    }

    @Test("A code typed on another user's page, or by another staff member, does not verify")
    func codeForAnotherUser() throws {
        let world = try CallerWorld()
        let morgan = try world.staff()
        _ = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller", user: world.jane)
        let janesCode = try #require(try world.mailedCodes(1).first).code
        // No code waits for Sam: refused.
        let none = try morgan.postDirectly("/admin/users/\(world.sam)/verify-caller/check", user: world.sam, [("code", janesCode)])
        #expect(none.status == 409)
        #expect(none.text.contains("No code is waiting for Sam Lee"))
        // Sam's own code waits: Jane's code is wrong for it.
        _ = try morgan.postDirectly("/admin/users/\(world.sam)/verify-caller", user: world.sam)
        let samsCode = try #require(try world.mailedCodes(2).last)
        #expect(samsCode.to == "sam@northwind.example")
        if samsCode.code != janesCode {
            let wrong = try morgan.postDirectly("/admin/users/\(world.sam)/verify-caller/check", user: world.sam, [("code", janesCode)])
            #expect(wrong.status == 422)
            #expect(wrong.text.contains("That code is wrong. 4 tries left."))
        }
        #expect(try morgan.postDirectly("/admin/users/\(world.sam)/resend-invitation", user: world.sam).status == 403)
        // Casey has no code waiting for Jane: Morgan's code means nothing in Casey's hands.
        let casey = try world.staff("casey@msp.example")
        #expect(try casey.postDirectly("/admin/users/\(world.jane)/verify-caller/check", user: world.jane, [("code", janesCode)]).status == 409)
        // Jane's code still works for Morgan on Jane's page.
        #expect(try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller/check", user: world.jane, [("code", janesCode)]).status == 200)
    }

    @Test("Wrong codes are limited: the fifth ends the code; codes mailed are limited per customer")
    func wrongCodesLimited() throws {
        let world = try CallerWorld()
        let morgan = try world.staff()
        _ = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller", user: world.jane)
        let code = try #require(try world.mailedCodes(1).first).code
        let wrongCode = code == "000000" ? "111111" : "000000"
        let malformed = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller/check", user: world.jane, [("code", "12ab")])
        #expect(malformed.status == 422)
        #expect(malformed.text.contains("Enter the 6-digit code the caller reads out."))
        for left in (1...4).reversed() {
            let wrong = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller/check", user: world.jane, [("code", wrongCode)])
            #expect(wrong.status == 422)
            #expect(wrong.text.contains("That code is wrong. \(left) tr\(left == 1 ? "y" : "ies") left."))
        }
        let last = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller/check", user: world.jane, [("code", wrongCode)])
        #expect(last.text.contains("that was the last try: the code no longer works"))
        let right = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller/check", user: world.jane, [("code", code)])
        #expect(right.status == 409, "the right code after five wrong ones verifies nothing")
        #expect(try morgan.postDirectly("/admin/users/\(world.jane)/reset-2fa", user: world.jane).status == 403)
        #expect(try world.console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'caller_verification_failed'") == 5)
        #expect(try world.console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'caller_verified'") == 0)

        // Three codes a quarter-hour to one customer, whichever staff member asks.
        _ = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller", user: world.jane)
        let casey = try world.staff("casey@msp.example")
        _ = try casey.postDirectly("/admin/users/\(world.jane)/verify-caller", user: world.jane)
        let refused = try casey.postDirectly("/admin/users/\(world.jane)/verify-caller", user: world.jane)
        #expect(refused.status == 429)
        #expect(refused.text.contains("Too many codes were sent. Try again in 15 minutes."))
        #expect(try world.console.count("SELECT count(*) AS n FROM outbox WHERE kind = 'caller_code'") == 3)
    }

    @Test("An expired code is refused, a newer code supersedes an older one, and the 10-minute window of the resets ends")
    func expiryAndWindow() throws {
        let world = try CallerWorld()
        let morgan = try world.staff()
        _ = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller", user: world.jane)
        let first = try #require(try world.mailedCodes(1).first).code
        world.console.clock.advance(by: 601)
        let expired = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller/check", user: world.jane, [("code", first)])
        #expect(expired.status == 409)
        #expect(expired.text.contains("That code has expired"))
        #expect(try world.console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'caller_verification_failed' AND detail = 'expired code'") == 1)

        _ = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller", user: world.jane)
        let second = try #require(try world.mailedCodes(2).last).code
        _ = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller", user: world.jane)
        let third = try #require(try world.mailedCodes(3).last).code
        if second != third {
            #expect(try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller/check", user: world.jane, [("code", second)]).status == 422,
                    "the superseded code no longer verifies")
        }
        #expect(try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller/check", user: world.jane, [("code", third)]).status == 200)
        world.console.clock.advance(by: 599)
        #expect(try morgan.get("/admin/users/\(world.jane)").text.contains("<a class=\"button button--danger-quiet\" href=\"/admin/users/\(world.jane)/reset-2fa\">"))
        world.console.clock.advance(by: 2)
        #expect(try morgan.get("/admin/users/\(world.jane)").text.contains("Verify the caller first."))
        #expect(try morgan.postDirectly("/admin/users/\(world.jane)/reset-2fa", user: world.jane).status == 403)
        #expect(world.authenticators == 1)
    }

    @Test("Break-glass: with a typed reason the reset is done and the customer is mailed at once with the exact sentence; without one, refused")
    func breakGlass() throws {
        let world = try CallerWorld()
        let morgan = try world.staff()
        let empty = try morgan.submit("/admin/users/\(world.jane)/reset-2fa", from: "/admin/users/\(world.jane)/reset-2fa", [("reason", "  ")])
        #expect(empty.status == 422)
        #expect(empty.text.contains("Give the reason for skipping verification."))
        #expect(empty.text.contains("aria-invalid=\"true\""))
        #expect(world.authenticators == 1)

        let reason = "Ticket 812: phone lost, mailbox unreachable, manager confirmed on a call-back"
        let done = try morgan.submit("/admin/users/\(world.jane)/reset-2fa", from: "/admin/users/\(world.jane)/reset-2fa", [("reason", reason)])
        #expect(done.status == 200)
        #expect(done.text.contains("were removed, and jane@northwind.example was told by mail."))
        #expect(world.authenticators == 0)
        let body = try #require(try world.mail(subject: "Your two-factor authentication was reset without verification"))
        #expect(body.contains("Your two-factor authentication was reset by Morgan Reyes without verification: \(reason)"))

        let unlock = try morgan.submit("/admin/users/\(world.jane)/unlock", from: "/admin/users/\(world.jane)/unlock", [("reason", "Ticket 813: caller locked out")])
        #expect(unlock.status == 200)
        #expect(!world.janeLocked)
        let notice = try #require(try world.mail(subject: "Your IT provider changed your account without verifying it was you"))
        #expect(notice.contains("Your sign-in was unlocked by Morgan Reyes without verification: Ticket 813: caller locked out"))

        #expect(try world.console.count("""
            SELECT count(*) AS n FROM audit_events WHERE kind = 'caller_verification_skipped'
            AND detail IN ('Reset two-factor authentication: \(reason)', 'Unlock: Ticket 813: caller locked out')
            """) == 2)
        #expect(try world.console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'second_factor_reset' AND detail = 'without verification: \(reason)'") == 1)
        #expect(try morgan.get("/admin/audit").text.contains("Reset without caller verification"))
        let activity = try world.console.signedIn().get("/portal/profile/security").text
        #expect(activity.contains("Your IT provider (Morgan Reyes) reset your two-factor authentication without verification: \(reason)"))
        #expect(activity.contains("Your IT provider (Morgan Reyes) unlocked your sign-in without verification: Ticket 813: caller locked out"))
    }

    @Test("With the setting off the resets work as before, and a verification is still offered and recorded")
    func settingOff() throws {
        let world = try CallerWorld(verifyCallers: false)
        let morgan = try world.staff()
        let page = try morgan.get("/admin/users/\(world.jane)").text
        #expect(!page.contains("Verify the caller first."))
        #expect(page.contains("Optional for this client"))
        #expect(page.contains(">Verify the caller</button>"))
        #expect(try morgan.postDirectly("/admin/users/\(world.jane)/unlock", user: world.jane).text.contains("Jane Doe can sign in again."))
        #expect(try world.console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'customer_unlocked' AND detail = ''") == 1)
        _ = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller", user: world.jane)
        let code = try #require(try world.mailedCodes(1).first).code
        #expect(try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller/check", user: world.jane, [("code", code)]).status == 200)
        #expect(try world.console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'caller_verified'") == 1)
    }

    @Test("Without an SMTP server no code is offered (it would wait in the outbox, which staff read); break-glass still works")
    func noMailNoCode() throws {
        let world = try CallerWorld(smtp: false)
        let morgan = try world.staff()
        let page = try morgan.get("/admin/users/\(world.jane)").text
        #expect(page.contains("disabled aria-describedby=\"verify-no-mail\">Verify the caller</button>"))
        let refused = try morgan.postDirectly("/admin/users/\(world.jane)/verify-caller", user: world.jane)
        #expect(refused.status == 409)
        #expect(try world.console.count("SELECT count(*) AS n FROM outbox WHERE kind = 'caller_code'") == 0)
        let done = try morgan.submit("/admin/users/\(world.sam)/resend-invitation", from: "/admin/users/\(world.sam)/resend-invitation",
                                     [("reason", "Ticket 9: new starter, no mailbox access yet")])
        #expect(done.text.contains("A new invitation was mailed to sam@northwind.example."))
        #expect(try world.console.portal.outboxMessages().contains {
            $0.body.contains("A new invitation was sent to you by Morgan Reyes without verification: Ticket 9: new starter, no mailbox access yet")
        })
    }

    @Test("The client page switch and clientone client add / set --verify-callers change the setting, audited")
    func settingSwitches() throws {
        let world = try CallerWorld(verifyCallers: false, smtp: false)
        let morgan = try world.staff()
        let clientID = try world.console.count("SELECT id AS n FROM clients")
        let page = try morgan.get("/admin/clients/\(clientID)").text
        #expect(page.contains("Verify callers before account resets"))
        let saved = try morgan.submit("/admin/clients/\(clientID)/settings", from: "/admin/clients/\(clientID)",
                                      [("portal_enabled", "on"), ("billing_enabled", "on"), ("verify_callers", "on")])
        #expect(saved.text.contains("Settings saved: verify callers on."))
        #expect(try world.console.count("SELECT verify_callers AS n FROM clients") == 1)
        #expect(try world.console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'client_updated' AND detail = 'verify callers on'") == 1)
        #expect(try morgan.get("/admin/users/\(world.jane)").text.contains("Verify the caller first."))

        let cli = CLI()
        let added = try cli.run(["client", "add", "--name", "Contoso"])
        #expect(added.stdout.contains("Added client 1: Contoso (verify-callers on)"))
        #expect(try cli.count("SELECT verify_callers AS n FROM clients") == 1)
        let off = try cli.run(["client", "set", "Contoso", "--verify-callers", "off"])
        #expect(off.status == 0, "\(off.stderr)")
        #expect(off.stdout.contains("verify-callers off"))
        #expect(try cli.count("SELECT verify_callers AS n FROM clients") == 0)
        let bad = try cli.run(["client", "set", "Contoso", "--verify-callers", "maybe"])
        #expect(bad.status != 0)
    }
}
