import Crypto
import Foundation
import Testing
@testable import OIDC

/// The relying party against an in-memory provider and a manual clock: discovery and its cache, the
/// token request, key rotation and its rate limit, failing closed, sign-out.
@Suite struct RelyingPartyTests {
    let transport = FakeTransport()
    let clock = ManualClock(Fixtures.shared.now)
    let issuer = Fixtures.shared.issuers["plain"]!
    var discoveryURL: String { issuer + "/.well-known/openid-configuration" }
    var jwksURL: String { issuer + "/jwks" }
    var tokenURL: String { issuer + "/token" }

    func relyingParty() -> RelyingParty {
        let clock = clock
        return RelyingParty(transport: transport, now: { clock.now })
    }

    func serveProvider(keys: String = "main") {
        transport.answer(discoveryURL, json: Fixtures.shared.discovery["plain"]!)
        transport.answer(jwksURL, json: Fixtures.shared.keySets[keys]!)
    }

    /// The request whose nonce the fixture tokens carry.
    var request: AuthorizationRequest { AuthorizationRequest(state: "state", nonce: Fixtures.token("an RS256 token signed by the key its kid names").nonce,
                                                             codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") }

    func tokens(_ name: String) -> TokenResponse { TokenResponse(idToken: Fixtures.token(name).token, accessToken: nil) }

    // MARK: Discovery

    @Test("discovery is fetched once and kept for 24 hours, then fetched again")
    func discoveryCache() throws {
        serveProvider()
        let party = relyingParty()
        let first = try party.metadata(for: Fixtures.registration())
        #expect(first.tokenEndpoint == tokenURL)
        clock.advance(24 * 3600 - 1)
        _ = try party.metadata(for: Fixtures.registration())
        #expect(transport.count(discoveryURL) == 1)
        clock.advance(1)
        _ = try party.metadata(for: Fixtures.registration())
        #expect(transport.count(discoveryURL) == 2)
        #expect(transport.requests.first?.method == "GET")
    }

    @Test("a failed discovery is remembered for 30 seconds only, and checkDiscovery never uses the cache")
    func discoveryFailure() throws {
        transport.fail(discoveryURL)
        let party = relyingParty()
        #expect(oidcError { () throws(OIDCError) in try party.metadata(for: Fixtures.registration()) }?.reason == .discoveryFailed)
        serveProvider()
        clock.advance(29)
        #expect(oidcError { () throws(OIDCError) in try party.metadata(for: Fixtures.registration()) }?.reason == .discoveryFailed)
        #expect(transport.count(discoveryURL) == 1)
        #expect(try party.checkDiscovery(issuer: issuer, tenantID: nil).jwksURI == jwksURL)
        #expect(try party.checkDiscovery(issuer: issuer, tenantID: nil).jwksURI == jwksURL)
        #expect(transport.count(discoveryURL) == 3)
        clock.advance(1)
        #expect(try party.metadata(for: Fixtures.registration()).issuer == issuer)
    }

    @Test("checkDiscovery says plainly what is wrong: unreachable, not 200, not JSON, another issuer, not https")
    func discoveryErrors() {
        let party = relyingParty()
        func reason(_ issuer: String) -> OIDCError? { oidcError { () throws(OIDCError) in try party.checkDiscovery(issuer: issuer, tenantID: nil) } }
        transport.fail(discoveryURL)
        #expect(reason(issuer)?.reason == .discoveryFailed)
        transport.answer(discoveryURL, status: 500, json: "{}")
        #expect(reason(issuer)?.detail.contains("HTTP 500") == true)
        transport.answer(discoveryURL, contentType: "text/html", json: Fixtures.shared.discovery["plain"]!)
        #expect(reason(issuer)?.reason == .discoveryFailed)
        transport.answer(discoveryURL, contentType: nil, json: Fixtures.shared.discovery["plain"]!)
        #expect(reason(issuer)?.reason == .discoveryFailed)
        transport.answer("https://other.example/.well-known/openid-configuration", json: Fixtures.shared.discovery["plain"]!)
        #expect(reason("https://other.example")?.reason == .issuerMismatch)
        #expect(reason("http://idp.example.test")?.reason == .discoveryFailed)
        #expect(reason("https://idp.example.test?x=1")?.reason == .discoveryFailed)
        transport.answer(discoveryURL, contentType: "application/json; charset=utf-8", json: Fixtures.shared.discovery["plain"]!)
        #expect(reason(issuer) == nil)
        #expect(reason(issuer + "/")?.reason == .issuerMismatch, "the trailing slash is stripped for the URL, the comparison stays exact")
    }

    // MARK: Token request

    @Test("the code is redeemed with client_secret_basic, ID and secret form-encoded before base64 (a secret with ':' and '%')")
    func redeemBasic() throws {
        serveProvider()
        transport.answer(tokenURL, json: #"{"access_token":"at","token_type":"bearer","id_token":"the.id.token","expires_in":3600}"#)
        var registration = Fixtures.registration()
        registration.clientID = "client:1"
        registration.clientSecret = "s3:cr%t +é"
        let tokens = try relyingParty().redeem(code: "code/with+chars", request: request, registration: registration)
        #expect(tokens.idToken == "the.id.token" && tokens.accessToken == "at")
        let post = try #require(transport.requests.last)
        #expect(post.method == "POST" && post.url == tokenURL)
        #expect(post.header("Content-Type") == "application/x-www-form-urlencoded")
        let authorization = try #require(post.header("Authorization"))
        #expect(authorization.hasPrefix("Basic "))
        let decoded = String(decoding: Base64.decode(String(authorization.dropFirst(6))) ?? [], as: UTF8.self)
        #expect(decoded == "client%3A1:s3%3Acr%25t%20%2B%C3%A9")
        let form = formFields(post.body)
        #expect(form == ["grant_type": "authorization_code", "code": "code/with+chars", "redirect_uri": registration.redirectURI,
                         "code_verifier": request.codeVerifier])
    }

    @Test("a provider without client_secret_basic (Entra) gets client_secret_post, and no Authorization header")
    func redeemPost() throws {
        transport.answer(discoveryURL, json: render(.object(["issuer": .string(issuer), "authorization_endpoint": .string(issuer + "/authorize"),
                                                             "token_endpoint": .string(tokenURL), "jwks_uri": .string(jwksURL),
                                                             "token_endpoint_auth_methods_supported": .array([.string("client_secret_post")])])))
        transport.answer(tokenURL, json: #"{"token_type":"Bearer","id_token":"x.y.z"}"#)
        let tokens = try relyingParty().redeem(code: "c", request: request, registration: Fixtures.registration())
        #expect(tokens.accessToken == nil)
        let post = try #require(transport.requests.last)
        #expect(post.header("Authorization") == nil)
        let form = formFields(post.body)
        #expect(form["client_id"] == Fixtures.shared.clientID && form["client_secret"] == "the-client-secret" && form["code"] == "c")
    }

    @Test("the token answer must be status 200, JSON, token_type Bearer and carry an id_token; errors carry no secret or code")
    func redeemErrors() {
        serveProvider()
        let party = relyingParty()
        func redeem() -> OIDCError? {
            oidcError { () throws(OIDCError) in try party.redeem(code: "the-code-123", request: request, registration: Fixtures.registration()) }
        }
        transport.fail(tokenURL, "timed out")
        #expect(redeem()?.reason == .tokenEndpointFailed)
        transport.answer(tokenURL, status: 400, json: #"{"error":"invalid_grant","error_description":"<script>the-code-123</script>"}"#)
        let denied = redeem()
        #expect(denied?.reason == .tokenEndpointFailed && denied?.detail.contains("invalid_grant") == true)
        #expect(denied?.detail.contains("script") == false && denied?.detail.contains("the-code-123") == false)
        transport.answer(tokenURL, status: 400, json: #"{"error":"<b>x</b>"}"#)
        #expect(redeem()?.detail.contains("<") == false)
        for (type, body) in [("application/json", #"{"token_type":"mac","id_token":"a.b.c"}"#), ("application/json", #"{"id_token":"a.b.c"}"#),
                             ("application/json", #"{"token_type":"Bearer"}"#), ("application/json", #"{"token_type":"Bearer","id_token":7}"#),
                             ("application/json", #"{"token_type":"Bearer","id_token":"a.b.c","access_token":1}"#),
                             ("text/html", #"{"token_type":"Bearer","id_token":"a.b.c"}"#), ("application/json", "id_token=a.b.c")] {
            transport.answer(tokenURL, contentType: type, json: body)
            #expect(redeem()?.reason == .tokenResponseInvalid, "\(body)")
        }
        for request in transport.requests { #expect(!request.url.contains("the-code-123")) }
    }

    // MARK: ID token and keys

    @Test("a valid token verifies through the relying party, with one fetch of the key set for many sign-ins")
    func verifiesAndCaches() throws {
        serveProvider()
        let party = relyingParty()
        for name in ["an RS256 token signed by the key its kid names", "an ES256 token signed by the P-256 key", "a PS256 token signed by the PSS key"] {
            #expect(try party.verifiedIDToken(tokens(name), request: request, registration: Fixtures.registration()).subject == "248289761001")
        }
        #expect(transport.count(jwksURL) == 1 && transport.count(discoveryURL) == 1)
        let wrongNonce = AuthorizationRequest(state: "s", nonce: "another", codeVerifier: "v")
        #expect(oidcError { () throws(OIDCError) in
            try party.verifiedIDToken(tokens("an RS256 token signed by the key its kid names"), request: wrongNonce, registration: Fixtures.registration())
        }?.reason == .nonceMismatch)
    }

    @Test("key rotation: a new kid is fetched once; a second unknown kid within a minute is refused without a fetch")
    func rotation() throws {
        serveProvider(keys: "main")
        let party = relyingParty()
        let registration = Fixtures.registration()
        _ = try party.verifiedIDToken(tokens("an RS256 token signed by the key its kid names"), request: request, registration: registration)
        #expect(transport.count(jwksURL) == 1)

        // The provider rotates: rsa-2 appears. The cached set lacks it; one fetch finds it.
        clock.advance(61)
        transport.answer(jwksURL, json: Fixtures.shared.keySets["rotated"]!)
        let rotated = tokens("a token signed by the rotated key, checked against the rotated set")
        #expect(try party.verifiedIDToken(rotated, request: request, registration: registration).subject == "248289761001")
        #expect(transport.count(jwksURL) == 2)
        #expect(try party.verifiedIDToken(rotated, request: request, registration: registration).subject == "248289761001")
        #expect(transport.count(jwksURL) == 2, "the rotated set is cached")

        // Another unknown kid within the minute: refused, no request.
        clock.advance(30)
        let unknown = tokens("a kid of an RSA key of 1024 bits")
        #expect(oidcError { () throws(OIDCError) in try party.verifiedIDToken(unknown, request: request, registration: registration) }?.reason == .unknownKey)
        #expect(transport.count(jwksURL) == 2)
        // After the minute it may fetch again (and still refuses: the key is not there).
        clock.advance(30)
        #expect(oidcError { () throws(OIDCError) in try party.verifiedIDToken(unknown, request: request, registration: registration) }?.reason == .unknownKey)
        #expect(transport.count(jwksURL) == 3)
    }

    @Test("a key set that cannot be fetched fails closed: transport failure, not 200, not JSON, nothing usable")
    func keySetFailsClosed() throws {
        transport.answer(discoveryURL, json: Fixtures.shared.discovery["plain"]!)
        let registration = Fixtures.registration()
        let valid = tokens("an RS256 token signed by the key its kid names")
        for setUp in [{ self.transport.fail(self.jwksURL) },
                      { self.transport.answer(self.jwksURL, status: 503, json: Fixtures.shared.keySets["main"]!) },
                      { self.transport.answer(self.jwksURL, contentType: "text/html", json: Fixtures.shared.keySets["main"]!) },
                      { self.transport.answer(self.jwksURL, json: "<html>") },
                      { self.transport.answer(self.jwksURL, json: #"{"keys":[{"kty":"oct","k":"AAAA"}]}"#) }] {
            setUp()
            let party = relyingParty()
            #expect(oidcError { () throws(OIDCError) in try party.verifiedIDToken(valid, request: request, registration: registration) }?.reason == .jwksFailed)
        }
        transport.answer(jwksURL, contentType: "application/jwk-set+json", json: Fixtures.shared.keySets["main"]!)
        #expect(try relyingParty().verifiedIDToken(valid, request: request, registration: registration).subject == "248289761001")
    }

    @Test("many first sign-ins at once all verify, and a failed first fetch is not retried within the minute")
    func firstFetch() async throws {
        serveProvider()
        let party = relyingParty()
        let registration = Fixtures.registration()
        let request = request
        let known = tokens("an RS256 token signed by the key its kid names")
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    #expect(oidcError { () throws(OIDCError) in try party.verifiedIDToken(known, request: request, registration: registration) } == nil)
                }
            }
        }

        let other = relyingParty()
        transport.fail(jwksURL)
        let before = transport.count(jwksURL)
        #expect(oidcError { () throws(OIDCError) in try other.verifiedIDToken(known, request: request, registration: registration) }?.reason == .jwksFailed)
        serveProvider()
        clock.advance(59)
        #expect(oidcError { () throws(OIDCError) in try other.verifiedIDToken(known, request: request, registration: registration) }?.reason == .jwksFailed)
        #expect(transport.count(jwksURL) == before + 1)
        clock.advance(1)
        #expect(oidcError { () throws(OIDCError) in try other.verifiedIDToken(known, request: request, registration: registration) } == nil)
    }

    @Test("when the refetch for an unknown kid fails, the token is refused and the old set still serves known kids")
    func refetchFailure() throws {
        serveProvider()
        let party = relyingParty()
        let registration = Fixtures.registration()
        let known = tokens("an RS256 token signed by the key its kid names")
        _ = try party.verifiedIDToken(known, request: request, registration: registration)
        clock.advance(120)
        transport.fail(jwksURL)
        let rotated = tokens("a token signed by the rotated key, checked against the rotated set")
        #expect(oidcError { () throws(OIDCError) in try party.verifiedIDToken(rotated, request: request, registration: registration) }?.reason == .jwksFailed)
        #expect(try party.verifiedIDToken(known, request: request, registration: registration).subject == "248289761001")
        // After 24 hours the old set is no longer trusted; while the provider is unreachable nothing verifies.
        clock.advance(24 * 3600)
        transport.answer(discoveryURL, json: Fixtures.shared.discovery["plain"]!)
        #expect(oidcError { () throws(OIDCError) in try party.verifiedIDToken(known, request: request, registration: registration) }?.reason == .jwksFailed)
    }

    @Test("the Entra template through the relying party: the configured tenant's token verifies, another tenant's is refused")
    func entra() throws {
        let authority = Fixtures.shared.issuers["entra"]!
        transport.answer(authority + "/.well-known/openid-configuration", json: Fixtures.shared.discovery["entra"]!)
        transport.answer("https://login.microsoftonline.com/organizations/discovery/v2.0/keys", json: Fixtures.shared.keySets["main"]!)
        let registration = Fixtures.registration("entra", tenant: Fixtures.shared.tenant)
        let party = relyingParty()
        let token = try party.verifiedIDToken(tokens("an Entra token whose tid fills the issuer template"), request: request, registration: registration)
        #expect(token.tenantID == Fixtures.shared.tenant && token.emailDomainOwnerVerified == true)
        #expect(oidcError { () throws(OIDCError) in
            try party.verifiedIDToken(tokens("Entra: another tenant's token, iss filled with its tid"), request: request, registration: registration)
        }?.reason == .tenantMismatch)
    }

    // MARK: Sign-out

    @Test("the end-session URL carries id_token_hint, post_logout_redirect_uri and client_id; none without an endpoint")
    func endSession() throws {
        let party = relyingParty()
        let metadata = try Fixtures.metadata()
        let text = try #require(party.endSessionURL(metadata: metadata, idTokenHint: "a.b.c", postLogoutRedirectURI: "https://console.example/login?x=1",
                                                    clientID: "client id"))
        let items = try #require(URLComponents(string: text)?.queryItems)
        #expect(text.hasPrefix("https://idp.example.test/logout?"))
        #expect(items.map(\.name) == ["id_token_hint", "post_logout_redirect_uri", "client_id"])
        #expect(items.map { $0.value ?? "" } == ["a.b.c", "https://console.example/login?x=1", "client id"])
        let bare = try ProviderMetadata(json: Array(render(.object(["issuer": .string(issuer), "authorization_endpoint": .string(issuer + "/a"),
                                                                    "token_endpoint": .string(tokenURL), "jwks_uri": .string(jwksURL)])).utf8),
                                        configuredIssuer: issuer, tenantID: nil)
        #expect(party.endSessionURL(metadata: bare, idTokenHint: "a.b.c", postLogoutRedirectURI: "https://console.example/login", clientID: "c") == nil)
    }

    @Test("the relying party is usable from many threads at once, and concurrent unknown kids cause one fetch")
    func concurrency() async throws {
        serveProvider()
        let party = relyingParty()
        let registration = Fixtures.registration()
        let request = request
        let known = tokens("an RS256 token signed by the key its kid names")
        let unknown = tokens("a kid the key set does not have")
        _ = try party.verifiedIDToken(known, request: request, registration: registration)
        clock.advance(61)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let error = oidcError { () throws(OIDCError) in try party.verifiedIDToken(index.isMultiple(of: 2) ? known : unknown, request: request, registration: registration) }
                    #expect(index.isMultiple(of: 2) ? error == nil : error?.reason == .unknownKey)
                }
            }
        }
        #expect(transport.count(jwksURL) == 2)
    }
}

/// A form body's fields, decoded the way a provider decodes them (`+` as space, percent escapes).
func formFields(_ body: [UInt8]) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingAll("+", with: " ").removingPercentEncoding ?? "" }
        fields[parts[0]] = parts.count > 1 ? parts[1] : ""
    }
    return fields
}
