import Crypto

/// The signature algorithms the console accepts in ID tokens, fixed here and never taken from a token
/// or a provider: `none` and the HMAC family (whose "key" a relying party could be tricked into taking
/// from the provider's public key or its own client secret) are not among them.
public enum SignatureAlgorithm: String, Sendable, CaseIterable {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3).
    case rs256 = "RS256"
    /// RSASSA-PSS with SHA-256, MGF1 SHA-256, 32-byte salt (RFC 7518 §3.5).
    case ps256 = "PS256"
    /// ECDSA on P-256 with SHA-256, the signature r ‖ s (RFC 7518 §3.4).
    case es256 = "ES256"

    /// The kind of key the algorithm needs: the key, not the token, decides what may verify.
    var keyType: PublicKey.KeyType {
        switch self {
        case .rs256, .ps256: .rsa
        case .es256: .ecP256
        }
    }
}

/// One usable verification key of a provider's key set.
public struct JSONWebKey: Sendable {
    /// `kid`, when the provider gave one.
    public let id: String?
    /// `alg`, when the provider pinned the key to one algorithm.
    public let algorithm: String?
    let publicKey: PublicKey

    /// The key type as JWK names it ("RSA" or "EC").
    public var keyType: String { publicKey.type == .rsa ? "RSA" : "EC" }
    /// The key's size in bits.
    public var bits: Int { publicKey.bits }
}

/// A provider's JWK Set (RFC 7517 §5), reduced to the keys that can verify an ID token here: RSA of at
/// least 2048 bits and EC P-256, for signatures (`use` absent or "sig", `key_ops` absent or including
/// "verify"). Other keys (encryption keys, other curves, symmetric keys, malformed ones) are skipped
/// and remembered by `kid`, so a token naming one is refused with the reason; the set itself is
/// refused only when nothing usable is left.
public struct JSONWebKeySet: Sendable {
    public let keys: [JSONWebKey]
    /// Why each skipped key that had a `kid` was skipped.
    let skipped: [String: String]

    /// RSA keys below this are refused (NIST SP 800-131A).
    static let minimumRSABits = 2048

    public init(json: [UInt8]) throws(OIDCError) {
        guard let document = JSONValue.parse(json)?.objectValue else {
            throw OIDCError(.jwksFailed, "the key set is not a JSON object")
        }
        guard case .array(let entries)? = document["keys"] else {
            throw OIDCError(.jwksFailed, "the key set has no \"keys\" array")
        }
        var keys: [JSONWebKey] = []
        var skipped: [String: String] = [:]
        for entry in entries {
            guard let members = entry.objectValue else { continue }
            let id = members["kid"]?.stringValue
            switch JSONWebKeySet.key(from: members) {
            case .success(let key): keys.append(key)
            case .failure(let why): if let id { skipped[id] = why.text }
            }
        }
        guard !keys.isEmpty else {
            throw OIDCError(.jwksFailed, "the key set holds no usable signature key (RSA of 2048 bits or more, or EC P-256)")
        }
        self.keys = keys
        self.skipped = skipped
    }

    /// A key from one JWK's members, or why it cannot be used.
    private static func key(from members: [String: JSONValue]) -> Result<JSONWebKey, SkipReason> {
        if let use = members["use"] {
            guard use.stringValue == "sig" else { return .failure(SkipReason("its use is not \"sig\"")) }
        }
        if let operations = members["key_ops"] {
            guard case .array(let list) = operations, list.contains(.string("verify")) else {
                return .failure(SkipReason("its key_ops do not include \"verify\""))
            }
        }
        if let algorithm = members["alg"], algorithm.stringValue == nil { return .failure(SkipReason("its alg is not a string")) }
        if let id = members["kid"], id.stringValue == nil { return .failure(SkipReason("its kid is not a string")) }
        func bytes(_ name: String) -> [UInt8]? { members[name]?.stringValue.flatMap(Base64URL.decode) }
        let publicKey: PublicKey
        switch members["kty"]?.stringValue {
        case "RSA":
            guard let modulus = bytes("n"), let exponent = bytes("e") else { return .failure(SkipReason("its n or e is not base64url")) }
            guard let key = try? PublicKey(rsaModulus: modulus, exponent: exponent) else { return .failure(SkipReason("it is not a valid RSA key")) }
            guard key.bits >= minimumRSABits else { return .failure(SkipReason("it is an RSA key of \(key.bits) bits, below \(minimumRSABits)")) }
            publicKey = key
        case "EC":
            guard members["crv"]?.stringValue == "P-256" else { return .failure(SkipReason("its curve is not P-256")) }
            guard let x = bytes("x"), let y = bytes("y") else { return .failure(SkipReason("its x or y is not base64url")) }
            guard let key = try? PublicKey(p256X: x, y: y) else { return .failure(SkipReason("it is not a point on P-256")) }
            publicKey = key
        default:
            return .failure(SkipReason("its key type is not RSA or EC"))
        }
        return .success(JSONWebKey(id: members["kid"]?.stringValue, algorithm: members["alg"]?.stringValue, publicKey: publicKey))
    }

    /// The key that must verify a token with header `kid` = `id` and `alg` = `algorithm`: the key with
    /// that `kid`, or without a `kid` the only key of the type the algorithm needs. Refused when the
    /// algorithm is not allowed (algorithmNotAllowed), when no such key exists or the choice is
    /// ambiguous (unknownKey), and when the key is of another type or pinned to another algorithm
    /// (keyTypeMismatch).
    public func key(id: String?, algorithm: String) throws(OIDCError) -> JSONWebKey {
        guard let allowed = SignatureAlgorithm(rawValue: algorithm) else {
            throw OIDCError(.algorithmNotAllowed, "the algorithm \(quoted(algorithm)) is not allowed (RS256, PS256, ES256 only)")
        }
        func fits(_ key: JSONWebKey) -> Bool {
            key.publicKey.type == allowed.keyType && (key.algorithm == nil || key.algorithm == algorithm)
        }
        guard let id else {
            let candidates = keys.filter(fits)
            guard candidates.count == 1 else {
                throw OIDCError(.unknownKey, candidates.isEmpty
                    ? "the token names no key and the key set has no key for \(algorithm)"
                    : "the token names no key and the key set has \(candidates.count) keys for \(algorithm)")
            }
            return candidates[0]
        }
        let named = keys.filter { $0.id == id }
        guard !named.isEmpty else {
            if let why = skipped[id] { throw OIDCError(.unknownKey, "the key \(quoted(id)) was refused: \(why)") }
            throw OIDCError(.unknownKey, "the key set has no key \(quoted(id))")
        }
        let matching = named.filter(fits)
        guard matching.count == 1 else {
            if matching.isEmpty {
                let key = named[0]
                throw OIDCError(.keyTypeMismatch, key.algorithm.map { "the key \(quoted(id)) is for \(quoted($0)), not \(algorithm)" }
                    ?? "the key \(quoted(id)) is an \(key.keyType) key, which cannot verify \(algorithm)")
            }
            throw OIDCError(.unknownKey, "the key set has several keys \(quoted(id)) for \(algorithm)")
        }
        return matching[0]
    }
}

/// Why one JWK was skipped.
struct SkipReason: Error {
    let text: String
    init(_ text: String) { self.text = text }
}
