import Portal
import Testing
import TestSupport

/// Issue 15, item 10: a reset or invitation link must not outlive the account's access. Before, a link
/// mailed before "Disable" still worked; after "Enable" the account had the link holder's password.
@Suite struct HardeningDisabledLinksTests {
    @Test("A reset link mailed before Disable no longer works, during or after, and Enable does not revive it")
    func resetLinkDiesWithDisable() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let link = try #require(try console.resetLink(for: "jane@northwind.example"))
        let staff = try console.staffSignedIn()
        let id = try console.janeID()
        _ = try staff.submit("/admin/users/\(id)/disable", from: "/admin/users/\(id)", [])
        #expect(try console.count("SELECT count(*) AS n FROM password_resets WHERE customer_user_id = ?", id) == 0,
                "disabling deletes the account's links")
        let whileDisabled = try console.setPassword(via: link, to: "the holder's passphrase")
        #expect(whileDisabled.status == 410)
        #expect(whileDisabled.text.contains("Link expired"))

        _ = try staff.submit("/admin/users/\(id)/enable", from: "/admin/users/\(id)", [])
        #expect(try console.setPassword(via: link, to: "the holder's passphrase").status == 410, "Enable gives no link back")
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: "the holder's passphrase").status == 401)
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).status == 303,
                "Jane keeps her own password")
    }

    @Test("An invitation link stops working when the invited user is disabled, and stays dead after Enable")
    func invitationDiesWithDisable() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        try console.invitePat(staff)
        let link = try #require(try console.invitationLink(for: "pat@northwind.example"))
        let pat = try console.count("SELECT id AS n FROM customer_users WHERE email = 'pat@northwind.example'")
        _ = try staff.submit("/admin/users/\(pat)/disable", from: "/admin/users/\(pat)", [])
        _ = try staff.submit("/admin/users/\(pat)/enable", from: "/admin/users/\(pat)", [])
        #expect(try console.setPassword(via: link, to: "the holder's passphrase").status == 410)
        #expect(try console.browser().signIn(email: "pat@northwind.example", password: "the holder's passphrase").status == 401)
        #expect(try console.count("SELECT count(*) AS n FROM customer_users WHERE id = ? AND password_hash IS NULL", pat) == 1)
    }

    @Test("A link that survives for a disabled account (written straight into the database) is refused at use")
    func resetChecksStatus() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let link = try #require(try console.resetLink(for: "jane@northwind.example"))
        // The state no page can reach: disabled, with the link still stored.
        try console.sql("UPDATE customer_users SET status = 'disabled' WHERE email = 'jane@northwind.example'")
        let page = try console.browser().get(TestConsole.target(of: link))
        #expect(page.status == 410)
        #expect(page.text.contains("Link expired"))

        // The form's POST is refused too, even when the GET happened before the account was disabled.
        try console.sql("UPDATE customer_users SET status = 'active' WHERE email = 'jane@northwind.example'")
        let browser = console.browser()
        let form = try browser.get(TestConsole.target(of: link))
        try #require(form.status == 200)
        try console.sql("UPDATE customer_users SET status = 'disabled' WHERE email = 'jane@northwind.example'")
        let token = try #require(link.captures("token=([A-Za-z0-9_-]+)").first)
        let set = try browser.post("/login/reset", form: [("csrf_token", try browser.csrfToken(from: form)), ("token", token),
                                                          ("new_password", "the holder's passphrase"),
                                                          ("confirm_password", "the holder's passphrase")])
        #expect(set.status == 410)
        try console.sql("UPDATE customer_users SET status = 'active' WHERE email = 'jane@northwind.example'")
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).status == 303)
    }
}
