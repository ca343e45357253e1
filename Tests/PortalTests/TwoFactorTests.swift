import Foundation
import Portal
import Testing
import TestSupport

/// A customer with the authenticator app on, as the tests reach it: through the pages, with the QR code
/// read by zbar and codes computed by oathtool.
struct Enrolled {
    let browser: HTTPClient
    let secret: String
    let recoveryCodes: [String]
}

extension TestConsole {
    /// Enables the authenticator for a signed-in browser the way a person does.
    func enrol(_ browser: HTTPClient) throws -> Enrolled {
        let started = try browser.submit("/portal/profile/security/totp/enable", from: "/portal/profile/security", [])
        try #require(started.status == 303 && started.header("Location") == "/portal/profile/security/totp/setup",
                     "enable answered \(started.status)")
        let setup = try browser.follow(started)
        try #require(setup.status == 200, "the set-up page answered \(setup.status)")
        let svg = try #require(setup.text.captures("(<svg.*?</svg>)").first)
        let uri = try Oracles.decodeQR(svg: svg)
        let secret = try #require(uri.captures("secret=([A-Z2-7]+)").first)
        let code = try Oracles.totp(base32: secret, at: clock.now())
        let token = try browser.csrfToken(from: setup)
        let verified = try browser.post("/portal/profile/security/totp/verify",
                                        form: [("csrf_token", token), ("setup", try setupID(setup)), ("code", code)])
        try #require(verified.status == 303 && verified.header("Location") == "/portal/profile/security/recovery-codes/new",
                     "verify answered \(verified.status)")
        let codes = try browser.follow(verified)
        try #require(codes.status == 200, "the codes page answered \(codes.status)")
        let recovery = codes.text.captures("<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")
        let saved = try browser.post("/portal/profile/security/recovery-codes/saved",
                                     form: [("csrf_token", try browser.csrfToken(from: codes))])
        try #require(saved.status == 303)
        return Enrolled(browser: browser, secret: secret, recoveryCodes: recovery)
    }

    /// Password step, then the MFA step with this code.
    func signInWithCode(_ code: String, email: String = "jane@northwind.example") throws -> (HTTPClient, HTTPResponse) {
        let browser = browser()
        let first = try browser.signIn(email: email, password: TestConsole.password)
        try #require(first.status == 303 && first.header("Location") == "/login/mfa", "password step: \(first.status)")
        let answer = try browser.submit("/login/mfa", from: "/login/mfa", [("code", code)])
        return (browser, answer)
    }
}

@Suite struct AuthenticatorSetupTests {
    @Test("Enable shows a QR code zbar reads as the otpauth URI of the secret shown beside it")
    func setupPage() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let security = try browser.get("/portal/profile/security").text
        #expect(security.contains("Authenticator App"))
        #expect(security.contains("<span class=\"badge badge--off\">Disabled</span>"))
        #expect(!security.contains("Recovery Codes"), "the section appears once 2FA is on")

        let setup = try browser.follow(try browser.submit("/portal/profile/security/totp/enable", from: "/portal/profile/security", []))
        #expect(setup.status == 200)
        #expect(setup.header("Cache-Control") == "no-store")
        let svg = try #require(setup.text.captures("(<svg.*?</svg>)").first)
        #expect(svg.contains("role=\"img\""))
        let uri = try Oracles.decodeQR(svg: svg)
        #expect(uri.hasPrefix("otpauth://totp/ClientOne%20Console:jane%40northwind.example?secret="))
        #expect(uri.hasSuffix("&issuer=ClientOne%20Console"))
        let secret = try #require(uri.captures("secret=([A-Z2-7]+)").first)
        #expect(secret.count == 32, "160 bits")
        let shown = try #require(setup.text.captures("<code id=\"totp-secret\"[^>]*>([A-Z2-7 ]+)</code>").first)
        #expect(shown.replacingOccurrences(of: " ", with: "") == secret)
        #expect(shown.split(separator: " ").allSatisfy { $0.count == 4 })
        #expect(setup.text.contains("autocomplete=\"one-time-code\""))
        #expect(setup.text.contains("inputmode=\"numeric\""))
        #expect(setup.text.contains("Copy secret"))
    }

    @Test("A wrong code keeps the pending secret and says so; the right one turns 2FA on and shows ten codes once")
    func verify() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let setup = try browser.follow(try browser.submit("/portal/profile/security/totp/enable", from: "/portal/profile/security", []))
        let secret = try #require(setup.text.captures("<code id=\"totp-secret\"[^>]*>([A-Z2-7 ]+)</code>").first)
            .replacingOccurrences(of: " ", with: "")
        let token = try browser.csrfToken(from: setup)
        let right = try Oracles.totp(base32: secret, at: console.clock.now())
        let wrongCode = right == "000000" ? "111111" : "000000"
        let id = try console.setupID(setup)
        let wrong = try browser.post("/portal/profile/security/totp/verify", form: [("csrf_token", token), ("setup", id), ("code", wrongCode)])
        #expect(wrong.status == 422)
        #expect(wrong.text.contains("That code didn&#39;t match."))
        #expect(wrong.text.contains(try #require(setup.text.captures("(<code id=\"totp-secret\".*?</code>)").first)))

        let verified = try browser.post("/portal/profile/security/totp/verify", form: [("csrf_token", token), ("setup", id), ("code", right)])
        #expect(verified.status == 303)
        let done = try browser.follow(verified)
        #expect(done.status == 200)
        let codes = done.text.captures("<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")
        #expect(codes.count == 10)
        #expect(Set(codes).count == 10)
        let alphabet = Set("abcdefghjkmnpqrstvwxyz0123456789-")
        #expect(codes.allSatisfy { $0.allSatisfy(alphabet.contains) }, "no look-alike characters")
        for label in ["Copy Codes", "Download .txt", "I've Saved These", "download=\"clientone-recovery-codes.txt\""] {
            #expect(done.text.contains(label), "missing \(label)")
        }
        let after = try browser.get("/portal/profile/security").text
        #expect(after.contains("<span class=\"badge badge--on\">Enabled</span>"))
        #expect(after.contains("<strong>10 of 10</strong> remaining"))
        #expect(!after.contains(codes[0]), "codes are never shown again")
        let again = try browser.post("/portal/profile/security/totp/verify", form: [("csrf_token", token), ("setup", id), ("code", right)])
        #expect(!again.text.contains(codes[0]), "replaying the verify POST brings nothing back")
    }

    @Test("Secrets at rest: the authenticator secret is sealed and recovery codes are keyed hashes; the key file is 0600")
    func secretsAtRest() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        let dump = try Data(contentsOf: URL(fileURLWithPath: console.directory.file("console.db")))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: console.directory.file("console.db-wal")))) ?? Data()
        let haystack = dump + wal
        #expect(haystack.range(of: Data(enrolled.secret.utf8)) == nil)
        for code in enrolled.recoveryCodes {
            #expect(haystack.range(of: Data(code.utf8)) == nil)
            #expect(haystack.range(of: Data(code.replacingOccurrences(of: "-", with: "").utf8)) == nil)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: console.directory.file("console.db.key"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("A set-up not confirmed within 10 minutes expires")
    func pendingExpires() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let setup = try browser.follow(try browser.submit("/portal/profile/security/totp/enable", from: "/portal/profile/security", []))
        let secret = try #require(setup.text.captures("<code id=\"totp-secret\"[^>]*>([A-Z2-7 ]+)</code>").first)
            .replacingOccurrences(of: " ", with: "")
        console.clock.advance(by: 10 * 60)
        _ = try browser.get("/portal/profile")
        let code = try Oracles.totp(base32: secret, at: console.clock.now())
        let late = try browser.post("/portal/profile/security/totp/verify", form: [("csrf_token", try browser.csrfToken(from: setup)),
                                                                                   ("setup", try console.setupID(setup)), ("code", code)])
        #expect(late.status == 422)
        #expect(late.text.contains("The set-up expired"))
        #expect(try browser.get("/portal/profile/security").text.contains("badge--off"))
    }

    @Test("Losing the key file is reported at start, not later")
    func missingKeyFile() throws {
        let directory = TemporaryDirectory()
        var configuration = PortalConfiguration(databasePath: directory.file("k.db"), publicDirectory: "")
        configuration.passwordIterations = 1_000
        try Portal(configuration: configuration).close()
        try FileManager.default.removeItem(atPath: directory.file("k.db.key"))
        #expect {
            _ = try Portal(configuration: configuration)
        } throws: { error in
            "\(error)".contains("k.db.key is missing")
        }
    }
}

@Suite struct SecondFactorSignInTests {
    @Test("With 2FA on, the password alone opens nothing; the authenticator code completes sign-in")
    func passwordAloneIsNotEnough() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        let browser = console.browser()
        let first = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(first.header("Location") == "/login/mfa")
        for path in ["/portal/profile", "/portal/profile/security"] {
            let response = try browser.get(path)
            #expect(response.status == 303)
            #expect(response.header("Location") == "/login/mfa")
        }
        let mfa = try browser.get("/login/mfa")
        #expect(mfa.text.contains("Try another way"))
        #expect(try browser.get("/login/mfa?with=choose").text.contains("Enter a recovery code"))
        console.clock.advance(by: 30)
        let code = try Oracles.totp(base32: enrolled.secret, at: console.clock.now())
        let done = try browser.post("/login/mfa", form: [("csrf_token", try browser.csrfToken(from: mfa)), ("code", code)])
        #expect(done.status == 303)
        #expect(done.header("Location") == "/portal/profile")
        #expect(try browser.get("/portal/profile").status == 200)
    }

    @Test("A code once accepted is never accepted again, even within its window")
    func replayRefused() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        console.clock.advance(by: 30)
        let code = try Oracles.totp(base32: enrolled.secret, at: console.clock.now())
        let (_, first) = try console.signInWithCode(code)
        #expect(first.status == 303)
        let (_, replay) = try console.signInWithCode(code)
        #expect(replay.status == 401)
        #expect(replay.text.contains("That code didn&#39;t work."))
        console.clock.advance(by: 30)
        let (_, next) = try console.signInWithCode(try Oracles.totp(base32: enrolled.secret, at: console.clock.now()))
        #expect(next.status == 303)
    }

    @Test("A recovery code works once; the Security tab counts what is left")
    func recoveryCodeOnce() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        let code = enrolled.recoveryCodes[3].uppercased().replacingOccurrences(of: "-", with: " ")
        let (browser, used) = try console.signInWithCode(code)
        #expect(used.status == 303, "typed upper-case with a space instead of the hyphen")
        #expect(try browser.get("/portal/profile/security").text.contains("<strong>9 of 10</strong> remaining"))
        let (_, again) = try console.signInWithCode(enrolled.recoveryCodes[3])
        #expect(again.status == 401)
    }

    @Test("Five wrong codes lock the account out; then even a right code waits")
    func lockout() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        console.clock.advance(by: 30)
        let browser = console.browser()
        _ = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        let right = try Oracles.totp(base32: enrolled.secret, at: console.clock.now())
        var last: HTTPResponse?
        for wrong in ["000001", "000002", "aaaaa-bbbbb", "000003", "000004"] where wrong != right {
            last = try browser.submit("/login/mfa", from: "/login/mfa", [("code", wrong)])
        }
        #expect(last?.status == 429)
        #expect(last?.text.contains("Try again in 15 minutes.") == true)
        let blocked = try browser.submit("/login/mfa", from: "/login/mfa", [("code", right)])
        #expect(blocked.status == 429)
    }

    @Test("Regenerate needs the password and kills every earlier code")
    func regenerate() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        let wrong = try enrolled.browser.submit("/portal/profile/security/recovery-codes/regenerate", from: "/portal/profile/security",
                                                [("password", "not my password")])
        #expect(wrong.status == 422)
        #expect(wrong.text.contains("That isn&#39;t your password."))
        let regenerated = try enrolled.browser.submit("/portal/profile/security/recovery-codes/regenerate", from: "/portal/profile/security",
                                                      [("password", TestConsole.password)])
        #expect(regenerated.status == 303)
        let fresh = try enrolled.browser.follow(regenerated)
        #expect(fresh.status == 200)
        let codes = fresh.text.captures("<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")
        #expect(codes.count == 10)
        #expect(Set(codes).isDisjoint(with: enrolled.recoveryCodes))
        #expect(try console.signInWithCode(enrolled.recoveryCodes[0]).1.status == 401)
        #expect(try console.signInWithCode(codes[0]).1.status == 303)
    }

    @Test("Disable needs the password and removes the secret and the codes")
    func disable() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        let refused = try enrolled.browser.submit("/portal/profile/security/totp/disable", from: "/portal/profile/security",
                                                  [("password", "nope")])
        #expect(refused.status == 422)
        let off = try enrolled.browser.submit("/portal/profile/security/totp/disable", from: "/portal/profile/security",
                                              [("password", TestConsole.password)])
        #expect(off.status == 303)
        let page = try enrolled.browser.get("/portal/profile/security").text
        #expect(page.contains("badge--off"))
        #expect(page.contains("recovery codes were deleted"))
        #expect(try console.count("SELECT count(*) AS n FROM totp_credentials") == 0)
        #expect(try console.count("SELECT count(*) AS n FROM recovery_codes") == 0)
        #expect(try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password).header("Location") == "/portal/profile")
    }

    @Test("When the client requires MFA, a customer without a second factor can open nothing but its set-up")
    func mandatoryEnrolment() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.portal.updateClient("Northwind Traders", settings: ClientSettings(requireMFA: true))
        let browser = console.browser()
        let first = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(first.header("Location") == "/portal/profile/security")
        let profile = try browser.get("/portal/profile")
        #expect(profile.header("Location") == "/portal/profile/security")
        let security = try browser.get("/portal/profile/security").text
        #expect(security.contains("requires two-factor authentication"))
        #expect(!security.contains("Change Password"))
        let enrolled = try console.enrol(browser)
        #expect(enrolled.recoveryCodes.count == 10)
        #expect(try browser.get("/portal/profile").status == 200)
    }

    @Test("A session waiting for its second factor ends after 10 minutes")
    func pendingSessionExpires() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.enrol(try console.signedIn())
        let browser = console.browser()
        _ = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        console.clock.advance(by: 601)
        let response = try browser.get("/login/mfa")
        #expect(response.status == 303)
        #expect(response.header("Location") == "/login")
    }
}
