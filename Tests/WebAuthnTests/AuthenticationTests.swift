import Crypto
import Foundation
import Testing
@testable import WebAuthn

/// Authentication (WebAuthn §7.2) against assertions python-fido2 made, every refusal, and the
/// signature counter.
@Suite struct AuthenticationTests {
    static let valid = Fixtures.shared.authentications.filter { $0.error == nil }
    static let refused = Fixtures.shared.authentications.filter { $0.error != nil }
    static let rp = Fixtures.relyingParty

    @Test("each valid assertion verifies and reports its counter, flags and user handle", arguments: valid)
    func validAssertion(_ fixture: AuthenticationFixture) throws {
        let credential = try fixture.decoded()
        let result = try fixture.verify(credential)
        #expect(result.credentialID == credential.rawId)
        #expect(result.signCount == fixture.signCount)
        #expect(result.userVerified == (fixture.flags & 0x04 != 0))
        #expect(result.backupEligible == (fixture.flags & 0x08 != 0))
        #expect(result.backedUp == (fixture.flags & 0x10 != 0))
        #expect(result.userHandle.map(Base64URL.encode) == fixture.userHandle)
        #expect(fixture.fido2Verdict == "accepted")
    }

    @Test("each faulty assertion is refused with the check it breaks", arguments: refused)
    func refusal(_ fixture: AuthenticationFixture) throws {
        let error = try #require(thrownError { try fixture.verify() })
        #expect(caseName(error) == fixture.error)
    }

    @Test("counters walk forward; a counter that goes back is reported with both values",
          arguments: Fixtures.shared.sequences)
    func counterSequence(_ sequence: SequenceFixture) throws {
        var stored: UInt32 = 0
        for step in sequence.steps {
            #expect(step.storedSignCount == stored, "the fixture's steps follow on from each other")
            if step.error == nil {
                stored = try step.verify(storedSignCount: stored).signCount
            } else {
                #expect(thrownError { try step.verify(storedSignCount: stored) } == .signCountRegressed(stored: stored, received: step.signCount))
            }
        }
    }

    @Test("the counter rule of §7.2 step 21 for zero and equal counters", arguments: [
        ("es256", UInt32(0), true), ("es256", 3, false), ("counting-3", 2, true), ("counting-3", 6, true),
        ("counting-3", 7, false), ("counting-3", 8, false), ("counting-3", .max, false),
    ])
    func counterRule(_ name: String, _ stored: UInt32, _ accepted: Bool) throws {
        let fixture = Self.anyAuthentication(name)
        let error = thrownError { try fixture.verify(storedSignCount: stored) }
        #expect(accepted ? error == nil : error == .signCountRegressed(stored: stored, received: fixture.signCount))
    }

    @Test("a bad signature is refused before the counter is looked at")
    func signatureBeforeCounter() {
        #expect(thrownError { try Fixtures.authentication("bad-signature").verify(storedSignCount: 1000) } == .badSignature)
    }

    @Test("flipping any byte of an ES256 signature, or a few of EdDSA and RS256 ones, is refused",
          arguments: ["es256", "eddsa-no-uv", "rs256"])
    func flippedSignature(_ name: String) throws {
        let fixture = Fixtures.authentication(name)
        let credential = try fixture.decoded()
        let signature = credential.response.signature
        let positions = name == "es256" ? Array(signature.indices) : [0, 1, signature.count / 2, signature.count - 1]
        for index in positions {
            var altered = signature
            altered[index] ^= 0x01
            #expect(thrownError { try fixture.verify(Self.credential(credential, signature: altered)) } == .badSignature, "byte \(index)")
        }
        #expect(thrownError { try fixture.verify(Self.credential(credential, signature: [])) } == .badSignature)
    }

    @Test("changing the signed authenticator data is caught by the check it breaks")
    func alteredAuthenticatorData() throws {
        let fixture = Fixtures.authentication("es256")
        let credential = try fixture.decoded()
        let data = credential.response.authenticatorData
        var counter = data
        counter[36] ^= 0x01
        #expect(thrownError { try fixture.verify(Self.credential(credential, authenticatorData: counter)) } == .badSignature)
        var rpIDHash = data
        rpIDHash[0] ^= 0x01
        #expect(thrownError { try fixture.verify(Self.credential(credential, authenticatorData: rpIDHash)) } == .rpIDHashMismatch)
        var attested = data
        attested[32] |= 0x40
        #expect(thrownError { try fixture.verify(Self.credential(credential, authenticatorData: attested)) }.map(caseName) == "malformed")
        let withCredential = try AuthenticatorDataTests.registrationData("none-es256")
        let error = thrownError { try fixture.verify(Self.credential(credential, authenticatorData: withCredential)) }
        #expect(error == .malformed("assertion authenticator data carries attested credential data"))
        #expect(thrownError { try fixture.verify(Self.credential(credential, authenticatorData: data + [0])) }.map(caseName) == "malformed")
        #expect(thrownError { try fixture.verify(Self.credential(credential, authenticatorData: Array(data.prefix(36)))) }.map(caseName) == "malformed")
    }

    @Test("the stored key decides: another credential's key fails, a corrupt one is malformed")
    func storedKey() throws {
        let fixture = Fixtures.authentication("es256")
        let credential = try fixture.decoded()
        let otherKey = try #require(Base64URL.decode(Fixtures.authentication("eddsa-no-uv").publicKey))
        func verify(_ key: [UInt8]) -> WebAuthnError? {
            thrownError {
                try WebAuthnVerifier.verifyAuthentication(credential, expectedChallenge: fixture.challengeBytes, rp: Self.rp,
                                                          publicKey: key, storedSignCount: 0, requireUserVerification: false)
            }
        }
        #expect(verify(otherKey) == .badSignature)
        #expect(verify(Array(fixture.publicKeyBytes.dropLast())).map(caseName) == "malformed")
        #expect(verify([]).map(caseName) == "malformed")
        #expect(verify(fixture.publicKeyBytes) == nil)
    }

    @Test("the credential's type and id are checked; a null user handle decodes as none")
    func credentialShape() throws {
        let fixture = Fixtures.authentication("es256")
        let credential = try fixture.decoded()
        let retyped = AuthenticationCredential(id: credential.id, rawId: credential.rawId, type: "otp", response: credential.response)
        #expect(thrownError { try fixture.verify(retyped) } == .wrongCredentialType("otp"))
        let mismatched = AuthenticationCredential(id: Base64URL.encode([1, 2, 3]), rawId: credential.rawId, response: credential.response)
        #expect(thrownError { try fixture.verify(mismatched) } == .credentialIDMismatch)
        let noHandle = try AuthenticationCredential.decode(json: fixture.credential.removing(["response", "userHandle"]).encoded)
        #expect(try fixture.verify(noHandle).userHandle == nil)
        let nullHandle = try Fixtures.authentication("eddsa-no-uv").decoded()
        #expect(nullHandle.response.userHandle == nil)
        let badSignature = fixture.credential.setting(["response", "signature"], to: .string("not base64url!"))
        #expect(thrownError { try AuthenticationCredential.decode(json: badSignature.encoded) }
                == .malformed("authentication credential JSON: bad response.signature"))
        #expect(thrownError { try AuthenticationCredential.decode(json: Array("{".utf8)) }.map(caseName) == "malformed")
    }

    @Test("request options have the shape parseRequestOptionsFromJSON reads")
    func requestOptions() throws {
        let bytes = Options.request(rp: Self.rp, challenge: Array(0..<32),
                                    allow: [CredentialDescriptor(id: [0xFF, 0xEE], transports: ["internal", "hybrid"])],
                                    userVerification: "required", timeoutMilliseconds: 60_000)
        let top = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let options = try #require(top["publicKey"] as? [String: Any])
        #expect(Set(options.keys) == ["challenge", "timeout", "rpId", "allowCredentials", "userVerification"])
        #expect(options["challenge"] as? String == Base64URL.encode(Array(0..<32)))
        #expect(options["rpId"] as? String == "localhost")
        #expect(options["timeout"] as? Int == 60_000)
        #expect(options["userVerification"] as? String == "required")
        let allow = try #require(options["allowCredentials"] as? [[String: Any]])
        #expect(allow.count == 1)
        #expect(allow[0]["type"] as? String == "public-key")
        #expect(allow[0]["id"] as? String == "_-4")
        #expect(allow[0]["transports"] as? [String] == ["internal", "hybrid"])
        let discoverable = Options.request(rp: Self.rp, challenge: [1], allow: [], userVerification: "preferred", hints: ["client-device"])
        let discoverableOptions = try #require((try JSONSerialization.jsonObject(with: Data(discoverable)) as? [String: Any])?["publicKey"] as? [String: Any])
        #expect((discoverableOptions["allowCredentials"] as? [Any])?.isEmpty == true)
        #expect(discoverableOptions["hints"] as? [String] == ["client-device"])
    }

    // MARK: - Helpers

    /// An assertion fixture by name, from the single cases or the sequences.
    static func anyAuthentication(_ name: String) -> AuthenticationFixture {
        let all = Fixtures.shared.authentications + Fixtures.shared.sequences.flatMap(\.steps)
        guard let fixture = all.first(where: { $0.name == name }) else { fatalError("no assertion fixture \(name)") }
        return fixture
    }

    static func credential(_ credential: AuthenticationCredential, authenticatorData: [UInt8]? = nil,
                           signature: [UInt8]? = nil, clientDataJSON: [UInt8]? = nil) -> AuthenticationCredential {
        let response = AssertionResponse(
            clientDataJSON: clientDataJSON ?? credential.response.clientDataJSON,
            authenticatorData: authenticatorData ?? credential.response.authenticatorData,
            signature: signature ?? credential.response.signature,
            userHandle: credential.response.userHandle)
        return AuthenticationCredential(id: credential.id, rawId: credential.rawId, type: credential.type, response: response)
    }
}
