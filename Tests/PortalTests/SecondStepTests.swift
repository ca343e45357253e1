import Foundation
import Portal
import Testing
import TestSupport

/// The second step of sign-in (issue 18 item 7): it says which account is signing in, shows one way at a
/// time, and "Try another way" lists the account's other ways in place of the form.
@Suite struct SecondStepTests {
    /// How many forms on the page answer the step (the Cancel form posts to /logout).
    static func stepForms(_ page: String) -> Int {
        page.components(separatedBy: "<form method=\"post\" action=\"/login/mfa\"").count - 1
    }

    @Test("The step names the account and shows one form; “Try another way” lists the other ways instead of a second form")
    func oneWayAtATime() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let jane = try console.signedIn()
        try console.registerKey(jane, SoftAuthenticator(), name: "YubiKey")
        _ = try console.enrol(jane)
        let browser = console.browser()
        #expect(try browser.signIn(email: "jane@northwind.example", password: TestConsole.password).header("Location") == "/login/mfa")

        let first = try browser.get("/login/mfa").text
        #expect(first.contains("Signing in as <strong>jane@northwind.example</strong>"))
        #expect(Self.stepForms(first) == 0, "one way at a time: the key first, and no code form beside it")
        #expect(first.contains("data-passkey-signin=\"/login/mfa/passkey\""))
        #expect(!first.contains("id=\"code\"") && !first.contains("id=\"recovery_code\""))
        #expect(first.contains("<a href=\"/login/mfa?with=choose\">Try another way</a>"))

        let choose = try browser.get("/login/mfa?with=choose").text
        #expect(Self.stepForms(choose) == 0, "the list replaces the form")
        for (way, name) in [("code", "Enter a code from your authenticator app"), ("passkey", "Use a passkey or security key"),
                            ("recovery", "Enter a recovery code")] {
            #expect(choose.contains("href=\"/login/mfa?with=\(way)\">\(name)</a>"))
        }
        let code = try browser.get("/login/mfa?with=code").text
        #expect(Self.stepForms(code) == 1 && code.contains("id=\"code\"") && !code.contains("data-passkey-signin"))
        let recovery = try browser.get("/login/mfa?with=recovery").text
        #expect(Self.stepForms(recovery) == 1 && recovery.contains("id=\"recovery_code\"") && !recovery.contains("id=\"code\""))
    }

    @Test("A wrong recovery code comes back on the recovery form, with its own message; a wrong app code on the code form")
    func wrongAnswerKeepsTheWay() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.enrol(try console.signedIn())
        let browser = console.browser()
        _ = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        let wrongRecovery = try browser.submit("/login/mfa", from: "/login/mfa?with=recovery", [("with", "recovery"), ("code", "aaaaa-bbbbb")])
        #expect(wrongRecovery.status == 401)
        #expect(wrongRecovery.text.contains("That recovery code didn&#39;t work."))
        #expect(wrongRecovery.text.contains("id=\"recovery_code\"") && !wrongRecovery.text.contains("id=\"code\""))
        let wrongCode = try browser.submit("/login/mfa", from: "/login/mfa", [("with", "code"), ("code", "000000")])
        #expect(wrongCode.status == 401)
        #expect(wrongCode.text.contains("That code didn&#39;t work.") && wrongCode.text.contains("id=\"code\""))
    }

    @Test("A way the account does not have, or nonsense, shows the account's own first way")
    func unknownWays() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.enrol(try console.signedIn())
        let browser = console.browser()
        _ = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        for asked in ["passkey", "nonsense", "%3Cscript%3E", ""] {
            let page = try browser.get("/login/mfa?with=\(asked)")
            #expect(page.status == 200)
            #expect(page.text.contains("id=\"code\""), "?with=\(asked)")
            #expect(!page.text.contains("data-passkey-signin"), "no key to offer for ?with=\(asked)")
        }
    }
}

/// Mandatory enrolment offers a security key or passkey as well as the authenticator app (issue 18 item 7).
@Suite struct EnrolmentWithAKeyTests {
    @Test("A client that requires MFA: the set-up page offers Add Key, and a key added there signs the session fully in")
    func keyCompletesEnrolment() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(requireMFA: true))
        let browser = console.browser()
        #expect(try browser.signIn(email: "jane@northwind.example", password: TestConsole.password).header("Location")
                == "/portal/profile/security")
        let setup = try browser.get("/portal/profile/security").text
        #expect(setup.contains("Set up an authenticator app, or add a security key or passkey, to continue."))
        #expect(setup.contains("action=\"/portal/profile/security/passkeys/begin\" data-passkey-register"))
        #expect(setup.contains("action=\"/portal/profile/security/totp/enable\""))
        #expect(try browser.get("/portal/profile").header("Location") == "/portal/profile/security", "still only the set-up")
        let before = browser.cookies["clientone_session"]

        let added = try console.registerKey(browser, SoftAuthenticator(), name: "YubiKey")
        #expect(added.status == 200)
        #expect(browser.cookies["clientone_session"] != before, "a new session replaces the enrolment's")
        let security = try browser.get("/portal/profile/security").text
        #expect(security.contains("Your key was added."))
        #expect(!security.contains("requires two-factor authentication"))
        #expect(try browser.get("/portal/profile").status == 200, "signed fully in")
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'sign_in' AND detail LIKE '%after adding a security key or passkey%'") == 1)
        // The next sign-in asks for the key.
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).header("Location") == "/login/mfa")
    }
}
