import Crypto
import Foundation
import Testing
@testable import WebAuthn

/// The responses `scripts/make-webauthn-fixtures.py` made with python-fido2 and pyca/cryptography,
/// an implementation written independently of this one, in the browser's `toJSON()` shape.
struct Fixtures: Decodable, Sendable {
    let generator: String
    /// Versions of python-fido2, cryptography, Python and the OpenSSL inside cryptography.
    let tools: [String: String]
    let rp: RPFixture
    let registrations: [RegistrationFixture]
    let authentications: [AuthenticationFixture]
    let sequences: [SequenceFixture]
    let keys: [String: String]

    /// Decoded once for all tests.
    static let shared: Fixtures = {
        do {
            guard let url = Bundle.module.url(forResource: "webauthn-responses", withExtension: "json", subdirectory: "Fixtures") else {
                fatalError("Fixtures/webauthn-responses.json is missing from the test bundle; run scripts/make-webauthn-fixtures.py")
            }
            return try JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read Fixtures/webauthn-responses.json: \(error)")
        }
    }()

    static var relyingParty: RelyingParty {
        RelyingParty(id: shared.rp.id, name: shared.rp.name, origin: shared.rp.origin)
    }

    static func registration(_ name: String) -> RegistrationFixture {
        guard let fixture = shared.registrations.first(where: { $0.name == name }) else { fatalError("no registration fixture \(name)") }
        return fixture
    }

    static func authentication(_ name: String) -> AuthenticationFixture {
        guard let fixture = shared.authentications.first(where: { $0.name == name }) else { fatalError("no authentication fixture \(name)") }
        return fixture
    }

    static func key(_ name: String) -> [UInt8] {
        guard let text = shared.keys[name], let bytes = Base64URL.decode(text) else { fatalError("no key fixture \(name)") }
        return bytes
    }
}

/// The relying party the fixtures were made for.
struct RPFixture: Decodable, Sendable {
    let id: String
    let name: String
    let origin: String
}

/// One registration response and what verifying it must give.
struct RegistrationFixture: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let challenge: String
    let credential: JSONValue
    let publicKey: String
    let algorithm: Int
    let flags: UInt8
    let signCount: UInt32
    let aaguid: String
    let format: String
    /// The `WebAuthnError` case name the verifier must throw, or nil for a valid response.
    let error: String?
    let requireUserVerification: Bool
    let allowedAlgorithms: [Int]?
    let fido2Verdict: String

    var testDescription: String { name }

    var challengeBytes: [UInt8] { Base64URL.decode(challenge) ?? [] }

    var allowed: [COSEAlgorithm] { allowedAlgorithms?.compactMap(COSEAlgorithm.init(rawValue:)) ?? COSEAlgorithm.allCases }

    /// The credential as the browser would post it.
    var json: [UInt8] { credential.encoded }

    func decoded() throws -> RegistrationCredential {
        try RegistrationCredential.decode(json: json)
    }

    func verify(_ credential: RegistrationCredential? = nil) throws(WebAuthnError) -> VerifiedRegistration {
        var credential = credential
        if credential == nil { credential = try RegistrationCredential.decode(json: json) }
        guard let credential else { throw .malformed("no credential") }
        return try WebAuthnVerifier.verifyRegistration(credential, expectedChallenge: challengeBytes, rp: Fixtures.relyingParty,
                                                       requireUserVerification: requireUserVerification, allowedAlgorithms: allowed)
    }
}

/// One authentication response, the stored credential state it is checked against, and what
/// verifying it must give.
struct AuthenticationFixture: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let challenge: String
    let credential: JSONValue
    let publicKey: String
    let flags: UInt8
    let signCount: UInt32
    let userHandle: String?
    let error: String?
    let requireUserVerification: Bool
    let storedSignCount: UInt32
    let fido2Verdict: String

    var testDescription: String { name }

    var challengeBytes: [UInt8] { Base64URL.decode(challenge) ?? [] }
    var publicKeyBytes: [UInt8] { Base64URL.decode(publicKey) ?? [] }
    var json: [UInt8] { credential.encoded }

    func decoded() throws -> AuthenticationCredential {
        try AuthenticationCredential.decode(json: json)
    }

    func verify(_ credential: AuthenticationCredential? = nil, storedSignCount stored: UInt32? = nil) throws(WebAuthnError) -> VerifiedAuthentication {
        var credential = credential
        if credential == nil { credential = try AuthenticationCredential.decode(json: json) }
        guard let credential else { throw .malformed("no credential") }
        return try WebAuthnVerifier.verifyAuthentication(credential, expectedChallenge: challengeBytes, rp: Fixtures.relyingParty,
                                                         publicKey: publicKeyBytes, storedSignCount: stored ?? storedSignCount,
                                                         requireUserVerification: requireUserVerification)
    }
}

/// Assertions of one authenticator in order.
struct SequenceFixture: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let steps: [AuthenticationFixture]

    var testDescription: String { name }
}

/// Any JSON value, kept so a fixture's credential can be handed to the decoder as the exact JSON
/// a browser would send, or altered member by member first.
enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    /// JSON text for this value.
    var encoded: [UInt8] { Array(text.utf8) }

    private var text: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .number(let value): value == value.rounded() && abs(value) < 0x1p53 ? String(Int64(value)) : String(value)
        case .string(let value): JSONValue.quote(value)
        case .array(let values): "[" + values.map(\.text).joined(separator: ",") + "]"
        case .object(let members): "{" + members.sorted { $0.key < $1.key }.map { JSONValue.quote($0.key) + ":" + $0.value.text }.joined(separator: ",") + "}"
        }
    }

    private static func quote(_ string: String) -> String {
        guard let data = try? JSONEncoder().encode(string) else { return "\"\"" }
        return String(decoding: data, as: UTF8.self)
    }

    /// This object with `path` (member names, outermost first) set to `value`.
    func setting(_ path: [String], to value: JSONValue) -> JSONValue {
        guard case .object(var members) = self, let first = path.first else { return value }
        members[first] = (members[first] ?? .null).setting(Array(path.dropFirst()), to: value)
        return .object(members)
    }

    /// This object without the member at `path`.
    func removing(_ path: [String]) -> JSONValue {
        guard case .object(var members) = self, let first = path.first else { return self }
        if path.count == 1 { members[first] = nil } else { members[first] = members[first]?.removing(Array(path.dropFirst())) }
        return .object(members)
    }
}

/// The `WebAuthnError` case name, to compare with a fixture's `error`.
func caseName(_ error: WebAuthnError) -> String {
    switch error {
    case .malformed: "malformed"
    case .wrongCredentialType: "wrongCredentialType"
    case .credentialIDMismatch: "credentialIDMismatch"
    case .credentialIDTooLong: "credentialIDTooLong"
    case .clientDataTypeMismatch: "clientDataTypeMismatch"
    case .challengeMismatch: "challengeMismatch"
    case .originMismatch: "originMismatch"
    case .crossOriginRefused: "crossOriginRefused"
    case .tokenBindingRefused: "tokenBindingRefused"
    case .rpIDHashMismatch: "rpIDHashMismatch"
    case .userNotPresent: "userNotPresent"
    case .userNotVerified: "userNotVerified"
    case .backupStateWithoutEligibility: "backupStateWithoutEligibility"
    case .missingAttestedCredentialData: "missingAttestedCredentialData"
    case .unsupportedAlgorithm: "unsupportedAlgorithm"
    case .algorithmNotAllowed: "algorithmNotAllowed"
    case .invalidPublicKey: "invalidPublicKey"
    case .unsupportedAttestationFormat: "unsupportedAttestationFormat"
    case .attestationInvalid: "attestationInvalid"
    case .badSignature: "badSignature"
    case .signCountRegressed: "signCountRegressed"
    }
}

/// The `WebAuthnError` `body` throws, or nil when it returns. The closure is untyped on purpose:
/// Swift 6.3 does not infer typed throws for closures passed here, and any other error is an issue.
func thrownError<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> WebAuthnError? {
    do {
        _ = try body()
        return nil
    } catch let error as WebAuthnError {
        return error
    } catch {
        Issue.record("expected a WebAuthnError, caught \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
