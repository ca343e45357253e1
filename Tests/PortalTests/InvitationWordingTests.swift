import Portal
import Testing
import TestSupport

/// An invitation link is a reset link for an account that has no password yet: the invited person is
/// welcomed to their client's portal and told their account is ready, not that a password was "reset".
@Suite struct InvitationWordingTests {
    @Test("An invited user sees “Welcome to CLIENT's portal — create your password”, then “Your account is ready”")
    func invitationWelcomes() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let staff = try console.staffSignedIn()
        try console.invitePat(staff)
        let link = try #require(try console.invitationLink(for: "pat@northwind.example"))
        let page = try console.browser().get(TestConsole.target(of: link))
        #expect(page.text.contains("Welcome to Northwind Traders&#39;s portal — create your password")
                || page.text.contains("Welcome to Northwind Traders's portal — create your password"))
        #expect(page.text.contains(">Create password</button>"))
        #expect(!page.text.contains("Choose a new password"))
        // A refused password keeps the welcome.
        let refused = try console.setPassword(via: link, to: "short")
        #expect(refused.status == 422)
        #expect(refused.text.contains("create your password"))
        let done = try console.setPassword(via: link, to: "pat's own passphrase")
        #expect(done.header("Location") == "/login?ready=1")
        let login = try console.browser().get("/login?ready=1")
        #expect(login.text.contains("Your account is ready."))
        #expect(!login.text.contains("Your password was reset"))
    }

    @Test("A reset link of an active account still says “Choose a new password” and “Your password was reset”")
    func resetStaysReset() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.browser().submit("/login/forgot", from: "/login/forgot", [("email", "jane@northwind.example")])
        let link = try #require(try console.resetLink(for: "jane@northwind.example"))
        #expect(try console.browser().get(TestConsole.target(of: link)).text.contains("Choose a new password"))
        #expect(try console.setPassword(via: link, to: "a brand new passphrase").header("Location") == "/login?reset=1")
    }
}
