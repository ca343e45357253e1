import Portal
import Testing
import TestSupport

/// Issue 15 item 8: login CSRF and cross-site posts. On `http://localhost` any other local app (another
/// port, same site) can plant the pre-session cookie and mint a CSRF token for it; the console refuses
/// what the browser says another site sent, and every sign-in step drops the pre-session.
@Suite struct HardeningCrossSiteTests {
    /// An attacker's pre-session and the CSRF token the console minted for it, got the way anyone can:
    /// by opening the sign-in page.
    func plantedPreSession(_ console: TestConsole) throws -> (cookie: String, token: String) {
        let attacker = console.browser()
        let token = try attacker.csrfToken(from: try attacker.get("/login"))
        return (try #require(attacker.cookies["clientone_pre"]), token)
    }

    /// What the browser of the attack sends with a cross-site request, each a way the console must see it.
    static let crossSiteHeaders: [[(String, String)]] = [
        [("Origin", "http://localhost:1")],
        [("Origin", "null")],
        [("Origin", "https://localhost")],
        [("Sec-Fetch-Site", "cross-site")],
    ]

    @Test("A planted pre-session plus a token minted for it cannot sign a browser in from another localhost port")
    func plantedLoginRefused() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let planted = try plantedPreSession(console)
        let otherPort = console.port == 65535 ? 8080 : console.port + 1
        let victim = console.browser()
        victim.cookies = ["clientone_pre": planted.cookie]
        let answer = try victim.post("/login", form: [("csrf_token", planted.token), ("email", "jane@northwind.example"),
                                                      ("password", TestConsole.password)],
                                     headers: [("Origin", "http://localhost:\(otherPort)"), ("Sec-Fetch-Site", "same-site")])
        #expect(answer.status == 403)
        #expect(answer.text.contains("came from another site"))
        #expect(answer.text.contains("nothing was changed"))
        #expect(!answer.headers("Set-Cookie").contains { $0.hasPrefix("clientone_session=") })
        #expect(victim.cookies["clientone_session"] == nil)
        #expect(try console.count("SELECT count(*) AS n FROM sessions") == 0)
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'sign_in'") == 0)
        // The same request from the console's own page signs in, and the planted value is gone after it.
        let own = try victim.post("/login", form: [("csrf_token", planted.token), ("email", "jane@northwind.example"),
                                                   ("password", TestConsole.password)],
                                  headers: [("Origin", console.origin), ("Sec-Fetch-Site", "same-origin")])
        #expect(own.status == 303)
        #expect(own.headers("Set-Cookie").contains { $0.hasPrefix("clientone_pre=;") && $0.contains("Max-Age=0") })
        #expect(victim.cookies["clientone_pre"] == nil)
    }

    @Test("Every kind of cross-site POST is refused before its handler: sign-in steps, forms, JSON, sign-out, staff",
          arguments: HardeningCrossSiteTests.crossSiteHeaders.indices)
    func everyPostRefused(variant: Int) throws {
        let headers = Self.crossSiteHeaders[variant]
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let token = try browser.csrfToken(from: try browser.get("/portal/profile"))
        let profile = try browser.post("/portal/profile", form: [("csrf_token", token), ("name", "Mallory"), ("phone", "")], headers: headers)
        let json = try browser.post("/portal/profile/security/passkeys/begin", json: Array("{}".utf8),
                                    headers: [("X-CSRF-Token", token)] + headers)
        let logout = try browser.post("/logout", form: [("csrf_token", token)], headers: headers)
        let stranger = console.browser()
        let loginToken = try stranger.csrfToken(from: try stranger.get("/login"))
        let emailStep = try stranger.post("/login", form: [("csrf_token", loginToken), ("email", "jane@northwind.example")], headers: headers)
        let staffToken = try stranger.csrfToken(from: try stranger.get("/admin/login"))
        let staff = try stranger.post("/admin/login", form: [("csrf_token", staffToken), ("email", "morgan@msp.example"),
                                                             ("password", TestConsole.password)], headers: headers)
        let forgot = try stranger.post("/login/forgot", form: [("csrf_token", loginToken), ("email", "jane@northwind.example")], headers: headers)
        let unknownRoute = try stranger.post("/no-such-page", form: [], headers: headers)
        for answer in [profile, json, logout, emailStep, staff, forgot, unknownRoute] {
            #expect(answer.status == 403)
            #expect(answer.text.contains("came from another site"))
        }
        #expect(try console.count("SELECT count(*) AS n FROM customer_users WHERE name = 'Mallory'") == 0)
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_challenges") == 0)
        #expect(try console.count("SELECT count(*) AS n FROM sessions WHERE staff_id IS NOT NULL") == 0)
        #expect(try console.count("SELECT count(*) AS n FROM outbox") == 0)
        #expect(try browser.get("/portal/profile").status == 200, "the sign-out was refused too")
        // The console's own origin, and a request with neither header (curl), are still judged by the token.
        let same = try browser.post("/portal/profile", form: [("csrf_token", token), ("name", "Jane Q"), ("phone", "")],
                                    headers: [("Origin", console.origin), ("Sec-Fetch-Site", "same-origin")])
        #expect(same.status == 303)
        let curl = try browser.post("/portal/profile", form: [("csrf_token", token), ("name", "Jane R"), ("phone", "")])
        #expect(curl.status == 303)
        let curlNoToken = try browser.post("/portal/profile", form: [("name", "Mallory"), ("phone", "")])
        #expect(curlNoToken.status == 403)
        #expect(curlNoToken.text.contains("This form has expired"))
    }

    @Test("Password sign-in drops a planted pre-session, for customers and for staff")
    func passwordStepsRotate() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let planted = try plantedPreSession(console)
        let customer = console.browser()
        customer.cookies = ["clientone_pre": planted.cookie]
        #expect(try customer.signIn(email: "jane@northwind.example", password: TestConsole.password).status == 303)
        #expect(customer.cookies["clientone_pre"] == nil)

        let staff = console.browser()
        staff.cookies = ["clientone_pre": planted.cookie]
        let answer = try staff.submit("/admin/login", from: "/admin/login", [("email", "morgan@msp.example"), ("password", TestConsole.password)])
        #expect(answer.status == 303)
        #expect(answer.headers("Set-Cookie").contains { $0.hasPrefix("clientone_pre=;") })
        #expect(staff.cookies["clientone_pre"] == nil)
        #expect(staff.cookies["clientone_staff"] != nil)
    }

    @Test("The MFA step drops a pre-session planted between the password and the code")
    func mfaStepRotates() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        let planted = try plantedPreSession(console)
        let browser = console.browser()
        let first = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        try #require(first.header("Location") == "/login/mfa")
        browser.cookies["clientone_pre"] = planted.cookie
        console.clock.advance(by: 30)
        let code = try Oracles.totp(base32: enrolled.secret, at: console.clock.now())
        let answer = try browser.submit("/login/mfa", from: "/login/mfa", [("code", code)])
        #expect(answer.status == 303)
        #expect(browser.cookies["clientone_pre"] == nil)
        #expect(try browser.get("/portal/profile").status == 200)
    }

    @Test("Passkey sign-in drops the pre-session its ceremony was bound to")
    func passkeyRotates() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let key = SoftAuthenticator()
        try console.registerKey(try console.signedIn(), key)
        let planted = try plantedPreSession(console)
        let browser = console.browser()
        browser.cookies = ["clientone_pre": planted.cookie]
        let (_, finish) = try console.signInWithKey(key, browser: browser)
        #expect(finish.status == 200)
        #expect(finish.headers("Set-Cookie").contains { $0.hasPrefix("clientone_pre=;") })
        #expect(browser.cookies["clientone_pre"] == nil)
        #expect(try browser.get("/portal/profile").status == 200)
    }

    @Test("Behind https the console's origin is recognised as browsers write it; http or another port is not",
          arguments: [("https://portal.example.com", true), ("HTTPS://Portal.Example.COM", true), ("http://portal.example.com", false),
                      ("https://portal.example.com:8443", false), ("https://portal.example.com.evil.example", false)])
    func httpsOrigin(origin: String, own: Bool) throws {
        let console = try TestConsole { $0.publicURL = "https://portal.example.com:443/" }
        try console.seedNorthwind()
        let browser = HTTPClient(port: console.port, hostHeader: "portal.example.com:443")
        let token = try browser.csrfToken(from: try browser.get("/login"))
        let answer = try browser.post("/login", form: [("csrf_token", token), ("email", "jane@northwind.example")],
                                      headers: [("Origin", origin)])
        #expect(answer.status == (own ? 200 : 403), "Origin \(origin)")
    }
}
