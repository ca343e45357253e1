import Foundation
@testable import Portal
import Templates
import Testing
import TestSupport

/// Forms that say what they want (issue 18 item 8): the password form lists every rule it enforces, has
/// Cancel and a show-password toggle, and a submit label of its own; the Security tab says when the
/// password was last changed; a passkey rename keeps what was typed beside its error; a key's badge does
/// not repeat its name; a confirmation lands where the user looks.
@Suite struct FormsThatSayTests {
    @Test("The rules the form lists are the ones Validation enforces: each one listed is refused when broken")
    func rulesMatchValidation() {
        #expect(Form.newPasswordRules[0] == "At least \(Validation.minPasswordLength) characters (and at most \(Validation.maxPasswordLength))")
        #expect(Form.newPasswordRules[2] == "Not one of the \(CommonPasswords.all.count.formatted(.number.grouping(.automatic))) most common passwords")
        let email = "jane@northwind.example"
        for broken in [String(repeating: "a", count: Validation.minPasswordLength - 1),
                       String(repeating: "a", count: Validation.maxPasswordLength + 1), email.uppercased(), "password1"] {
            #expect(throws: Never.self) {
                if case .success = Validation.newPassword(broken, email: email) { Issue.record("\(broken.prefix(20)) was accepted") }
            }
        }
        #expect((try? Validation.newPassword("correct horse battery", email: email).get()) != nil)
    }

    @Test("Change Password opens a form with the rules tied to the field, Show passwords, Save new password and Cancel")
    func passwordForm() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let page = try console.signedIn().get("/portal/profile/security").text
        #expect(page.contains("<summary class=\"button button--secondary\">Change Password</summary>"))
        #expect(page.contains("<button type=\"submit\" class=\"button button--primary\">Save new password</button>"))
        #expect(page.contains("<a class=\"button button--quiet\" href=\"/portal/profile/security#password\">Cancel</a>"))
        #expect(page.contains("data-show-passwords aria-pressed=\"false\" data-js-only hidden>Show passwords</button>"))
        #expect(page.contains("id=\"new_password\"") && page.contains("aria-describedby=\"new_password-rules\""))
        for rule in Form.newPasswordRules { #expect(page.contains("<li>\(rule)</li>")) }
        #expect(!page.contains(">Change Password</button>"), "opener and submit are not both “Change Password”")
    }

    @Test("The reset and invitation page lists the same rules")
    func resetPageRules() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.requestReset("jane@northwind.example")
        let link = try #require(try console.resetLink(for: "jane@northwind.example"))
        let page = try console.browser().get(TestConsole.target(of: link)).text
        for rule in Form.newPasswordRules { #expect(page.contains("<li>\(rule)</li>")) }
        #expect(page.contains("data-show-passwords"))
    }

    @Test("The Security tab says when the password was last changed, and a change updates it")
    func lastChanged() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let seeded = try browser.get("/portal/profile/security").text
        #expect(seeded.contains("Last changed \(DateText.dayAndTime(console.clock.now()))"), "set with the account")
        let refused = try browser.submit("/portal/profile/password", from: "/portal/profile/security",
                                         [("current_password", "wrong"), ("new_password", "x"), ("confirm_password", "y")])
        #expect(refused.status == 422 && refused.text.contains("Last changed "), "the refused form's page still says it")
        console.clock.advance(by: 120)
        let changed = try browser.submit("/portal/profile/password", from: "/portal/profile/security",
                                         [("current_password", TestConsole.password), ("new_password", "correct horse battery"),
                                          ("confirm_password", "correct horse battery")])
        #expect(changed.status == 303)
        #expect(try browser.get("/portal/profile/security").text.contains("Last changed \(DateText.dayAndTime(console.clock.now()))"))
        // An invited user who has not chosen a password yet has none to date.
        try console.sql("UPDATE customer_users SET password_changed_at = NULL")
        #expect(try browser.get("/portal/profile/security").text.contains("Not changed since the account was set up"))
    }

    @Test("A refused rename keeps what was typed beside its error, with Cancel; a badge never repeats the key's name")
    func renameAndBadge() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        try console.registerKey(browser, SoftAuthenticator(), name: "Passkey on this device")
        let id = try console.count("SELECT id AS n FROM webauthn_credentials")
        let page = try browser.get("/portal/profile/security").text
        #expect(page.contains("<p class=\"keys__name\">Passkey on this device</p>"), "no “This device only” beside it")
        let typed = String(repeating: "Work laptop ", count: 8)
        let refused = try browser.submit("/portal/profile/security/passkeys/\(id)/rename", from: "/portal/profile/security", [("name", typed)])
        #expect(refused.status == 422)
        #expect(refused.text.contains("value=\"\(typed)\""), "what was typed stays")
        #expect(refused.text.contains("<a class=\"button button--quiet\" href=\"/portal/profile/security#passkeys\">Cancel</a>"))
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials WHERE name = 'Passkey on this device'") == 1)
    }

    @Test("Saving a card leads back to that card, where its confirmation is")
    func confirmationsWhereTheUserLooks() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        #expect(try browser.submit("/portal/profile/notifications", from: "/portal/profile", [("in_app", "on")]).header("Location")
                == "/portal/profile#notifications")
        let page = try browser.get("/portal/profile").text
        let card = try #require(page.range(of: "id=\"notifications\""))
        let message = try #require(page.range(of: "Your notification preferences were saved."))
        #expect(card.lowerBound < message.lowerBound, "the confirmation is inside the card the address leads to")
    }
}
