import Foundation
import Portal
import Testing
import TestSupport

/// A browser somewhere else: its own User-Agent and, through the trusted proxy the console is given,
/// its own address.
struct Visitor {
    static let windowsChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
    static let iPhoneSafari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"

    let browser: HTTPClient
    let headers: [(String, String)]

    init(_ console: TestConsole, userAgent: String, address: String) {
        browser = console.browser()
        headers = [("User-Agent", userAgent), ("X-Forwarded-For", address)]
    }

    /// Both steps of the sign-in form; the answer to the password step.
    func signIn(_ email: String, password: String) throws -> HTTPResponse {
        let token = try browser.csrfToken(from: try browser.get("/login", headers: headers))
        _ = try browser.post("/login", form: [("csrf_token", token), ("email", email)], headers: headers)
        return try browser.post("/login", form: [("csrf_token", token), ("email", email), ("password", password)], headers: headers)
    }

    /// A code typed at the MFA step.
    func code(_ code: String) throws -> HTTPResponse {
        let token = try browser.csrfToken(from: try browser.get("/login/mfa", headers: headers))
        return try browser.post("/login/mfa", form: [("csrf_token", token), ("code", code)], headers: headers)
    }
}

extension String {
    /// The Recent activity section of a Security tab.
    var activitySection: String {
        guard let start = range(of: "<section class=\"card\" id=\"activity\"") else { return "" }
        let rest = self[start.lowerBound...]
        return String(rest[..<(rest.range(of: "</section>")?.upperBound ?? rest.endIndex)])
    }

    /// Its lines, each the markup of one `<li>`.
    var activityLines: [String] {
        activitySection.components(separatedBy: "<li class=\"activity__item").dropFirst().map { $0 }
    }
}

/// Issue 18 item 4: Recent activity a person can read: from which browser and address, wrong passwords
/// and codes, the warning after a right password, older entries through "Show more".
@Suite struct ActivityReadingTests {
    /// A console behind a trusted proxy on this machine, so each visitor has an address of its own.
    func console(_ configure: @escaping (inout PortalConfiguration) -> Void = { _ in }) throws -> TestConsole {
        let console = try TestConsole {
            $0.trustedProxies = ["127.0.0.1"]
            configure(&$0)
        }
        try console.seedNorthwind()
        return console
    }

    @Test("A wrong password appears in the owner's activity with browser and address, never what was typed; another account's failures never")
    func wrongPassword() throws {
        let console = try console()
        _ = try console.portal.addCustomer(NewCustomer(client: "Northwind Traders", email: "sam@northwind.example", name: "Sam Lee",
                                                       password: TestConsole.password))
        let stranger = Visitor(console, userAgent: Visitor.windowsChrome, address: "203.0.113.7")
        let refused = try stranger.signIn("jane@northwind.example", password: "Tr0ub4dor-typed-guess")
        #expect(refused.status != 303, "answered \(refused.status)")
        _ = try Visitor(console, userAgent: Visitor.iPhoneSafari, address: "198.51.100.23").signIn("sam@northwind.example", password: "sams-typed-guess")
        _ = try stranger.signIn("nobody@northwind.example", password: "nobodys-typed-guess")

        let page = try console.signedIn().get("/portal/profile/security").text
        let lines = page.activityLines
        let wrong = try #require(lines.first { $0.contains("Wrong password entered") })
        #expect(wrong.contains("<p class=\"activity__source\">Chrome on Windows · 203.0.113.7</p>"))
        #expect(wrong.contains("class=\"activity__day\"") && wrong.contains("class=\"activity__time\""))
        #expect(!wrong.contains("activity__warning"), "a wrong password alone is no sign that someone has it")
        #expect(lines.filter { $0.contains("Wrong password entered") }.count == 1, "Sam's and the unknown email's are not Jane's")
        #expect(!page.contains("iPhone") && !page.contains("198.51.100.23"))
        for typed in ["Tr0ub4dor-typed-guess", "sams-typed-guess", "nobodys-typed-guess"] {
            #expect(!page.contains(typed))
        }
        // Jane's own sign-in, from this machine with no User-Agent: its address alone.
        #expect(lines.first?.contains("Signed in with password") == true)
        #expect(lines.first?.contains("<p class=\"activity__source\">127.0.0.1</p>") == true)
    }

    @Test("A wrong code after the right password is flagged: strongly from a stranger, softly when the same browser then signed in, and the typed codes never show")
    func wrongCodeAfterRightPassword() throws {
        let console = try console()
        let enrolled = try console.enrol(try console.signedIn())
        let right = try Oracles.totp(base32: enrolled.secret, at: console.clock.now())
        let wrongCode = String(right.map { Character(String(($0.wholeNumberValue! + 1) % 10)) })

        let stranger = Visitor(console, userAgent: Visitor.windowsChrome, address: "203.0.113.7")
        let password = try stranger.signIn("jane@northwind.example", password: TestConsole.password)
        try #require(password.status == 303 && password.header("Location") == "/login/mfa")
        #expect(try stranger.code(wrongCode).status != 303)
        #expect(try stranger.code("zzzzz-qqqqq").status != 303)

        var page = try enrolled.browser.get("/portal/profile/security").text
        var lines = page.activityLines
        let recovery = try #require(lines.first { $0.contains("Wrong recovery code entered") })
        let code = try #require(lines.first { $0.contains("Wrong authenticator code entered") })
        for line in [recovery, code] {
            #expect(line.contains("activity__item--alert"))
            #expect(line.contains("<strong>Someone may have your password</strong> — the right password was entered, then a wrong code. If this wasn't you, <a href=\"#password-title\">change your password</a>."))
            #expect(line.contains("Chrome on Windows · 203.0.113.7"))
        }
        #expect(page.contains("id=\"password-title\""), "the link leads to the Password section")
        #expect(!page.contains(wrongCode) && !page.contains("zzzzz") && !page.contains("qqqqq"))

        // Jane herself mistypes, then signs in from the same browser: flagged, but softly.
        let own = console.browser()
        #expect(try own.signIn(email: "jane@northwind.example", password: TestConsole.password).header("Location") == "/login/mfa")
        #expect(try own.submit("/login/mfa", from: "/login/mfa", [("code", wrongCode)]).status != 303)
        let signedIn = try own.submit("/login/mfa", from: "/login/mfa", [("code", enrolled.recoveryCodes[0])])
        #expect(signedIn.status == 303 && signedIn.header("Location") == "/portal/profile")
        page = try own.get("/portal/profile/security").text
        lines = page.activityLines
        let mistyped = try #require(lines.first { $0.contains("Wrong authenticator code entered") })
        #expect(!mistyped.contains("activity__item--alert"))
        #expect(mistyped.contains("The right password was entered, then a wrong code; this browser signed in right after, so it was probably you."))
        #expect(mistyped.contains("<p class=\"activity__source\">127.0.0.1</p>"))
        #expect(lines.filter { $0.contains("Someone may have your password") }.count == 2, "the stranger's stay flagged")

        // After a password change the stranger's attempts are no longer a live warning.
        let changed = try own.submit("/portal/profile/password", from: "/portal/profile/security",
                                     [("current_password", TestConsole.password), ("new_password", "a brand new passphrase"),
                                      ("confirm_password", "a brand new passphrase")])
        #expect(changed.status == 303)
        page = try own.get("/portal/profile/security").text
        #expect(!page.contains("Someone may have your password"))
        // The stranger's two and Jane's own mistyped code.
        #expect(page.activityLines.filter { $0.contains("Your password has been changed since.") }.count == 3)
    }

    @Test("A wrong code after single sign-on names the provider, not the password")
    func wrongCodeAfterProvider() throws {
        let console = try console()
        let jane = try console.janeID()
        try console.sql("INSERT INTO audit_events (at, kind, customer_user_id, ip, user_agent, detail) VALUES (?, ?, ?, ?, ?, ?)",
                        console.clock.now(), "second_factor_failed", jane, "203.0.113.9", Visitor.iPhoneSafari,
                        "authenticator code after Contoso <Sign-in>")
        let page = try console.signedIn().get("/portal/profile/security").text
        let line = try #require(page.activityLines.first { $0.contains("Wrong authenticator code entered") })
        #expect(line.contains("<strong>Someone may be able to sign in as you</strong> — the sign-in at Contoso &lt;Sign-in&gt; succeeded, then a wrong code. If this wasn't you, contact your IT provider."))
        #expect(line.contains("Safari on iPhone · 203.0.113.9"))
    }

    @Test("Ten lines, then Show more adds ten at a time up to 200; bad values show the first page")
    func showMore() throws {
        let console = try console()
        let jane = try console.janeID()
        let start = console.clock.now() - 100_000
        for number in 0..<25 {
            try console.sql("INSERT INTO audit_events (at, kind, customer_user_id, detail) VALUES (?, ?, ?, ?)",
                            start + Int64(number), "passkey_added", jane, "Key \(number)")
        }
        let browser = try console.signedIn()
        let first = try browser.get("/portal/profile/security").text
        #expect(first.activityLines.count == 10)
        #expect(first.activityLines.first?.contains("Signed in with password") == true)
        #expect(first.activitySection.contains("href=\"/portal/profile/security?activity=20#activity\">Show more</a>"))
        #expect(first.activityLines.last?.contains("Key added: Key 16") == true)

        let second = try browser.get("/portal/profile/security?activity=20").text
        #expect(second.activityLines.count == 20)
        #expect(second.activityLines.last?.contains("Key added: Key 6") == true)
        #expect(second.activitySection.contains("?activity=30#activity"))
        let all = try browser.get("/portal/profile/security?activity=30").text
        #expect(all.activityLines.count == 26)
        #expect(all.activityLines.last?.contains("Key added: Key 0") == true)
        #expect(!all.activitySection.contains("Show more"), "nothing older")

        for bad in ["abc", "-5", "0", "", "1e3", "99999999999999999999999999", "%00", "20;DROP"] {
            let page = try browser.get("/portal/profile/security?activity=\(bad)")
            #expect(page.status == 200, "activity=\(bad)")
            #expect(page.text.activityLines.count == 10, "activity=\(bad)")
        }
    }

    @Test("Show more stops at 200 lines, read from a bounded number of events, and says where older ones are")
    func showMoreIsBounded() throws {
        let console = try console()
        let jane = try console.janeID()
        let start = console.clock.now() - 100_000
        for number in 0..<700 {
            try console.sql("INSERT INTO audit_events (at, kind, customer_user_id, detail) VALUES (?, ?, ?, ?)",
                            start + Int64(number), "profile_updated", jane, "")
        }
        let page = try console.signedIn().get("/portal/profile/security?activity=100000").text
        #expect(page.activityLines.count == 200)
        #expect(!page.activitySection.contains("Show more"))
        #expect(page.activitySection.contains("Older entries are kept in your IT provider's audit log."))
    }

    @Test("A flood of wrong passwords from one browser is one line with its count; another browser's is its own line")
    func floodFolds() throws {
        let console = try console()
        let jane = try console.janeID()
        let start = console.clock.now() - 10_000
        for number in 0..<45 {
            try console.sql("INSERT INTO audit_events (at, kind, customer_user_id, ip, user_agent, detail) VALUES (?, ?, ?, ?, ?, ?)",
                            start + Int64(number), "sign_in_failed", jane, "203.0.113.7", Visitor.windowsChrome, "wrong password")
        }
        for number in 0..<3 {
            try console.sql("INSERT INTO audit_events (at, kind, customer_user_id, ip, user_agent, detail) VALUES (?, ?, ?, ?, ?, ?)",
                            start + 100 + Int64(number), "sign_in_failed", jane, "198.51.100.4", Visitor.iPhoneSafari, "wrong password")
        }
        let browser = try console.signedIn()
        let lines = try browser.get("/portal/profile/security").text.activityLines
        #expect(lines.count == 3)
        #expect(lines[1].contains("Wrong password entered <span class=\"activity__count\">· 3 times</span>"))
        #expect(lines[1].contains("Safari on iPhone · 198.51.100.4"))
        // Thirty events are read for ten lines: the flood goes on beyond them.
        #expect(lines[2].contains("Wrong password entered <span class=\"activity__count\">· at least 26 times</span>"))
        #expect(lines[2].contains("Chrome on Windows · 203.0.113.7"))
        let more = try browser.get("/portal/profile/security?activity=20").text.activityLines
        #expect(more.count == 3)
        #expect(more[2].contains("· 45 times</span>"))
    }

    @Test("While an administrator views the account, Recent activity renders, without the administrator's own failed attempts")
    func whileImpersonating() throws {
        let console = try console()
        let jane = try console.janeID()
        _ = try Visitor(console, userAgent: Visitor.windowsChrome, address: "203.0.113.7").signIn("jane@northwind.example", password: "guess")
        let viewing = try console.impersonating()
        let staff = Int64(try console.count("SELECT id AS n FROM staff"))
        try console.sql("INSERT INTO audit_events (at, kind, customer_user_id, staff_id, ip, detail) VALUES (?, ?, ?, ?, ?, ?)",
                        console.clock.now(), "password_check_failed", jane, staff, "127.0.0.1", "")
        let page = try viewing.get("/portal/profile/security")
        #expect(page.status == 200)
        let lines = page.text.activityLines
        #expect(lines.first?.contains("An administrator (Morgan Reyes) viewed your account.") == true)
        #expect(lines.contains { $0.contains("Wrong password entered") && $0.contains("Chrome on Windows · 203.0.113.7") })
        #expect(!lines.contains { $0.contains("Wrong password entered to confirm a change") })
    }
}
