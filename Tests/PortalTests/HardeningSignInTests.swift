import Crypto
import Foundation
import Portal
import Testing
import TestSupport
import Threads

/// Issue 15's attacks on sign-in, each performed against the running server: second-factor brute force,
/// the staff lockout bypass, parallel guesses, policy changes that must reach open sessions, keys as a
/// second factor, enumeration at the email step, oversized text and what an administrator may do while
/// viewing an account.
extension TestConsole {
    /// A browser whose connections come from this loopback address, as if from another machine.
    func browser(from address: String) -> HTTPClient {
        let browser = self.browser()
        browser.sourceAddress = address
        return browser
    }

    /// Turns on Morgan's authenticator through /admin/security and returns its secret.
    func enrolStaff(_ browser: HTTPClient) throws -> String {
        var setup = try browser.submit("/admin/security/totp/enable", from: "/admin/security", [])
        if setup.status == 303, let location = setup.header("Location") { setup = try browser.get(location) }
        let svg = try #require(setup.text.captures("(<svg.*?</svg>)").first)
        let secret = try #require(try Oracles.decodeQR(svg: svg).captures("secret=([A-Z2-7]+)").first)
        let setupID = try #require(setup.text.captures(#"name="setup" value="(\d+)""#).first)
        let verified = try browser.post("/admin/security/totp/verify",
                                        form: [("csrf_token", try browser.csrfToken(from: setup)), ("setup", setupID),
                                               ("code", try Oracles.totp(base32: secret, at: clock.now()))])
        try #require(verified.status == 303, "staff verify answered \(verified.status)")
        return secret
    }
}

@Suite struct SecondFactorBruteForceTests {
    @Test("The right password and wrong codes, in fresh sessions from several addresses, lock the account after five")
    func customerCodesLockTheAccount() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.enrol(try console.signedIn())
        var answers: [Int] = []
        for round in 0..<6 {
            let browser = console.browser(from: "127.0.\(round / 3).\(10 + round)")
            let password = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
            if password.status == 429 { answers.append(429); continue }
            try #require(password.header("Location") == "/login/mfa", "round \(round): \(password.status)")
            answers.append(try browser.submit("/login/mfa", from: "/login/mfa", [("code", "000000")]).status)
        }
        #expect(answers == [401, 401, 401, 401, 429, 429], "a right password must not wipe the count of wrong codes: \(answers)")
        let locked = try console.browser(from: "127.0.9.9").signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(locked.status == 429)
        #expect(locked.text.contains("Too many failed sign-in attempts."))
    }

    @Test("A completed sign-in, and only that, resets the count")
    func completedSignInResets() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        for _ in 0..<4 { _ = try console.signInWithCode("000000") }
        console.clock.advance(by: 30)
        let (_, done) = try console.signInWithCode(try Oracles.totp(base32: enrolled.secret, at: console.clock.now()))
        #expect(done.header("Location") == "/portal/profile")
        var statuses: [Int] = []
        for _ in 0..<4 { statuses.append(try console.signInWithCode("000000").1.status) }
        #expect(statuses == [401, 401, 401, 401], "the completed sign-in started the count again")
    }

    @Test("Staff: the right password and wrong codes at /admin/login lock the staff account after five")
    func staffCodesLockTheAccount() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.enrolStaff(try console.staffSignedIn())
        var answers: [Int] = []
        for round in 0..<6 {
            let browser = console.browser(from: "127.0.1.\(20 + round)")
            let password = try browser.submit("/admin/login", from: "/admin/login",
                                              [("email", "morgan@msp.example"), ("password", TestConsole.password)])
            if password.status == 429 { answers.append(429); continue }
            try #require(password.header("Location") == "/admin/login", "round \(round): \(password.status)")
            answers.append(try browser.submit("/admin/login", from: "/admin/login", [("code", "000000")]).status)
        }
        #expect(answers == [401, 401, 401, 401, 429, 429], "got \(answers)")
    }
}

@Suite struct StaffLockoutTests {
    @Test("Staff passwords guessed at the customer sign-in count toward the staff lockout")
    func guessesAtCustomerSignInCount() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        for _ in 0..<5 { _ = try console.browser().signIn(email: "morgan@msp.example", password: "guess-\(UUID())") }
        let admin = try console.browser().submit("/admin/login", from: "/admin/login",
                                                 [("email", "morgan@msp.example"), ("password", TestConsole.password)])
        #expect(admin.status == 429, "the staff account is locked after five guesses anywhere")
    }

    @Test("A locked staff account gives no success signal at the customer sign-in")
    func lockedStaffGivesNoSignal() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let before = try console.browser().signIn(email: "morgan@msp.example", password: TestConsole.password)
        #expect(before.text.contains("Client Portal Access Required"), "the documented answer for staff credentials")
        for _ in 0..<5 {
            _ = try console.browser().submit("/admin/login", from: "/admin/login", [("email", "morgan@msp.example"), ("password", "guess")])
        }
        let locked = try console.browser().signIn(email: "morgan@msp.example", password: TestConsole.password)
        #expect(locked.status == 429)
        #expect(!locked.text.contains("Client Portal Access Required"))
    }
}

@Suite struct ParallelGuessTests {
    /// A console whose hashing takes long enough (about 10–40 ms a guess here) for guesses to overlap,
    /// with four connection threads and four threads on the slow lane.
    static func parallelConsole() throws -> TestConsole {
        let console = try TestConsole { configuration in
            configuration.threads = 4
            configuration.hashingThreads = 4
            configuration.passwordIterations = 60_000
        }
        try console.seedNorthwind()
        return console
    }

    /// Sends every password at once, each from its own browser, and returns the answers' statuses.
    static func burst(_ console: TestConsole, _ passwords: [String]) throws -> [Int] {
        let browsers = passwords.indices.map { console.browser(from: "127.0.2.\(10 + $0)") }
        // The email step first, so the burst itself is only password steps.
        let tokens = try browsers.map { browser -> String in
            let token = try browser.csrfToken(from: try browser.get("/login"))
            _ = try browser.post("/login", form: [("csrf_token", token), ("email", "jane@northwind.example")])
            return token
        }
        // One thread per guess, released together (concurrentPerform would run only one per processor).
        let statuses = Locked([Int]())
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for index in passwords.indices {
            done.enter()
            Thread.detachNewThread {
                start.wait()
                let answer = try? browsers[index].post("/login", form: [("csrf_token", tokens[index]), ("email", "jane@northwind.example"),
                                                                        ("password", passwords[index])])
                statuses.withLock { $0.append(answer?.status ?? -1) }
                done.leave()
            }
        }
        for _ in passwords { start.signal() }
        done.wait()
        return statuses.withLock { $0 }
    }

    @Test("A burst of parallel wrong guesses gets no more answers than the limit")
    func burstOfWrongGuesses() throws {
        let console = try Self.parallelConsole()
        let statuses = try Self.burst(console, (0..<12).map { "wrong-guess-\($0)" })
        #expect(statuses.filter { $0 == 401 }.count == 4, "four wrong answers, then the lockout: \(statuses.sorted())")
        #expect(statuses.filter { $0 == 429 }.count == 8)
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'sign_in_failed'") == 5)
    }

    @Test("A right password in a burst never signs in once the burst has locked the account")
    func rightPasswordInBurst() throws {
        // One guess left; three wrong guesses and the right one are hashed at once. Whichever is judged
        // first decides: a wrong one locks the account and the right one must then be refused too. The
        // order is the machine's, so the burst is tried four times.
        for round in 0..<4 {
            let console = try Self.parallelConsole()
            for _ in 0..<4 { _ = try console.browser().signIn(email: "jane@northwind.example", password: "wrong-before") }
            let statuses = try Self.burst(console, ["wrong-a", TestConsole.password, "wrong-b", "wrong-c"])
            let signedInAfterLockout = try console.count("""
                SELECT count(*) AS n FROM audit_events
                WHERE kind = 'sign_in' AND id > (SELECT coalesce(min(id), 1 << 62) FROM audit_events WHERE kind = 'lockout')
                """)
            #expect(signedInAfterLockout == 0, "round \(round): signed in after the lockout; statuses \(statuses.sorted())")
            let sessions = try console.count("SELECT count(*) AS n FROM sessions")
            #expect(statuses.contains(303) == (sessions == 1), "round \(round): \(statuses.sorted()), \(sessions) sessions")
        }
    }
}

@Suite struct PolicyReachesSessionsTests {
    @Test("Switching a client to SSO-only ends its password sessions on their next request")
    func ssoOnlyEndsPasswordSessions() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        #expect(try browser.get("/portal/profile").status == 200)
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(ssoOnly: true))
        let next = try browser.get("/portal/profile")
        #expect(next.status == 303)
        #expect(next.header("Location") == "/login")
        #expect(try console.count("SELECT count(*) AS n FROM sessions") == 0)
    }

    @Test("Switching a client to SSO-only ends passkey sessions, and passkey sign-in answers with the single sign-on notice")
    func ssoOnlyRefusesPasskeys() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let key = SoftAuthenticator()
        let jane = try console.signedIn()
        try #require(try console.registerKey(jane, key).status == 200)
        let (keyBrowser, first) = try console.signInWithKey(key)
        #expect(first.status == 200)
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(ssoOnly: true))
        #expect(try keyBrowser.get("/portal/profile").header("Location") == "/login", "the passkey session ended")
        let (refusedBrowser, refused) = try console.signInWithKey(key)
        #expect(refused.status == 403)
        #expect((refused.object["error"] as? String)?.contains("Your organization requires single sign-on") == true)
        #expect(refusedBrowser.cookies["clientone_session"] == nil)
        #expect(try console.count("SELECT count(*) AS n FROM sessions WHERE method = 'passkey'") == 0)
    }

    @Test("Turning on \"MFA required\" sends an open session without a second factor to the set-up, and nowhere else")
    func requireMFAReachesOpenSessions() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(requireMFA: true))
        let profile = try browser.get("/portal/profile")
        #expect(profile.status == 303)
        #expect(profile.header("Location") == "/portal/profile/security")
        let security = try browser.get("/portal/profile/security")
        #expect(security.status == 200)
        #expect(try browser.get("/portal/profile").header("Location") == "/portal/profile/security", "still only the set-up")
        // Setting up the authenticator opens the account again.
        _ = try console.enrol(browser)
        #expect(try browser.get("/portal/profile").status == 200)
    }

    @Test("Turning the portal off and disabling the user still end open sessions")
    func portalOffAndDisabledStillEnd() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let first = try console.signedIn()
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(portalEnabled: false))
        #expect(try first.get("/portal/profile").header("Location") == "/login")
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(portalEnabled: true))
        let second = try console.signedIn()
        let staff = try console.staffSignedIn()
        let id = try console.janeID()
        _ = try staff.submit("/admin/users/\(id)/disable", from: "/admin/users/\(id)", [])
        #expect(try second.get("/portal/profile").header("Location") == "/login")
    }
}

@Suite struct KeyAsSecondFactorTests {
    @Test("A customer with a key and no authenticator app gets the MFA step after the password, offering the key")
    func keyMakesMFADue() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let key = SoftAuthenticator()
        try #require(try console.registerKey(try console.signedIn(), key).status == 200)
        let browser = console.browser()
        let password = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(password.header("Location") == "/login/mfa", "the password alone no longer signs in")
        #expect(try browser.get("/portal/profile").header("Location") == "/login/mfa")
        let mfa = try browser.get("/login/mfa").text
        #expect(mfa.contains("Use a passkey or security key"))
        #expect(!mfa.contains("Authenticator code"), "no authenticator app to ask for")
        #expect(!mfa.contains("Try another way"), "no recovery codes yet: the key is the one way")
        let options = try console.ceremony(browser, "/login/mfa/passkey/begin", from: "/login/mfa")
        let assertion = try key.authenticate(options: options.body, origin: console.origin)
        let finished = try console.ceremony(browser, "/login/mfa/passkey/finish", from: "/login/mfa", body: ["credential": assertion])
        #expect(finished.status == 200)
        #expect(try browser.get("/portal/profile").status == 200)
    }

    @Test("Recovery codes are offered as soon as the account has a key, and work at the MFA step")
    func recoveryCodesWithKeyOnly() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let key = SoftAuthenticator()
        let jane = try console.signedIn()
        try #require(try console.registerKey(jane, key).status == 200)
        let security = try jane.get("/portal/profile/security").text
        #expect(security.contains("Recovery Codes"))
        var made = try jane.submit("/portal/profile/security/recovery-codes/regenerate", from: "/portal/profile/security",
                                   [("password", TestConsole.password)])
        if made.status == 303, let location = made.header("Location") { made = try jane.get(location) }
        let codes = made.text.captures("<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")
        try #require(codes.count == 10, "regenerate answered \(made.status)")
        let browser = console.browser()
        _ = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(try browser.get("/login/mfa").text.contains("Try another way"))
        #expect(try browser.get("/login/mfa?with=choose").text.contains("href=\"/login/mfa?with=recovery\">Enter a recovery code</a>"))
        let used = try browser.submit("/login/mfa", from: "/login/mfa?with=recovery", [("code", codes[0])])
        #expect(used.header("Location") == "/portal/profile")
    }
}

@Suite struct EmailStepEnumerationTests {
    @Test("On a domain shared by SSO-only and password clients, known and unknown addresses get the same step")
    func mixedDomainRevealsNothing() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.portal.addClient(name: "Contoso Cloud", settings: ClientSettings(ssoOnly: true))
        _ = try console.portal.addClient(name: "Contoso Retail", settings: ClientSettings())
        _ = try console.portal.addCustomer(NewCustomer(client: "Contoso Cloud", email: "sso.user@contoso.example", name: "Sso User",
                                                       password: TestConsole.password))
        _ = try console.portal.addCustomer(NewCustomer(client: "Contoso Retail", email: "pw.user@contoso.example", name: "Pw User",
                                                       password: TestConsole.password))
        func step(_ email: String) throws -> HTTPResponse {
            let browser = console.browser()
            let token = try browser.csrfToken(from: try browser.get("/login"))
            return try browser.post("/login", form: [("csrf_token", token), ("email", email)])
        }
        func normalised(_ response: HTTPResponse, _ email: String) -> String {
            response.text.replacingOccurrences(of: email, with: "EMAIL")
                .replacingOccurrences(of: #"value="[A-Za-z0-9_-]{43}""#, with: "TOKEN", options: .regularExpression)
        }
        let sso = try step("sso.user@contoso.example")
        let unknown = try step("nobody@contoso.example")
        let password = try step("pw.user@contoso.example")
        #expect(sso.status == unknown.status && unknown.status == password.status)
        #expect(normalised(sso, "sso.user@contoso.example") == normalised(unknown, "nobody@contoso.example"))
        #expect(normalised(password, "pw.user@contoso.example") == normalised(unknown, "nobody@contoso.example"))
        // The SSO user's right password still meets the policy, not a session.
        let browser = console.browser()
        let answer = try browser.signIn(email: "sso.user@contoso.example", password: TestConsole.password)
        #expect(answer.text.contains("Your organization requires single sign-on"))
        #expect(browser.cookies["clientone_session"] == nil)
    }
}

@Suite struct TextLimitBytesTests {
    @Test("A name of one letter and 150,000 combining marks (300 KB, \"1 character\") is refused and nothing is stored")
    func combiningMarksName() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        // 150,000 marks: 300 KB of UTF-8, 900 KB percent-encoded, inside the 1 MiB body limit.
        let name = "a" + String(repeating: "\u{0301}", count: 150_000)
        #expect(name.count == 1 && name.utf8.count == 300_001)
        let answer = try browser.submit("/portal/profile", from: "/portal/profile", [("name", name), ("phone", "")])
        #expect(answer.status == 422)
        #expect(answer.text.contains("Use at most 100 characters."))
        #expect(try console.count("SELECT max(length(CAST(name AS BLOB))) AS n FROM customer_users") < 100)
    }

    @Test("A key name of many combining marks is refused too")
    func combiningMarksKeyName() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let jane = try console.signedIn()
        let answer = try console.registerKey(jane, SoftAuthenticator(), name: "k" + String(repeating: "\u{0300}", count: 300))
        #expect(answer.status == 422)
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials") == 0)
    }
}

@Suite struct ImpersonationAuditTests {
    @Test("While viewing, renaming a key and \"Confirm it's you\" are refused")
    func refusedWhileViewing() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        try #require(try console.registerKey(try console.signedIn(), SoftAuthenticator(), name: "Desk key").status == 200)
        let viewing = try console.impersonating()
        let id = try console.count("SELECT id AS n FROM webauthn_credentials")
        let rename = try viewing.submit("/portal/profile/security/passkeys/\(id)/rename", from: "/portal/profile/security",
                                        [("name", "Renamed by staff")])
        #expect(rename.status == 403)
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials WHERE name = 'Desk key'") == 1)
        #expect(try viewing.get("/portal/reauth?next=/portal/profile/security").status == 403)
        let guess = try viewing.submit("/portal/reauth", from: "/portal/profile/security",
                                       [("password", "a guess at Jane's password"), ("next", "/portal/profile/security")])
        #expect(guess.status == 403)
        #expect(try console.count("SELECT count(*) AS n FROM login_throttle") == 0, "no guess was made on Jane's behalf")
    }

    @Test("A reset link requested from a browser viewing the account is audited with the administrator and shown to the customer")
    func forgotWhileViewing() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let viewing = try console.impersonating()
        let sent = try viewing.submit("/login/forgot", from: "/login/forgot", [("email", "jane@northwind.example")])
        #expect(sent.status == 303)
        #expect(try console.count("""
            SELECT count(*) AS n FROM audit_events WHERE kind = 'password_reset_requested' AND staff_id IS NOT NULL
            """) == 1)
        let profile = try viewing.submit("/portal/profile", from: "/portal/profile", [("name", "Jane Q. Doe"), ("phone", "")])
        #expect(profile.status == 303)
        _ = try viewing.submit("/portal/impersonation/end", from: "/portal/profile", [])
        let activity = try console.signedIn().get("/portal/profile/security").text
        #expect(activity.contains("A password-reset link was requested by an administrator (Morgan Reyes)"))
        #expect(activity.contains("Profile changed by an administrator (Morgan Reyes)"))
    }
}

@Suite struct StaffPasswordUpgradeTests {
    @Test("A staff password hash of an older work factor is replaced at the next sign-in")
    func staffHashUpgraded() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let old = PasswordHasher(iterations: 500).hash(TestConsole.password)
        try console.sql("UPDATE staff SET password_hash = ?", old)
        _ = try console.staffSignedIn()
        #expect(try console.count("SELECT count(*) AS n FROM staff WHERE password_hash LIKE 'pbkdf2-sha256$1000$%'") == 1)
    }
}

@Suite struct ResetLinkPolicyTests {
    @Test("A reset link mailed before the client went SSO-only or turned its portal off sets no password")
    func linkFollowsClientPolicy() throws {
        for settings in [ClientSettings(ssoOnly: true), ClientSettings(portalEnabled: false)] {
            let console = try TestConsole()
            try console.seedNorthwind()
            _ = try console.requestReset("jane@northwind.example")
            let link = try #require(try console.resetLink(for: "jane@northwind.example"))
            _ = try console.portal.updateClient("Northwind Traders", settings: settings)
            #expect(try console.browser().get(TestConsole.target(of: link)).status == 410)
            let answer = try console.setPassword(via: link, to: "the holder's passphrase")
            #expect(answer.status == 410, "\(settings)")
            _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(portalEnabled: true, ssoOnly: false))
            #expect(try console.browser().signIn(email: "jane@northwind.example", password: "the holder's passphrase").status == 401)
        }
    }
}

@Suite struct LoopbackLiteralTests {
    @Test("A host name that merely starts with 127. is not loopback: it needs an https public URL")
    func lookAlikeNeedsHTTPS() throws {
        for host in ["127.example.com", "127.0.0.1.attacker.example", "localhost.example"] {
            #expect(throws: ConfigurationError.publicHostNeedsHTTPS(host)) { try ListenPolicy.validate(host: host, publicURL: nil) }
        }
        for host in ["127.0.0.1", "127.8.9.10", "localhost", "::1", "[::1]"] {
            #expect(ListenPolicy.isLoopback(host), "\(host)")
        }
    }
}

@Suite struct DefaultPortOriginTests {
    @Test("With --public-url https://host:443, a browser's Host without the port is the console's own, not a redirect loop")
    func defaultPortIsTheSameAuthority() throws {
        let console = try TestConsole { $0.publicURL = "https://portal.example.com:443" }
        for host in ["portal.example.com", "portal.example.com:443", "PORTAL.example.com"] {
            let page = try HTTPClient(port: console.port, hostHeader: host).get("/login")
            #expect(page.status == 200, "Host: \(host) answered \(page.status) \(page.header("Location") ?? "")")
        }
        #expect(try HTTPClient(port: console.port, hostHeader: "portal.example.com:8443").get("/login").status == 308)
    }
}
