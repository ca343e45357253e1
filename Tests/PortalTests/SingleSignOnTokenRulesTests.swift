import Foundation
import Portal
import Testing
import TestSupport

/// Every rule of the ID token's checks and of who a signed-in identity is, against the hostile provider
/// (`claims_provider.py`), which issues the tokens no production provider gives: each case signs in
/// through the console over HTTP and must be refused with its own audited reason (or, for the cases
/// that should work, must sign in as the right person).
@Suite(.serialized) struct SingleSignOnTokenRulesTests {
    final class World: @unchecked Sendable {
        let sso: SSOWorld
        let provider: OIDCClaimsProvider
        /// The audit log's end before the step under test (see `watch()` and `lastReason()`).
        var mark: Int64 = 0
        init(kiosk: Bool = false) throws {
            sso = try SSOWorld(kiosk: kiosk)
            provider = try OIDCClaimsProvider(redirectURIs: [sso.redirectURI], postLogoutRedirectURIs: sso.postLogoutURIs)
            let portal = sso.console.portal
            _ = try portal.addClient(name: "Claimsco", settings: ClientSettings(ssoOnly: true))
            _ = try portal.addClient(name: "Otherco", settings: ClientSettings())
            try sso.configure(client: "Claimsco", issuer: provider.issuer, credentials: provider.rs256, domains: ["claims.example"])
        }

        /// A customer of Claimsco (invited) at `email`.
        func customer(_ email: String, client: String = "Claimsco") throws {
            _ = try sso.console.portal.addCustomer(NewCustomer(client: client, email: email, name: "Person \(email.prefix(while: { $0 != "@" }))"))
        }

        /// `subject` signs in through the console with the token `behaviour` describes; `email` is the
        /// address typed at the email step (and, unless the behaviour says otherwise, the token's verified email).
        func signIn(_ subject: String, email: String, claims: String = "", extra: String = "",
                    browser: HTTPClient? = nil) throws -> (HTTPResponse, HTTPClient) {
            let browser = browser ?? sso.console.browser()
            try watch()
            try provider.setBehaviour(subject, """
                {"claims": {"email": "\(email)", "email_verified": true\(claims.isEmpty ? "" : ", " + claims)}\(extra.isEmpty ? "" : ", " + extra)}
                """)
            let out = try sso.start(browser, email: email)
            let back = try provider.signIn(authorizationURL: out, subject: subject)
            return (try sso.back(browser, back), browser)
        }

        func watch() throws { mark = try sso.auditMark() }

        /// The reasons audited for refusals since `watch()`.
        func lastReason() throws -> String { try sso.refusals(after: mark) }
    }

    static let shared = SuiteShared { try World() }
    static func world() throws -> World { try shared.get() }

    static var now: Int { Int(Date().timeIntervalSince1970) }

    /// (case, claims or behaviour, the reason the audit log must give)
    static let refusals: [(String, String, String, String)] = [
        ("aud without the client ID", #""aud": "someone-else""#, "", "audience_invalid"),
        ("azp naming another client", #""azp": "someone-else""#, "", "authorized_party_invalid"),
        ("iss of another issuer", #""iss": "http://127.0.0.1:1""#, "", "issuer_invalid"),
        ("a nonce that is not the one sent", #""nonce": "not-the-nonce""#, "", "nonce_mismatch"),
        ("expired", #""exp": \#(now - 120)"#, "", "expired"),
        ("issued ten minutes in the future", #""iat": \#(now + 600), "exp": \#(now + 900)"#, "", "issued_in_future"),
        ("no sub", #""sub": null"#, "", "subject_missing"),
        ("alg none", "", #""sign_with": "none""#, "algorithm_not_allowed"),
        ("HS256 keyed with the client secret", "", #""sign_with": "hs256-client-secret""#, "algorithm_not_allowed"),
        ("HS256 keyed with the provider's public key", "", #""sign_with": "hs256-public-key""#, "algorithm_not_allowed"),
        ("signed by a key not in the JWKS under a published kid", "", #""sign_with": "forged""#, "bad_signature"),
        ("a kid the JWKS does not have even after refetching", "", #""kid": "nobody""#, "unknown_key"),
        ("PS256 under a key the JWKS publishes for RS256", "", #""alg": "PS256""#, "key_type_mismatch"),
        ("RS256 naming the provider's EC key", "", #""kid": "current-ec""#, "key_type_mismatch"),
    ]

    @Test("An ID token that breaks a rule of OpenID Connect Core 3.1.3.7 is refused with that rule's reason and signs nobody in",
          arguments: 0..<refusals.count)
    func tokenRuleRefused(_ index: Int) throws {
        let (name, claims, extra, reason) = Self.refusals[index]
        let world = try Self.world()
        let email = "rule\(index)@claims.example"
        try world.customer(email)
        let (answer, browser) = try world.signIn("rule-\(index)", email: email, claims: claims, extra: extra)
        #expect(answer.status == 502, "\(name): \(answer.status)")
        #expect(answer.text.contains("If SSO redirect fails, contact your IT provider"), "\(name)")
        #expect(browser.cookies["clientone_session"] == nil, "\(name)")
        let reference = try #require(SSOWorld.reference(in: answer.text))
        #expect(try world.sso.audit("sso_failed").contains { $0.hasPrefix("ref \(reference): \(reason)") }, "\(name): \((try? world.lastReason()) ?? "")")
    }

    @Test("An ES256 token from the provider's published EC key is accepted (the allow-list, not only RS256)")
    func otherAllowedAlgorithms() throws {
        let world = try Self.world()
        for (index, alg) in ["ES256"].enumerated() {
            let email = "alg\(index)@claims.example"
            try world.customer(email)
            let (answer, _) = try world.signIn("alg-\(index)", email: email, extra: #""alg": "\#(alg)""#)
            let reason = try world.lastReason()
            #expect(SSOWorld.destination(answer) == "/portal/profile", "\(alg): \(reason)")
        }
    }

    @Test("A token signed by a new key signs in once the provider publishes it: the unknown kid fetches the JWKS again")
    func rotatedKey() throws {
        let world = try Self.world()
        try world.customer("rotate@claims.example")
        let (before, _) = try world.signIn("rotate", email: "rotate@claims.example", extra: #""sign_with": "rotated""#)
        #expect(before.status == 502)
        #expect(try world.lastReason().contains("unknown_key"))
        try world.provider.rotate()
        // The refetch is at most once a minute: the console's clock moves past it.
        world.sso.console.clock.advance(by: 61)
        let (after, _) = try world.signIn("rotate", email: "rotate@claims.example", extra: #""sign_with": "rotated""#)
        #expect(SSOWorld.destination(after) == "/portal/profile", "\((try? world.lastReason()) ?? "")")
    }

    @Test("After the first link only (issuer, sub) finds the account: a later token naming another customer's email signs in the first (nOAuth)")
    func linkedBySubjectOnly() throws {
        let world = try Self.world()
        try world.customer("first@claims.example")
        try world.customer("victim@claims.example")
        let (linked, _) = try world.signIn("mutable", email: "first@claims.example")
        #expect(SSOWorld.destination(linked) == "/portal/profile")
        // The user changes their email at the provider to the victim's (Entra lets them): still themselves.
        let browser = world.sso.console.browser()
        try world.provider.setBehaviour("mutable", #"{"claims": {"email": "victim@claims.example", "email_verified": true}}"#)
        let out = try world.sso.start(browser, email: "victim@claims.example")
        let answer = try world.sso.back(browser, try world.provider.signIn(authorizationURL: out, subject: "mutable"))
        #expect(SSOWorld.destination(answer) == "/portal/profile")
        #expect(try browser.get("/portal/profile").text.contains("first@claims.example"))
        #expect(try !browser.get("/portal/profile").text.contains("victim@claims.example"))
    }

    @Test("An account already linked to one identity is never linked to a second one with the same verified email")
    func accountLinkedOnce() throws {
        let world = try Self.world()
        try world.customer("once@claims.example")
        #expect(SSOWorld.destination(try world.signIn("owner", email: "once@claims.example").0) == "/portal/profile")
        let (second, _) = try world.signIn("intruder", email: "once@claims.example")
        #expect(second.text.contains("Client Portal Access Required"))
        #expect(try world.lastReason().contains("account_linked_elsewhere"))
    }

    @Test("The first link needs a verified email: email_verified false, or missing, is refused; trust email links it")
    func verifiedEmailRequired() throws {
        let world = try Self.world()
        try world.customer("unverified@claims.example")
        let (refused, _) = try world.signIn("unverified", email: "unverified@claims.example", claims: #""email_verified": false"#)
        #expect(refused.text.contains("Client Portal Access Required"))
        #expect(try world.lastReason().contains("email_unverified"))
        let (missing, _) = try world.signIn("unverified-2", email: "unverified@claims.example", claims: #""email_verified": null"#)
        #expect(missing.status == 403)
        #expect(try world.lastReason().contains("email_unverified"))
    }

    @Test("Entra's rules: a token with a tenant links only with xms_edov true, whatever email_verified says")
    func entraDomainOwnerVerified() throws {
        let world = try Self.world()
        try world.customer("entra@claims.example")
        let tenant = #""tid": "72f988bf-86f1-41af-91ab-2d7cd011db47", "oid": "00000000-0000-0000-0000-000000000001""#
        let (refused, _) = try world.signIn("entra-1", email: "entra@claims.example", claims: tenant + #", "xms_edov": false"#)
        #expect(refused.status == 403)
        #expect(try world.lastReason().contains("email_unverified"))
        let (linked, _) = try world.signIn("entra-2", email: "entra@claims.example", claims: tenant + #", "xms_edov": true"#)
        #expect(SSOWorld.destination(linked) == "/portal/profile", "\((try? world.lastReason()) ?? "")")
    }

    @Test("Entra's tenant: a token whose tid is not the configured tenant is refused")
    func tenantMismatch() throws {
        let world = try Self.world()
        _ = try world.sso.console.portal.addClient(name: "Tenantco", settings: ClientSettings())
        _ = try world.sso.console.portal.addCustomer(NewCustomer(client: "Tenantco", email: "t@tenant.example", name: "T"))
        try world.sso.configure(client: "Tenantco", issuer: world.provider.issuer, credentials: world.provider.rs256,
                                domains: ["tenant.example"], tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47")
        let (answer, _) = try world.signIn("tenant-1", email: "t@tenant.example",
                                           claims: #""tid": "11111111-2222-3333-4444-555555555555", "xms_edov": true"#)
        #expect(answer.status == 502)
        #expect(try world.lastReason().contains("tenant_mismatch"))
    }

    @Test("Google's rule: a token naming a hosted domain links only when hd is the address's domain")
    func googleHostedDomain() throws {
        let world = try Self.world()
        try world.customer("google@claims.example")
        let (refused, _) = try world.signIn("google-1", email: "google@claims.example", claims: #""hd": "gmail-lookalike.example""#)
        #expect(refused.status == 403)
        #expect(try world.lastReason().contains("email_unverified"))
        let (linked, _) = try world.signIn("google-2", email: "google@claims.example", claims: #""hd": "claims.example""#)
        #expect(SSOWorld.destination(linked) == "/portal/profile")
    }

    @Test("An address outside the client's domains, a disabled user and another client's user are refused")
    func accountRules() throws {
        let world = try Self.world()
        // Typed an address of the client's domain, but the token's verified email is of another domain.
        try world.customer("typed@claims.example")
        try world.watch()
        try world.provider.setBehaviour("outsider", #"{"claims": {"email": "someone@elsewhere.example", "email_verified": true}}"#)
        let browser = world.sso.console.browser()
        let out = try world.sso.start(browser, email: "typed@claims.example")
        let outside = try world.sso.back(browser, try world.provider.signIn(authorizationURL: out, subject: "outsider"))
        #expect(outside.status == 403)
        #expect(try world.lastReason().contains("domain_not_allowed"))

        try world.customer("gone@claims.example")
        try world.sso.console.sql("UPDATE customer_users SET status = 'disabled' WHERE email = 'gone@claims.example'")
        #expect(try world.signIn("gone", email: "gone@claims.example").0.status == 403)
        #expect(try world.lastReason().contains("account_disabled"))
    }

    @Test("In kiosk mode the authorization request asks for prompt=login, so the previous person's provider session cannot sign the next one in")
    func kioskPromptLogin() throws {
        let world = try World(kiosk: true)
        try world.customer("kiosk@claims.example")
        let browser = world.sso.console.browser()
        let out = try world.sso.start(browser, email: "kiosk@claims.example")
        #expect(SSOWorld.query(out, "prompt") == "login")
        let fresh = try Self.world()
        let other = fresh.sso.console.browser()
        try fresh.customer("desk@claims.example")
        #expect(SSOWorld.query(try fresh.sso.start(other, email: "desk@claims.example"), "prompt") == nil)
    }

    @Test("An attempt older than ten minutes is refused when the provider's answer comes back")
    func attemptExpires() throws {
        let world = try World()
        try world.customer("slow@claims.example")
        try world.provider.setBehaviour("slow", #"{"claims": {"email": "slow@claims.example", "email_verified": true}}"#)
        let browser = world.sso.console.browser()
        let out = try world.sso.start(browser, email: "slow@claims.example")
        let back = try world.provider.signIn(authorizationURL: out, subject: "slow")
        try world.watch()
        world.sso.console.clock.advance(by: 601)
        let answer = try browser.get(String(back.dropFirst(world.sso.origin.count)))
        #expect(answer.status == 502)
        #expect(try world.lastReason().contains("state_expired"))
    }

    @Test("A client that requires MFA but does not trust the provider's: amr mfa does not count, the console's second factor follows")
    func untrustedProviderMFA() throws {
        let world = try Self.world()
        _ = try world.sso.console.portal.addClient(name: "Strictco", settings: ClientSettings(requireMFA: true))
        _ = try world.sso.console.portal.addCustomer(NewCustomer(client: "Strictco", email: "s@strict.example", name: "S"))
        try world.sso.configure(client: "Strictco", issuer: world.provider.issuer, credentials: world.provider.rs256, domains: ["strict.example"])
        let (answer, _) = try world.signIn("strict-1", email: "s@strict.example", claims: #""amr": ["pwd", "mfa"]"#)
        #expect(SSOWorld.destination(answer) == "/portal/profile/security")
        let log = try world.provider.log()
        let last = (log["authorize"] as? [[String: Any]])?.last
        #expect(last?["acr_values"] == nil)
    }

    @Test("Starting sign-in over and over keeps at most 20 attempts open for one address: the oldest give way, the latest still works")
    func attemptsCapped() throws {
        let world = try Self.world()
        try world.customer("clicker@claims.example")
        try world.provider.setBehaviour("clicker", #"{"claims": {"email": "clicker@claims.example", "email_verified": true}}"#)
        let browser = world.sso.console.browser()
        var first: String?
        var last = ""
        for _ in 0..<30 {
            last = try world.sso.start(browser, email: "clicker@claims.example")
            if first == nil { first = last }
        }
        #expect(try world.sso.console.count("SELECT count(*) AS n FROM sso_attempts WHERE ip = '127.0.0.1'") == 20)
        #expect(SSOWorld.destination(try world.sso.back(browser, try world.provider.signIn(authorizationURL: last, subject: "clicker")))
                == "/portal/profile")
        // The first attempt gave way: its answer is refused even in its own browser.
        let stale = try world.provider.signIn(authorizationURL: try #require(first), subject: "clicker")
        try world.watch()
        #expect(try world.sso.back(browser, stale).status == 502)
        #expect(try world.lastReason().contains("state_unknown"))
    }
}
