import Foundation
import Portal
import Testing
import TestSupport

/// Issue 15 item 9: behind a reverse proxy every client arrives from the proxy's address; with
/// `--trusted-proxy` the console takes the client from `X-Forwarded-For`, and only then.
@Suite struct HardeningProxyTests {
    /// A console whose proxy is this machine (the tests connect from 127.0.0.1), locking an address
    /// after three failures.
    func behindProxy(_ proxies: [String] = ["127.0.0.1"]) throws -> TestConsole {
        let console = try TestConsole {
            $0.trustedProxies = proxies
            $0.addressFailureLimit = 3
        }
        try console.seedNorthwind()
        return console
    }

    /// A failed sign-in for an address no account has (so only the address counter moves).
    func fail(_ browser: HTTPClient, as client: String?, attempt: Int) throws -> HTTPResponse {
        let headers = client.map { [("X-Forwarded-For", $0)] } ?? []
        let token = try browser.csrfToken(from: try browser.get("/login", headers: headers))
        return try browser.post("/login", form: [("csrf_token", token), ("email", "nobody\(attempt)@example.com"), ("password", "wrong password")],
                                headers: headers)
    }

    func signIn(_ browser: HTTPClient, as client: String?) throws -> HTTPResponse {
        let headers = client.map { [("X-Forwarded-For", $0)] } ?? []
        let token = try browser.csrfToken(from: try browser.get("/login", headers: headers))
        return try browser.post("/login", form: [("csrf_token", token), ("email", "jane@northwind.example"), ("password", TestConsole.password)],
                                headers: headers)
    }

    @Test("Two clients behind a trusted proxy are locked out separately")
    func lockoutPerClient() throws {
        let console = try behindProxy()
        let mallory = console.browser()
        for attempt in 0..<3 { #expect([401, 429].contains(try fail(mallory, as: "203.0.113.7", attempt: attempt).status)) }
        #expect(try fail(mallory, as: "203.0.113.7", attempt: 3).status == 429, "the fourth try from that client is locked")
        // Another client through the same proxy is not locked out by Mallory's failures.
        let jane = console.browser()
        let answer = try signIn(jane, as: "198.51.100.23, 127.0.0.1")
        #expect(answer.status == 303)
        #expect(try signIn(console.browser(), as: "203.0.113.7").status == 429, "Mallory's address stays locked")
    }

    @Test("Reset-link limits count each client behind the proxy apart")
    func resetLimitPerClient() throws {
        let console = try behindProxy()
        func forgot(_ client: String, _ index: Int) throws -> HTTPResponse {
            let browser = console.browser()
            let headers = [("X-Forwarded-For", client)]
            let token = try browser.csrfToken(from: try browser.get("/login/forgot", headers: headers))
            return try browser.post("/login/forgot", form: [("csrf_token", token), ("email", "someone\(index)@example.com")], headers: headers)
        }
        // Ten requests per address in 15 minutes; the eleventh from that client is told to wait.
        for index in 0..<10 { #expect(try forgot("203.0.113.7", index).status == 303) }
        #expect(try forgot("203.0.113.7", 10).status == 429)
        #expect(try forgot("198.51.100.23", 11).status == 303, "another client behind the proxy still may")
    }

    @Test("The access log, the audit trail and the sessions list show the client behind the proxy")
    func addressEverywhere() throws {
        let console = try behindProxy()
        let browser = console.browser()
        #expect(try signIn(browser, as: "2001:DB8::0042").status == 303)
        #expect(console.accessLog.all.contains { $0.hasPrefix("2001:db8::42 \"POST /login\" 303") })
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'sign_in' AND ip = '2001:db8::42'") == 1)
        #expect(try console.count("SELECT count(*) AS n FROM sessions WHERE ip = '2001:db8::42'") == 1)
        let security = try browser.get("/portal/profile/security", headers: [("X-Forwarded-For", "2001:db8::42")])
        #expect(security.text.contains("2001:db8::42 · Signed in"))
    }

    @Test("A connection that is not a trusted proxy cannot name its address: X-Forwarded-For is ignored",
          arguments: [[String](), ["10.9.9.9"]])
    func directIgnored(proxies: [String]) throws {
        let console = try behindProxy(proxies)
        let mallory = console.browser()
        for attempt in 0..<3 {
            #expect([401, 429].contains(try fail(mallory, as: "203.0.113.\(attempt + 1)", attempt: attempt).status))
        }
        // Each try named another address, but they all came from 127.0.0.1, which is now locked.
        #expect(try signIn(console.browser(), as: "198.51.100.23").status == 429)
        #expect(console.accessLog.all.allSatisfy { $0.hasPrefix("127.0.0.1 ") })
        #expect(try console.count("SELECT count(*) AS n FROM login_throttle WHERE key LIKE '%203.0.113%'") == 0)
    }

    @Test("serve refuses a --trusted-proxy that is not an exact IP address, in one line, before opening anything",
          arguments: ["proxy.example", "10.0.0.300", "10.0.0.0/8", "127.0.0.1:8443"])
    func badProxyOption(proxy: String) throws {
        let cli = CLI()
        let outcome = try cli.run(["serve", "--port", "0", "--trusted-proxy", "127.0.0.1", "--trusted-proxy", proxy])
        #expect(outcome.status != 0)
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("invalid --trusted-proxy \(proxy): give the proxy's exact IPv4 or IPv6 address") == true)
        #expect(!FileManager.default.fileExists(atPath: cli.database))
    }
}
