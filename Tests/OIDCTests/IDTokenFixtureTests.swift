import Crypto
import Testing
@testable import OIDC

/// Every token of the fixture file reaches its verdict: the valid ones verify, each refused one is
/// refused with its own reason (OpenID Connect Core §3.1.3.7 and the console's stricter rules).
@Suite struct IDTokenFixtureTests {
    @Test("each fixture token is accepted or refused with the reason it was made for", arguments: Fixtures.shared.cases)
    func verdict(_ fixture: TokenCase) {
        let error = oidcError { () throws(OIDCError) in try Fixtures.verify(fixture.token, like: fixture) }
        if fixture.expect == "ok" {
            #expect(error == nil, "refused: \(error.map(String.init(describing:)) ?? "")")
        } else {
            #expect(error?.reason.rawValue == fixture.expect, "got \(error.map(String.init(describing:)) ?? "accepted")")
        }
    }

    @Test("the fixture covers every reason a token can be refused for, and the generator is the independent one")
    func coverage() {
        let expected = Set(Fixtures.shared.cases.map(\.expect))
        let tokenReasons: [OIDCError.Reason] = [.malformedToken, .algorithmNotAllowed, .unknownKey, .keyTypeMismatch, .badSignature,
                                                .issuerInvalid, .tenantMismatch, .audienceInvalid, .authorizedPartyInvalid, .expired,
                                                .issuedInFuture, .nonceMismatch, .subjectMissing, .claimsInvalid]
        #expect(expected == Set(tokenReasons.map(\.rawValue) + ["ok"]))
        #expect(Fixtures.shared.generator.hasPrefix("scripts/make-oidc-fixtures.py with jwcrypto "))
        let valid = Fixtures.shared.cases.filter { $0.expect == "ok" }
        #expect(Set(valid.compactMap { JWSHeaderPeek.algorithm(of: $0.token) }) == ["RS256", "PS256", "ES256"])
    }

    @Test("a verified token carries its claims: identity, profile, Entra's tenant and object, amr and acrs")
    func claims() throws {
        let full = Fixtures.token("a token with every profile claim typed as specified")
        let token = try Fixtures.verify(full.token, like: full)
        #expect(token.issuer == "https://idp.example.test" && token.subject == "248289761001")
        #expect(token.audience == [Fixtures.shared.clientID] && token.authorizedParty == nil)
        #expect(token.email == "ada@example.test" && token.emailVerified == true)
        #expect(token.name == "Ada Lovelace" && token.givenName == "Ada" && token.familyName == "Lovelace" && token.hostedDomain == "example.test")
        #expect(token.authenticationMethods == ["pwd", "mfa"] && token.authenticationContexts == ["c1"])
        #expect(token.expiresAt == Fixtures.shared.now + 600 && token.issuedAt == Fixtures.shared.now - 5 && token.nonce == full.nonce)
        #expect(token.compact == full.token)

        let entra = Fixtures.token("an Entra token whose tid fills the issuer template")
        let entraToken = try Fixtures.verify(entra.token, like: entra)
        #expect(entraToken.tenantID == Fixtures.shared.tenant && entraToken.objectID == "00000000-0000-0000-66f3-3332eca7ea81")
        #expect(entraToken.emailDomainOwnerVerified == true && entraToken.emailVerified == nil)
        #expect(entraToken.issuer == "https://login.microsoftonline.com/\(Fixtures.shared.tenant)/v2.0")

        let stringly = Fixtures.token("email_verified as the string \"true\"")
        #expect(try Fixtures.verify(stringly.token, like: stringly).emailVerified == true)
    }

    @Test("the time checks move with the clock: a valid token expires 60 s after its exp, and one from the future becomes valid")
    func clock() {
        let valid = Fixtures.token("an RS256 token signed by the key its kid names")
        let exp = Fixtures.shared.now + 600
        #expect(oidcError { () throws(OIDCError) in try Fixtures.verify(valid.token, like: valid, now: exp + 59) } == nil)
        #expect(oidcError { () throws(OIDCError) in try Fixtures.verify(valid.token, like: valid, now: exp + 60) }?.reason == .expired)
        let future = Fixtures.token("issued 61 seconds in the future")
        #expect(oidcError { () throws(OIDCError) in try Fixtures.verify(future.token, like: future) }?.reason == .issuedInFuture)
        #expect(oidcError { () throws(OIDCError) in try Fixtures.verify(future.token, like: future, now: Fixtures.shared.now + 1) } == nil)
    }

    @Test("a token refused for a wrong nonce is accepted with the nonce it carries, so the nonce really is compared")
    func nonceIsCompared() throws {
        let other = Fixtures.token("another nonce")
        let withItsNonce = TokenCase(name: other.name, token: other.token, expect: "ok", provider: other.provider, keys: other.keys,
                                     nonce: "n-attacker", tenant: other.tenant)
        #expect(try Fixtures.verify(other.token, like: withItsNonce).nonce == "n-attacker")
        let valid = Fixtures.token("an RS256 token signed by the key its kid names")
        let emptyStored = TokenCase(name: valid.name, token: valid.token, expect: "", provider: valid.provider, keys: valid.keys, nonce: "", tenant: nil)
        #expect(oidcError { () throws(OIDCError) in try Fixtures.verify(valid.token, like: emptyStored) }?.reason == .nonceMismatch)
    }

    @Test("a refusal's detail never contains the token or its signature")
    func detailsCarryNoToken() {
        for fixture in Fixtures.shared.cases where fixture.expect != "ok" {
            guard let error = oidcError({ () throws(OIDCError) in try Fixtures.verify(fixture.token, like: fixture) }) else { continue }
            for part in fixture.token.split(separator: ".") where part.count > 16 {
                #expect(!error.detail.contains(part), "\(fixture.name): \(error.detail)")
            }
        }
    }
}

/// Reads a compact token's `alg` without the library, for coverage checks.
enum JWSHeaderPeek {
    static func algorithm(of token: String) -> String? {
        guard let header = token.split(separator: ".").first, let bytes = Base64URL.decode(String(header)),
              case .object(let members)? = JSONValue.parse(bytes) else { return nil }
        return members["alg"]?.stringValue
    }
}
