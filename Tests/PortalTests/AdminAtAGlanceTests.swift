import Foundation
import Portal
import Testing
import TestSupport

/// The administrator's side as staff read it (issue 18, item 5 and the administrator half of item 6): a
/// header that says "Administrator", readable audit events with their raw kind beside, filters by name
/// or email, statuses as badges, "View as customer" only where it would work, and every destructive
/// action red and confirmed on a page of its own before anything changes.
@Suite struct AdminAtAGlanceTests {
    /// The rows of a page's table (its `<tbody>`), without the filters above it.
    static func tableBody(_ page: HTTPResponse) -> Substring {
        let text = page.text
        guard let start = text.range(of: "<tbody"), let end = text.range(of: "</tbody>") else { return "" }
        return text[start.lowerBound..<end.upperBound]
    }

    static func rowCount(_ page: HTTPResponse) -> Int {
        tableBody(page).components(separatedBy: "<tr role=\"row\">").count - 1
    }

    @Test("Staff pages say “Administrator” in the header and speak to staff in the footer; the customer's pages do not")
    func staffFrame() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        for path in ["/admin", "/admin/audit", "/admin/outbox", "/admin/security", "/admin/users/\(try console.janeID())"] {
            let text = try staff.get(path).text
            #expect(text.contains("<span class=\"brand__role\">Administrator</span>"), "\(path)")
            #expect(text.contains("<body class=\"staff\">"), "\(path): the wide staff layout")
            #expect(!text.contains("Your IT provider manages this portal"), "\(path)")
            #expect(text.contains("MSP administrator pages."), "\(path)")
        }
        let login = try console.browser().get("/admin/login").text
        #expect(login.contains("<span class=\"brand__role\">Administrator</span>"))
        #expect(!login.contains("Your IT provider manages this portal"))
        let customer = try console.signedIn().get("/portal/profile").text
        #expect(!customer.contains("brand__role"))
        #expect(customer.contains("Your IT provider manages this portal"))
    }

    @Test("The audit log shows readable event names with the raw kind beside them, and the Event filter lists names")
    func readableEvents() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.signedIn()
        let browser = try console.impersonating(reason: "Ticket 9: a reason long enough to need wrapping, never cut")
        _ = try browser.submit("/portal/impersonation/end", from: "/portal/profile", [])
        let page = try browser.get("/admin/audit")
        let rows = Self.tableBody(page)
        #expect(rows.contains("<span class=\"event__name\">Viewed as customer</span><code class=\"event__kind\">impersonation_started</code>"))
        #expect(rows.contains("<span class=\"event__name\">Signed in</span><code class=\"event__kind\">sign_in</code>"))
        #expect(rows.contains("<span class=\"event__name\">View as customer ended</span>"))
        #expect(rows.contains("<td role=\"cell\" data-label=\"Detail\" class=\"table__detail\">Ticket 9: a reason long enough to need wrapping, never cut</td>"),
                "the whole reason, in the cell that wraps")
        #expect(rows.contains("data-label=\"When\" class=\"table__when\""), "the date stays on one line")
        #expect(page.text.contains("<option value=\"impersonation_started\">Viewed as customer</option>"))
        #expect(page.text.contains("<option value=\"sign_in\">Signed in</option>"))

        let filtered = try browser.get("/admin/audit?kind=impersonation_started")
        #expect(Self.rowCount(filtered) == 1)
        #expect(filtered.text.contains("<option value=\"impersonation_started\" selected>Viewed as customer</option>"))
        #expect(!Self.tableBody(filtered).contains("event__kind\">sign_in<"))
        let unknown = try browser.get("/admin/audit?kind=no_such_kind")
        #expect(Self.rowCount(unknown) == Self.rowCount(try browser.get("/admin/audit")), "a kind the log does not hold filters nothing out")
    }

    /// The raw values of `AuditKind`, read from its source: the test's own list of what the console writes.
    static func kindsInSource() throws -> Set<String> {
        let source = try String(contentsOf: TestConsole.repositoryRoot.appendingPathComponent("Sources/Portal/Services/Audit.swift"),
                                encoding: .utf8)
        let body = try #require(source.components(separatedBy: "enum AuditKind").dropFirst().first?.components(separatedBy: "\n}").first)
        return Set(body.captures(#"case \w+ = "([a-z_]+)""#))
    }

    @Test("Every kind the console writes has a readable name, and nothing writes an audit event but the one writer")
    func everyKindNamed() throws {
        let written = try Self.kindsInSource()
        #expect(written.count > 40)
        #expect(Set(AuditEventNames.kinds) == written)
        var names: Set<String> = []
        for kind in written.sorted() {
            let name = try #require(AuditEventNames.name(ofKind: kind), "\(kind) has no readable name")
            #expect(name != kind && !name.contains("_"), "\(kind) reads \(name)")
            #expect(names.insert(name).inserted, "\(name) names two kinds")
        }
        // Every event goes through Audit.record, so AuditKind is the whole list of what is written.
        let sources = TestConsole.repositoryRoot.appendingPathComponent("Sources")
        var writers: [String] = []
        for case let file as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)! where file.pathExtension == "swift" {
            if try String(contentsOf: file, encoding: .utf8).contains("INSERT INTO audit_events") { writers.append(file.lastPathComponent) }
        }
        #expect(writers == ["Audit.swift"])

        // And the page shows each one by its name: one event of every kind, listed by the Event filter.
        let console = try TestConsole()
        try console.seedNorthwind()
        for kind in written { try console.sql("INSERT INTO audit_events (at, kind, ip, detail) VALUES (1800000000, ?, '', '')", kind) }
        let page = try console.staffSignedIn().get("/admin/audit").text
        for kind in written {
            let name = AuditEventNames.name(ofKind: kind) ?? ""
            #expect(page.contains("<option value=\"\(kind)\">\(HTMLText.escaped(name))</option>"), "\(kind)")
        }
        // A kind an older version wrote still reads as words.
        #expect(AuditEventNames.displayName(ofKind: "legacy_kind") == "Legacy kind")
    }

    @Test("The audit filters pick a client by name and a user by name or email; an exact email finds that user alone")
    func filtersByNameAndEmail() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.portal.addClient(name: "Contoso Health", settings: ClientSettings())
        _ = try console.portal.addCustomer(NewCustomer(client: "Contoso Health", email: "alex@contoso.example", name: "Alex Kim",
                                                       password: TestConsole.password))
        _ = try console.portal.addCustomer(NewCustomer(client: "Northwind Traders", email: "mary.jane@northwind.example",
                                                       name: "Mary Jane Watson", password: TestConsole.password))
        for email in ["jane@northwind.example", "alex@contoso.example", "mary.jane@northwind.example"] { _ = try console.signedIn(email) }
        let staff = try console.staffSignedIn()
        let contoso = try console.count("SELECT id AS n FROM clients WHERE name = 'Contoso Health'")

        let page = try staff.get("/admin/audit")
        #expect(page.text.contains("<option value=\"\(contoso)\">Contoso Health</option>"), "clients are picked by name")
        #expect(page.text.contains("<label class=\"field__label\" for=\"user\">User (name or email)</label>"))
        #expect(!page.text.contains("Client ID") && !page.text.contains("User ID"))

        let byEmail = try staff.get("/admin/audit?user=JANE%40northwind.example")
        #expect(Self.rowCount(byEmail) > 0)
        #expect(Self.tableBody(byEmail).contains("<span class=\"table__sub\">jane@northwind.example</span>"))
        #expect(!Self.tableBody(byEmail).contains("mary.jane@northwind.example"), "an exact email is that user alone")
        #expect(!Self.tableBody(byEmail).contains("alex@contoso.example"))
        #expect(byEmail.text.contains("value=\"JANE@northwind.example\""), "the filter keeps what was typed")

        let byName = try staff.get("/admin/audit?user=alex+kim")
        #expect(Self.rowCount(byName) > 0)
        #expect(!Self.tableBody(byName).contains("northwind.example"))
        let part = try staff.get("/admin/audit?user=jane")
        #expect(Self.tableBody(part).contains("jane@northwind.example") && Self.tableBody(part).contains("mary.jane@northwind.example"),
                "part of a name or email finds everyone it fits")

        let byClient = try staff.get("/admin/audit?client=\(contoso)")
        #expect(Self.rowCount(byClient) > 0)
        #expect(!Self.tableBody(byClient).contains("Northwind Traders"))
        #expect(byClient.text.contains("<option value=\"\(contoso)\" selected>Contoso Health</option>"))

        // The user page's link and an old link by ID land on the same rows.
        let id = try console.janeID()
        let userPage = try staff.get("/admin/users/\(id)").text
        #expect(userPage.contains("href=\"/admin/audit?user=jane%40northwind.example\""))
        let byID = try staff.get("/admin/audit?user=\(id)")
        #expect(Self.tableBody(byID) == Self.tableBody(try staff.get("/admin/audit?user=jane%40northwind.example")))
        #expect(byID.text.contains("value=\"jane@northwind.example\""), "an ID shows as the user's email")
        #expect(Self.rowCount(try staff.get("/admin/audit?user=nobody%40nowhere.example")) == 0)
        #expect(try staff.get("/admin/audit?user=nobody%40nowhere.example").text.contains("No events match."))

        // The pager keeps the filters, encoded.
        for _ in 0..<AuditFilter.pageSize { _ = try console.signedIn("jane@northwind.example") }
        let first = try staff.get("/admin/audit?user=jane%40northwind.example&kind=sign_in")
        #expect(first.text.contains("href=\"/admin/audit?user=jane%40northwind.example&amp;kind=sign_in&amp;page=2\">Older</a>"))
    }

    @Test("Statuses are badges; tables carry their column names for the phone's stacked cards")
    func badgesAndCards() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        let clientID = try console.count("SELECT id AS n FROM clients")
        _ = try staff.submit("/admin/clients/\(clientID)/users", from: "/admin/clients/\(clientID)",
                             [("name", "Pat Lee"), ("email", "pat@northwind.example"), ("phone", "")])
        let client = try staff.get("/admin/clients/\(clientID)").text
        #expect(client.contains("<td role=\"cell\" data-label=\"Status\"><span class=\"badge badge--on\">Active</span></td>"))
        #expect(client.contains("<span class=\"badge badge--neutral\">Invited</span>"))
        #expect(client.contains("data-label=\"2FA\"><span class=\"badge badge--off\">Off</span>"))
        #expect(client.contains("<table class=\"table table--cards\" role=\"table\">"))
        let clients = try staff.get("/admin").text
        #expect(clients.contains("data-label=\"Portal\"><span class=\"badge badge--on\">Enabled</span>"))
    }

    @Test("“Enter your name” on Add user asks for the user's name instead, and adds nobody")
    func addUserWording() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        let clientID = try console.count("SELECT id AS n FROM clients")
        let refused = try staff.submit("/admin/clients/\(clientID)/users", from: "/admin/clients/\(clientID)",
                                       [("name", " "), ("email", ""), ("phone", "")])
        #expect(refused.status == 422)
        #expect(refused.text.contains("<p class=\"field__error\" id=\"new_name-error\">Enter the user&#39;s name.</p>"))
        #expect(refused.text.contains("<p class=\"field__error\" id=\"new_email-error\">Enter the user&#39;s email address.</p>"))
        #expect(!refused.text.contains("Enter your name."))
        #expect(try console.count("SELECT count(*) AS n FROM customer_users") == 1)
    }
}

@Suite struct ViewAsCustomerOfferTests {
    static func offered(_ page: String, id: Int64) -> Bool { page.contains("action=\"/admin/users/\(id)/impersonate\"") }

    @Test("View as customer is offered exactly when it would work: not for a disabled, invited or portal-off user; the refusal is the service's own")
    func offeredOnlyWhenViewable() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        let id = try console.janeID()
        #expect(Self.offered(try staff.get("/admin/users/\(id)").text, id: id))

        let clientID = try console.count("SELECT id AS n FROM clients")
        _ = try staff.submit("/admin/clients/\(clientID)/users", from: "/admin/clients/\(clientID)",
                             [("name", "Pat Lee"), ("email", "pat@northwind.example"), ("phone", "")])
        let pat = Int64(try console.count("SELECT id AS n FROM customer_users WHERE email = 'pat@northwind.example'"))
        let cases: [(arrange: () throws -> Void, user: Int64, why: String)] = [
            ({ try console.sql("UPDATE customer_users SET status = 'disabled' WHERE id = ?", id) }, id,
             "This user is disabled. A disabled account cannot be viewed."),
            ({ try console.sql("UPDATE customer_users SET status = 'active' WHERE id = ?", id) }, pat,
             "This user has not accepted the invitation yet."),
            ({ try console.sql("UPDATE clients SET portal_enabled = 0") }, id, "The client&#39;s portal is turned off."),
        ]
        for (arrange, user, why) in cases {
            try arrange()
            let page = try staff.get("/admin/users/\(user)").text
            #expect(!Self.offered(page, id: user), "\(why)")
            #expect(page.contains("Not available for this user: \(why)"))
            let refused = try staff.post("/admin/users/\(user)/impersonate",
                                         form: [("csrf_token", try staff.csrfToken(from: try staff.get("/admin"))), ("reason", "check")])
            #expect(refused.status == 403)
            #expect(refused.text.contains(why), "the page and the service give the same reason")
        }
        #expect(try console.count("SELECT count(*) AS n FROM sessions WHERE impersonator_staff_id IS NOT NULL") == 0)
    }
}

@Suite struct DestructiveAdminActionTests {
    @Test("Disable: a red link to a page that names the user and the consequence; a GET or a forged POST changes nothing; the confirmed POST disables")
    func disableConfirmed() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let jane = try console.signedIn()
        let staff = try console.staffSignedIn()
        let id = try console.janeID()
        let userPage = try staff.get("/admin/users/\(id)").text
        #expect(userPage.contains("<a class=\"button button--danger-quiet\" href=\"/admin/users/\(id)/disable\">Disable</a>"))
        #expect(!userPage.contains("action=\"/admin/users/\(id)/disable\""), "the user's page itself cannot disable")

        let confirm = try staff.get("/admin/users/\(id)/disable")
        #expect(confirm.status == 200)
        #expect(confirm.text.contains("<h2 id=\"confirm-title\" class=\"card__title\">Disable Jane Doe?</h2>"))
        #expect(confirm.text.contains("Jane Doe (jane@northwind.example)"))
        #expect(confirm.text.contains("Northwind Traders"))
        #expect(confirm.text.contains("Jane Doe is signed out of every browser at once and can no longer sign in."))
        #expect(confirm.text.contains("<form method=\"post\" action=\"/admin/users/\(id)/disable\" novalidate>"))
        #expect(confirm.text.contains("<button type=\"submit\" class=\"button button--danger\">Disable Jane Doe</button>"))
        #expect(confirm.text.contains("<a class=\"button button--quiet\" href=\"/admin/users/\(id)\">Cancel</a>"))
        #expect(try console.count("SELECT count(*) AS n FROM customer_users WHERE status = 'active'") == 1, "showing the page changed nothing")
        #expect(try jane.get("/portal/profile").status == 200)

        let forged = try staff.post("/admin/users/\(id)/disable", form: [("csrf_token", "forged")])
        #expect(forged.status == 403)
        let crossSite = try staff.post("/admin/users/\(id)/disable", form: [("csrf_token", try staff.csrfToken(from: confirm))],
                                       headers: [("Origin", "https://evil.example")])
        #expect(crossSite.status == 403)
        #expect(try console.count("SELECT count(*) AS n FROM customer_users WHERE status = 'active'") == 1)
        #expect(try console.auditKinds("customer_disabled") == 0)
        #expect(try jane.get("/portal/profile").status == 200)

        let done = try staff.submit("/admin/users/\(id)/disable", from: "/admin/users/\(id)/disable", [])
        #expect(done.status == 200)
        #expect(done.text.contains("Jane Doe is disabled and was signed out everywhere."))
        #expect(try jane.get("/portal/profile").header("Location") == "/login")
        #expect(try console.auditKinds("customer_disabled") == 1)
        let again = try staff.get("/admin/users/\(id)/disable")
        #expect(again.status == 409)
        #expect(again.text.contains("Jane Doe is already disabled."))
        #expect(try staff.get("/admin/users/999999/disable").status == 404)
        #expect(try staff.get("/admin/users/abc/disable").status == 404)
    }

    @Test("Reset two-factor: confirmed on its own page that says the user is mailed; only the confirming POST removes the authenticator")
    func resetConfirmed() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.enrol(try console.signedIn())
        let staff = try console.staffSignedIn()
        let id = try console.janeID()
        #expect(try staff.get("/admin/users/\(id)").text.contains(
            "<a class=\"button button--danger-quiet\" href=\"/admin/users/\(id)/reset-2fa\">Reset two-factor authentication</a>"))
        let confirm = try staff.get("/admin/users/\(id)/reset-2fa")
        #expect(confirm.status == 200)
        #expect(confirm.text.contains("Reset two-factor authentication for Jane Doe?"))
        #expect(confirm.text.contains("jane@northwind.example is told by mail."))
        #expect(confirm.text.contains("<button type=\"submit\" class=\"button button--danger\">Reset two-factor authentication</button>"))
        #expect(try console.count("SELECT count(*) AS n FROM totp_credentials WHERE enabled_at IS NOT NULL") == 1)
        #expect(try staff.post("/admin/users/\(id)/reset-2fa", form: []).status == 403)
        #expect(try console.count("SELECT count(*) AS n FROM totp_credentials WHERE enabled_at IS NOT NULL") == 1)

        let done = try staff.submit("/admin/users/\(id)/reset-2fa", from: "/admin/users/\(id)/reset-2fa", [])
        #expect(done.text.contains("were removed, and jane@northwind.example was told by mail."))
        #expect(try console.count("SELECT count(*) AS n FROM totp_credentials") == 0)
        let page = try staff.get("/admin/users/\(id)").text
        #expect(!page.contains("/reset-2fa\""), "nothing to reset: not offered")
        #expect(try staff.get("/admin/users/\(id)/reset-2fa").status == 409)
    }

    @Test("Sign out everywhere: confirmed, then every session of the user ends and the password still works")
    func signOutEverywhere() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let first = try console.signedIn(), second = try console.signedIn()
        let staff = try console.staffSignedIn()
        let id = try console.janeID()
        let confirm = try staff.get("/admin/users/\(id)/sign-out")
        #expect(confirm.text.contains("Sign Jane Doe out everywhere?"))
        #expect(confirm.text.contains("<button type=\"submit\" class=\"button button--danger\">Sign out everywhere</button>"))
        #expect(try first.get("/portal/profile").status == 200)
        let done = try staff.submit("/admin/users/\(id)/sign-out", from: "/admin/users/\(id)/sign-out", [])
        #expect(done.text.contains("Jane Doe was signed out everywhere (2 sessions)."))
        #expect(try first.get("/portal/profile").header("Location") == "/login")
        #expect(try second.get("/portal/profile").header("Location") == "/login")
        #expect(try console.auditKinds("session_revoked") == 1)
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).status == 303)
        let none = try staff.submit("/admin/users/\(id)/sign-out", from: "/admin/users/\(id)/sign-out", [])
        #expect(none.text.contains("Jane Doe was signed out everywhere (1 session)."))
        let nothing = try staff.submit("/admin/users/\(id)/sign-out", from: "/admin/users/\(id)/sign-out", [])
        #expect(nothing.status == 409)
        #expect(nothing.text.contains("Jane Doe is not signed in anywhere."))
    }
}

/// Escaping as the templates do it, for comparing names that hold an apostrophe.
enum HTMLText {
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
