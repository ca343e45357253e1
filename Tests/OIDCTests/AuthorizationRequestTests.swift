import Crypto
import Foundation
import Testing
@testable import OIDC

/// The request that sends a person to the provider: PKCE S256, state and nonce, every parameter encoded.
@Suite struct AuthorizationRequestTests {
    @Test("the S256 challenge of RFC 7636 Appendix B's verifier is the RFC's")
    func rfc7636() {
        let request = AuthorizationRequest(state: "s", nonce: "n", codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        #expect(request.codeChallenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test("state, nonce and verifier are 256 random bits each, base64url, different every time")
    func generated() throws {
        let requests = try (0..<50).map { _ in try AuthorizationRequest.generate() }
        for request in requests {
            for value in [request.state, request.nonce, request.codeVerifier] {
                #expect(value.count == 43 && Base64URL.decode(value)?.count == 32)
            }
        }
        let all = requests.flatMap { [$0.state, $0.nonce, $0.codeVerifier] }
        #expect(Set(all).count == all.count)
    }

    @Test("the authorize URL parses back to every parameter, encoded, with extra parameters after and no duplicates")
    func url() throws {
        let metadata = try Fixtures.metadata()
        var registration = Fixtures.registration()
        registration.clientID = "client id&x=1"
        let request = try AuthorizationRequest.generate()
        let extra = [("login_hint", "ada+test@example.test"), ("prompt", "login"), ("domain_hint", "example.test"), ("hd", "a b/ü"),
                     ("state", "attacker"), ("redirect_uri", "https://attacker.example/")]
        let text = request.url(metadata: metadata, registration: registration, extra: extra)
        #expect(text.hasPrefix("https://idp.example.test/authorize?"))
        #expect(!text.contains(" ") && !text.contains("ü") && !text.contains("+test"))
        let components = try #require(URLComponents(string: text))
        let items = try #require(components.queryItems)
        #expect(items.map(\.name) == ["response_type", "scope", "client_id", "redirect_uri", "state", "nonce", "code_challenge",
                                      "code_challenge_method", "login_hint", "prompt", "domain_hint", "hd"])
        let values = Dictionary(uniqueKeysWithValues: items.map { ($0.name, $0.value ?? "") })
        #expect(values["response_type"] == "code" && values["scope"] == "openid email profile")
        #expect(values["client_id"] == "client id&x=1" && values["redirect_uri"] == registration.redirectURI)
        #expect(values["state"] == request.state && values["nonce"] == request.nonce)
        #expect(values["code_challenge"] == request.codeChallenge && values["code_challenge_method"] == "S256")
        #expect(values["login_hint"] == "ada+test@example.test" && values["hd"] == "a b/ü" && values["prompt"] == "login")
    }

    @Test("an endpoint that already has a query keeps it, and openid is always among the scopes")
    func existingQuery() throws {
        let local = "https://idp.example.test"
        let json = Array(render(.object(["issuer": .string(local), "authorization_endpoint": .string(local + "/authorize?tenant=a"),
                                         "token_endpoint": .string(local + "/token"), "jwks_uri": .string(local + "/jwks")])).utf8)
        let metadata = try ProviderMetadata(json: json, configuredIssuer: local, tenantID: nil)
        let text = AuthorizationRequest(state: "s", nonce: "n", codeVerifier: "v").url(metadata: metadata, registration: Fixtures.registration(),
                                                                                      scopes: ["email"], extra: [])
        let items = try #require(URLComponents(string: text)?.queryItems)
        #expect(items.first?.name == "tenant" && items.first { $0.name == "scope" }?.value == "openid email")
    }
}
