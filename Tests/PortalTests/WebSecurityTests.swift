import Portal
import Testing
import TestSupport

@Suite struct WebSecurityTests {
    @Test("Every response carries the security headers; pages are not cached", arguments: ["/healthz", "/login", "/static/app.css", "/no-such-page"])
    func securityHeaders(path: String) throws {
        let console = try TestConsole()
        let response = try console.browser().get(path)
        let csp = try #require(response.header("Content-Security-Policy"))
        #expect(csp.contains("script-src 'self'"))
        #expect(!csp.contains("unsafe-inline"))
        #expect(csp.contains("frame-ancestors 'none'"))
        #expect(response.header("X-Content-Type-Options") == "nosniff")
        #expect(response.header("Referrer-Policy") == "same-origin", "no URL to other sites, and a real Origin on the console's own posts")
        if path == "/login" {
            #expect(response.header("Cache-Control") == "no-store")
            // A page's own referrer policy overrides the header; "no-referrer" would make the browser send
            // `Origin: null` with the sign-in form, which the cross-site check refuses.
            #expect(!response.text.contains("content=\"no-referrer\""))
        }
    }

    @Test("/healthz answers 200 ok")
    func health() throws {
        let console = try TestConsole()
        let response = try console.browser().get("/healthz")
        #expect(response.status == 200)
        #expect(response.text == "ok")
    }

    @Test("A POST without a valid CSRF token is refused with 403 and changes nothing")
    func csrfRefused() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let missing = try browser.post("/portal/profile", form: [("name", "Mallory"), ("phone", "")])
        let forged = try browser.post("/portal/profile", form: [("csrf_token", "AAAA"), ("name", "Mallory"), ("phone", "")])
        let other = try console.signedIn()
        let othersToken = try other.csrfToken(from: try other.get("/portal/profile"))
        let foreign = try browser.post("/portal/profile", form: [("csrf_token", othersToken), ("name", "Mallory"), ("phone", "")])
        for response in [missing, forged, foreign] {
            #expect(response.status == 403)
            #expect(response.text.contains("This form has expired"))
        }
        #expect(try console.count("SELECT count(*) AS n FROM customer_users WHERE name = 'Mallory'") == 0)
        let logout = try browser.post("/logout", form: [])
        #expect(logout.status == 403, "sign-out is a state change too")
        #expect(try browser.get("/portal/profile").status == 200)
    }

    @Test("The sign-in form is CSRF-protected: a login POST from another site gets 403")
    func loginCSRF() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let attacker = console.browser()
        let response = try attacker.post("/login", form: [("email", "jane@northwind.example"), ("password", TestConsole.password)])
        #expect(response.status == 403)
        #expect(attacker.cookies["clientone_session"] == nil)
    }

    @Test("A body over the limit gets 413 and is not processed")
    func bodyTooLarge() throws {
        let console = try TestConsole { $0.maxBodySize = 64 * 1024 }
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let token = try browser.csrfToken(from: try browser.get("/portal/profile"))
        let response = try browser.post("/portal/profile", form: [("csrf_token", token), ("name", String(repeating: "A", count: 70 * 1024)), ("phone", "")])
        #expect(response.status == 413)
        #expect(try console.count("SELECT count(*) AS n FROM customer_users WHERE name = 'Jane Doe'") == 1)
    }

    @Test("Malformed form encoding is a 400, not a crash, and the server keeps serving")
    func malformedForm() throws {
        let console = try TestConsole()
        let browser = console.browser()
        let token = try browser.csrfToken(from: try browser.get("/login"))
        for body in ["email=%ZZ", "email=%C3%28", "email=%", "email=%FF%FE"] {
            let response = try browser.send(method: "POST", target: "/login",
                                            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-CSRF-Token", token)],
                                            body: Array(body.utf8))
            #expect(response.status == 400, "body \(body)")
        }
        #expect(try browser.get("/healthz").status == 200)
    }

    @Test("A request for another host name is redirected to the origin")
    func hostRedirect() throws {
        let console = try TestConsole()
        let foreign = HTTPClient(port: console.port, hostHeader: "attacker.example:\(console.port)")
        let response = try foreign.get("/portal/profile?x=1")
        #expect(response.status == 308)
        #expect(response.header("Location") == "http://localhost:\(console.port)/portal/profile?x=1")
        let numeric = HTTPClient(port: console.port, hostHeader: "127.0.0.1:\(console.port)")
        #expect(try numeric.get("/login").header("Location") == "http://localhost:\(console.port)/login")
        // Host names compare without regard to ASCII case; anything else that differs is another host.
        #expect(try HTTPClient(port: console.port, hostHeader: "LocalHost:\(console.port)").get("/login").status == 200)
        for near in ["localhost", "localhost:\(console.port)0", "localhost:\(console.port).", "xlocalhost:\(console.port)",
                     "localhost.:\(console.port)", "locaIhost:\(console.port)", " localhost:\(console.port)x"] {
            let response = try HTTPClient(port: console.port, hostHeader: near).get("/login")
            #expect(response.status == 308, "Host \(near) answered \(response.status)")
        }
    }

    @Test("Static files come with an ETag, revalidate with 304, and never leave Public/")
    func staticFiles() throws {
        let console = try TestConsole()
        let browser = console.browser()
        let css = try browser.get("/static/app.css")
        #expect(css.status == 200)
        #expect(css.header("Content-Type")?.hasPrefix("text/css") == true)
        let etag = try #require(css.header("ETag"))
        let again = try browser.get("/static/app.css", headers: [("If-None-Match", etag)])
        #expect(again.status == 304)
        for path in ["/static/../Package.swift", "/static/%2e%2e/Package.swift", "/static/..%2FPackage.swift", "/static/.hidden"] {
            let response = try browser.get(path)
            #expect(response.status == 404 || response.status == 400, "\(path) answered \(response.status)")
            #expect(!response.text.contains("swift-tools-version"))
        }
    }

    @Test("Unknown pages are a 404 page and wrong methods a 405 with Allow")
    func notFoundAndMethod() throws {
        let console = try TestConsole()
        let browser = console.browser()
        let missing = try browser.get("/portal/nothing-here")
        #expect(missing.status == 404)
        #expect(missing.text.contains("Page not found"))
        let wrongMethod = try browser.send(method: "PUT", target: "/login", headers: [], body: [])
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow")?.contains("POST") == true)
    }

    @Test("Each request leaves one access-log line, without the query string")
    func accessLog() throws {
        let console = try TestConsole()
        _ = try console.browser().get("/login?token=secret-value")
        let lines = console.accessLog.all.filter { $0.contains("/login") }
        #expect(lines.count == 1)
        #expect(!lines.joined().contains("secret-value"))
    }
}

@Suite struct ListenPolicyTests {
    @Test("Loopback hosts are allowed; others need an https public URL")
    func hostRules() throws {
        try ListenPolicy.validate(host: "127.0.0.1", publicURL: nil)
        try ListenPolicy.validate(host: "::1", publicURL: nil)
        try ListenPolicy.validate(host: "0.0.0.0", publicURL: "https://portal.example.com")
        #expect(throws: ConfigurationError.publicHostNeedsHTTPS("0.0.0.0")) {
            try ListenPolicy.validate(host: "0.0.0.0", publicURL: nil)
        }
        #expect(throws: ConfigurationError.publicHostNeedsHTTPS("192.0.2.10")) {
            try ListenPolicy.validate(host: "192.0.2.10", publicURL: "http://portal.example.com")
        }
        #expect(throws: ConfigurationError.invalidPublicURL("portal.example.com")) {
            try ListenPolicy.validate(host: "127.0.0.1", publicURL: "portal.example.com")
        }
    }

    @Test("Behind an https public URL cookies are Secure")
    func secureCookies() throws {
        let console = try TestConsole { $0.publicURL = "https://portal.example.com" }
        let response = try HTTPClient(port: console.port, hostHeader: "portal.example.com").get("/login")
        #expect(response.headers("Set-Cookie").allSatisfy { $0.contains("; Secure") })
        #expect(response.header("Strict-Transport-Security") != nil)
    }
}
