import Portal
import Testing
import TestSupport

@Suite struct PasswordChangeTests {
    static func change(_ browser: HTTPClient, current: String, new: String, confirm: String) throws -> HTTPResponse {
        try browser.submit("/portal/profile/password", from: "/portal/profile/security",
                           [("current_password", current), ("new_password", new), ("confirm_password", confirm)])
    }

    @Test("The Security tab offers Change Password with the three fields")
    func form() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let html = try console.signedIn().get("/portal/profile/security").text
        for expected in ["Change Password", "Current Password", "New Password", "Confirm New Password", "At least 8 characters (and at most 128)", "Not one of the 30,000 most common passwords", "Save new password",
                         "autocomplete=\"current-password\"", "autocomplete=\"new-password\""] {
            #expect(html.contains(expected), "missing: \(expected)")
        }
    }

    @Test("Refusals come back beside the field and change nothing",
          arguments: [("wrong-password", "new-password-1", "new-password-1", "That isn&#39;t your current password."),
                      (TestConsole.password, "short", "short", "Use at least 8 characters."),
                      (TestConsole.password, "new-password-1", "new-password-2", "The new passwords don&#39;t match."),
                      (TestConsole.password, String(repeating: "p", count: 129), String(repeating: "p", count: 129), "Use at most 128 characters."),
                      (TestConsole.password, "jane@northwind.example", "jane@northwind.example", "Don&#39;t use your email address")])
    func refusals(current: String, new: String, confirm: String, message: String) throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let response = try Self.change(browser, current: current, new: new, confirm: confirm)
        #expect(response.status == 422)
        #expect(response.text.contains(message))
        #expect(response.text.contains("<details class=\"disclosure\" open>"))
        _ = try browser.submit("/logout", from: "/portal/profile", [])
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).status == 303)
    }

    @Test("A changed password works, the old one stops working, and other sessions are signed out")
    func changeSignsOutOtherSessions() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let laptop = try console.signedIn()
        let phone = try console.signedIn()
        let response = try Self.change(laptop, current: TestConsole.password, new: "a brand new passphrase", confirm: "a brand new passphrase")
        #expect(response.status == 303)
        #expect(try laptop.get("/portal/profile/security").text.contains("Your password was changed."))
        #expect(try phone.get("/portal/profile").status == 303, "the other session was signed out")
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).status == 401)
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: "a brand new passphrase").status == 303)
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'password_changed'") == 1)
    }

    @Test("Wrong current passwords count toward the lockout")
    func wrongCurrentPasswordLocks() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        var last: HTTPResponse?
        for _ in 0..<5 { last = try Self.change(browser, current: "guess", new: "new-password-1", confirm: "new-password-1") }
        #expect(last?.text.contains("Too many failed sign-in attempts.") == true)
        let right = try Self.change(browser, current: TestConsole.password, new: "new-password-1", confirm: "new-password-1")
        #expect(right.status == 422, "locked: even the right password is refused for now")
    }

    @Test("Once the client is SSO-only, a password session ends and a password change posted from it changes nothing")
    func singleSignOn() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let token = try browser.csrfToken(from: try browser.get("/portal/profile/security"))
        let hash = try console.count("SELECT count(*) AS n FROM customer_users WHERE password_hash IS NOT NULL")
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(ssoOnly: true))
        let response = try browser.post("/portal/profile/password", form: [("csrf_token", token), ("current_password", TestConsole.password),
                                                                          ("new_password", "new-password-1"), ("confirm_password", "new-password-1")])
        #expect(response.status == 403, "the session is gone, so its form's token is too")
        #expect(try console.count("SELECT count(*) AS n FROM customer_users WHERE password_hash IS NOT NULL") == hash)
        #expect(try browser.get("/portal/profile/security").header("Location") == "/login")
    }
}
