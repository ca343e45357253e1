import Crypto
import Foundation
import Testing
import TestSupport

/// The OpenID provider the SSO tests sign in at (django-oauth-toolkit through ``OIDCTestProvider``),
/// proven without a console: a relying party's code flow played by hand over HTTP.
@Suite(.serialized) struct SSOProviderHarnessTests {
    static let redirectURI = "http://127.0.0.1:9/login/sso/callback"
    static let alice = OIDCTestUser(username: "alice", password: "correct horse 1", email: "alice@acme.test",
                                    emailVerified: true, name: "Alice Example", amr: ["pwd", "mfa"])
    /// One provider for the suite, started on first use.
    nonisolated(unsafe) static var shared: OIDCTestProvider?
    static func provider() throws -> OIDCTestProvider {
        if let shared { return shared }
        let started = try OIDCTestProvider(users: [alice], redirectURIs: [redirectURI])
        shared = started
        return started
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// One JWT part (header or claims) decoded with Foundation's base64 only.
    static func jwtPart(_ token: String, _ index: Int) throws -> [String: Any] {
        var text = String(token.split(separator: ".", omittingEmptySubsequences: false)[index])
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        let data = try #require(Data(base64Encoded: text))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func json(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    /// The authorization request a relying party sends (PKCE S256, nonce, state), the user signed in at
    /// the provider, then the token request with `verifier`; returns the token endpoint's answer.
    static func codeFlow(_ provider: OIDCTestProvider, client: OIDCTestClient, verifier: String? = nil) throws -> HTTPResponse {
        let realVerifier = base64URL((0..<32).map { _ in UInt8.random(in: 0...255) })
        let challenge = base64URL(Digest.sha256(Array(realVerifier.utf8)))
        var url = URLComponents(string: "\(provider.issuer)/authorize/")!
        url.queryItems = [.init(name: "response_type", value: "code"), .init(name: "client_id", value: client.clientID),
                          .init(name: "redirect_uri", value: redirectURI), .init(name: "scope", value: "openid email profile"),
                          .init(name: "state", value: "state-1"), .init(name: "nonce", value: "nonce-1"),
                          .init(name: "code_challenge", value: challenge), .init(name: "code_challenge_method", value: "S256")]
        let back = try provider.signIn(authorizationURL: url.string!, username: alice.username, password: alice.password)
        #expect(back.hasPrefix(redirectURI + "?"))
        let query = URLComponents(string: back)?.queryItems ?? []
        #expect(query.first { $0.name == "state" }?.value == "state-1")
        let code = try #require(query.first { $0.name == "code" }?.value)
        let basic = Data("\(client.clientID):\(client.clientSecret)".utf8).base64EncodedString()
        return try provider.browser().post("/o/token/", form: [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("code_verifier", verifier ?? realVerifier),
        ], headers: [("Authorization", "Basic \(basic)")])
    }

    @Test("The provider's discovery document names its issuer, PKCE S256 and an end-session endpoint")
    func discovery() throws {
        let provider = try Self.provider()
        #expect(provider.issuer == "http://127.0.0.1:\(provider.port)/o")
        let document = try Self.json(try provider.browser().get("/o/.well-known/openid-configuration"))
        #expect(document["issuer"] as? String == provider.issuer)
        #expect((document["code_challenge_methods_supported"] as? [String])?.contains("S256") == true)
        #expect(document["end_session_endpoint"] as? String == "\(provider.issuer)/logout/")
    }

    @Test("A code flow with PKCE gives an RS256 ID token whose kid is in the JWKS, with the user's claims")
    func codeFlowRS256() throws {
        let provider = try Self.provider()
        let answer = try Self.codeFlow(provider, client: provider.rs256)
        #expect(answer.status == 200)
        let token = try #require(try Self.json(answer)["id_token"] as? String)
        let header = try Self.jwtPart(token, 0), claims = try Self.jwtPart(token, 1)
        #expect(header["alg"] as? String == "RS256")
        let kid = try #require(header["kid"] as? String)
        let keys = try #require(try Self.json(try provider.browser().get("/o/.well-known/jwks.json"))["keys"] as? [[String: Any]])
        #expect(keys.compactMap { $0["kid"] as? String } == [kid])
        #expect(claims["iss"] as? String == provider.issuer)
        #expect(claims["aud"] as? String == provider.rs256.clientID)
        #expect(claims["nonce"] as? String == "nonce-1")
        #expect(claims["sub"] as? String == provider.subjects["alice"])
        #expect(claims["email"] as? String == "alice@acme.test")
        #expect(claims["email_verified"] as? Bool == true)
        #expect(claims["amr"] as? [String] == ["pwd", "mfa"])
    }

    @Test("The provider refuses a token request whose code_verifier does not match the challenge (PKCE enforced)")
    func pkceEnforced() throws {
        let provider = try Self.provider()
        let answer = try Self.codeFlow(provider, client: provider.rs256, verifier: Self.base64URL(Array(repeating: 7, count: 32)))
        #expect(answer.status == 400)
        #expect(try Self.json(answer)["error"] as? String == "invalid_grant")
    }

    @Test("The HS256 application gets an ID token signed HS256 (what the console must refuse)")
    func hs256() throws {
        let provider = try Self.provider()
        let answer = try Self.codeFlow(provider, client: provider.hs256)
        #expect(answer.status == 200)
        let token = try #require(try Self.json(answer)["id_token"] as? String)
        #expect(try Self.jwtPart(token, 0)["alg"] as? String == "HS256")
        #expect(try Self.jwtPart(token, 1)["aud"] as? String == provider.hs256.clientID)
    }

    @Test("A user who refuses at the provider comes back with error=access_denied")
    func cancel() throws {
        let provider = try Self.provider()
        var url = URLComponents(string: "\(provider.issuer)/authorize/")!
        url.queryItems = [.init(name: "response_type", value: "code"), .init(name: "client_id", value: provider.rs256.clientID),
                          .init(name: "redirect_uri", value: Self.redirectURI), .init(name: "scope", value: "openid"),
                          .init(name: "state", value: "state-2"), .init(name: "code_challenge", value: Self.base64URL(Array(repeating: 1, count: 32))),
                          .init(name: "code_challenge_method", value: "S256")]
        let back = try provider.cancel(authorizationURL: url.string!, username: Self.alice.username, password: Self.alice.password)
        #expect(back == "\(Self.redirectURI)?error=access_denied&state=state-2")
    }

    @Test("Restarted with a new key, the provider signs with it and keeps the old one in its JWKS (rotation)")
    func rotation() throws {
        // A provider of its own: the shared one keeps its key for the other tests.
        let provider = try OIDCTestProvider(users: [Self.alice], redirectURIs: [Self.redirectURI])
        let before = try Self.codeFlow(provider, client: provider.rs256)
        let oldToken = try #require(try Self.json(before)["id_token"] as? String)
        let oldKid = try #require(try Self.jwtPart(oldToken, 0)["kid"] as? String)
        let issuer = provider.issuer, clientID = provider.rs256.clientID

        try provider.restart(key: provider.newKeyPath("key-2.pem"), inactiveKeys: [provider.keyPath])
        #expect(provider.issuer == issuer && provider.rs256.clientID == clientID)
        let after = try Self.codeFlow(provider, client: provider.rs256)
        #expect(after.status == 200)
        let newToken = try #require(try Self.json(after)["id_token"] as? String)
        let newKid = try #require(try Self.jwtPart(newToken, 0)["kid"] as? String)
        #expect(newKid != oldKid)
        let keys = try #require(try Self.json(try provider.browser().get("/o/.well-known/jwks.json"))["keys"] as? [[String: Any]])
        #expect(keys.compactMap { $0["kid"] as? String } == [newKid, oldKid])
    }
}

/// The hostile provider gives the claims and signatures a test sets, and still enforces PKCE and
/// single-use codes.
@Suite(.serialized) struct SSOClaimsProviderHarnessTests {
    nonisolated(unsafe) static var shared: OIDCClaimsProvider?
    static func provider() throws -> OIDCClaimsProvider {
        if let shared { return shared }
        let started = try OIDCClaimsProvider(redirectURIs: [SSOProviderHarnessTests.redirectURI])
        shared = started
        return started
    }

    /// Signs `subject` in with PKCE and exchanges the code; returns the token answer and the code.
    static func flow(_ provider: OIDCClaimsProvider, subject: String, verifier: String? = nil) throws -> (HTTPResponse, String) {
        let realVerifier = SSOProviderHarnessTests.base64URL((0..<32).map { _ in UInt8.random(in: 0...255) })
        var url = URLComponents(string: "\(provider.issuer)/authorize")!
        url.queryItems = [.init(name: "response_type", value: "code"), .init(name: "client_id", value: provider.rs256.clientID),
                          .init(name: "redirect_uri", value: SSOProviderHarnessTests.redirectURI), .init(name: "scope", value: "openid email"),
                          .init(name: "state", value: "s"), .init(name: "nonce", value: "n"),
                          .init(name: "code_challenge", value: SSOProviderHarnessTests.base64URL(Digest.sha256(Array(realVerifier.utf8)))),
                          .init(name: "code_challenge_method", value: "S256")]
        let back = try provider.signIn(authorizationURL: url.string!, subject: subject)
        let code = try #require(URLComponents(string: back)?.queryItems?.first { $0.name == "code" }?.value)
        let answer = try provider.browser().post("/token", form: [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", SSOProviderHarnessTests.redirectURI),
            ("code_verifier", verifier ?? realVerifier), ("client_id", provider.rs256.clientID),
            ("client_secret", provider.rs256.clientSecret)])
        return (answer, code)
    }

    @Test("The claims provider puts the claims a test set (even aud and nonce) in the ID token")
    func claimsSet() throws {
        let provider = try Self.provider()
        try provider.setBehaviour("entra-1", #"{"claims": {"email": "pat@acme.test", "email_verified": false, "tid": "T", "oid": "O", "xms_edov": true, "amr": ["mfa"], "aud": "someone-else", "nonce": null}}"#)
        let (answer, _) = try Self.flow(provider, subject: "entra-1")
        #expect(answer.status == 200)
        let token = try #require(try SSOProviderHarnessTests.json(answer)["id_token"] as? String)
        let claims = try SSOProviderHarnessTests.jwtPart(token, 1)
        #expect(claims["sub"] as? String == "entra-1" && claims["iss"] as? String == provider.issuer)
        #expect(claims["aud"] as? String == "someone-else" && claims["nonce"] == nil)
        #expect(claims["tid"] as? String == "T" && claims["xms_edov"] as? Bool == true && claims["email_verified"] as? Bool == false)
        #expect(try SSOProviderHarnessTests.jwtPart(token, 0)["kid"] as? String == "current-rsa")
    }

    @Test("The claims provider signs alg none, HS256 and a rotated key when told to")
    func signatures() throws {
        let provider = try Self.provider()
        for (behaviour, alg, kid) in [(#"{"sign_with": "none"}"#, "none", nil), (#"{"sign_with": "hs256-client-secret"}"#, "HS256", nil),
                                      (#"{"sign_with": "rotated"}"#, "RS256", "rotated-rsa"), (#"{"alg": "ES256"}"#, "ES256", "current-ec")] {
            try provider.setBehaviour("signer", behaviour)
            let token = try #require(try SSOProviderHarnessTests.json(try Self.flow(provider, subject: "signer").0)["id_token"] as? String)
            let header = try SSOProviderHarnessTests.jwtPart(token, 0)
            #expect(header["alg"] as? String == alg)
            #expect(header["kid"] as? String == kid)
            #expect(token.hasSuffix(".") == (alg == "none"))
        }
    }

    @Test("The claims provider refuses a wrong code_verifier and a code used twice")
    func enforcesPKCEAndSingleUse() throws {
        let provider = try Self.provider()
        #expect(try Self.flow(provider, subject: "p", verifier: String(repeating: "w", count: 43)).0.status == 400)
        let (first, code) = try Self.flow(provider, subject: "p")
        #expect(first.status == 200)
        let again = try provider.browser().post("/token", form: [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", SSOProviderHarnessTests.redirectURI),
            ("client_id", provider.rs256.clientID), ("client_secret", provider.rs256.clientSecret)])
        #expect(again.status == 400)
        #expect(throws: ChildProcessError.self) { try provider.setBehaviour("p", #"{"sign_with": "bogus"}"#) }
    }
}
