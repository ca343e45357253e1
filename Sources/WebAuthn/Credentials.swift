import Crypto
import Foundation

/// What a browser's `PublicKeyCredential.toJSON()` gives (WebAuthn Level 3 §5.1): the same envelope for
/// both ceremonies, around the authenticator's response. Binary members arrive base64url-encoded and
/// are held decoded; clientExtensionResults is ignored, since no extensions are requested.
public struct PublicKeyCredential<Response: CredentialResponse>: Sendable, Decodable {
    public let id: String
    public let rawId: [UInt8]
    public let type: String
    public let response: Response
    public let authenticatorAttachment: String?

    public init(id: String, rawId: [UInt8], type: String = "public-key", response: Response, authenticatorAttachment: String? = nil) {
        self.id = id
        self.rawId = rawId
        self.type = type
        self.response = response
        self.authenticatorAttachment = authenticatorAttachment
    }

    private enum CodingKeys: String, CodingKey { case id, rawId, type, response, authenticatorAttachment }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        rawId = try container.decodeBase64URL(forKey: .rawId)
        type = try container.decode(String.self, forKey: .type)
        response = try container.decode(Response.self, forKey: .response)
        authenticatorAttachment = try container.decodeIfPresent(String.self, forKey: .authenticatorAttachment)
    }

    /// Decodes the JSON text a browser posted.
    public static func decode(json: [UInt8]) throws(WebAuthnError) -> PublicKeyCredential {
        do {
            return try JSONDecoder().decode(PublicKeyCredential.self, from: Data(json))
        } catch {
            throw .malformed("\(Response.ceremony) credential JSON: \(describe(error))")
        }
    }
}

/// The authenticator's part of a credential: an attestation (registration) or an assertion.
public protocol CredentialResponse: Sendable, Decodable {
    /// "registration" or "authentication", for error messages.
    static var ceremony: String { get }
}

/// RegistrationResponseJSON, from `navigator.credentials.create`.
public typealias RegistrationCredential = PublicKeyCredential<AttestationResponse>
/// AuthenticationResponseJSON, from `navigator.credentials.get`.
public typealias AuthenticationCredential = PublicKeyCredential<AssertionResponse>

/// AuthenticatorAttestationResponseJSON.
public struct AttestationResponse: CredentialResponse {
    public static let ceremony = "registration"
    public let clientDataJSON: [UInt8]
    public let attestationObject: [UInt8]
    public let transports: [String]?

    public init(clientDataJSON: [UInt8], attestationObject: [UInt8], transports: [String]? = nil) {
        self.clientDataJSON = clientDataJSON
        self.attestationObject = attestationObject
        self.transports = transports
    }

    /// The members read; the others a browser sends (authenticatorData, publicKey...) are ignored.
    private enum CodingKeys: String, CodingKey { case clientDataJSON, attestationObject, transports }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clientDataJSON = try container.decodeBase64URL(forKey: .clientDataJSON)
        attestationObject = try container.decodeBase64URL(forKey: .attestationObject)
        transports = try container.decodeIfPresent([String].self, forKey: .transports)
    }
}

/// AuthenticatorAssertionResponseJSON.
public struct AssertionResponse: CredentialResponse {
    public static let ceremony = "authentication"
    public let clientDataJSON: [UInt8]
    public let authenticatorData: [UInt8]
    public let signature: [UInt8]
    /// Absent or null when the authenticator returned no user handle (non-discoverable credentials).
    public let userHandle: [UInt8]?

    public init(clientDataJSON: [UInt8], authenticatorData: [UInt8], signature: [UInt8], userHandle: [UInt8]? = nil) {
        self.clientDataJSON = clientDataJSON
        self.authenticatorData = authenticatorData
        self.signature = signature
        self.userHandle = userHandle
    }

    private enum CodingKeys: String, CodingKey { case clientDataJSON, authenticatorData, signature, userHandle }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clientDataJSON = try container.decodeBase64URL(forKey: .clientDataJSON)
        authenticatorData = try container.decodeBase64URL(forKey: .authenticatorData)
        signature = try container.decodeBase64URL(forKey: .signature)
        userHandle = try container.decodeBase64URLIfPresent(forKey: .userHandle)
    }
}

extension KeyedDecodingContainer {
    /// A base64url member (RFC 4648 §5, no padding), decoded strictly as `Base64URL` does.
    func decodeBase64URL(forKey key: Key) throws -> [UInt8] {
        let text = try decode(String.self, forKey: key)
        guard let bytes = Base64URL.decode(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not base64url")
        }
        return bytes
    }

    /// Like `decodeBase64URL`, with absent and null both meaning nil.
    func decodeBase64URLIfPresent(forKey key: Key) throws -> [UInt8]? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let bytes = Base64URL.decode(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not base64url")
        }
        return bytes
    }
}

/// A short account of a decoding failure: which member, and why, without echoing the input.
private func describe(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return "not valid JSON" }
    switch error {
    case .keyNotFound(let key, _): return "missing \(key.stringValue)"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return path.isEmpty ? "not valid JSON" : "bad \(path)"
    @unknown default: return "not valid JSON"
    }
}
