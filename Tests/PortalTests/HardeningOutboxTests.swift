@testable import Portal
import Testing
import TestSupport

extension TestConsole {
    /// The id of the newest outbox message to `recipient`.
    func newestMessageID(to recipient: String) throws -> Int {
        try count("SELECT id AS n FROM outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1", recipient)
    }

    /// `clientone outbox` run at the terminal against this console's database (and its key file beside it).
    func terminalOutbox() throws -> String {
        try ChildProcess.run(CLI.executable, ["outbox", "--db", directory.file("console.db")], environment: ["PATH": "/usr/bin:/bin"]).stdout
    }
}

/// Issue 15, item 4: the outbox must not hand staff a customer's reset or invitation link. Before, any
/// staff member could ask for Jane's reset link at /login/forgot, read it at /admin/outbox, set her
/// password and sign in as her, outside every rule of "View as customer" and without her being told.
@Suite struct HardeningOutboxTests {
    static let linkPattern = "(http://localhost:\\d+/login/reset\\?token=[A-Za-z0-9_-]+)"

    @Test("The take-over: staff ask for a customer's reset link and read the outbox; the page shows no link, only Show link")
    func outboxPageHidesHeldLink() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        _ = try console.requestReset("jane@northwind.example", browser: staff)
        let link = try #require(try console.resetLink(for: "jane@northwind.example"))
        let token = try #require(link.captures("token=([A-Za-z0-9_-]+)").first)
        let page = try staff.get("/admin/outbox")
        #expect(page.status == 200)
        #expect(!page.text.contains(token), "the token is nowhere on the page")
        #expect(!page.text.contains("/login/reset?token="))
        #expect(page.text.contains("[link hidden: select Show link to see it; the customer is told you opened it]"))
        let id = try console.newestMessageID(to: "jane@northwind.example")
        #expect(page.text.contains("action=\"/admin/outbox/\(id)/show-link\""))
        #expect(try console.auditKinds("outbox_link_shown") == 0)
    }

    @Test("Show link: a CSRF-checked POST shows the link once, no-store, audited with the staff member and told to the customer")
    func showLinkIsAuditedAndTold() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let link = try #require(try console.resetLink(for: "jane@northwind.example"))
        let id = try console.newestMessageID(to: "jane@northwind.example")
        let staff = try console.staffSignedIn()

        let forged = try staff.post("/admin/outbox/\(id)/show-link", form: [("csrf_token", "forged")])
        #expect(forged.status == 403)
        #expect(!forged.text.contains(link))
        #expect(try console.auditKinds("outbox_link_shown") == 0, "a refused POST records nothing")

        let shown = try staff.submit("/admin/outbox/\(id)/show-link", from: "/admin/outbox", [])
        #expect(shown.status == 200)
        #expect(shown.text.contains(link))
        #expect(shown.header("Cache-Control") == "no-store")
        #expect(try console.count("""
            SELECT count(*) AS n FROM audit_events e JOIN staff s ON s.id = e.staff_id
            WHERE e.kind = 'outbox_link_shown' AND s.email = 'morgan@msp.example' AND e.customer_user_id = ?
            """, try console.janeID()) == 1)
        #expect(!(try staff.get("/admin/outbox").text.contains(link)), "the outbox hides the link again")

        // Whoever now holds the link sets Jane's password: the reset is recorded as made with it.
        #expect(try console.setPassword(via: link, to: "the holder's passphrase").status == 303)
        #expect(try console.count("""
            SELECT count(*) AS n FROM audit_events e JOIN staff s ON s.id = e.staff_id
            WHERE e.kind = 'password_reset' AND e.detail = 'with a link an administrator opened' AND s.name = 'Morgan Reyes'
            """) == 1)
        let jane = try console.signedIn(password: "the holder's passphrase")
        let activity = try jane.get("/portal/profile/security").text
        #expect(activity.contains("An administrator (Morgan Reyes) opened your password-reset link"))
        #expect(activity.contains("Password reset with a link an administrator opened (Morgan Reyes)"))
    }

    @Test("An invitation link opened by staff is told to the invited user, and setting the password with it is recorded")
    func invitationLinkShown() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        try console.invitePat(staff)
        #expect(!(try staff.get("/admin/outbox").text.contains("/login/reset?token=")))
        let id = try console.newestMessageID(to: "pat@northwind.example")
        let shown = try staff.submit("/admin/outbox/\(id)/show-link", from: "/admin/outbox", [])
        let link = try #require(shown.text.captures(Self.linkPattern).first)
        #expect(try console.setPassword(via: link, to: "pat's own passphrase").status == 303)
        let pat = try console.signedIn("pat@northwind.example", password: "pat's own passphrase")
        let activity = try pat.get("/portal/profile/security").text
        #expect(activity.contains("An administrator (Morgan Reyes) opened your invitation link"))
        #expect(activity.contains("Password set with an invitation link an administrator opened (Morgan Reyes)"))
    }

    @Test("A link that no longer works is not offered, and its Show link POST is refused without a record")
    func deadLinkNotShown() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let first = try console.newestMessageID(to: "jane@northwind.example")
        let firstLink = try #require(try console.resetLink(for: "jane@northwind.example"))
        _ = try console.requestReset("jane@northwind.example")
        let staff = try console.staffSignedIn()
        let page = try staff.get("/admin/outbox").text
        #expect(!page.contains("action=\"/admin/outbox/\(first)/show-link\""), "a replaced link is not offered")
        #expect(page.contains("[link hidden: it no longer works"))
        let refused = try staff.submit("/admin/outbox/\(first)/show-link", from: "/admin/outbox", [])
        #expect(refused.status == 409)
        #expect(refused.text.contains("This link no longer works"))
        #expect(!refused.text.contains(firstLink))
        #expect(try console.auditKinds("outbox_link_shown") == 0)
        #expect(try staff.submit("/admin/outbox/99999/show-link", from: "/admin/outbox", []).status == 404)
    }

    @Test("A message the SMTP server accepted never shows its link: not on the page, not to Show link, not at the terminal")
    func sentMessageNeverShowsLink() throws {
        let sink = try SMTPSink.start()
        let console = try TestConsole { $0.smtp = "127.0.0.1:\(sink.port)" }
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let mailed = try #require(try sink.waitForMessages(1).first?.record.body)
        let token = try #require(mailed.captures("token=([A-Za-z0-9_-]+)").first)
        #expect(eventually(within: 10) { (try? console.count("SELECT count(*) AS n FROM outbox WHERE status = 'sent'")) == 1 },
                "the accepted message is marked sent")
        let id = try console.newestMessageID(to: "jane@northwind.example")

        let staff = try console.staffSignedIn()
        let page = try staff.get("/admin/outbox").text
        #expect(!page.contains(token))
        #expect(page.contains("[link hidden: this message was sent, and a sent message never shows its link]"))
        #expect(!page.contains("show-link"), "no Show link once sent")
        let refused = try staff.post("/admin/outbox/\(id)/show-link", form: [("csrf_token", try staff.csrfToken(from: try staff.get("/admin/outbox")))])
        #expect(refused.status == 409)
        #expect(refused.text.contains("This message was sent: its link is never shown."))
        #expect(!refused.text.contains(token))
        #expect(try console.auditKinds("outbox_link_shown") == 0)

        let terminal = try console.terminalOutbox()
        #expect(terminal.contains("sent to jane@northwind.example: Reset your ClientOne password"))
        #expect(!terminal.contains(token), "the terminal keeps the same rule")
        #expect(terminal.contains("[link hidden: this message was sent"))
    }

    @Test("At the terminal a held message still shows its link: the operator holds the database and its key anyway")
    func terminalShowsHeldLink() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let link = try #require(try console.resetLink(for: "jane@northwind.example"))
        #expect(try console.terminalOutbox().contains(link))
    }

    @Test("The note replaces the whole link, origin to token, wherever it stands, and leaves the rest of the body alone")
    func noteReplacesWholeLink() {
        let body = "Open\nhttps://portal.example.com:8443/login/reset?token=Ab-c_9\n\nor (https://portal.example.com/login/reset?token=XYZ)."
        let hidden = SecretLinks.hidden(in: body, note: "sent")
        #expect(hidden == "Open\n[link hidden: sent]\n\nor ([link hidden: sent]).")
        #expect(!hidden.contains("token="))
        #expect(SecretLinks.hidden(in: "No link here.", note: "sent") == "No link here.")
    }
}
