// libFuzzer entry point for the project's parsers, built by scripts/fuzz with
// `swiftc -sanitize=fuzzer,address` together with the parsers' own source files: those of HTTP, OTP
// and WebAuthn compile into this one module (so WebAuthn's internal AttestationObject is reachable),
// against a Crypto module scripts/fuzz builds first. FUZZ_TARGET picks the parser.
import COpenSSL
import Crypto
import Foundation

let target = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? "form"

struct FinishBody: Decodable {
    let credential: [String: String]?
    let name: String?
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    switch target {
    case "form":
        if let parameters = try? Parameters.parseURLEncoded(bytes) {
            // The same bytes give the same pairs.
            precondition((try? Parameters.parseURLEncoded(bytes))?.pairs.map(\.name) == parameters.pairs.map(\.name))
        }
    case "query", "target":
        _ = try? RequestTarget(parsing: text)
    case "cookie":
        for (name, value) in Cookies.parse([text]) { precondition(!name.isEmpty && !name.contains(";") && !value.contains(";")) }
    case "json":
        _ = try? JSONDecoder().decode(FinishBody.self, from: Data(bytes))
    case "cbor":
        if let item = try? CBOR.decode(bytes) { _ = String(describing: item) }
    case "base32":
        if let decoded = Base32.decode(text) {
            precondition(Base32.decode(Base32.encode(decoded)) == decoded, "base32 round trip")
        }
    case "router":
        var router = Router<Int>()
        router.add("GET", "/portal/profile", 1)
        router.add("GET", "/admin/users/{id}", 2)
        router.add("POST", "/portal/profile/security/passkeys/{id}/delete", 3)
        if case .found(_, let parameters) = router.match(method: "GET", path: text) {
            precondition(parameters.values.allSatisfy { !$0.isEmpty && !$0.contains("/") })
        }
    case "cose":
        fuzzCOSEKey(bytes)
    case "authdata":
        fuzzAuthenticatorData(bytes)
    case "attestation":
        fuzzAttestationObject(bytes)
    default:
        fatalError("unknown FUZZ_TARGET \(target)")
    }
    // CryptoError.openSSL drains OpenSSL's per-thread error queue on every failure, and verify clears
    // it: a leftover entry would be blamed on the next, unrelated failure.
    precondition(ERR_peek_error() == 0, "OpenSSL error queue left non-empty")
    return 0
}

/// The python-fido2 responses of Tests/WebAuthnTests (scripts/fuzz runs from the repository root):
/// real signatures, so a fuzzed input that passes a verifier can be checked against what was signed.
struct Fixtures: Decodable {
    struct RP: Decodable { let id, name, origin: String }
    struct Registration: Decodable {
        let name, challenge: String
        let credential: RegistrationCredential
        let requireUserVerification: Bool
    }
    struct Authentication: Decodable {
        let name, challenge, publicKey: String
        let credential: AuthenticationCredential
        let requireUserVerification: Bool
        let storedSignCount: UInt32
    }
    let rp: RP
    let registrations: [Registration]
    let authentications: [Authentication]

    static let path = "Tests/WebAuthnTests/Fixtures/webauthn-responses.json"
    static let shared: Fixtures = {
        do {
            return try JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            fatalError("cannot read \(path) (run from the repository root): \(error)")
        }
    }()

    var relyingParty: RelyingParty { RelyingParty(id: rp.id, name: rp.name, origin: rp.origin) }

    func registration(_ name: String) -> Registration {
        guard let fixture = registrations.first(where: { $0.name == name }) else { fatalError("no registration fixture \(name)") }
        return fixture
    }

    func authentication(_ name: String) -> Authentication {
        guard let fixture = authentications.first(where: { $0.name == name }) else { fatalError("no authentication fixture \(name)") }
        return fixture
    }
}

/// One genuine assertion per algorithm: the signer's COSE key, what it signed, and the signature.
struct SignedAssertion {
    let key: CBOR
    let message: [UInt8]
    let signature: [UInt8]

    static let byAlgorithm: [COSEAlgorithm: SignedAssertion] = {
        var assertions: [COSEAlgorithm: SignedAssertion] = [:]
        for name in ["es256", "eddsa-no-uv", "rs256"] {
            let fixture = Fixtures.shared.authentication(name)
            let response = fixture.credential.response
            guard let keyBytes = Base64URL.decode(fixture.publicKey), let key = try? COSEKey(bytes: keyBytes),
                  let item = try? CBOR.decode(keyBytes) else { fatalError("fixture \(name): bad public key") }
            assertions[key.algorithm] = SignedAssertion(key: item, message: response.authenticatorData + Digest.sha256(response.clientDataJSON),
                                                        signature: response.signature)
        }
        precondition(assertions.count == COSEAlgorithm.allCases.count, "one assertion per algorithm")
        return assertions
    }()

    /// The members that make up the key (kty, alg and the curve or RSA parameters, labels -1 to -3),
    /// leaving out optional ones such as kid that may differ between encodings of one key.
    static func keyMembers(_ item: CBOR) -> [CBOR?] {
        [1, 3, -1, -2, -3].map { item[CBOR.integer($0)] }
    }
}

/// COSE_Key bytes as a client would have them stored; a key that parses gets a genuine signature of
/// its algorithm, which must verify only when the key is the one that made it.
func fuzzCOSEKey(_ bytes: [UInt8]) {
    guard let key = try? COSEKey(bytes: bytes), let assertion = SignedAssertion.byAlgorithm[key.algorithm] else { return }
    precondition(key.publicKey.type == expectedKeyType(key.algorithm), "COSE algorithm and OpenSSL key type agree")
    if key.verify(signature: assertion.signature, message: assertion.message) {
        guard let item = try? CBOR.decode(bytes) else { preconditionFailure("a parsed key decodes as CBOR") }
        precondition(SignedAssertion.keyMembers(item) == SignedAssertion.keyMembers(assertion.key), "a signature verified under another key")
    }
    // Nor may the signature pass over other bytes.
    precondition(!key.verify(signature: assertion.signature, message: assertion.message + [0]), "a signature verified over other bytes")
}

func expectedKeyType(_ algorithm: COSEAlgorithm) -> PublicKey.KeyType {
    switch algorithm {
    case .es256: .ecP256
    case .edDSA: .ed25519
    case .rs256: .rsa
    }
}

/// Authenticator data, of a registration or an assertion. Whatever parses is also put through the
/// assertion verifier in place of a genuine assertion's: everything there is signed, so only the
/// original bytes may pass.
func fuzzAuthenticatorData(_ bytes: [UInt8]) {
    guard let data = try? AuthenticatorData(bytes: bytes) else { return }
    precondition(data.bytes == bytes && data.rpIDHash.count == 32)
    precondition((data.attestedCredential != nil) == data.flags.contains(.attestedCredentialData), "AT flag and credential data agree")
    precondition((data.extensions != nil) == data.flags.contains(.extensionData), "ED flag and extensions agree")
    if let credential = data.attestedCredential {
        // The stored key bytes are what verifyAuthentication decodes later: they must give the same key.
        precondition(credential.credentialID.count <= AuthenticatorData.maxCredentialIDLength)
        precondition((try? COSEKey(bytes: credential.publicKeyBytes))?.algorithm == credential.publicKey.algorithm,
                     "stored credential public key bytes do not decode alone")
        return
    }
    let fixture = Fixtures.shared.authentication("es256")
    let original = fixture.credential
    let response = AssertionResponse(clientDataJSON: original.response.clientDataJSON, authenticatorData: bytes,
                                     signature: original.response.signature, userHandle: original.response.userHandle)
    let credential = AuthenticationCredential(id: original.id, rawId: original.rawId, response: response)
    let verified = try? WebAuthnVerifier.verifyAuthentication(
        credential, expectedChallenge: Base64URL.decode(fixture.challenge) ?? [], rp: Fixtures.shared.relyingParty,
        publicKey: Base64URL.decode(fixture.publicKey) ?? [], storedSignCount: fixture.storedSignCount,
        requireUserVerification: fixture.requireUserVerification)
    precondition(verified == nil || bytes == original.response.authenticatorData, "mutated authenticator data passed the assertion verifier")
}

/// Attestation objects. One that parses is verified as a registration response with the fixtures'
/// clientDataJSON and challenge and the credential ID it attests, which runs the statement checks,
/// certificate parsing included. A "none" statement may pass with any authenticator data; a "packed"
/// one only with authenticator data that a fixture's authenticator signed.
func fuzzAttestationObject(_ bytes: [UInt8]) {
    guard let object = try? AttestationObject(bytes: bytes), let attested = object.authenticatorData.attestedCredential else { return }
    let fixture = Fixtures.shared.registration("packed-x5c-es256")
    let response = AttestationResponse(clientDataJSON: fixture.credential.response.clientDataJSON, attestationObject: bytes)
    let credential = RegistrationCredential(id: Base64URL.encode(attested.credentialID), rawId: attested.credentialID, response: response)
    guard let verified = try? WebAuthnVerifier.verifyRegistration(
        credential, expectedChallenge: Base64URL.decode(fixture.challenge) ?? [], rp: Fixtures.shared.relyingParty,
        requireUserVerification: fixture.requireUserVerification) else { return }
    precondition(verified.attestationFormat == "none" || signedAuthenticatorData.contains(object.authenticatorData.bytes),
                 "a packed statement verified over authenticator data no authenticator signed")
    precondition(verified.credentialID == attested.credentialID && verified.signCount == object.authenticatorData.signCount)
    // What the caller stores must work at sign-in.
    precondition((try? COSEKey(bytes: verified.publicKey))?.algorithm == verified.algorithm, "stored public key does not decode")
}

/// The authenticator data of every packed fixture, the only data a packed statement can be signed over.
let signedAuthenticatorData: Set<[UInt8]> = Set(Fixtures.shared.registrations.compactMap { fixture in
    guard let object = try? AttestationObject(bytes: fixture.credential.response.attestationObject),
          object.format == "packed" else { return nil }
    return object.authenticatorData.bytes
})
