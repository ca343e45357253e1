import Foundation
import Portal
import Testing
import TestSupport

extension TestConsole {
    /// A browser signed in at /admin/login as Morgan (seeded by seedNorthwind).
    func staffSignedIn(_ browser: HTTPClient? = nil) throws -> HTTPClient {
        let browser = browser ?? self.browser()
        let answer = try browser.submit("/admin/login", from: "/admin/login",
                                        [("email", "morgan@msp.example"), ("password", TestConsole.password)])
        try #require(answer.status == 303 && answer.header("Location") == "/admin", "staff sign-in answered \(answer.status)")
        return browser
    }

    func janeID() throws -> Int64 { Int64(try count("SELECT id AS n FROM customer_users WHERE email = 'jane@northwind.example'")) }

    /// Morgan's browser viewing Jane's account.
    func impersonating(reason: String = "Ticket 4521: profile help") throws -> HTTPClient {
        let browser = try staffSignedIn()
        let id = try janeID()
        let answer = try browser.submit("/admin/users/\(id)/impersonate", from: "/admin/users/\(id)", [("reason", reason)])
        try #require(answer.status == 303 && answer.header("Location") == "/portal/profile", "impersonate answered \(answer.status)")
        return browser
    }
}

@Suite struct AdminSeparationTests {
    @Test("Staff sign in at /admin/login; a customer session opens no /admin page and staff cannot use the portal")
    func separation() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let customer = try console.signedIn()
        let refused = try customer.get("/admin")
        #expect(refused.status == 303)
        #expect(refused.header("Location") == "/admin/login")
        #expect(try customer.get("/admin/audit").header("Location") == "/admin/login")

        let staff = try console.staffSignedIn()
        let clients = try staff.get("/admin")
        #expect(clients.status == 200)
        #expect(clients.text.contains("Northwind Traders"))
        #expect(clients.header("Cache-Control") == "no-store")
        // The staff browser has no customer session: the portal sends it to sign-in.
        #expect(try staff.get("/portal/profile").header("Location") == "/login")
        // Staff credentials at the customer sign-in: "Client Portal Access Required".
        let portal = try console.browser().signIn(email: "morgan@msp.example", password: TestConsole.password)
        #expect(portal.status == 403)
        #expect(portal.text.contains("Client Portal Access Required"))
    }

    @Test("Staff sign-in: one message for wrong credentials, lockout after repeated failures, CSRF required")
    func staffSignInRules() throws {
        let console = try TestConsole { $0.accountFailureLimit = 3 }
        try console.seedNorthwind()
        let browser = console.browser()
        let noToken = try browser.post("/admin/login", form: [("email", "morgan@msp.example"), ("password", TestConsole.password)])
        #expect(noToken.status == 403)
        for _ in 0..<2 {
            let wrong = try browser.submit("/admin/login", from: "/admin/login", [("email", "morgan@msp.example"), ("password", "nope")])
            #expect(wrong.status == 401)
            #expect(wrong.text.contains("The email or password is incorrect."))
        }
        let locked = try browser.submit("/admin/login", from: "/admin/login", [("email", "morgan@msp.example"), ("password", "nope")])
        #expect(locked.status == 429)
        let right = try browser.submit("/admin/login", from: "/admin/login",
                                       [("email", "morgan@msp.example"), ("password", TestConsole.password)])
        #expect(right.status == 429, "the right password does not get through a lockout")
    }

    @Test("Client settings change from the client's page, confirmed and audited with the staff member")
    func clientSettings() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        let search = try staff.get("/admin?q=north")
        #expect(search.text.contains("Northwind Traders"))
        #expect(try staff.get("/admin?q=zzz").text.contains("No client matches “zzz”."))
        let clientID = try console.count("SELECT id AS n FROM clients")
        let page = try staff.get("/admin/clients/\(clientID)")
        #expect(page.text.contains("jane@northwind.example"))
        #expect(page.text.contains("Active"))
        let saved = try staff.submit("/admin/clients/\(clientID)/settings", from: "/admin/clients/\(clientID)",
                                     [("portal_enabled", "on"), ("require_mfa", "on"), ("billing_enabled", "on")])
        #expect(saved.status == 200)
        #expect(saved.text.contains("Settings saved: MFA required on."))
        #expect(try console.count("SELECT require_mfa AS n FROM clients") == 1)
        #expect(try console.count("""
            SELECT count(*) AS n FROM audit_events a JOIN staff s ON s.id = a.staff_id
            WHERE a.kind = 'client_updated' AND a.detail = 'MFA required on'
            """) == 1)
    }
}

@Suite struct ImpersonationTests {
    @Test("View as customer needs a reason, then every portal page carries the notice with End session")
    func notice() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        let id = try console.janeID()
        let noReason = try staff.submit("/admin/users/\(id)/impersonate", from: "/admin/users/\(id)", [("reason", "  ")])
        #expect(noReason.status == 422)
        #expect(noReason.text.contains("Give the reason for viewing this account."))

        let browser = try console.impersonating()
        for page in ["/portal/profile", "/portal/profile/security"] {
            let text = try browser.get(page).text
            #expect(text.contains("An administrator (Morgan Reyes) is viewing this account."), "on \(page)")
            #expect(text.contains("Any changes made will affect the real account."))
            #expect(text.contains("action=\"/portal/impersonation/end\""))
        }
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'impersonation_started' AND detail = 'Ticket 4521: profile help' AND staff_id IS NOT NULL AND customer_user_id IS NOT NULL") == 1)

        let end = try browser.submit("/portal/impersonation/end", from: "/portal/profile", [])
        #expect(end.status == 303)
        #expect(end.header("Location") == "/admin/users/\(id)")
        #expect(try browser.get("/portal/profile").header("Location") == "/login", "the view ended")
        #expect(try browser.get("/admin").status == 200, "the staff session goes on")
    }

    @Test("While impersonating: profile edits work and are audited with both identities; lasting-access changes are refused")
    func allowedAndRefused() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        try console.registerKey(try console.signedIn(), SoftAuthenticator(), name: "Jane's key")
        let keyID = try console.count("SELECT id AS n FROM webauthn_credentials")
        let browser = try console.impersonating()
        #expect(try browser.get("/portal/profile/security/passkeys/\(keyID)/delete").status == 403)
        #expect(try browser.submit("/portal/profile/security/passkeys/\(keyID)/delete", from: "/portal/profile", []).status == 403)
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials") == 1)
        let saved = try browser.submit("/portal/profile", from: "/portal/profile", [("name", "Jane Q. Doe"), ("phone", "+1 555 0100")])
        #expect(saved.status == 303)
        #expect(try console.count("""
            SELECT count(*) AS n FROM audit_events WHERE kind = 'profile_updated' AND staff_id IS NOT NULL AND customer_user_id IS NOT NULL
            """) == 1)

        let refusals: [(String, [(String, String)])] = [
            ("/portal/profile/password", [("current_password", TestConsole.password), ("new_password", "another passphrase"),
                                          ("confirm_password", "another passphrase")]),
            ("/portal/profile/security/totp/enable", []),
            ("/portal/profile/security/totp/disable", [("password", TestConsole.password)]),
            ("/portal/profile/security/recovery-codes/regenerate", [("password", TestConsole.password)]),
        ]
        for (action, fields) in refusals {
            let answer = try browser.submit(action, from: "/portal/profile/security", fields)
            #expect(answer.status == 403, "\(action) answered \(answer.status)")
            #expect(answer.text.contains("only the customer can do it"))
        }
        let passkey = try console.ceremony(browser, "/portal/profile/security/passkeys/begin", from: "/portal/profile/security")
        #expect(passkey.status == 403)
        let sessions = try browser.submit("/portal/profile/security/sessions/revoke-others", from: "/portal/profile/security", [])
        #expect(sessions.status == 403)
        #expect(sessions.text.contains("only the customer can do it"))
        #expect(try browser.get("/portal/profile/security").text.contains("cannot be changed"))
        // The password did not change.
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).status == 303)
    }

    @Test("The view ends after 30 minutes, and when the staff session ends")
    func timeLimits() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.impersonating()
        for _ in 0..<3 {
            console.clock.advance(by: 9 * 60)
            #expect(try browser.get("/portal/profile").status == 200)
            #expect(try browser.get("/admin").status == 200)
        }
        console.clock.advance(by: 4 * 60)
        #expect(try browser.get("/portal/profile").header("Location") == "/login", "30 minutes at most")

        let second = try console.impersonating()
        let signOut = try second.submit("/admin/logout", from: "/admin", [])
        #expect(signOut.status == 303)
        #expect(try second.get("/portal/profile").header("Location") == "/login", "the staff session's end ends the view")
        #expect(try console.count("SELECT count(*) AS n FROM sessions WHERE impersonator_staff_id IS NOT NULL") == 0)
    }

    @Test("A disabled account cannot be viewed")
    func disabledRefused() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        try console.sql("UPDATE customer_users SET status = 'disabled'")
        let staff = try console.staffSignedIn()
        let id = try console.janeID()
        let answer = try staff.submit("/admin/users/\(id)/impersonate", from: "/admin/users/\(id)", [("reason", "check")])
        #expect(answer.status == 403)
        #expect(answer.text.contains("A disabled account cannot be viewed."))
    }

    @Test("The audit log shows both sides, filters by user and kind, and the outbox lists held mail")
    func auditAndOutbox() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.signedIn()
        _ = try console.requestReset("jane@northwind.example")
        let browser = try console.impersonating()
        let id = try console.janeID()
        let all = try browser.get("/admin/audit").text
        #expect(all.contains("<code class=\"event__kind\">impersonation_started</code>"))
        #expect(all.contains("<code class=\"event__kind\">staff_sign_in</code>"))
        #expect(all.contains("Morgan Reyes"))
        let filtered = try browser.get("/admin/audit?user=\(id)&kind=sign_in").text
        #expect(filtered.contains("<span class=\"event__name\">Signed in</span><code class=\"event__kind\">sign_in</code>"))
        #expect(!filtered.contains("<code class=\"event__kind\">impersonation_started</code>"))
        let outbox = try browser.get("/admin/outbox").text
        #expect(outbox.contains("Reset your ClientOne password"))
        #expect(!outbox.contains("/login/reset?token="), "a held link is shown only after Show link (issue 15)")
        #expect(outbox.contains(">Show link</button>"))
    }

    @Test("The customer's Security tab tells them an administrator viewed the account, when, and what changed")
    func customerIsTold() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let viewing = try console.impersonating(reason: "Ticket 77 <b>name</b>")
        _ = try viewing.submit("/portal/profile", from: "/portal/profile", [("name", "Jane Q. Doe"), ("phone", "")])
        _ = try viewing.submit("/portal/impersonation/end", from: "/portal/profile", [])

        let jane = try console.signedIn()
        let page = try jane.get("/portal/profile/security").text
        #expect(page.contains("Recent activity"))
        #expect(page.contains("An administrator (Morgan Reyes) viewed your account. Reason: Ticket 77 &lt;b&gt;name&lt;/b&gt;"))
        #expect(page.contains("Profile changed by an administrator (Morgan Reyes)"))
        #expect(page.contains("The administrator&#39;s view of your account ended"))
        #expect(page.contains("Signed in with password"))
        let order = ["Signed in with password", "The administrator&#39;s view", "Profile changed by", "viewed your account"]
            .compactMap { page.range(of: $0)?.lowerBound }
        #expect(order == order.sorted() && order.count == 4, "newest first")
    }
}

@Suite struct UserManagementTests {
    @Test("Add user: refusals beside the fields; then an invited user whose mailed link sets the password")
    func addAndInvite() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        let clientID = try console.count("SELECT id AS n FROM clients")
        let bad = try staff.submit("/admin/clients/\(clientID)/users", from: "/admin/clients/\(clientID)",
                                   [("name", ""), ("email", "not an email"), ("phone", "")])
        #expect(bad.status == 422)
        #expect(bad.text.contains("id=\"new_name-error\""))
        #expect(bad.text.contains("id=\"new_email-error\""))
        #expect(bad.text.contains("value=\"not an email\""), "what was typed comes back")
        let duplicate = try staff.submit("/admin/clients/\(clientID)/users", from: "/admin/clients/\(clientID)",
                                         [("name", "Jane again"), ("email", "JANE@northwind.example"), ("phone", "")])
        #expect(duplicate.status == 422)
        #expect(duplicate.text.contains("A user with this email already exists."))
        #expect(try console.count("SELECT count(*) AS n FROM customer_users") == 1)

        let added = try staff.submit("/admin/clients/\(clientID)/users", from: "/admin/clients/\(clientID)",
                                     [("name", "Pat Lee"), ("email", "pat@northwind.example"), ("phone", "")])
        #expect(added.status == 200)
        #expect(added.text.contains("Pat Lee was added and an invitation was mailed to pat@northwind.example."))
        #expect(added.text.contains("Invited"))
        #expect(try console.browser().signIn(email: "pat@northwind.example", password: "anything at all").status == 401,
                "an invited user cannot sign in yet")
        let mail = try #require(try console.portal.outboxMessages().first { $0.recipient == "pat@northwind.example" })
        #expect(mail.subject == "You're invited to the Northwind Traders Client Portal")
        let link = try #require(mail.body.captures("(http://localhost:\\d+/login/reset\\?token=[A-Za-z0-9_-]+)").first)
        let set = try console.setPassword(via: link, to: "pat's own passphrase")
        #expect(set.status == 303)
        #expect(try console.browser().signIn(email: "pat@northwind.example", password: "pat's own passphrase").status == 303)
        #expect(try console.setPassword(via: link, to: "another passphrase").status == 410, "the link works once")
    }

    @Test("Disable ends every session and blocks sign-in; Enable lets the user back")
    func disableAndEnable() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let jane = try console.signedIn()
        let staff = try console.staffSignedIn()
        let id = try console.janeID()
        let disabled = try staff.submit("/admin/users/\(id)/disable", from: "/admin/users/\(id)/disable", [])
        #expect(disabled.text.contains("Jane Doe is disabled and was signed out everywhere."))
        #expect(try jane.get("/portal/profile").header("Location") == "/login")
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).status == 403)
        let enabled = try staff.submit("/admin/users/\(id)/enable", from: "/admin/users/\(id)", [])
        #expect(enabled.text.contains("Jane Doe is enabled again."))
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).status == 303)
        #expect(try console.auditKinds("customer_disabled") == 1)
        #expect(try console.auditKinds("customer_enabled") == 1)
    }

    @Test("Unlock lifts a lockout; Reset two-factor removes the authenticator and mails the user")
    func unlockAndResetSecondFactor() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        _ = enrolled
        for _ in 0..<5 { _ = try console.browser().signIn(email: "jane@northwind.example", password: "wrong guess") }
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).status == 429)
        let staff = try console.staffSignedIn()
        let id = try console.janeID()
        let page = try staff.get("/admin/users/\(id)").text
        #expect(page.contains("Locked (too many failed sign-ins)"))
        #expect(page.contains("Authenticator app on"))
        let unlocked = try staff.submit("/admin/users/\(id)/unlock", from: "/admin/users/\(id)", [])
        #expect(unlocked.text.contains("Jane Doe can sign in again."))
        let password = try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(password.header("Location") == "/login/mfa", "unlocked; the authenticator is still on")

        let reset = try staff.submit("/admin/users/\(id)/reset-2fa", from: "/admin/users/\(id)/reset-2fa", [])
        #expect(reset.text.contains("were removed, and jane@northwind.example was told by mail."))
        let after = try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(after.header("Location") == "/portal/profile")
        #expect(try console.portal.outboxMessages().contains { $0.subject == "Your two-factor authentication was reset" })
        #expect(try console.count("SELECT count(*) AS n FROM recovery_codes") == 0)
        let again = try staff.submit("/admin/users/\(id)/reset-2fa", from: "/admin/users/\(id)", [])
        #expect(again.status == 409)
    }

    @Test("Link an existing sign-in: the Client Portal Access Required fix")
    func link() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.portal.addCustomer(NewCustomer(client: "Northwind Traders", email: "kim@northwind.example", name: "Kim",
                                                       password: TestConsole.password))
        try console.sql("UPDATE customer_users SET client_id = NULL WHERE email = 'kim@northwind.example'")
        let before = try console.browser().signIn(email: "kim@northwind.example", password: TestConsole.password)
        #expect(before.text.contains("Client Portal Access Required"))
        let staff = try console.staffSignedIn()
        let clientID = try console.count("SELECT id AS n FROM clients")
        let taken = try staff.submit("/admin/clients/\(clientID)/link", from: "/admin/clients/\(clientID)",
                                     [("email", "jane@northwind.example")])
        #expect(taken.status == 422)
        #expect(taken.text.contains("jane@northwind.example already belongs to Northwind Traders."))
        let linked = try staff.submit("/admin/clients/\(clientID)/link", from: "/admin/clients/\(clientID)",
                                      [("email", "kim@northwind.example")])
        #expect(linked.text.contains("kim@northwind.example is now a user of Northwind Traders."))
        #expect(try console.browser().signIn(email: "kim@northwind.example", password: TestConsole.password).status == 303)
    }
}

@Suite struct StaffAuthenticatorTests {
    @Test("Staff turn on their own authenticator; /admin/login then asks for the code, once per code")
    func staffTwoFactor() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        #expect(try staff.get("/admin/security").text.contains("badge--off"))
        let started = try staff.submit("/admin/security/totp/enable", from: "/admin/security", [])
        #expect(started.header("Location") == "/admin/security/totp/setup")
        let setup = try staff.follow(started)
        #expect(setup.status == 200)
        #expect(setup.text.contains("action=\"/admin/security/totp/verify\""))
        let svg = try #require(setup.text.captures("(<svg.*?</svg>)").first)
        let uri = try Oracles.decodeQR(svg: svg)
        #expect(uri.hasPrefix("otpauth://totp/ClientOne%20Console%20Admin:morgan"), "got \(uri)")
        let secret = try #require(uri.captures("secret=([A-Z2-7]+)").first)
        let id = try console.setupID(setup)
        let wrong = try staff.post("/admin/security/totp/verify", form: [("csrf_token", try staff.csrfToken(from: setup)), ("setup", id),
                                                                         ("code", "000000")])
        #expect(wrong.status == 422)
        let verified = try staff.post("/admin/security/totp/verify",
                                      form: [("csrf_token", try staff.csrfToken(from: setup)), ("setup", id),
                                             ("code", try Oracles.totp(base32: secret, at: console.clock.now()))])
        #expect(verified.header("Location") == "/admin/security?done=on")

        console.clock.advance(by: 30)
        let browser = console.browser()
        let password = try browser.submit("/admin/login", from: "/admin/login",
                                          [("email", "morgan@msp.example"), ("password", TestConsole.password)])
        #expect(password.header("Location") == "/admin/login")
        #expect(try browser.get("/admin").header("Location") == "/admin/login", "the password alone opens nothing")
        #expect(try browser.get("/admin/login").text.contains("Authenticator code"))
        let bad = try browser.submit("/admin/login", from: "/admin/login", [("code", "123456")])
        #expect(bad.status == 401)
        let code = try Oracles.totp(base32: secret, at: console.clock.now())
        let good = try browser.submit("/admin/login", from: "/admin/login", [("code", code)])
        #expect(good.header("Location") == "/admin")
        #expect(try browser.get("/admin").status == 200)

        let replay = console.browser()
        _ = try replay.submit("/admin/login", from: "/admin/login", [("email", "morgan@msp.example"), ("password", TestConsole.password)])
        #expect(try replay.submit("/admin/login", from: "/admin/login", [("code", code)]).status == 401, "a code works once")

        #expect(try browser.get("/admin/security").text.contains("<a class=\"button button--danger-quiet\" href=\"/admin/security/totp/disable\">Turn off…</a>"))
        let ask = try browser.get("/admin/security/totp/disable")
        #expect(ask.text.contains("Turn off the authenticator app?") && ask.text.contains("<button type=\"submit\" class=\"button button--danger\">Turn off authenticator app</button>"))
        let keep = try browser.submit("/admin/security/totp/disable", from: "/admin/security/totp/disable", [("password", "wrong")])
        #expect(keep.status == 422)
        #expect(keep.text.contains("Turn off the authenticator app?") && keep.text.contains("field--error"), "the error is on the confirmation page")
        #expect(try console.auditKinds("staff_authenticator_disabled") == 0)
        let off = try browser.submit("/admin/security/totp/disable", from: "/admin/security/totp/disable", [("password", TestConsole.password)])
        #expect(off.header("Location") == "/admin/security?done=off")
        #expect(try console.auditKinds("staff_authenticator_enabled") == 1)
        #expect(try console.auditKinds("staff_authenticator_disabled") == 1)
    }
}

@Suite struct StaffPasskeyTests {
    @Test("Staff add a key at /admin/security; /admin/login then takes it as the second step; it opens nothing on the customer side")
    func staffKey() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        let key = SoftAuthenticator()
        let begin = try console.ceremony(staff, "/admin/security/passkeys/begin", from: "/admin/security")
        #expect(begin.status == 200)
        #expect(((begin.object["publicKey"] as? [String: Any])?["user"] as? [String: Any])?["name"] as? String == "morgan@msp.example")
        let finish = try console.ceremony(staff, "/admin/security/passkeys/finish", from: "/admin/security",
                                          body: ["credential": try key.register(options: begin.body, origin: console.origin), "name": "Desk key"])
        #expect(finish.object["redirect"] as? String == "/admin/security?done=key-added")
        let page = try staff.get("/admin/security?done=key-added").text
        #expect(page.contains("Desk key"))
        #expect(page.contains("action=\"/admin/security/passkeys/begin\""))
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials WHERE staff_id IS NOT NULL") == 1)

        let browser = console.browser()
        let password = try browser.submit("/admin/login", from: "/admin/login",
                                          [("email", "morgan@msp.example"), ("password", TestConsole.password)])
        #expect(password.header("Location") == "/admin/login")
        let step = try browser.get("/admin/login").text
        #expect(step.contains("data-passkey-signin=\"/admin/login/passkey\""))
        #expect(!step.contains("Authenticator code"), "no authenticator app: no code field")
        #expect(try browser.get("/admin").header("Location") == "/admin/login")
        let options = try console.ceremony(browser, "/admin/login/passkey/begin", from: "/admin/login")
        let signedIn = try console.ceremony(browser, "/admin/login/passkey/finish", from: "/admin/login",
                                            body: ["credential": try key.authenticate(options: options.body, origin: console.origin)])
        #expect(signedIn.status == 200)
        #expect(signedIn.object["redirect"] as? String == "/admin")
        #expect(try browser.get("/admin").status == 200)

        // The staff key is no customer key.
        let (_, customer) = try console.signInWithKey(key)
        #expect(customer.status == 401)
        #expect(customer.object["error"] as? String == "That passkey isn't registered for an account here. Sign in with your email instead.")

        let id = try console.count("SELECT id AS n FROM webauthn_credentials")
        #expect(try browser.get("/admin/security/passkeys/\(id)/delete").text.contains("Remove “Desk key”?"))
        // Removing a staff key asks for the password, as turning off the authenticator does.
        let unconfirmed = try browser.submit("/admin/security/passkeys/\(id)/delete", from: "/admin/security/passkeys/\(id)/delete",
                                             [("password", "not my password")])
        #expect(unconfirmed.status == 422)
        #expect(unconfirmed.text.contains("That isn&#39;t your password."))
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials") == 1)
        let removed = try browser.submit("/admin/security/passkeys/\(id)/delete", from: "/admin/security/passkeys/\(id)/delete",
                                         [("password", TestConsole.password)])
        #expect(removed.header("Location") == "/admin/security?done=key-removed")
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials") == 0)
        // A customer cannot remove a staff key, nor a staff member a customer's.
        let jane = try console.signedIn()
        try console.registerKey(jane, SoftAuthenticator())
        let janeKey = try console.count("SELECT id AS n FROM webauthn_credentials")
        #expect(try browser.get("/admin/security/passkeys/\(janeKey)/delete").status == 404)
    }
}
