import Crypto

/// A JWS in compact serialization (RFC 7515 §7.1), parsed strictly and not yet trusted: exactly three
/// parts of unpadded base64url (RFC 7515 §2, any other alphabet or padding refused), a header that is
/// a JSON object with an allowed `alg`, and a non-empty signature.
struct JWS {
    let algorithm: SignatureAlgorithm
    let keyID: String?
    /// The decoded payload, to be parsed only after the signature verified.
    let payload: [UInt8]
    let signature: [UInt8]
    /// ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), what the signature covers.
    let signingInput: [UInt8]

    init(compact: String) throws(OIDCError) {
        guard compact.utf8.count <= IDTokenVerifier.maximumTokenBytes else {
            throw OIDCError(.malformedToken, "the token is larger than \(IDTokenVerifier.maximumTokenBytes) bytes")
        }
        let parts = compact.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw OIDCError(.malformedToken, parts.count == 5 ? "the token is encrypted (JWE), not signed" : "the token does not have three parts")
        }
        guard !parts[0].isEmpty, !parts[1].isEmpty else { throw OIDCError(.malformedToken, "the token's header or payload is empty") }
        func decoded(_ part: Substring.UTF8View.SubSequence, _ name: String) throws(OIDCError) -> [UInt8] {
            guard let bytes = Base64URL.decode(String(decoding: part, as: UTF8.self)) else {
                throw OIDCError(.malformedToken, "the token's \(name) is not unpadded base64url")
            }
            return bytes
        }
        let headerBytes = try decoded(parts[0], "header")
        let payload = try decoded(parts[1], "payload")
        let signature = try decoded(parts[2], "signature")
        guard let header = JSONValue.parse(headerBytes)?.objectValue else {
            throw OIDCError(.malformedToken, "the token's header is not a JSON object")
        }
        guard case .string(let name)? = header["alg"] else {
            throw OIDCError(.algorithmNotAllowed, "the token's header has no alg")
        }
        guard let algorithm = SignatureAlgorithm(rawValue: name) else {
            throw OIDCError(.algorithmNotAllowed, "the algorithm \(quoted(name)) is not allowed (RS256, PS256, ES256 only)")
        }
        // RFC 7515 §4.1.11: extensions listed in crit must be understood; this verifier understands
        // none, so the token is refused rather than read without them (e.g. b64=false, RFC 7797).
        guard header["crit"] == nil else {
            throw OIDCError(.malformedToken, "the token's header has a crit parameter")
        }
        // An access token (RFC 9068) offered as an ID token.
        if let type = header["typ"]?.stringValue?.lowercased(), type == "at+jwt" || type == "application/at+jwt" {
            throw OIDCError(.malformedToken, "the token is an access token (typ at+jwt), not an ID token")
        }
        let keyID: String?
        switch header["kid"] {
        case nil: keyID = nil
        case .string(let id)?: keyID = id
        default: throw OIDCError(.malformedToken, "the token's kid is not a string")
        }
        guard !signature.isEmpty else { throw OIDCError(.badSignature, "the token has no signature") }
        self.algorithm = algorithm
        self.keyID = keyID
        self.payload = payload
        self.signature = signature
        self.signingInput = Array(parts[0]) + [UInt8(ascii: ".")] + Array(parts[1])
    }

    /// Whether the signature verifies under `key` with this token's algorithm. The key's type was
    /// matched to the algorithm when it was chosen; it is checked again here so that this function
    /// alone never verifies an RSA signature with an EC key or the reverse.
    func isSigned(by key: JSONWebKey) -> Bool {
        guard key.publicKey.type == algorithm.keyType else { return false }
        switch algorithm {
        case .rs256:
            return key.publicKey.verify(signature: signature, message: signingInput)
        case .ps256:
            return key.publicKey.verifyRSAPSS(signature: signature, message: signingInput)
        case .es256:
            guard let der = ECDSASignature.der(fromRawP256: signature) else { return false }
            return key.publicKey.verify(signature: der, message: signingInput)
        }
    }
}

/// Constant-time comparison of two strings' UTF-8 bytes (for nonces and other stored secrets).
func constantTimeEqualsText(_ a: String, _ b: String) -> Bool {
    constantTimeEquals(Array(a.utf8), Array(b.utf8))
}
