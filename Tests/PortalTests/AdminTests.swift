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
        let browser = try console.impersonating()
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
        #expect(all.contains("impersonation_started"))
        #expect(all.contains("staff_sign_in"))
        #expect(all.contains("Morgan Reyes"))
        let filtered = try browser.get("/admin/audit?user=\(id)&kind=sign_in").text
        #expect(filtered.contains("<td>sign_in</td>"))
        #expect(!filtered.contains("<td>impersonation_started</td>"))
        let outbox = try browser.get("/admin/outbox").text
        #expect(outbox.contains("Reset your ClientOne password"))
        #expect(outbox.contains("/login/reset?token="))
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
