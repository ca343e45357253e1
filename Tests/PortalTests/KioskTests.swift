import Portal
import Testing
import TestSupport

extension TestConsole {
    /// Both sign-in steps from a browser that sends this User-Agent.
    func signedIn(agent: String) throws -> HTTPClient {
        let browser = browser()
        let ua = [("User-Agent", agent)]
        let token = try browser.csrfToken(from: try browser.get("/login", headers: ua))
        _ = try browser.post("/login", form: [("csrf_token", token), ("email", "jane@northwind.example")], headers: ua)
        let done = try browser.post("/login", form: [("csrf_token", token), ("email", "jane@northwind.example"),
                                                     ("password", TestConsole.password)], headers: ua)
        try #require(done.status == 303)
        return browser
    }
}

@Suite struct KioskTests {
    static let chromeOnWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    static let firefoxOnLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    static let safariOnIPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"

    @Test("Kiosk: the sign-in page says it is a shared computer; cookies are session cookies; pages carry the 5-minute time-out")
    func kioskPages() throws {
        let console = try TestConsole { $0.kiosk = true }
        try console.seedNorthwind()
        let login = try console.browser().get("/login")
        #expect(login.text.contains("This is a shared computer. Sign out when you are done"))
        #expect(login.text.contains("Sign in with a security key or phone"))
        #expect(!login.text.lowercased().contains("remember me"))
        let browser = console.browser()
        let answer = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        for cookie in answer.headers("Set-Cookie") {
            #expect(!cookie.contains("Max-Age=") || cookie.contains("Max-Age=0"), "a persistent cookie: \(cookie)")
            #expect(!cookie.contains("Expires="), "a persistent cookie: \(cookie)")
        }
        let profile = try browser.get("/portal/profile")
        #expect(profile.text.contains("data-idle-timeout=\"300\""))
        #expect(profile.header("Cache-Control") == "no-store")
        let begin = try console.ceremony(console.browser(), "/login/passkey/begin", from: "/login")
        let hints = (begin.object["publicKey"] as? [String: Any])?["hints"] as? [String]
        #expect(hints == ["security-key", "hybrid"], "security keys and phones, not a passkey saved on the shared computer")
    }

    @Test("The server ends an idle session whatever the browser does, and sign-in says why")
    func idleExpiry() throws {
        let console = try TestConsole { $0.idleTimeout = 60 }
        try console.seedNorthwind()
        let browser = try console.signedIn()
        console.clock.advance(by: 50)
        #expect(try browser.get("/portal/profile").status == 200, "activity keeps it")
        console.clock.advance(by: 50)
        #expect(try browser.get("/portal/profile/security").status == 200)
        console.clock.advance(by: 61)
        let gone = try browser.get("/portal/profile")
        #expect(gone.status == 303)
        #expect(gone.header("Location") == "/login?signed_out=idle")
        #expect(gone.header("Clear-Site-Data") == "\"cache\", \"cookies\", \"storage\"")
        #expect(try browser.get("/login?signed_out=idle").text.contains("You were signed out because the session was idle."))
        #expect(try browser.get("/portal/profile").header("Location") == "/login", "the session is gone on the server")
    }

    @Test("Stay signed in restarts the time-out; the page's idle sign-out lands on the idle message")
    func keepAliveAndIdleSignOut() throws {
        let console = try TestConsole { $0.idleTimeout = 120 }
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let page = try browser.get("/portal/profile")
        #expect(page.text.contains("data-idle-timeout=\"120\""))
        let token = try browser.csrfToken(from: page)
        #expect(try browser.post("/portal/session/keepalive", json: Array("{}".utf8)).status == 403, "CSRF applies")
        for _ in 0..<3 {
            console.clock.advance(by: 100)
            #expect(try browser.post("/portal/session/keepalive", json: Array("{}".utf8), headers: [("X-CSRF-Token", token)]).status == 204)
        }
        let remaining = try browser.get("/portal/profile").text
        #expect(remaining.contains("data-idle-remaining=\"120\""))
        let out = try browser.post("/logout", form: [("csrf_token", token), ("reason", "idle")])
        #expect(out.header("Location") == "/login?signed_out=idle")
        #expect(out.header("Clear-Site-Data") == "\"cache\", \"cookies\", \"storage\"")
    }

    @Test("Signed-in sessions: browser and OS, address, times, This device; sign one out, or all others")
    func sessionsList() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let windows = try console.signedIn(agent: Self.chromeOnWindows)
        let linux = try console.signedIn(agent: Self.firefoxOnLinux)
        let phone = try console.signedIn(agent: Self.safariOnIPhone)
        let page = try windows.get("/portal/profile/security").text
        #expect(page.contains("Signed-in sessions"))
        #expect(page.contains("Chrome on Windows <span class=\"badge badge--on\">This device</span>"))
        #expect(page.contains("Firefox on Linux"))
        #expect(page.contains("Safari on iPhone"))
        #expect(page.contains("127.0.0.1 · Signed in"))
        let ids = page.captures("/portal/profile/security/sessions/(\\d+)/revoke")
        #expect(ids.count == 2, "the current session has no Sign out of its own")

        let linuxID = try console.count("SELECT id AS n FROM sessions WHERE user_agent LIKE '%Firefox%'")
        let revoked = try windows.submit("/portal/profile/security/sessions/\(linuxID)/revoke", from: "/portal/profile/security", [])
        #expect(revoked.status == 303)
        #expect(try linux.get("/portal/profile").header("Location") == "/login")
        #expect(try phone.get("/portal/profile").status == 200)
        #expect(try windows.get("/portal/profile/security").text.contains("Signed out. That browser must sign in again."))

        let all = try windows.submit("/portal/profile/security/sessions/revoke-others", from: "/portal/profile/security", [])
        #expect(all.status == 303)
        #expect(try phone.get("/portal/profile").header("Location") == "/login")
        #expect(try windows.get("/portal/profile").status == 200, "this device stays signed in")
        #expect(try console.auditKinds("session_revoked") == 2)
    }

    @Test("Another account's session cannot be signed out, nor without the CSRF token")
    func sessionAttacks() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.portal.addCustomer(NewCustomer(client: "Northwind Traders", email: "sam@northwind.example", name: "Sam",
                                                       password: TestConsole.password))
        let jane = try console.signedIn()
        let sam = try console.signedIn("sam@northwind.example")
        let janeID = try console.count("SELECT s.id AS n FROM sessions s JOIN customer_users u ON u.id = s.customer_user_id WHERE u.email = 'jane@northwind.example'")
        let attack = try sam.submit("/portal/profile/security/sessions/\(janeID)/revoke", from: "/portal/profile/security", [])
        #expect(attack.status == 404)
        #expect(try jane.get("/portal/profile").status == 200)
        let noToken = try sam.post("/portal/profile/security/sessions/revoke-others", form: [])
        #expect(noToken.status == 403)
    }

    @Test("Sensitive fields say what they hold, and secret pages are never stored")
    func sensitiveFields() throws {
        let console = try TestConsole { $0.kiosk = true }
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let security = try browser.get("/portal/profile/security").text
        #expect(security.contains("id=\"current_password\" name=\"current_password\" type=\"password\" value=\"\" required aria-required=\"true\" autocomplete=\"current-password\""))
        #expect(security.contains("autocomplete=\"new-password\""))
        let started = try browser.submit("/portal/profile/security/totp/enable", from: "/portal/profile/security", [])
        #expect(started.header("Cache-Control") == "no-store")
        let setup = try browser.follow(started)
        #expect(setup.header("Cache-Control") == "no-store")
        #expect(setup.text.contains("autocomplete=\"one-time-code\""))
        #expect(setup.text.contains("<form method=\"post\" action=\"/portal/profile/security/totp/verify\" novalidate autocomplete=\"off\">"))
        // Only the set-up's own GET page shows it, and only while it is pending: the POST routes have no GET.
        #expect(try browser.get("/portal/profile/security/totp/verify").status == 405)
        #expect(try browser.get("/portal/profile/security/recovery-codes/saved").status == 405)
    }
}

@Suite struct UserAgentTests {
    @Test("Browser and OS names", arguments: [
        (KioskTests.chromeOnWindows, "Chrome on Windows"),
        (KioskTests.firefoxOnLinux, "Firefox on Linux"),
        (KioskTests.safariOnIPhone, "Safari on iPhone"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
        ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ])
    func names(agent: String, expected: String) throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn(agent: agent)
        #expect(try browser.get("/portal/profile/security").text.contains(">\(expected) <span class=\"badge badge--on\">This device</span>"))
    }
}
