import Crypto
import Foundation
import Portal
import Testing
import TestSupport

extension TestConsole {
    var origin: String { "http://localhost:\(port)" }

    /// POSTs JSON to a ceremony route with the CSRF token of `page` in the header.
    func ceremony(_ browser: HTTPClient, _ route: String, from page: String, body: [String: Any] = [:]) throws -> HTTPResponse {
        let token = try browser.csrfToken(from: try browser.get(page))
        return try browser.post(route, json: Array(try JSONSerialization.data(withJSONObject: body)),
                                headers: [("X-CSRF-Token", token)])
    }

    /// Registers a key for a signed-in browser through begin/finish; returns finish's answer.
    @discardableResult
    func registerKey(_ browser: HTTPClient, _ authenticator: SoftAuthenticator, name: String = "") throws -> HTTPResponse {
        let options = try ceremony(browser, "/portal/profile/security/passkeys/begin", from: "/portal/profile/security")
        try #require(options.status == 200, "begin answered \(options.status): \(options.text)")
        let credential = try authenticator.register(options: options.body, origin: origin)
        return try ceremony(browser, "/portal/profile/security/passkeys/finish", from: "/portal/profile/security",
                            body: ["credential": credential, "name": name])
    }

    /// Passwordless sign-in in a fresh browser.
    func signInWithKey(_ authenticator: SoftAuthenticator, browser: HTTPClient? = nil, counter: UInt32? = nil,
                       userHandle: [UInt8]? = nil) throws -> (HTTPClient, HTTPResponse) {
        let browser = browser ?? self.browser()
        let options = try ceremony(browser, "/login/passkey/begin", from: "/login")
        try #require(options.status == 200, "begin answered \(options.status)")
        let credential = try authenticator.authenticate(options: options.body, origin: origin, counter: counter, userHandle: userHandle)
        return (browser, try ceremony(browser, "/login/passkey/finish", from: "/login", body: ["credential": credential]))
    }

    /// Password and a fresh authenticator code (the clock moves on a step so the code is unused).
    func signedIn(afterMFA secret: String) throws -> HTTPClient {
        clock.advance(by: 30)
        let (browser, answer) = try signInWithCode(try Oracles.totp(base32: secret, at: clock.now()))
        try #require(answer.status == 303, "MFA step answered \(answer.status)")
        return browser
    }

    func auditKinds(_ kind: String) throws -> Int {
        try count("SELECT count(*) AS n FROM audit_events WHERE kind = ?", kind)
    }
}

extension HTTPResponse {
    /// The body as a JSON object.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}

@Suite struct PasskeyRegistrationTests {
    @Test("Add Key: begin offers the options of the issue, finish stores the key, the list shows it")
    func register() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let empty = try browser.get("/portal/profile/security")
        #expect(empty.text.contains("Security Keys &amp; Passkeys"))
        #expect(empty.text.contains("No security keys or passkeys yet."))
        #expect(empty.text.contains("<script src=\"/static/passkeys.js\" defer></script>"))

        let begin = try console.ceremony(browser, "/portal/profile/security/passkeys/begin", from: "/portal/profile/security")
        #expect(begin.status == 200)
        #expect(begin.header("Content-Type") == "application/json")
        let options = try #require(begin.object["publicKey"] as? [String: Any])
        let selection = options["authenticatorSelection"] as? [String: Any]
        #expect(selection?["residentKey"] as? String == "preferred")
        #expect(selection?["userVerification"] as? String == "preferred")
        #expect(options["attestation"] as? String == "none")
        #expect((options["pubKeyCredParams"] as? [[String: Any]])?.compactMap { $0["alg"] as? Int } == [-7, -8, -257])
        #expect((options["rp"] as? [String: Any])?["id"] as? String == "localhost")
        let user = try #require(options["user"] as? [String: Any])
        #expect(user["name"] as? String == "jane@northwind.example")
        #expect((user["id"] as? String).flatMap { Base64URL.decode($0) }?.count == 32, "a random handle, not the row id")
        #expect((options["excludeCredentials"] as? [Any])?.isEmpty == true)

        let key = SoftAuthenticator()
        let credential = try key.register(options: begin.body, origin: console.origin)
        let finish = try console.ceremony(browser, "/portal/profile/security/passkeys/finish", from: "/portal/profile/security",
                                          body: ["credential": credential, "name": "YubiKey 5 <NFC>"])
        #expect(finish.status == 200)
        #expect(finish.object["ok"] as? Bool == true)
        #expect(finish.object["redirect"] as? String == "/portal/profile/security#passkeys")
        let listed = try browser.get("/portal/profile/security")
        #expect(listed.text.contains("Your key was added. You can use it to sign in."))
        #expect(listed.text.contains("YubiKey 5 &lt;NFC&gt;"), "the name is escaped")
        #expect(listed.text.contains("Never used"))
        #expect(listed.text.contains("This device only"))
        #expect(try console.auditKinds("passkey_added") == 1)

        // The next registration excludes the key already there.
        let again = try console.ceremony(browser, "/portal/profile/security/passkeys/begin", from: "/portal/profile/security")
        let excluded = (again.object["publicKey"] as? [String: Any])?["excludeCredentials"] as? [[String: Any]]
        #expect(excluded?.compactMap { $0["id"] as? String } == [credential["id"] as? String].compactMap { $0 })
    }

    @Test("A key without a name is named after its kind; synced passkeys say so")
    func defaultNames() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let synced = SoftAuthenticator()
        synced.synced = true
        try console.registerKey(browser, synced)
        try console.registerKey(browser, SoftAuthenticator())
        let page = try browser.get("/portal/profile/security").text
        #expect(page.contains("<p class=\"keys__name\">Synced passkey</p>"), "the name says it; no badge repeats it")
        #expect(page.contains("Security key <span class=\"badge badge--neutral\">This device only</span>"))
    }

    @Test("Refused: no CSRF token, no begin, a replayed answer, another browser's challenge, a wrong origin")
    func refusals() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let noToken = try browser.post("/portal/profile/security/passkeys/begin", json: Array("{}".utf8))
        #expect(noToken.status == 403)

        let key = SoftAuthenticator()
        let noBegin = try console.ceremony(browser, "/portal/profile/security/passkeys/finish", from: "/portal/profile/security",
                                           body: ["credential": try key.register(options: Array(#"{"publicKey":{"rp":{"id":"localhost"},"user":{"id":"AA"},"challenge":"AAAA"}}"#.utf8), origin: console.origin)])
        #expect(noBegin.status == 400, "an answer to no ceremony")
        #expect(noBegin.object["error"] as? String == "The request expired. Try again.")

        let options = try console.ceremony(browser, "/portal/profile/security/passkeys/begin", from: "/portal/profile/security")
        let credential = try key.register(options: options.body, origin: console.origin)
        let other = try console.signedIn()
        let elsewhere = try console.ceremony(other, "/portal/profile/security/passkeys/finish", from: "/portal/profile/security",
                                             body: ["credential": credential])
        #expect(elsewhere.status == 400, "the challenge belongs to the browser that asked for it")
        let here = try console.ceremony(browser, "/portal/profile/security/passkeys/finish", from: "/portal/profile/security",
                                        body: ["credential": credential])
        #expect(here.status == 200)
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials") == 1)

        // A fresh ceremony answered for another origin.
        let fresh = try console.ceremony(browser, "/portal/profile/security/passkeys/begin", from: "/portal/profile/security")
        let phished = try SoftAuthenticator().register(options: fresh.body, origin: "http://evil.example")
        let refused = try console.ceremony(browser, "/portal/profile/security/passkeys/finish", from: "/portal/profile/security",
                                           body: ["credential": phished])
        #expect(refused.status == 400)
        #expect(refused.object["ok"] as? Bool == false)
        #expect((refused.object["error"] as? String)?.contains("could not be verified") == true)
        // The challenge is single use: the same answer again finds no challenge.
        let replay = try console.ceremony(browser, "/portal/profile/security/passkeys/finish", from: "/portal/profile/security",
                                          body: ["credential": phished])
        #expect(replay.status == 400)
        #expect((replay.object["error"] as? String) == "The request expired. Try again.")

        let garbage = try console.ceremony(browser, "/portal/profile/security/passkeys/finish", from: "/portal/profile/security",
                                           body: ["credential": ["id": "x"]])
        #expect(garbage.status == 400)
        #expect(garbage.object["ok"] as? Bool == false)
    }
}

@Suite struct PasskeySignInTests {
    @Test("Sign in with a passkey: no email, user verification required, straight to the portal; last used recorded")
    func passwordless() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let key = SoftAuthenticator()
        try console.registerKey(try console.signedIn(), key, name: "Laptop")
        let login = try console.browser().get("/login")
        #expect(login.text.contains("data-passkey-signin=\"/login/passkey\">Sign in with a passkey</button>"))

        let browser = console.browser()
        let begin = try console.ceremony(browser, "/login/passkey/begin", from: "/login")
        let options = try #require(begin.object["publicKey"] as? [String: Any])
        #expect(options["userVerification"] as? String == "required")
        #expect((options["allowCredentials"] as? [Any])?.isEmpty == true, "discoverable: the key picks the account")
        let answer = try key.authenticate(options: begin.body, origin: console.origin)
        let finish = try console.ceremony(browser, "/login/passkey/finish", from: "/login", body: ["credential": answer])
        #expect(finish.status == 200)
        #expect(finish.object["redirect"] as? String == "/portal/profile")
        #expect(finish.headers("Set-Cookie").contains { $0.hasPrefix("clientone_session=") })
        #expect(try browser.get("/portal/profile").status == 200)
        let security = try browser.get("/portal/profile/security").text
        #expect(security.contains("Last used"))
        #expect(!security.contains("Never used"))
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'sign_in' AND detail = 'passkey'") == 1)
    }

    @Test("Refused: no user verification, an unknown key, a counter that went back, another account's user handle")
    func refusals() throws {
        let console = try TestConsole()
        let jane = try console.seedNorthwind()
        _ = jane
        let key = SoftAuthenticator()
        try console.registerKey(try console.signedIn(), key)

        key.verifiesUser = false
        let (_, noUV) = try console.signInWithKey(key)
        #expect(noUV.status == 401)
        key.verifiesUser = true

        let stranger = SoftAuthenticator()
        stranger.verifiesUser = true
        let strangerBrowser = console.browser()
        let begin = try console.ceremony(strangerBrowser, "/login/passkey/begin", from: "/login")
        _ = try stranger.register(options: Array(#"{"publicKey":{"rp":{"id":"localhost"},"user":{"id":"AA"},"challenge":"AAAA"}}"#.utf8),
                                  origin: console.origin)
        let unknown = try console.ceremony(strangerBrowser, "/login/passkey/finish", from: "/login",
                                           body: ["credential": try stranger.authenticate(options: begin.body, origin: console.origin)])
        #expect(unknown.status == 401)
        #expect(unknown.object["error"] as? String == "That passkey isn't registered for an account here. Sign in with your email instead.")

        let (_, ok) = try console.signInWithKey(key)
        #expect(ok.status == 200)
        let (_, cloned) = try console.signInWithKey(key, counter: 1)
        #expect(cloned.status == 401, "a counter that did not grow is a possible clone")
        #expect(try console.auditKinds("passkey_counter_regressed") == 1)

        let (_, wrongHandle) = try console.signInWithKey(key, userHandle: Array(repeating: 7, count: 32))
        #expect(wrongHandle.status == 401)
        #expect(try console.auditKinds("passkey_failed") == 4)
    }

    @Test("Passkey failures count toward the same lockout as wrong passwords")
    func lockout() throws {
        let console = try TestConsole { $0.accountFailureLimit = 3 }
        try console.seedNorthwind()
        let key = SoftAuthenticator()
        try console.registerKey(try console.signedIn(), key)
        key.verifiesUser = false
        for _ in 0..<2 { #expect(try console.signInWithKey(key).1.status == 401) }
        let locked = try console.signInWithKey(key).1
        #expect(locked.status == 429)
        #expect(locked.header("Retry-After") == "900", "the lockout's seconds, carried by the refusal (not read back out of its words)")
        console.clock.advance(by: 61)
        #expect(try console.signInWithKey(key).1.header("Retry-After") == "839")
        // The account is locked for passwords too.
        let password = try console.browser().signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(password.status == 429)
        key.verifiesUser = true
        #expect(try console.signInWithKey(key).1.status == 429, "the right key does not get through a lockout either")
    }

    @Test("An expired challenge is refused")
    func expiredChallenge() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let key = SoftAuthenticator()
        try console.registerKey(try console.signedIn(), key)
        let browser = console.browser()
        let begin = try console.ceremony(browser, "/login/passkey/begin", from: "/login")
        console.clock.advance(by: 301)
        let late = try console.ceremony(browser, "/login/passkey/finish", from: "/login",
                                        body: ["credential": try key.authenticate(options: begin.body, origin: console.origin)])
        #expect(late.status == 400)
        #expect(late.object["error"] as? String == "The request expired. Try again.")
    }

    @Test("A passkey answers the MFA step; the step offers it only to accounts with a key")
    func secondFactor() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        _ = enrolled
        let noKeyYet = console.browser()
        _ = try noKeyYet.signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(!(try noKeyYet.get("/login/mfa").text.contains("data-passkey-signin")))

        let key = SoftAuthenticator()
        try console.registerKey(try console.signedIn(afterMFA: enrolled.secret), key)
        let browser = console.browser()
        let password = try browser.signIn(email: "jane@northwind.example", password: TestConsole.password)
        #expect(password.header("Location") == "/login/mfa")
        #expect(try browser.get("/login/mfa").text.contains("data-passkey-signin=\"/login/mfa/passkey\">Use a passkey or security key</button>"))
        let begin = try console.ceremony(browser, "/login/mfa/passkey/begin", from: "/login/mfa")
        let allowed = (begin.object["publicKey"] as? [String: Any])?["allowCredentials"] as? [[String: Any]]
        #expect(allowed?.count == 1)
        let finish = try console.ceremony(browser, "/login/mfa/passkey/finish", from: "/login/mfa",
                                          body: ["credential": try key.authenticate(options: begin.body, origin: console.origin)])
        #expect(finish.status == 200)
        #expect(finish.object["redirect"] as? String == "/portal/profile")
        #expect(try browser.get("/portal/profile").status == 200)
        // A customer session cannot use the MFA ceremony of another stage.
        #expect(try console.ceremony(browser, "/login/mfa/passkey/begin", from: "/portal/profile").status == 303)
    }
}

@Suite struct PasskeyManagementTests {
    @Test("Removing a key: trash icon, confirmation, removed; rename with errors beside the field")
    func renameAndRemove() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        try console.registerKey(browser, SoftAuthenticator(), name: "Old name")
        let id = try console.count("SELECT id AS n FROM webauthn_credentials")
        let page = try browser.get("/portal/profile/security").text
        #expect(page.contains("href=\"/portal/profile/security/passkeys/\(id)/delete\""))
        #expect(page.contains("<span class=\"visually-hidden\">Remove Old name</span>"))

        let blank = try browser.submit("/portal/profile/security/passkeys/\(id)/rename", from: "/portal/profile/security", [("name", "  ")])
        #expect(blank.status == 422)
        #expect(blank.text.contains("Enter a name for the key."))
        let long = try browser.submit("/portal/profile/security/passkeys/\(id)/rename", from: "/portal/profile/security",
                                      [("name", String(repeating: "k", count: 65))])
        #expect(long.status == 422)
        let renamed = try browser.submit("/portal/profile/security/passkeys/\(id)/rename", from: "/portal/profile/security",
                                         [("name", "Desk key")])
        #expect(renamed.status == 303)
        #expect(try browser.get("/portal/profile/security").text.contains("Desk key"))

        let confirm = try browser.get("/portal/profile/security/passkeys/\(id)/delete")
        #expect(confirm.status == 200)
        #expect(confirm.text.contains("Remove “Desk key”?"))
        let removed = try browser.submit("/portal/profile/security/passkeys/\(id)/delete",
                                         from: "/portal/profile/security/passkeys/\(id)/delete", [])
        #expect(removed.status == 303)
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials") == 0)
        #expect(try browser.get("/portal/profile/security").text.contains("The key was removed."))
        #expect(try console.auditKinds("passkey_removed") == 1)
    }

    @Test("Another account's key can be neither renamed nor removed")
    func otherAccount() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.portal.addCustomer(NewCustomer(client: "Northwind Traders", email: "sam@northwind.example", name: "Sam",
                                                       password: TestConsole.password))
        try console.registerKey(try console.signedIn(), SoftAuthenticator(), name: "Jane's key")
        let id = try console.count("SELECT id AS n FROM webauthn_credentials")
        let sam = try console.signedIn("sam@northwind.example")
        #expect(try sam.get("/portal/profile/security/passkeys/\(id)/delete").status == 404)
        #expect(try sam.submit("/portal/profile/security/passkeys/\(id)/delete", from: "/portal/profile/security", []).status == 404)
        #expect(try sam.submit("/portal/profile/security/passkeys/\(id)/rename", from: "/portal/profile/security",
                               [("name", "mine")]).status == 404)
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials WHERE name = 'Jane''s key'") == 1)
    }
}

@Suite struct RecentAuthenticationTests {
    @Test("After 5 minutes, adding or removing a key asks for the password again and comes back")
    func reauthentication() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        try console.registerKey(browser, SoftAuthenticator(), name: "Key")
        let id = try console.count("SELECT id AS n FROM webauthn_credentials")
        console.clock.advance(by: 301)

        let begin = try console.ceremony(browser, "/portal/profile/security/passkeys/begin", from: "/portal/profile/security")
        #expect(begin.status == 401)
        #expect(begin.object["redirect"] as? String == "/portal/reauth?next=%2Fportal%2Fprofile%2Fsecurity%23passkeys")

        let confirm = try browser.get("/portal/profile/security/passkeys/\(id)/delete")
        #expect(confirm.status == 303)
        let reauth = try #require(confirm.header("Location"))
        #expect(reauth == "/portal/reauth?next=%2Fportal%2Fprofile%2Fsecurity%2Fpasskeys%2F\(id)%2Fdelete")
        let page = try browser.get(reauth)
        #expect(page.text.contains("Confirm it’s you"))
        #expect(page.text.contains("name=\"next\" value=\"/portal/profile/security/passkeys/\(id)/delete\""))
        #expect(page.text.contains("data-passkey-reauth"), "a passkey may confirm too")
        let removeWithoutIt = try browser.submit("/portal/profile/security/passkeys/\(id)/delete", from: "/portal/profile/security", [])
        #expect(removeWithoutIt.status == 303)
        #expect(removeWithoutIt.header("Location")?.hasPrefix("/portal/reauth") == true)
        #expect(try console.count("SELECT count(*) AS n FROM webauthn_credentials") == 1)

        let wrong = try browser.submit("/portal/reauth", from: reauth, [("next", "/portal/profile/security/passkeys/\(id)/delete"),
                                                                        ("password", "not it")])
        #expect(wrong.status == 401)
        #expect(wrong.text.contains("That isn&#39;t your password."))
        #expect(try console.auditKinds("password_check_failed") == 1)
        let right = try browser.submit("/portal/reauth", from: reauth, [("next", "/portal/profile/security/passkeys/\(id)/delete"),
                                                                        ("password", TestConsole.password)])
        #expect(right.status == 303)
        #expect(right.header("Location") == "/portal/profile/security/passkeys/\(id)/delete", "back to what they were doing")
        #expect(try browser.get("/portal/profile/security/passkeys/\(id)/delete").status == 200)
        #expect(try console.ceremony(browser, "/portal/profile/security/passkeys/begin", from: "/portal/profile/security").status == 200)
    }

    @Test("A passkey confirms it's you too")
    func passkeyReauthentication() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let key = SoftAuthenticator()
        try console.registerKey(browser, key)
        console.clock.advance(by: 400)
        let page = "/portal/reauth?next=%2Fportal%2Fprofile%2Fsecurity"
        let begin = try console.ceremony(browser, "/portal/reauth/passkey/begin", from: page)
        #expect(begin.status == 200)
        let finish = try console.ceremony(browser, "/portal/reauth/passkey/finish?next=%2Fportal%2Fprofile%2Fsecurity", from: page,
                                          body: ["credential": try key.authenticate(options: begin.body, origin: console.origin)])
        #expect(finish.status == 200)
        #expect(finish.object["redirect"] as? String == "/portal/profile/security")
        #expect(try console.ceremony(browser, "/portal/profile/security/passkeys/begin", from: "/portal/profile/security").status == 200)
    }

    @Test("Confirm it's you leads only back into the portal", arguments: [
        "https://evil.example/", "//evil.example/portal/", "/portal/\\evil", "/login", "/portal/../admin",
    ])
    func noOpenRedirect(next: String) throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let browser = try console.signedIn()
        let answer = try browser.submit("/portal/reauth", from: "/portal/reauth", [("next", next), ("password", TestConsole.password)])
        #expect(answer.status == 303)
        let location = answer.header("Location") ?? ""
        #expect(location == "/portal/profile/security" || (location.hasPrefix("/portal/") && !location.contains("..")),
                "led to \(location)")
    }
}
