import Portal
import Testing
import TestSupport

@Suite struct SignInTests {
    @Test("Identifier first: the email step leads to a password step, then to the Profile tab")
    func signInFlow() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = console.browser()
        let login = try browser.get("/login")
        #expect(login.status == 200)
        #expect(login.text.contains("name=\"email\""))
        #expect(!login.text.contains("type=\"password\""))
        let token = try browser.csrfToken(from: login)
        let step = try browser.post("/login", form: [("csrf_token", token), ("email", "Jane@Northwind.example")])
        #expect(step.status == 200)
        #expect(step.text.contains("type=\"password\""))
        let done = try browser.post("/login", form: [("csrf_token", token), ("email", "JANE@northwind.example"),
                                                     ("password", TestConsole.password)])
        #expect(done.status == 303)
        #expect(done.header("Location") == "/portal/profile")
        let cookie = try #require(done.headers("Set-Cookie").first { $0.hasPrefix("clientone_session=") })
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Strict"))
        #expect(cookie.contains("Path=/"))
        #expect(!cookie.contains("Max-Age"))
        #expect(!cookie.contains("Secure"), "no Secure flag on plain http://localhost")
        let profile = try browser.get("/portal/profile")
        #expect(profile.status == 200)
        #expect(profile.text.contains("Jane Doe"))
    }

    @Test("The session token is new at sign-in and stored only as a hash")
    func tokenIsNewAndHashed() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = console.browser()
        _ = try browser.get("/login")
        let before = browser.cookies["clientone_pre"]
        _ = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        let token = try #require(browser.cookies["clientone_session"])
        #expect(token != before)
        #expect(token.count == 43, "256 bits in base64url")
        #expect(try console.count("SELECT count(*) AS n FROM sessions WHERE token_hash = CAST(? AS BLOB)", token) == 0)
        #expect(try console.count("SELECT count(*) AS n FROM sessions WHERE length(token_hash) = 32") == 1)
    }

    @Test("Wrong password and unknown email get the same generic message")
    func genericFailure() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let wrong = try console.browser().signIn(email: "jane@northwind.example", password: "not the password")
        let unknown = try console.browser().signIn(email: "nobody@northwind.example", password: "not the password")
        #expect(wrong.status == 401)
        #expect(unknown.status == 401)
        #expect(wrong.text.contains("The email or password is incorrect."))
        #expect(unknown.text.contains("The email or password is incorrect."))
        #expect(wrong.status == unknown.status)
    }

    @Test("Five failures lock the account for 15 minutes, even with the right password, whether or not it exists")
    func accountLockout() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        for email in ["jane@northwind.example", "ghost@northwind.example"] {
            var last: HTTPResponse?
            for _ in 0..<5 { last = try console.browser().signIn(email: email, password: "wrong-password") }
            #expect(last?.status == 429)
            #expect(last?.text.contains("Too many failed sign-in attempts. Try again in 15 minutes.") == true)
            #expect(last?.header("Retry-After") == "900")
        }
        let locked = try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(locked.status == 429, "the right password does not get through a lockout")
        console.clock.advance(by: 14 * 60)
        let later = try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(later.text.contains("Try again in 1 minute."))
        console.clock.advance(by: 61)
        let free = try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(free.status == 303)
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'lockout'") == 2)
    }

    @Test("Twenty failures from one address lock that address for every account")
    func addressLockout() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        for attempt in 0..<20 {
            _ = try console.browser().signIn(email: "guess\(attempt)@northwind.example", password: "wrong-password")
        }
        let blocked = try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(blocked.status == 429)
    }

    @Test("A client with the portal turned off shows \"Portal not available\" after the password, and no session")
    func portalDisabled() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(portalEnabled: false))
        let browser = console.browser()
        let response = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(response.status == 403)
        #expect(response.text.contains("Portal not available"))
        #expect(browser.cookies["clientone_session"] == nil)
        let wrong = try console.browser().signIn(email: "jane@northwind.example", password: "wrong-password")
        #expect(!wrong.text.contains("Portal not available"), "the state is shown only after the right password")
    }

    @Test("An SSO-only client gets the notice instead of a password field, and passwords are refused")
    func singleSignOnOnly() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(ssoOnly: true))
        let browser = console.browser()
        let token = try browser.csrfToken(from: try browser.get("/login"))
        let step = try browser.post("/login", form: [("csrf_token", token), ("email", "jane@northwind.example")])
        #expect(step.text.contains("Your organization requires single sign-on"))
        #expect(!step.text.contains("type=\"password\""))
        let unknownSameDomain = try browser.post("/login", form: [("csrf_token", token), ("email", "who@northwind.example")])
        #expect(unknownSameDomain.text.contains("Your organization requires single sign-on"),
                "an unknown address at the SSO domain looks the same: the step reveals no account")
        let forced = try browser.post("/login", form: [("csrf_token", token), ("email", "jane@northwind.example"),
                                                       ("password", TestConsole.password)])
        #expect(forced.status == 403)
        #expect(browser.cookies["clientone_session"] == nil)
    }

    @Test("Staff credentials and unlinked or disabled customers see \"Client Portal Access Required\"")
    func accessRequired() throws {
        let console = try TestConsole()
        let jane = try console.seedNorthwind()
        let staff = try console.browser().signIn(email: "morgan@msp.example", password: TestConsole.password)
        #expect(staff.status == 403)
        #expect(staff.text.contains("Client Portal Access Required"))
        #expect(staff.text.contains("staff accounts do not have access to the customer portal"))

        try console.sql("UPDATE customer_users SET client_id = NULL WHERE id = ?", jane.id)
        let unlinked = try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(unlinked.text.contains("Client Portal Access Required"))

        try console.sql("UPDATE customer_users SET client_id = 1, status = 'disabled' WHERE id = ?", jane.id)
        let disabled = try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(disabled.text.contains("Client Portal Access Required"))
        #expect(try console.count("SELECT count(*) AS n FROM sessions") == 0)
    }

    @Test("Turning a client's portal off ends its users' sessions at their next request")
    func sessionEndsWhenPortalTurnedOff() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(portalEnabled: false))
        let response = try browser.get("/portal/profile")
        #expect(response.status == 303)
        #expect(response.header("Location") == "/login")
    }

    @Test("Sign out deletes the session on the server and clears the site's data")
    func signOut() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let stolen = try #require(browser.cookies["clientone_session"])
        let out = try browser.submit("/logout", from: "/portal/profile", [])
        #expect(out.status == 303)
        #expect(out.header("Location") == "/login?signed_out=1")
        #expect(out.header("Clear-Site-Data") == "\"cache\", \"cookies\", \"storage\"")
        #expect(out.headers("Set-Cookie").contains { $0.hasPrefix("clientone_session=;") && $0.contains("Max-Age=0") })
        let replay = console.browser()
        replay.cookies["clientone_session"] = stolen
        let response = try replay.get("/portal/profile")
        #expect(response.status == 303, "the old token no longer opens the account")
        #expect(try console.count("SELECT count(*) AS n FROM sessions") == 0)
        #expect(try browser.get("/login?signed_out=1").text.contains("You have signed out."))
    }

    @Test("A session idle longer than the time-out ends; an active one lasts until the absolute limit")
    func sessionExpiry() throws {
        let console = try TestConsole { $0.idleTimeout = 300 }
        try console.seedNorthwind()
        let browser = try console.signedIn()
        for _ in 0..<4 {
            console.clock.advance(by: 200)
            #expect(try browser.get("/portal/profile").status == 200)
        }
        console.clock.advance(by: 301)
        let expired = try browser.get("/portal/profile")
        #expect(expired.status == 303)
        #expect(try console.count("SELECT count(*) AS n FROM sessions") == 0)

        let again = try console.signedIn()
        var elapsed: Int64 = 0
        var statuses: Set<Int> = []
        while elapsed + 250 < 12 * 3600 {
            console.clock.advance(by: 250)
            elapsed += 250
            statuses.insert(try again.get("/portal/profile").status)
        }
        #expect(statuses == [200], "active use keeps the session open until the absolute limit")
        console.clock.advance(by: 250)
        #expect(try again.get("/portal/profile").status == 303, "12 hours after sign-in the session ends however active")
    }

    @Test("A signed-in customer opening /login goes to the profile")
    func loginWhenSignedIn() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let response = try browser.get("/login")
        #expect(response.status == 303)
        #expect(response.header("Location") == "/portal/profile")
    }
}
