import Foundation
import Portal
import Testing
import TestSupport

/// An administrator's view that explains itself (issue 18 item 1): what only the owner may do is shown
/// disabled, naming them, instead of live controls that fail; the notice says why and how long the view has
/// left, and stays on the view's refusal pages; Sign Out says that it ends the view.
@Suite struct AdministratorViewTests {
    /// Jane with an authenticator, recovery codes, a passkey and a second session, so every section has its controls.
    static func fullyEquipped(_ console: TestConsole) throws -> HTTPClient {
        try console.seedNorthwind()
        let jane = try console.signedIn()
        _ = try console.signedIn()
        try console.registerKey(jane, SoftAuthenticator(), name: "Jane's key")
        _ = try console.enrol(jane)
        return jane
    }

    @Test("During a view every control of what only the owner may do is disabled and says who can; the owner's own page has them live")
    func disabledControls() throws {
        let console = try TestConsole()
        let owners = try Self.fullyEquipped(console).get("/portal/profile/security").text
        let viewed = try console.impersonating().get("/portal/profile/security").text
        let liveActions = ["/portal/profile/password", "/portal/profile/security/totp/disable",
                           "/portal/profile/security/recovery-codes/regenerate", "/portal/profile/security/passkeys/begin",
                           "/portal/profile/security/sessions/revoke-others", "/rename", "/delete\"", "/revoke\""]
        for action in liveActions {
            #expect(owners.contains(action), "the owner's page offers \(action)")
            #expect(!viewed.contains(action), "the administrator's view offers no live \(action)")
        }
        for label in ["Change Password", "Turn off…", "Regenerate", "Add Key", "Sign out of other sessions"] {
            #expect(viewed.contains("disabled aria-describedby=\"") && viewed.contains(">\(label)</button>"), "\(label) shown, disabled")
        }
        let notes = viewed.components(separatedBy: "Only Jane Doe can change this.").count - 1
        #expect(notes == 5, "one note per section: password, authenticator, recovery codes, keys, sessions (found \(notes))")
        #expect(!owners.contains("Only Jane Doe can change this."))
        #expect(viewed.contains("Jane&#39;s key") || viewed.contains("Jane's key"), "the keys are still listed")
    }

    @Test("The notice names the administrator, the reason (escaped) and the minutes left of the 30")
    func noticeReasonAndTime() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.impersonating(reason: "Ticket 77 <b>bold</b>")
        let first = try browser.get("/portal/profile").text
        #expect(first.contains("An administrator (Morgan Reyes) is viewing this account."))
        #expect(first.contains("Reason: “Ticket 77 &lt;b&gt;bold&lt;/b&gt;”"))
        #expect(first.contains(">30 of 30 minutes left</span>"))
        console.clock.advance(by: 10 * 60 + 30)
        #expect(try browser.get("/portal/profile/security").text.contains(">20 of 30 minutes left</span>"))
        console.clock.advance(by: 19 * 60)
        #expect(try browser.get("/portal/profile").text.contains(">1 of 30 minutes left</span>"))
    }

    @Test("A refused action's page keeps the notice and leads back to the account, not to “your profile”")
    func refusalPageKeepsTheNotice() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.impersonating()
        let refused = try browser.submit("/portal/profile/password", from: "/portal/profile/security",
                                         [("current_password", TestConsole.password), ("new_password", "another passphrase"),
                                          ("confirm_password", "another passphrase")])
        #expect(refused.status == 403)
        #expect(refused.text.contains("only the customer can do it"))
        #expect(refused.text.contains("An administrator (Morgan Reyes) is viewing this account."))
        #expect(refused.text.contains("action=\"/portal/impersonation/end\""))
        #expect(refused.text.contains(">Back to the account</a>"))
        #expect(!refused.text.contains("Go to your profile"))
        // The owner's own refusal (a form that expired) stays the plain page.
        let owner = try console.signedIn()
        let expired = try owner.post("/portal/profile", form: [("csrf_token", "forged"), ("name", "X")])
        #expect(expired.status == 403)
        #expect(expired.text.contains("Go to your profile"))
        #expect(!expired.text.contains("is viewing this account"))
    }

    @Test("“Add Key” during a view answers the script with the reason, not with a page it cannot read")
    func passkeyScriptGetsTheReason() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.impersonating()
        let answer = try console.ceremony(browser, "/portal/profile/security/passkeys/begin", from: "/portal/profile/security")
        #expect(answer.status == 403)
        #expect(answer.header("Content-Type")?.hasPrefix("application/json") == true)
        let json = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
        #expect(json?["ok"] as? Bool == false)
        #expect((json?["error"] as? String)?.contains("Adding a passkey would give lasting access") == true)
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials") == 0)
    }

    @Test("Sign Out during a view says it ends the view, and ends only the view")
    func signOutEndsTheView() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.impersonating()
        let page = try browser.get("/portal/profile").text
        #expect(page.components(separatedBy: ">Sign Out (ends the view)</button>").count - 1 == 2, "header and footer")
        #expect(page.contains("You are viewing Jane Doe’s account as an administrator. Sign Out ends this view"))
        #expect(!page.contains("Your IT provider manages this portal."))
        let owner = try console.signedIn().get("/portal/profile").text
        #expect(owner.contains(">Sign Out</button>") && !owner.contains("ends the view"))

        let signOut = try browser.submit("/logout", from: "/portal/profile", [])
        #expect(signOut.status == 303)
        #expect(try browser.get("/portal/profile").header("Location") == "/login", "the view ended")
        #expect(try browser.get("/admin").status == 200, "the administrator is still signed in")
    }
}
