import Foundation
import Portal
import Testing
import TestSupport

/// Single sign-on end to end against django-oauth-toolkit, a production OpenID provider started on
/// 127.0.0.1 (PKCE required, RS256 with a `kid`, RP-initiated logout, old keys kept for rotation): the
/// email step, the way out, the provider's sign-in form, the way back, and what each person then sees.
@Suite(.serialized) struct SingleSignOnTests {
    static let password = "provider pass 1"
    static let users = [
        OIDCTestUser(username: "ann", password: password, email: "ann@contoso.example", emailVerified: true, name: "Ann Lee", amr: ["pwd"]),
        OIDCTestUser(username: "ben", password: password, email: "ben@contoso.example", emailVerified: true, name: "Ben Ode", amr: ["pwd"]),
        OIDCTestUser(username: "uma", password: password, email: "uma@contoso.example", emailVerified: false, name: "Uma Unverified"),
        OIDCTestUser(username: "fay", password: password, email: "fay@fabrikam.example", emailVerified: true, name: "Fay Strong",
                     amr: ["pwd", "mfa"]),
        OIDCTestUser(username: "gil", password: password, email: "gil@fabrikam.example", emailVerified: true, name: "Gil Weak", amr: ["pwd"]),
        OIDCTestUser(username: "hal", password: password, email: "hal@fabrikam.example", emailVerified: true, name: "Hal New", amr: ["pwd"]),
        OIDCTestUser(username: "morgan", password: password, email: "morgan@msp.example", emailVerified: true, name: "Morgan Reyes"),
        OIDCTestUser(username: "hank", password: password, email: "hank@hash.example", emailVerified: true, name: "Hank Hash"),
    ]

    /// One console and one provider for the suite (Django takes seconds to start): Contoso is SSO-only
    /// with invitations only, Fabrikam requires MFA, trusts the provider's and creates users.
    final class World: @unchecked Sendable {
        let sso: SSOWorld
        let provider: OIDCTestProvider
        init() throws {
            sso = try SSOWorld()
            provider = try OIDCTestProvider(users: SingleSignOnTests.users, redirectURIs: [sso.redirectURI],
                                            postLogoutRedirectURIs: sso.postLogoutURIs)
            let portal = sso.console.portal
            _ = try portal.addClient(name: "Contoso", settings: ClientSettings(ssoOnly: true))
            _ = try portal.addClient(name: "Fabrikam", settings: ClientSettings(requireMFA: true))
            _ = try portal.addCustomer(NewCustomer(client: "Contoso", email: "ann@contoso.example", name: "Ann Lee"))
            _ = try portal.addCustomer(NewCustomer(client: "Contoso", email: "uma@contoso.example", name: "Uma U"))
            _ = try portal.addCustomer(NewCustomer(client: "Fabrikam", email: "fay@fabrikam.example", name: "Fay Strong"))
            _ = try portal.addCustomer(NewCustomer(client: "Fabrikam", email: "gil@fabrikam.example", name: "Gil Weak"))
            try sso.configure(client: "Contoso", issuer: provider.issuer, credentials: provider.rs256, domains: ["contoso.example"])
            try sso.configure(client: "Fabrikam", issuer: provider.issuer, credentials: provider.rs256, domains: ["fabrikam.example"],
                              displayName: "Fabrikam ID", trustMFA: true, createUsers: true)
        }

        /// The whole way in for `username`: returns the console's answer to the provider's redirect back.
        func signIn(_ username: String, browser: HTTPClient, name: String = "Test IdP") throws -> HTTPResponse {
            let email = try #require(SingleSignOnTests.users.first { $0.username == username }).email
            let out = try sso.start(browser, email: email, expectName: name)
            let back = try provider.signIn(authorizationURL: out, username: username, password: SingleSignOnTests.password)
            return try sso.back(browser, back)
        }
    }

    static let shared = SuiteShared { try World() }
    static func world() throws -> World { try shared.get() }

    @Test("An invited user of an SSO-only client signs in at the company's provider and lands on the Profile tab")
    func signInThroughProvider() throws {
        let world = try Self.world()
        let browser = world.sso.console.browser()
        let out = try world.sso.start(browser, email: "ann@contoso.example")
        // The authorization request: code flow, PKCE S256, fresh state and nonce of 256 bits, the address as login_hint.
        #expect(out.hasPrefix(world.provider.issuer + "/authorize/?"))
        #expect(SSOWorld.query(out, "response_type") == "code")
        #expect(SSOWorld.query(out, "code_challenge_method") == "S256")
        #expect(SSOWorld.query(out, "redirect_uri") == world.sso.redirectURI)
        #expect(SSOWorld.query(out, "login_hint") == "ann@contoso.example")
        #expect((SSOWorld.query(out, "state")?.count ?? 0) >= 43)
        #expect((SSOWorld.query(out, "nonce")?.count ?? 0) >= 43)
        let cookie = try #require(browser.cookies["clientone_sso"])
        #expect(cookie.count >= 43)
        let back = try world.provider.signIn(authorizationURL: out, username: "ann", password: Self.password)
        let answer = try world.sso.back(browser, back)
        #expect(SSOWorld.destination(answer) != nil)
        #expect(SSOWorld.destination(answer) == "/portal/profile")
        let profile = try browser.get("/portal/profile")
        #expect(profile.status == 200)
        #expect(profile.text.contains("ann@contoso.example"))
        // Recent activity and the Security tab say how this person signs in.
        let security = try browser.get("/portal/profile/security")
        #expect(security.text.contains("Signed in with Test IdP"))
        #expect(security.text.contains("managed by your company"))
        #expect(try world.sso.audit("sso_linked").contains { $0.contains("ann@contoso.example") })
        // No token, code or secret is kept in the audit log.
        let code = try #require(SSOWorld.query(back, "code"))
        for detail in try world.sso.audit("sign_in") + world.sso.audit("sso_linked") {
            #expect(!detail.contains(code) && !detail.contains(world.provider.rs256.clientSecret))
        }
        // Nor in the access log: it records paths without their query.
        #expect(world.sso.console.accessLog.all.contains { $0.contains("/login/sso/callback") })
        #expect(!world.sso.console.accessLog.all.contains { $0.contains(code) })
    }

    @Test("A linked person of a client whose portal is turned off sees “Portal not available”, as with a password")
    func portalTurnedOff() throws {
        let world = try Self.world()
        _ = try world.sso.console.portal.updateClient("Contoso", settings: ClientSettings(portalEnabled: false))
        defer { _ = try? world.sso.console.portal.updateClient("Contoso", settings: ClientSettings(portalEnabled: true)) }
        let browser = world.sso.console.browser()
        let answer = try world.signIn("ann", browser: browser)
        #expect(answer.status == 403)
        #expect(answer.text.contains("Portal not available"))
        #expect(browser.cookies["clientone_session"] == nil)
    }

    @Test("The provider's answer works once: the same redirect back again is refused with a reference found in the audit log")
    func stateIsSingleUse() throws {
        let world = try Self.world()
        let browser = world.sso.console.browser()
        let out = try world.sso.start(browser, email: "ann@contoso.example")
        let back = try world.provider.signIn(authorizationURL: out, username: "ann", password: Self.password)
        let cookie = try #require(browser.cookies["clientone_sso"])
        #expect(SSOWorld.destination(try world.sso.back(browser, back)) == "/portal/profile")
        // A second browser replaying the same answer with the same attempt cookie.
        let replay = world.sso.console.browser()
        replay.cookies["clientone_sso"] = cookie
        let again = try world.sso.back(replay, back)
        #expect(again.status == 502)
        #expect(again.text.contains("If SSO redirect fails, contact your IT provider — SSO configuration may need updating"))
        let reference = try #require(SSOWorld.reference(in: again.text))
        #expect(reference.count == 9)
        #expect(try world.sso.audit("sso_failed").contains { $0.hasPrefix("ref \(reference): state_unknown") })
        #expect(replay.cookies["clientone_session"] == nil)
    }

    @Test("An answer brought back to another browser than the one that started sign-in is refused (login CSRF)")
    func otherBrowserRefused() throws {
        let world = try Self.world()
        let victim = world.sso.console.browser(), attacker = world.sso.console.browser()
        let out = try world.sso.start(attacker, email: "ann@contoso.example")
        let back = try world.provider.signIn(authorizationURL: out, username: "ann", password: Self.password)
        _ = try victim.get("/login")
        let answer = try world.sso.back(victim, back)
        #expect(answer.status == 502)
        #expect(victim.cookies["clientone_session"] == nil)
        #expect(try world.sso.audit("sso_failed").last?.contains("browser_mismatch") == true)
        // The attempt was used up by the refusal: the attacker's own browser cannot use it either.
        #expect(try world.sso.back(attacker, back).status == 502)
    }

    @Test("Saying no at the provider shows “Sign-in was cancelled” with Try again")
    func cancelled() throws {
        let world = try Self.world()
        let browser = world.sso.console.browser()
        let out = try world.sso.start(browser, email: "ann@contoso.example")
        let back = try world.provider.cancel(authorizationURL: out, username: "ann", password: Self.password)
        #expect(SSOWorld.query(back, "error") == "access_denied")
        let answer = try world.sso.back(browser, back)
        #expect(answer.text.contains("Sign-in was cancelled"))
        #expect(answer.text.contains(">Try again</a>"))
        #expect(browser.cookies["clientone_session"] == nil)
        #expect(try world.sso.audit("sso_cancelled").isEmpty == false)
    }

    @Test("A verified identity with no account of the client sees “Client Portal Access Required” with Sign Out")
    func noAccount() throws {
        let world = try Self.world()
        let browser = world.sso.console.browser()
        let answer = try world.signIn("ben", browser: browser)
        #expect(answer.status == 403)
        #expect(answer.text.contains("Client Portal Access Required"))
        #expect(answer.text.contains(">Sign Out</a>"))
        #expect(browser.cookies["clientone_session"] == nil)
        #expect(try world.sso.audit("sso_refused").last?.contains("no_account") == true)
    }

    @Test("An address the provider does not say is verified is not linked to the account that has it")
    func unverifiedEmailNotLinked() throws {
        let world = try Self.world()
        let browser = world.sso.console.browser()
        let answer = try world.signIn("uma", browser: browser)
        #expect(answer.status == 403)
        #expect(answer.text.contains("Client Portal Access Required"))
        #expect(try world.sso.audit("sso_refused").last?.contains("email_unverified") == true)
    }

    @Test("MFA required and the provider trusted: a token showing mfa in amr signs in; one without goes to the console's own second factor")
    func providerMFA() throws {
        let world = try Self.world()
        let strong = world.sso.console.browser()
        let answer = try world.signIn("fay", browser: strong, name: "Fabrikam ID")
        #expect(SSOWorld.destination(answer) == "/portal/profile")
        #expect(try strong.get("/portal/profile").status == 200)
        let weak = world.sso.console.browser()
        let second = try world.signIn("gil", browser: weak, name: "Fabrikam ID")
        // No second factor yet and the client requires one: enrolment before anything else.
        #expect(SSOWorld.destination(second) == "/portal/profile/security")
        let profile = try weak.get("/portal/profile")
        #expect(profile.status == 303 || profile.text.contains("Set up two-factor"))
    }

    @Test("A client that creates users: a verified address of its domain becomes an active customer named from the token")
    func createsUser() throws {
        let world = try Self.world()
        let browser = world.sso.console.browser()
        let answer = try world.signIn("hal", browser: browser, name: "Fabrikam ID")
        #expect(SSOWorld.destination(answer) != nil)
        #expect(try world.sso.audit("sso_account_created").contains { $0.contains("hal@fabrikam.example") })
        #expect(try world.sso.console.count("SELECT count(*) AS n FROM customer_users WHERE email = 'hal@fabrikam.example' AND name = 'Hal New' AND status = 'active'") == 1)
    }

    @Test("Sign-out ends the console session and continues at the provider's end-session endpoint with id_token_hint, back to /login")
    func signOutAtProvider() throws {
        let world = try Self.world()
        let browser = world.sso.console.browser()
        let providerBrowser = world.provider.browser()
        let out = try world.sso.start(browser, email: "ann@contoso.example")
        let back = try world.provider.signIn(authorizationURL: out, username: "ann", password: Self.password, browser: providerBrowser)
        #expect(SSOWorld.destination(try world.sso.back(browser, back)) == "/portal/profile")
        let page = try browser.submit("/logout", from: "/portal/profile", [])
        #expect(page.status == 200)
        #expect(page.text.contains("You are signed out"))
        let endSession = try #require(SSOWorld.attribute(in: page.text, after: "<meta http-equiv=\"refresh\" content=\"0; url="))
        #expect(endSession.hasPrefix(world.provider.issuer + "/logout/?"))
        #expect(SSOWorld.query(endSession, "id_token_hint")?.split(separator: ".").count == 3)
        #expect(SSOWorld.query(endSession, "post_logout_redirect_uri") == world.sso.origin + "/login?signed_out=1")
        #expect(try browser.get("/portal/profile").status == 303)
        // The provider ends its session and sends the person back to the console's sign-in page.
        let logout = try providerBrowser.get(String(endSession.dropFirst("http://127.0.0.1:\(world.provider.port)".count)))
        #expect(logout.header("Location") == world.sso.origin + "/login?signed_out=1")
    }

    @Test("After the provider rotates its signing key (the old one still published), sign-in goes on: the unknown kid refetches the JWKS")
    func keyRotation() throws {
        let world = try Self.world()
        let before = world.sso.console.browser()
        #expect(SSOWorld.destination(try world.signIn("ann", browser: before)) == "/portal/profile")
        let old = world.provider.keyPath
        try world.provider.restart(key: world.provider.newKeyPath("rotated-\(UUID().uuidString).pem"), inactiveKeys: [old])
        // The key set is fetched again for an unknown kid at most once a minute.
        world.sso.console.clock.advance(by: 61)
        let after = world.sso.console.browser()
        #expect(SSOWorld.destination(try world.signIn("ann", browser: after)) == "/portal/profile")
    }

    @Test("The provider's HS256 application: its tokens are refused whatever they say (the algorithm is the console's choice)")
    func hs256Refused() throws {
        let world = try Self.world()
        let portal = world.sso.console.portal
        _ = try portal.addClient(name: "Hashco", settings: ClientSettings())
        _ = try portal.addCustomer(NewCustomer(client: "Hashco", email: "hank@hash.example", name: "Hank"))
        try world.sso.configure(client: "Hashco", issuer: world.provider.issuer, credentials: world.provider.hs256, domains: ["hash.example"],
                                trustEmail: true)
        let browser = world.sso.console.browser()
        let answer = try world.signIn("hank", browser: browser)
        #expect(answer.status == 502)
        #expect(try world.sso.audit("sso_failed").last?.contains("algorithm_not_allowed") == true)
    }

    @Test("Staff sign in at /admin/login through the MSP's own provider, linked to their existing staff account; no account is created")
    func staffSignIn() throws {
        let world = try Self.world()
        let portal = world.sso.console.portal
        _ = try portal.addStaff(email: "morgan@msp.example", name: "Morgan Reyes", password: TestConsole.password)
        _ = try portal.configureSingleSignOn(client: nil, IdentityProviderSettings(
            issuer: world.provider.issuer, clientID: world.provider.rs256.clientID, clientSecret: world.provider.rs256.clientSecret,
            domains: ["msp.example"], displayName: "MSP Sign-in"))
        let browser = world.sso.console.browser()
        let login = try browser.get("/admin/login")
        #expect(login.text.contains("Continue with MSP Sign-in"))
        world.sso.syncClock()
        let out = try browser.get("/admin/login/sso/start")
        let location = try #require(out.header("Location"))
        let back = try world.provider.signIn(authorizationURL: location, username: "morgan", password: Self.password)
        let answer = try world.sso.back(browser, back)
        #expect(SSOWorld.destination(answer) == "/admin")
        #expect(try browser.get("/admin").status == 200)
        #expect(try world.sso.audit("staff_sign_in").last == "MSP Sign-in")
        // The staff session is not a customer's: the portal still wants a customer sign-in.
        #expect(try browser.get("/portal/profile").status == 303)
        // An identity of the MSP's domain without a staff account is refused, never created.
        try world.sso.console.sql("DELETE FROM sso_identities WHERE staff_id IS NOT NULL")
        try world.sso.console.sql("UPDATE staff SET email = 'someone-else@msp.example'")
        let second = world.sso.console.browser()
        world.sso.syncClock()
        let again = try #require(try second.get("/admin/login/sso/start").header("Location"))
        let refused = try world.sso.back(second, try world.provider.signIn(authorizationURL: again, username: "morgan", password: Self.password))
        #expect(refused.status == 403)
        #expect(try world.sso.console.count("SELECT count(*) AS n FROM staff") == 1)
    }
}
