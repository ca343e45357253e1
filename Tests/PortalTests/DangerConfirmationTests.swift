import Foundation
import Portal
import Testing
import TestSupport

/// Danger handled as danger (issue 18 item 6, the customer's side): signing out all other sessions and
/// turning off the authenticator each ask first, on a page that says what will happen, with the change's
/// button in the one destructive style beside Cancel; opening that page changes nothing.
@Suite struct DangerConfirmationTests {
    /// The confirmation page's destructive button and its Cancel.
    static func confirmation(_ page: HTTPResponse, action: String, button: String, cancel: String) {
        #expect(page.status == 200)
        #expect(page.text.contains("<form method=\"post\" action=\"\(action)\""))
        #expect(page.text.contains("<button type=\"submit\" class=\"button button--danger\">\(button)</button>"))
        #expect(page.text.contains("<a class=\"button button--quiet\" href=\"\(cancel)\">Cancel</a>"))
    }

    @Test("“Sign out of all other sessions…” opens a page naming the other browsers; only its button signs them out")
    func otherSessions() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let here = try console.signedIn()
        let other = try console.signedIn(agent: KioskTests.chromeOnWindows)
        let tab = try here.get("/portal/profile/security").text
        #expect(tab.contains("<a class=\"button button--danger-quiet\" href=\"/portal/profile/security/sessions/revoke-others\">Sign out of all other sessions…</a>"))
        #expect(!tab.contains("<form method=\"post\" action=\"/portal/profile/security/sessions/revoke-others\""), "no one-click sign-out")

        let ask = try here.get("/portal/profile/security/sessions/revoke-others")
        Self.confirmation(ask, action: "/portal/profile/security/sessions/revoke-others", button: "Sign out of other sessions",
                          cancel: "/portal/profile/security#sessions")
        #expect(ask.text.contains("Sign out of all other sessions?"))
        #expect(ask.text.contains("This browser will have to sign in again. You stay signed in here."))
        #expect(ask.text.contains("Chrome on Windows"))
        #expect(try other.get("/portal/profile").status == 200, "asking changed nothing")

        let done = try here.submit("/portal/profile/security/sessions/revoke-others", from: "/portal/profile/security/sessions/revoke-others", [])
        #expect(done.status == 303)
        #expect(try other.get("/portal/profile").header("Location") == "/login")
        #expect(try here.get("/portal/profile").status == 200)
        // With no other session left, the page has nothing to ask and leads back.
        #expect(try here.get("/portal/profile/security/sessions/revoke-others").header("Location") == "/portal/profile/security#sessions")
    }

    @Test("“Turn off…” opens a page that says what goes and asks for the password; a wrong one keeps the app on, on the same page")
    func turnOffAuthenticator() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        let browser = enrolled.browser
        let tab = try browser.get("/portal/profile/security").text
        #expect(tab.contains("href=\"/portal/profile/security/totp/disable\">Turn off…</a>"))
        #expect(!tab.contains("action=\"/portal/profile/security/totp/disable\""))

        let ask = try browser.get("/portal/profile/security/totp/disable")
        Self.confirmation(ask, action: "/portal/profile/security/totp/disable", button: "Turn off authenticator app",
                          cancel: "/portal/profile/security")
        #expect(ask.text.contains("your recovery codes will be deleted"))
        #expect(ask.text.contains("type=\"password\""))
        #expect(try console.count("SELECT count(*) AS n FROM totp_credentials") == 1, "asking changed nothing")

        let wrong = try browser.submit("/portal/profile/security/totp/disable", from: "/portal/profile/security/totp/disable",
                                       [("password", "not my password")])
        #expect(wrong.status == 422)
        #expect(wrong.text.contains("Turn off the authenticator app?"), "the error is shown where the password was typed")
        #expect(wrong.text.contains("field--error"))
        #expect(try console.count("SELECT count(*) AS n FROM totp_credentials") == 1)

        let off = try browser.submit("/portal/profile/security/totp/disable", from: "/portal/profile/security/totp/disable",
                                     [("password", TestConsole.password)])
        #expect(off.status == 303)
        #expect(try console.count("SELECT count(*) AS n FROM totp_credentials") == 0)
        #expect(try browser.get("/portal/profile/security/totp/disable").header("Location") == "/portal/profile/security",
                "nothing to turn off any more")
    }

    @Test("With a passkey as well, the page says the keys and recovery codes keep working, and they do")
    func turnOffWithAKey() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let jane = try console.signedIn()
        try console.registerKey(jane, SoftAuthenticator(), name: "YubiKey")
        let enrolled = try console.enrol(jane)
        let ask = try enrolled.browser.get("/portal/profile/security/totp/disable").text
        #expect(ask.contains("Your security keys and passkeys, and your recovery codes, keep working."))
        _ = try enrolled.browser.submit("/portal/profile/security/totp/disable", from: "/portal/profile/security/totp/disable",
                                        [("password", TestConsole.password)])
        #expect(try console.count("SELECT count(*) AS n FROM recovery_codes") > 0)
        #expect(try enrolled.browser.get("/portal/profile/security").text.contains("The authenticator app is off. Your keys and recovery codes keep working."))
    }

    @Test("Key removal asks on the same page design, and the confirmation pages are refused during an administrator's view")
    func oneDesign() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let jane = try console.signedIn()
        try console.registerKey(jane, SoftAuthenticator(), name: "YubiKey")
        let keyID = try console.count("SELECT id AS n FROM webauthn_credentials")
        Self.confirmation(try jane.get("/portal/profile/security/passkeys/\(keyID)/delete"),
                          action: "/portal/profile/security/passkeys/\(keyID)/delete", button: "Remove key",
                          cancel: "/portal/profile/security#passkeys")
        let viewing = try console.impersonating()
        for page in ["/portal/profile/security/sessions/revoke-others", "/portal/profile/security/totp/disable"] {
            let refused = try viewing.get(page)
            #expect(refused.status == 403, "\(page) answered \(refused.status)")
            #expect(refused.text.contains("is viewing this account"))
        }
    }
}
