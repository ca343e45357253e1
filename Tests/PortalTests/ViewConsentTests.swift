import Foundation
import Portal
import Store
import Testing
import TestSupport

/// Issue 20, point 1: where a client's customers approve administrator views, "View as customer" asks the
/// customer first (Security tab and mail), and opens once they allow it, or at once under access they
/// granted ahead of time; revoking ends a view in progress on its next request. Everything through the
/// real server, the mail through a real SMTP server.
extension TestConsole {
    /// Northwind with "Customers approve administrator views" on.
    @discardableResult
    func seedConsentingNorthwind() throws -> CustomerUser {
        let jane = try seedNorthwind()
        _ = try portal.updateClient("Northwind Traders", settings: ClientSettings(viewConsent: true))
        return jane
    }

    /// Morgan's "View as customer" with a reason; the answer as it came.
    func askToView(_ staff: HTTPClient, reason: String = "Ticket 4521: profile help") throws -> HTTPResponse {
        let id = try janeID()
        return try staff.submit("/admin/users/\(id)/impersonate", from: "/admin/users/\(id)", [("reason", reason)])
    }

    /// The newest request or grant of Jane's.
    func newestConsentID() throws -> Int64 { Int64(try count("SELECT max(id) AS n FROM view_consents")) }

    func consentState(_ id: Int64) throws -> String {
        let db = try Database(path: directory.file("console.db"))
        defer { db.close() }
        return try db.queryOne("SELECT state FROM view_consents WHERE id = ?", [id])?.string("state") ?? "none"
    }

    func openViews() throws -> Int { try count("SELECT count(*) AS n FROM sessions WHERE impersonator_staff_id IS NOT NULL") }

    func events(_ kind: String) throws -> Int { try count("SELECT count(*) AS n FROM audit_events WHERE kind = ?", kind) }
}

extension HTTPClient {
    /// A POST from the customer's Security tab (its CSRF token).
    func fromSecurityTab(_ action: String, _ fields: [(String, String)] = []) throws -> HTTPResponse {
        try submit("/portal/profile/security/administrator-access\(action)", from: "/portal/profile/security", fields)
    }
}

@Suite struct ViewConsentTests {
    @Test("Setting off (the default): no Administrator access card, and View as customer opens at once as before")
    func offByDefault() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let jane = try console.signedIn()
        #expect(!(try jane.get("/portal/profile/security").text.contains("Administrator access")))
        let staff = try console.staffSignedIn()
        let answer = try console.askToView(staff)
        #expect(answer.status == 303 && answer.header("Location") == "/portal/profile")
        #expect(try console.count("SELECT count(*) AS n FROM view_consents") == 0)
        #expect(try console.events("impersonation_started") == 1)
    }

    @Test("On: View as customer sends a request, opens nothing; Jane sees it and gets the mail; allowed, it opens once, for its administrator only")
    func requestAllowOpenOnce() throws {
        let sink = try SMTPSink.start()
        let console = try TestConsole { $0.smtp = "127.0.0.1:\(sink.port)" }
        try console.seedConsentingNorthwind()
        _ = try console.portal.addStaff(email: "alex@msp.example", name: "Alex Kim", password: TestConsole.password)
        let id = try console.janeID()
        let staff = try console.staffSignedIn()

        let asked = try console.askToView(staff)
        #expect(asked.status == 303)
        #expect(asked.header("Location") == "/admin/users/\(id)?view=requested")
        #expect(try console.openViews() == 0)
        #expect(try staff.get("/portal/profile").header("Location") == "/login", "no view opened")
        let waiting = try staff.get("/admin/users/\(id)").text
        #expect(waiting.contains("Waiting for Jane Doe to allow your request."))
        #expect(waiting.contains("Reason: “Ticket 4521: profile help”"))
        #expect(!waiting.contains("action=\"/admin/users/\(id)/impersonate\""), "no second request while one waits")
        let again = try staff.post("/admin/users/\(id)/impersonate", form: [("csrf_token", try staff.csrfToken(from: try staff.get("/admin"))),
                                                                          ("reason", "again")])
        #expect(again.status == 403 && again.text.contains("already waiting"))
        #expect(try console.count("SELECT count(*) AS n FROM view_consents") == 1)

        // The mail: the exact sentence, and a link to the Security tab that approves nothing by itself.
        let mail = try #require(try sink.waitForMessages(1).first, "no request mail reached the SMTP server")
        #expect(mail.record.rcpt_tos == ["jane@northwind.example"])
        #expect(mail.record.headers["Subject"] == "Morgan Reyes of ClientOne Console asks to view your account")
        let body = try #require(mail.record.body)
        #expect(body.contains("Morgan Reyes of ClientOne Console asks to view your account: Ticket 4521: profile help"))
        #expect(body.contains("http://localhost:\(console.port)/portal/profile/security#administrator-access"))
        #expect(!body.contains("/allow") && !body.contains("token="), "no link that approves by itself")

        let jane = try console.signedIn()
        let tab = try jane.get("/portal/profile/security").text
        #expect(tab.contains("Administrator access"))
        #expect(tab.contains("Morgan Reyes of ClientOne Console asks to view your account:</strong> Ticket 4521: profile help"))
        #expect(tab.contains(">Allow for 30 minutes</button>") && tab.contains(">Decline</button>"))
        #expect(tab.contains("Let my IT provider view my account"))

        let request = try console.newestConsentID()
        let allowed = try jane.fromSecurityTab("/requests/\(request)/allow")
        #expect(allowed.status == 303 && allowed.header("Location") == "/portal/profile/security#administrator-access")
        let afterAllow = try jane.get("/portal/profile/security").text
        #expect(afterAllow.contains("Allowed for 30 minutes."))
        #expect(afterAllow.contains("Morgan Reyes can view your account</strong> until"))
        #expect(afterAllow.contains(">Revoke now</button>"))
        #expect(try console.openViews() == 0, "allowing opens nothing by itself")

        // Another staff member cannot use Morgan's request.
        let alex = console.browser()
        _ = try alex.submit("/admin/login", from: "/admin/login", [("email", "alex@msp.example"), ("password", TestConsole.password)])
        let stolen = try alex.submit("/admin/users/\(id)/open-view", from: "/admin/users/\(id)", [("request", String(request))])
        #expect(stolen.status == 403)
        #expect(try console.openViews() == 0)

        let page = try staff.get("/admin/users/\(id)").text
        #expect(page.contains("Jane Doe allowed your request"))
        #expect(page.contains(">Open the view</button>"))
        let opened = try staff.submit("/admin/users/\(id)/open-view", from: "/admin/users/\(id)", [("request", String(request))])
        #expect(opened.status == 303 && opened.header("Location") == "/portal/profile")
        let profile = try staff.get("/portal/profile")
        #expect(profile.status == 200 && profile.text.contains("An administrator (Morgan Reyes) is viewing this account."))
        #expect(try console.openViews() == 1)

        // Once: the same request opens no second view.
        let twice = try staff.submit("/admin/users/\(id)/open-view", from: "/admin/users/\(id)", [("request", String(request))])
        #expect(twice.status == 403)
        #expect(try console.openViews() == 1)

        for kind in ["view_requested", "view_request_allowed", "view_opened_with_consent"] {
            #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = ? AND staff_id IS NOT NULL AND customer_user_id = ?",
                                      kind, id) == 1, "\(kind) audited with both identities")
        }
        #expect(try console.events("impersonation_started") == 0)
        let audit = try staff.get("/admin/audit").text
        #expect(audit.contains("Asked the customer to allow a view") && audit.contains("View request allowed")
                && audit.contains("Viewed as customer, with consent"))
        let activity = try jane.get("/portal/profile/security").text
        #expect(activity.contains("An administrator (Morgan Reyes) asked to view your account. Reason: Ticket 4521: profile help"))
        #expect(activity.contains("You allowed an administrator (Morgan Reyes) to view your account for 30 minutes"))
        #expect(activity.contains("An administrator (Morgan Reyes) viewed your account with your permission. Reason: Ticket 4521: profile help"))
        #expect(activity.contains("(viewing it now)"))
    }

    @Test("Declined: the view never opens, and the administrator's page says so")
    func decline() throws {
        let console = try TestConsole()
        try console.seedConsentingNorthwind()
        let id = try console.janeID()
        let staff = try console.staffSignedIn()
        _ = try console.askToView(staff)
        let request = try console.newestConsentID()
        let jane = try console.signedIn()
        let declined = try jane.fromSecurityTab("/requests/\(request)/decline")
        #expect(declined.status == 303)
        #expect(try jane.get("/portal/profile/security").text.contains("Declined. The administrator cannot view your account."))
        #expect(try console.consentState(request) == "declined")
        let refused = try staff.submit("/admin/users/\(id)/open-view", from: "/admin/users/\(id)", [("request", String(request))])
        #expect(refused.status == 403)
        #expect(try console.openViews() == 0)
        #expect(try staff.get("/admin/users/\(id)").text.contains("Jane Doe declined your last request"))
        // Answered once: allowing it afterwards changes nothing.
        let late = try jane.fromSecurityTab("/requests/\(request)/allow")
        #expect(late.status == 409 && late.text.contains("no longer waiting"))
        #expect(try console.consentState(request) == "declined")
        #expect(try console.events("view_request_declined") == 1)
        #expect(try jane.get("/portal/profile/security").text.contains("You declined a request from an administrator (Morgan Reyes) to view your account"))
    }

    @Test("A request nobody answers expires after a day (recorded); one allowed but not opened within 30 minutes opens nothing")
    func expiry() throws {
        let console = try TestConsole()
        try console.seedConsentingNorthwind()
        let id = try console.janeID()
        _ = try console.askToView(try console.staffSignedIn())
        let request = try console.newestConsentID()
        console.clock.advance(by: 24 * 3600 + 1)
        let staff = try console.staffSignedIn()
        let page = try staff.get("/admin/users/\(id)").text
        #expect(page.contains("Your last request was not answered or used in time"))
        #expect(page.contains("action=\"/admin/users/\(id)/impersonate\""), "asking again is offered")
        #expect(try console.consentState(request) == "expired")
        #expect(try console.events("view_request_expired") == 1)
        let jane = try console.signedIn()
        let tab = try jane.get("/portal/profile/security").text
        #expect(!tab.contains(">Allow for 30 minutes</button>"))
        #expect(tab.contains("A request from an administrator (Morgan Reyes) to view your account expired without a view"))
        #expect(try jane.fromSecurityTab("/requests/\(request)/allow").status == 409)

        // Allowed, then not opened in time.
        _ = try console.askToView(staff)
        let second = try console.newestConsentID()
        #expect(try jane.fromSecurityTab("/requests/\(second)/allow").status == 303)
        console.clock.advance(by: 20 * 60)
        _ = try staff.get("/admin")
        _ = try jane.get("/portal/profile")
        console.clock.advance(by: 11 * 60)
        let late = try staff.submit("/admin/users/\(id)/open-view", from: "/admin/users/\(id)", [("request", String(second))])
        #expect(late.status == 403)
        #expect(try console.openViews() == 0)
        #expect(try console.consentState(second) == "expired")
        #expect(try console.events("view_request_expired") == 2)
    }

    @Test("Access granted ahead opens any staff member's view at once; Revoke now ends the view in progress on its next request")
    func grantAndRevoke() throws {
        let console = try TestConsole()
        try console.seedConsentingNorthwind()
        let id = try console.janeID()
        let jane = try console.signedIn()
        #expect(try jane.fromSecurityTab("/grant", [("duration", "1h")]).status == 303)
        let tab = try jane.get("/portal/profile/security").text
        #expect(tab.contains("Your IT provider can view your account</strong> until"))
        #expect(try console.events("view_access_granted") == 1)
        #expect(tab.contains("You let your IT provider view your account for 1 hour"))

        let staff = try console.staffSignedIn()
        #expect(try staff.get("/admin/users/\(id)").text.contains("Jane Doe lets the IT provider view the account until"))
        let opened = try console.askToView(staff, reason: "Ticket 77: printer settings")
        #expect(opened.status == 303 && opened.header("Location") == "/portal/profile")
        #expect(try staff.get("/portal/profile").text.contains("An administrator (Morgan Reyes) is viewing this account."))
        #expect(try console.events("view_opened_with_consent") == 1)
        // The view ends with the grant: never later than its end.
        #expect(try console.count("SELECT count(*) AS n FROM sessions s JOIN view_consents v ON v.id = s.view_consent_id WHERE s.expires_at <= v.expires_at") == 1)

        let grant = try console.newestConsentID()
        let revoked = try jane.fromSecurityTab("/\(grant)/revoke")
        #expect(revoked.status == 303)
        #expect(try jane.get("/portal/profile/security").text.contains("Revoked. A view in progress ends on its next page."))
        #expect(try console.consentState(grant) == "revoked")

        let next = try staff.get("/portal/profile")
        #expect(next.status == 303)
        #expect(next.header("Location") == "/admin/users/\(id)?view=ended", "back to the administrator's page, not the account")
        #expect(!next.text.contains("Jane Doe"))
        #expect(try console.openViews() == 0)
        #expect(try staff.get("/portal/profile/security").header("Location") == "/login")
        #expect(try staff.get("/admin/users/\(id)?view=ended").text.contains("Jane Doe revoked your access, or it ran out: the view ended."))
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'impersonation_ended' AND detail = 'the customer''s consent no longer holds'") == 1)
        #expect(try console.events("view_access_revoked") == 1)
        #expect(try jane.get("/portal/profile/security").text.contains("You ended the access you gave your IT provider to your account"))
        // Without the grant, View as customer asks again.
        let asked = try console.askToView(staff)
        #expect(asked.header("Location") == "/admin/users/\(id)?view=requested")
    }

    @Test("Revoking a request Jane allowed ends the view opened under it")
    func revokeAllowedRequest() throws {
        let console = try TestConsole()
        try console.seedConsentingNorthwind()
        let id = try console.janeID()
        let staff = try console.staffSignedIn()
        _ = try console.askToView(staff)
        let request = try console.newestConsentID()
        let jane = try console.signedIn()
        _ = try jane.fromSecurityTab("/requests/\(request)/allow")
        _ = try staff.submit("/admin/users/\(id)/open-view", from: "/admin/users/\(id)", [("request", String(request))])
        #expect(try staff.get("/portal/profile").status == 200)
        #expect(try jane.fromSecurityTab("/\(request)/revoke").status == 303)
        #expect(try staff.get("/portal/profile/security").header("Location") == "/admin/users/\(id)?view=ended")
        #expect(try console.openViews() == 0)
        #expect(try jane.get("/portal/profile/security").text.contains("You revoked the access you gave an administrator (Morgan Reyes)"))
    }

    @Test("Turning the setting on ends a view opened without consent on its next request")
    func settingOnEndsUnconsentedView() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.impersonating()
        #expect(try browser.get("/portal/profile").status == 200)
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(viewConsent: true))
        #expect(try browser.get("/portal/profile").header("Location")?.hasPrefix("/admin/users/") == true)
        #expect(try console.openViews() == 0)
    }

    @Test("An administrator inside a view cannot allow, grant or revoke (403, nothing changes)")
    func notFromInsideAView() throws {
        let console = try TestConsole()
        try console.seedConsentingNorthwind()
        let staff = try console.staffSignedIn()
        _ = try console.askToView(staff)
        let request = try console.newestConsentID()
        let jane = try console.signedIn()
        _ = try jane.fromSecurityTab("/grant", [("duration", "1h")])
        let grant = try console.newestConsentID()
        let until = try console.count("SELECT expires_at AS n FROM view_consents WHERE id = ?", grant)
        // The grant opens Morgan's view at once; his own request still waits.
        let opened = try console.askToView(staff)
        #expect(opened.header("Location") == "/portal/profile")
        let tab = try staff.get("/portal/profile/security").text
        #expect(tab.contains("Only Jane Doe can change this."))
        #expect(!tab.contains("/requests/\(request)/allow\""), "no Allow form inside the view")

        for (action, fields) in [("/requests/\(request)/allow", [(String, String)]()), ("/requests/\(request)/decline", []),
                                 ("/grant", [("duration", "1d")]), ("/\(grant)/revoke", [])] {
            let answer = try staff.fromSecurityTab(action, fields)
            #expect(answer.status == 403, "\(action) answered \(answer.status)")
            #expect(answer.text.contains("Not available while an administrator views this account"))
        }
        #expect(try console.consentState(request) == "requested")
        #expect(try console.consentState(grant) == "allowed")
        #expect(try console.count("SELECT expires_at AS n FROM view_consents WHERE id = ?", grant) == until)
        #expect(try console.count("SELECT count(*) AS n FROM view_consents") == 2)
        #expect(try console.events("view_request_allowed") == 0)
    }

    @Test("Forged POSTs without the CSRF token, another customer's POSTs and bad input change nothing")
    func forgedAndForeign() throws {
        let console = try TestConsole()
        try console.seedConsentingNorthwind()
        _ = try console.portal.addCustomer(NewCustomer(client: "Northwind Traders", email: "bob@northwind.example", name: "Bob Stone",
                                                       password: TestConsole.password))
        _ = try console.askToView(try console.staffSignedIn())
        let request = try console.newestConsentID()
        let jane = try console.signedIn()
        _ = try jane.get("/portal/profile/security")
        let base = "/portal/profile/security/administrator-access"
        for action in ["/requests/\(request)/allow", "/requests/\(request)/decline", "/grant"] {
            let forged = try jane.post(base + action, form: [("duration", "1d")])
            #expect(forged.status == 403, "\(action) without a token answered \(forged.status)")
        }
        #expect(try console.consentState(request) == "requested")

        let bob = try console.signedIn("bob@northwind.example")
        #expect(!(try bob.get("/portal/profile/security").text.contains("Ticket 4521")), "Bob does not see Jane's request")
        #expect(try bob.fromSecurityTab("/requests/\(request)/allow").status == 404)
        #expect(try bob.fromSecurityTab("/\(request)/revoke").status == 404)
        #expect(try console.consentState(request) == "requested")

        let badDuration = try jane.fromSecurityTab("/grant", [("duration", "forever")])
        #expect(badDuration.status == 422 && badDuration.text.contains("Choose for how long: 1 hour or 1 day."))
        #expect(try jane.fromSecurityTab("/requests/999999/allow").status == 404)
        #expect(try jane.fromSecurityTab("/\(request)/revoke").status == 409, "a request waiting is declined, not revoked")
        #expect(try console.count("SELECT count(*) AS n FROM view_consents") == 1)
        #expect(try console.events("view_access_granted") == 0)
    }

    @Test("The client's page sets “Customers approve administrator views”, audited in the settings' format")
    func clientSetting() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        let clientID = try console.count("SELECT id AS n FROM clients")
        let page = try staff.get("/admin/clients/\(clientID)").text
        #expect(page.contains("Customers approve administrator views"))
        #expect(page.contains("name=\"view_consent\""))
        let saved = try staff.submit("/admin/clients/\(clientID)/settings", from: "/admin/clients/\(clientID)",
                                     [("portal_enabled", "on"), ("billing_enabled", "on"), ("view_consent", "on")])
        #expect(saved.text.contains("Settings saved: customers approve administrator views on."))
        #expect(try console.count("SELECT view_consent AS n FROM clients") == 1)
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'client_updated' AND detail = 'customers approve administrator views on' AND staff_id IS NOT NULL") == 1)
        let jane = try console.signedIn()
        #expect(try jane.get("/portal/profile/security").text.contains("Administrator access"))
    }

    @Test("client set --view-consent on|off changes that setting alone, says so, and refuses anything else")
    func commandLine() throws {
        let cli = CLI()
        try cli.run(["client", "add", "--name", "Contoso"])
        let on = try cli.run(["client", "set", "contoso", "--view-consent", "on"])
        #expect(on.status == 0)
        #expect(on.stdout.contains("portal on, sso-only off, require-mfa off, billing off, verify-callers on, view-consent on"))
        #expect(try cli.count("SELECT view_consent AS n FROM clients") == 1)
        #expect(try cli.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'client_updated' AND detail = 'customers approve administrator views on'") == 1)
        let bad = try cli.run(["client", "set", "contoso", "--view-consent", "maybe"])
        #expect(bad.status != 0)
        #expect(try cli.count("SELECT view_consent AS n FROM clients") == 1)
        let off = try cli.run(["client", "set", "contoso", "--view-consent", "off"])
        #expect(off.status == 0 && off.stdout.contains("view-consent off"))
        #expect(try cli.count("SELECT view_consent AS n FROM clients") == 0)
    }
}
