import Testing
import TestSupport

/// WebAuthn §7.2 step 6 through the running console: a passwordless sign-in must say whose key it is
/// (userHandle); a second factor for an account already identified need not.
@Suite struct HardeningUserHandleTests {
    /// An assertion for `options` with the response's userHandle member removed, as an authenticator
    /// whose credential is not discoverable would answer.
    static func withoutUserHandle(_ key: SoftAuthenticator, options: [UInt8], origin: String) throws -> [String: Any] {
        var credential = try key.authenticate(options: options, origin: origin)
        var response = try #require(credential["response"] as? [String: Any])
        response.removeValue(forKey: "userHandle")
        credential["response"] = response
        return credential
    }

    @Test("Passwordless sign-in with an answer lacking userHandle is refused and audited (WebAuthn §7.2 step 6)")
    func passwordlessNeedsUserHandle() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let key = SoftAuthenticator()
        try console.registerKey(try console.signedIn(), key)
        let browser = console.browser()
        let begin = try console.ceremony(browser, "/login/passkey/begin", from: "/login")
        let answer = try Self.withoutUserHandle(key, options: begin.body, origin: console.origin)
        let finish = try console.ceremony(browser, "/login/passkey/finish", from: "/login", body: ["credential": answer])
        #expect(finish.status == 401)
        #expect(finish.object["ok"] as? Bool == false)
        #expect(!finish.headers("Set-Cookie").contains { $0.hasPrefix("clientone_session=") && !$0.hasPrefix("clientone_session=;") })
        #expect(try browser.get("/portal/profile").status == 303, "not signed in")
        #expect(try console.count("""
            SELECT count(*) AS n FROM audit_events WHERE kind = 'passkey_failed' AND detail = 'no user handle in a passwordless sign-in'
            """) == 1)
        #expect(try console.count("SELECT count(*) AS n FROM audit_events WHERE kind = 'sign_in' AND detail = 'passkey'") == 0)
        // The same key with its user handle signs in.
        #expect(try console.signInWithKey(key).1.status == 200)
    }

    @Test("As a second factor (allowCredentials given) an answer without userHandle still works")
    func secondFactorWithoutUserHandle() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        let enrolled = try console.enrol(try console.signedIn())
        let key = SoftAuthenticator()
        try console.registerKey(try console.signedIn(afterMFA: enrolled.secret), key)
        let browser = console.browser()
        #expect(try browser.signIn(email: "jane@northwind.example", password: TestConsole.password).header("Location") == "/login/mfa")
        let begin = try console.ceremony(browser, "/login/mfa/passkey/begin", from: "/login/mfa")
        let allowed = (begin.object["publicKey"] as? [String: Any])?["allowCredentials"] as? [[String: Any]]
        #expect(allowed?.count == 1)
        let answer = try Self.withoutUserHandle(key, options: begin.body, origin: console.origin)
        let finish = try console.ceremony(browser, "/login/mfa/passkey/finish", from: "/login/mfa", body: ["credential": answer])
        #expect(finish.status == 200, "\(finish.text)")
        #expect(try browser.get("/portal/profile").status == 200)
    }
}
