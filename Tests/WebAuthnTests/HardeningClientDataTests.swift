import Testing
@testable import WebAuthn

/// The legacy string form of clientData.tokenBinding (sent by browsers before WebAuthn Level 1 made it
/// a dictionary) is an unknown shape to be ignored (§5.8.1.2), not a reason to refuse the ceremony.
@Suite struct HardeningClientDataTests {
    static func verify(_ json: String) -> WebAuthnError? {
        // With "none" attestation nothing signs the client data, so it can be rewritten freely.
        let fixture = Fixtures.registration("none-es256")
        guard let credential = try? fixture.decoded() else { return .malformed("fixture") }
        let response = AttestationResponse(clientDataJSON: Array(json.utf8), attestationObject: credential.response.attestationObject)
        return thrownError { try fixture.verify(RegistrationCredential(id: credential.id, rawId: credential.rawId, response: response)) }
    }

    static var base: String {
        #""type":"webauthn.create","challenge":"\#(Fixtures.registration("none-es256").challenge)","origin":"http://localhost:8080""#
    }

    @Test("a string tokenBinding is ignored, whatever it says", arguments: ["not-supported", "supported", "present", ""])
    func legacyString(_ value: String) {
        #expect(Self.verify("{\(Self.base),\"tokenBinding\":\"\(value)\"}") == nil)
    }

    @Test("the dictionary form is still read: present is refused, supported accepted, a dictionary without status malformed")
    func dictionaryForm() {
        #expect(Self.verify("{\(Self.base),\"tokenBinding\":{\"status\":\"present\",\"id\":\"AAAA\"}}") == .tokenBindingRefused)
        #expect(Self.verify("{\(Self.base),\"tokenBinding\":{\"status\":\"supported\"}}") == nil)
        #expect(Self.verify("{\(Self.base),\"tokenBinding\":{}}").map(caseName) == "malformed")
        #expect(Self.verify("{\(Self.base),\"tokenBinding\":null}") == nil)
    }

    @Test("the members that are checked stay required and typed")
    func requiredMembers() {
        #expect(Self.verify("{\(Self.base),\"crossOrigin\":\"yes\"}").map(caseName) == "malformed")
        #expect(Self.verify(#"{"type":"webauthn.create","origin":"http://localhost:8080"}"#).map(caseName) == "malformed")
        #expect(Self.verify(#"{"type":1,"challenge":"AA","origin":"http://localhost:8080"}"#).map(caseName) == "malformed")
    }
}
