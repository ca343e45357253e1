import Crypto
import Foundation

/// The client data the browser collected and the authenticator signed a hash of (WebAuthn §5.8.1).
/// Only the members a relying party checks are read; browsers may add others (§5.8.1.2 asks
/// relying parties to ignore unknown ones).
struct CollectedClientData: Decodable {
    let type: String
    let challenge: String
    let origin: String
    let crossOrigin: Bool?
    let tokenBinding: TokenBinding?

    /// §5.8.1 TokenBinding: only the status matters here.
    struct TokenBinding: Decodable {
        let status: String
    }

    private enum CodingKeys: String, CodingKey { case type, challenge, origin, crossOrigin, tokenBinding }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        challenge = try container.decode(String.self, forKey: .challenge)
        origin = try container.decode(String.self, forKey: .origin)
        crossOrigin = try container.decodeIfPresent(Bool.self, forKey: .crossOrigin)
        // Before Level 1 settled on the dictionary, browsers sent tokenBinding as a string (Edge:
        // "not-supported"). A string says nothing this server could check, so it is ignored like any
        // member a relying party does not know (§5.8.1.2); only the dictionary form is read, and its
        // "present" status refused below.
        if (try? container.decodeIfPresent(String.self, forKey: .tokenBinding)) != nil {
            tokenBinding = nil
        } else {
            tokenBinding = try container.decodeIfPresent(TokenBinding.self, forKey: .tokenBinding)
        }
    }

    /// The ceremony a client data belongs to, as clientData.type names it.
    enum Ceremony: String {
        case create = "webauthn.create"
        case get = "webauthn.get"
    }

    /// Parses `json` and runs the checks common to both ceremonies (§7.1 steps 5–10, §7.2 steps 9–14),
    /// in the specification's order. Returns SHA-256 of the exact bytes, which the signature covers.
    static func verify(_ json: [UInt8], ceremony: Ceremony, challenge expected: [UInt8], rp: RelyingParty) throws(WebAuthnError) -> [UInt8] {
        let clientData: CollectedClientData
        do {
            clientData = try JSONDecoder().decode(CollectedClientData.self, from: Data(json))
        } catch {
            throw .malformed("clientDataJSON is not the expected JSON object")
        }
        guard clientData.type == ceremony.rawValue else {
            throw .clientDataTypeMismatch(expected: ceremony.rawValue, received: clientData.type)
        }
        // The challenge is base64url-encoded by the browser (§5.8.1); comparing the decoded bytes in
        // constant time avoids leaking how much of a guessed challenge was right.
        guard let received = Base64URL.decode(clientData.challenge), constantTimeEquals(received, expected) else {
            throw .challengeMismatch
        }
        // §7.1 step 9: an exact match with the origin the console is served from; no prefix or host-only matching.
        guard clientData.origin == rp.origin else { throw .originMismatch(expected: rp.origin, received: clientData.origin) }
        // §5.8.1: crossOrigin true means the ceremony ran in a cross-origin iframe; the console is never
        // embedded, so such a ceremony was not started by it.
        guard clientData.crossOrigin != true else { throw .crossOriginRefused }
        // §7.1 step 10 (Level 2): status "present" would have to match the connection's Token Binding
        // ID, and this server negotiates none, so it can never match.
        guard clientData.tokenBinding?.status != "present" else { throw .tokenBindingRefused }
        return Digest.sha256(json)
    }
}
