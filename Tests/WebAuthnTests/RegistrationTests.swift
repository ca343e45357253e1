import Crypto
import Foundation
import Testing
@testable import WebAuthn

/// Registration (WebAuthn §7.1) against responses python-fido2 made, and every refusal.
@Suite struct RegistrationTests {
    static let valid = Fixtures.shared.registrations.filter { $0.error == nil }
    static let refused = Fixtures.shared.registrations.filter { $0.error != nil }
    static let rp = Fixtures.relyingParty

    @Test("each valid response verifies and yields the credential python-fido2 encoded", arguments: valid)
    func validResponse(_ fixture: RegistrationFixture) throws {
        let credential = try fixture.decoded()
        let result = try fixture.verify(credential)
        #expect(Base64URL.encode(result.credentialID) == fixture.credentialID)
        #expect(Base64URL.encode(result.publicKey) == fixture.publicKey)
        #expect(result.algorithm.rawValue == fixture.algorithm)
        #expect(result.signCount == fixture.signCount)
        #expect(result.userVerified == (fixture.flags & 0x04 != 0))
        #expect(result.backupEligible == (fixture.flags & 0x08 != 0))
        #expect(result.backedUp == (fixture.flags & 0x10 != 0))
        #expect(Hex.encode(result.aaguid) == fixture.aaguid)
        #expect(result.attestationFormat == fixture.format)
        #expect(result.transports == credential.response.transports)
        #expect(fixture.fido2Verdict == "accepted")
    }

    @Test("each faulty response is refused with the check it breaks", arguments: refused)
    func refusal(_ fixture: RegistrationFixture) throws {
        let error = try #require(thrownError { try fixture.verify() })
        #expect(caseName(error) == fixture.error)
    }

    @Test("refusals carry what the caller needs to log")
    func refusalDetails() {
        #expect(thrownError { try Fixtures.registration("wrong-origin").verify() }
                == .originMismatch(expected: "http://localhost:8080", received: "http://localhost:8081"))
        #expect(thrownError { try Fixtures.registration("wrong-type").verify() }
                == .clientDataTypeMismatch(expected: "webauthn.create", received: "webauthn.get"))
        #expect(thrownError { try Fixtures.registration("algorithm-not-offered").verify() } == .algorithmNotAllowed(.rs256))
        let format = thrownError { try Fixtures.registration("format-fido-u2f").verify() }
        #expect(format == .unsupportedAttestationFormat("fido-u2f"))
        #expect(format?.description.contains("unsupported attestation format") == true)
    }

    @Test("user verification is only reported unless required")
    func userVerification() throws {
        let fixture = Fixtures.registration("none-eddsa-no-uv")
        let credential = try fixture.decoded()
        let result = try WebAuthnVerifier.verifyRegistration(credential, expectedChallenge: fixture.challengeBytes, rp: Self.rp,
                                                             requireUserVerification: false)
        #expect(!result.userVerified)
        #expect(thrownError { try WebAuthnVerifier.verifyRegistration(credential, expectedChallenge: fixture.challengeBytes, rp: Self.rp,
                                                                      requireUserVerification: true) } == .userNotVerified)
    }

    @Test("only the offered algorithms are accepted")
    func allowedAlgorithms() throws {
        let fixture = Fixtures.registration("none-es256")
        let credential = try fixture.decoded()
        let error = thrownError {
            try WebAuthnVerifier.verifyRegistration(credential, expectedChallenge: fixture.challengeBytes, rp: Self.rp,
                                                    requireUserVerification: false, allowedAlgorithms: [.edDSA, .rs256])
        }
        #expect(error == .algorithmNotAllowed(.es256))
    }

    @Test("a flipped byte in a packed attestation signature is refused",
          arguments: ["packed-self-es256", "packed-self-eddsa", "packed-self-rs256", "packed-x5c-es256"])
    func flippedAttestationSignature(_ name: String) throws {
        let fixture = Fixtures.registration(name)
        let credential = try fixture.decoded()
        let signature = try #require(try Self.statement(of: credential)[.text("sig")]?.bytesValue)
        for index in [0, signature.count / 2, signature.count - 1] {
            var altered = signature
            altered[index] ^= 0x40
            let object = try Self.replacingStatement(of: credential, "sig", with: .bytes(altered))
            #expect(thrownError { try fixture.verify(Self.credential(credential, attestationObject: object)) } == .badSignature)
        }
    }

    @Test("an attestation object cut at any length, or with bytes after it, is malformed")
    func truncatedAttestationObject() throws {
        let fixture = Fixtures.registration("packed-x5c-es256")
        let credential = try fixture.decoded()
        let object = credential.response.attestationObject
        for length in 0..<object.count {
            let error = thrownError { try fixture.verify(Self.credential(credential, attestationObject: Array(object.prefix(length)))) }
            #expect(error.map(caseName) == "malformed", "cut at \(length)")
        }
        #expect(thrownError { try fixture.verify(Self.credential(credential, attestationObject: object + [0x00])) }.map(caseName) == "malformed")
    }

    @Test("garbage and misshapen attestation objects are malformed", arguments: [
        [] as [UInt8], [0xA0], [0x80], [0x00], Array("not cbor at all".utf8), [UInt8](repeating: 0xFF, count: 64),
        CBORWriter.encode(.map([(.text("fmt"), .text("none")), (.text("attStmt"), .map([]))])),
        CBORWriter.encode(.map([(.text("fmt"), .unsigned(1)), (.text("attStmt"), .map([])), (.text("authData"), .bytes([]))])),
        CBORWriter.encode(.map([(.text("fmt"), .text("none")), (.text("attStmt"), .array([])), (.text("authData"), .bytes([]))])),
        CBORWriter.encode(.map([(.text("fmt"), .text("none")), (.text("attStmt"), .map([])), (.text("authData"), .text("x"))])),
        CBORWriter.encode(.map([(.text("fmt"), .text("none")), (.text("attStmt"), .map([])),
                                (.text("authData"), .bytes(AuthenticatorDataTests.header(flags: 0x05))), (.text("extra"), .null)])),
    ])
    func garbageAttestationObject(_ object: [UInt8]) throws {
        let fixture = Fixtures.registration("none-es256")
        let credential = try fixture.decoded()
        #expect(thrownError { try fixture.verify(Self.credential(credential, attestationObject: object)) }.map(caseName) == "malformed")
    }

    @Test("a registration without attested credential data is refused")
    func missingCredential() throws {
        let fixture = Fixtures.registration("none-es256")
        let credential = try fixture.decoded()
        let object = CBORWriter.encode(.map([(.text("fmt"), .text("none")), (.text("attStmt"), .map([])),
                                             (.text("authData"), .bytes(AuthenticatorDataTests.header(flags: 0x05)))]))
        #expect(thrownError { try fixture.verify(Self.credential(credential, attestationObject: object)) } == .missingAttestedCredentialData)
    }

    @Test("packed statements with missing, mistyped or unknown members are refused", arguments: [
        ("alg", CBOR.text("ES256")), ("sig", CBOR.text("signature")), ("x5c", CBOR.array([])), ("x5c", CBOR.array([.text("cert")])),
        ("x5c", CBOR.bytes([1, 2, 3])), ("ecdaaKeyId", CBOR.bytes([1])), ("extra", CBOR.null),
    ])
    func packedStatementShape(_ member: String, _ value: CBOR) throws {
        let fixture = Fixtures.registration("packed-self-es256")
        let credential = try fixture.decoded()
        let object = try Self.replacingStatement(of: credential, member, with: value)
        #expect(thrownError { try fixture.verify(Self.credential(credential, attestationObject: object)) }.map(caseName) == "attestationInvalid")
    }

    @Test("the credential object's type, id and rawId are checked")
    func credentialIdentity() throws {
        let fixture = Fixtures.registration("none-es256")
        let credential = try fixture.decoded()
        let retyped = RegistrationCredential(id: credential.id, rawId: credential.rawId, type: "password", response: credential.response)
        #expect(thrownError { try fixture.verify(retyped) } == .wrongCredentialType("password"))
        let otherID = RegistrationCredential(id: "AAAA", rawId: credential.rawId, response: credential.response)
        #expect(thrownError { try fixture.verify(otherID) } == .credentialIDMismatch)
        let otherRaw = [UInt8](repeating: 7, count: 32)
        let renamed = RegistrationCredential(id: Base64URL.encode(otherRaw), rawId: otherRaw, response: credential.response)
        #expect(thrownError { try fixture.verify(renamed) } == .credentialIDMismatch)
        let long = [UInt8](repeating: 7, count: 1024)
        let tooLong = RegistrationCredential(id: Base64URL.encode(long), rawId: long, response: credential.response)
        #expect(thrownError { try fixture.verify(tooLong) } == .credentialIDTooLong(1024))
    }

    @Test("client data: token binding in use, a padded challenge, crossOrigin false and unknown members")
    func clientDataVariants() throws {
        // With "none" attestation nothing signs the client data, so it can be rewritten freely.
        let fixture = Fixtures.registration("none-es256")
        let credential = try fixture.decoded()
        let challenge = fixture.challenge
        func verify(_ json: String) -> WebAuthnError? {
            let response = AttestationResponse(clientDataJSON: Array(json.utf8),
                                                           attestationObject: credential.response.attestationObject)
            return thrownError { try fixture.verify(RegistrationCredential(id: credential.id, rawId: credential.rawId, response: response)) }
        }
        let base = #""type":"webauthn.create","challenge":"\#(challenge)","origin":"http://localhost:8080""#
        #expect(verify("{\(base)}") == nil)
        #expect(verify("{\(base),\"crossOrigin\":false,\"other_keys_can_be_added_here\":\"x\"}") == nil)
        #expect(verify("{\(base),\"tokenBinding\":{\"status\":\"supported\"}}") == nil)
        #expect(verify("{\(base),\"tokenBinding\":{\"status\":\"present\",\"id\":\"AAAA\"}}") == .tokenBindingRefused)
        #expect(verify("{\(base),\"crossOrigin\":true,\"topOrigin\":\"https://evil.example\"}") == .crossOriginRefused)
        let padded = #"{"type":"webauthn.create","challenge":"\#(challenge)=","origin":"http://localhost:8080"}"#
        #expect(verify(padded) == .challengeMismatch)
        #expect(verify(#"{"type":"webauthn.create","origin":"http://localhost:8080"}"#).map(caseName) == "malformed")
        #expect(verify("not json").map(caseName) == "malformed")
        #expect(verify("{\(base.replacingOccurrences(of: "8080", with: "8080/"))}")
                == .originMismatch(expected: "http://localhost:8080", received: "http://localhost:8080/"))
    }

    @Test("the toJSON shape decodes; missing or non-base64url members are malformed")
    func jsonShape() throws {
        let fixture = Fixtures.registration("packed-x5c-es256")
        let credential = try fixture.decoded()
        #expect(credential.type == "public-key")
        #expect(credential.authenticatorAttachment == "cross-platform")
        #expect(credential.response.transports == ["usb", "nfc"])
        let missing = fixture.credential.removing(["response", "attestationObject"])
        #expect(thrownError { try RegistrationCredential.decode(json: missing.encoded) }
                == .malformed("registration credential JSON: missing attestationObject"))
        let padded = fixture.credential.setting(["rawId"], to: .string(fixture.credentialID + "="))
        #expect(thrownError { try RegistrationCredential.decode(json: padded.encoded) } == .malformed("registration credential JSON: bad rawId"))
        let noTransports = fixture.credential.removing(["response", "transports"]).removing(["authenticatorAttachment"])
        let decoded = try RegistrationCredential.decode(json: noTransports.encoded)
        #expect(decoded.response.transports == nil)
        #expect(try fixture.verify(decoded).transports == [])
        #expect(thrownError { try RegistrationCredential.decode(json: Array("[]".utf8)) }.map(caseName) == "malformed")
    }

    @Test("creation options have the shape parseCreationOptionsFromJSON reads")
    func creationOptions() throws {
        let user = UserEntity(id: [1, 2, 3, 4], name: "jane.doe@example.com", displayName: "Jane Doe")
        let bytes = Options.creation(rp: Self.rp, user: user, challenge: [0xFB, 0xFF, 0x00],
                                     exclude: [CredentialDescriptor(id: [9, 9], transports: ["usb"]), CredentialDescriptor(id: [8])],
                                     residentKey: "required", userVerification: "required", hints: ["security-key"])
        let top = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let options = try #require(top["publicKey"] as? [String: Any])
        #expect(top.count == 1)
        #expect((options["rp"] as? [String: String]) == ["id": "localhost", "name": "ClientOne Console"])
        #expect((options["user"] as? [String: String]) == ["id": "AQIDBA", "name": "jane.doe@example.com", "displayName": "Jane Doe"])
        #expect(options["challenge"] as? String == "-_8A")
        let parameters = try #require(options["pubKeyCredParams"] as? [[String: Any]])
        #expect(parameters.compactMap { $0["alg"] as? Int } == [-7, -8, -257])
        #expect(parameters.allSatisfy { $0["type"] as? String == "public-key" })
        #expect(options["timeout"] as? Int == 300_000)
        let exclude = try #require(options["excludeCredentials"] as? [[String: Any]])
        #expect(exclude.map { $0["id"] as? String } == ["CQk", "CA"])
        #expect(exclude[0]["transports"] as? [String] == ["usb"])
        #expect(exclude[1]["transports"] == nil)
        let selection = try #require(options["authenticatorSelection"] as? [String: Any])
        #expect(selection["residentKey"] as? String == "required")
        #expect(selection["requireResidentKey"] as? Bool == true)
        #expect(selection["userVerification"] as? String == "required")
        #expect(options["attestation"] as? String == "none")
        #expect(options["hints"] as? [String] == ["security-key"])
        let plain = Options.creation(rp: Self.rp, user: user, challenge: [1], exclude: [])
        let plainOptions = try #require((try JSONSerialization.jsonObject(with: Data(plain)) as? [String: Any])?["publicKey"] as? [String: Any])
        #expect(plainOptions["hints"] == nil)
        #expect((plainOptions["authenticatorSelection"] as? [String: Any])?["requireResidentKey"] as? Bool == false)
        #expect(plain == Options.creation(rp: Self.rp, user: user, challenge: [1], exclude: []), "same options, same bytes")
    }

    // MARK: - Helpers

    static func credential(_ credential: RegistrationCredential, attestationObject: [UInt8]) -> RegistrationCredential {
        let response = AttestationResponse(clientDataJSON: credential.response.clientDataJSON,
                                                       attestationObject: attestationObject, transports: credential.response.transports)
        return RegistrationCredential(id: credential.id, rawId: credential.rawId, type: credential.type, response: response)
    }

    static func statement(of credential: RegistrationCredential) throws -> CBOR {
        try #require(try CBOR.decode(credential.response.attestationObject)[.text("attStmt")])
    }

    /// The attestation object with attStmt's `member` set to `value`, other members in their order.
    static func replacingStatement(of credential: RegistrationCredential, _ member: String, with value: CBOR) throws -> [UInt8] {
        let object = try CBOR.decode(credential.response.attestationObject)
        let statement = COSEKeyTests.replacing(.text(member), with: value, in: try statement(of: credential))
        return CBORWriter.encode(COSEKeyTests.replacing(.text("attStmt"), with: statement, in: object))
    }
}
