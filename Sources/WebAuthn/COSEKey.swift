import Crypto

/// A credential public key in COSE_Key form (RFC 9052 §7, RFC 9053), restricted to the three
/// algorithms of `COSEAlgorithm` and turned into an OpenSSL-backed `PublicKey`.
public struct COSEKey: Sendable {
    public let algorithm: COSEAlgorithm
    public let publicKey: PublicKey

    /// COSE key labels (RFC 9052 §7.1, RFC 9053 §7.1–7.2, RFC 8230 §4).
    private enum Label {
        static let kty = CBOR.integer(1)
        static let alg = CBOR.integer(3)
        static let crv = CBOR.integer(-1)
        static let x = CBOR.integer(-2)
        static let y = CBOR.integer(-3)
        static let ecPrivate = CBOR.integer(-4)
        static let rsaN = CBOR.integer(-1)
        static let rsaE = CBOR.integer(-2)
        static let rsaPrivate = CBOR.integer(-3)
    }

    /// Key types (RFC 9053 §7, RFC 8230 §4) and curves (RFC 9053 §7.1).
    private enum KeyType {
        static let okp: Int64 = 1
        static let ec2: Int64 = 2
        static let rsa: Int64 = 3
        static let p256: Int64 = 1
        static let ed25519: Int64 = 6
    }

    /// RSA moduli outside this range are refused: below 2048 bits is too weak (NIST SP 800-131A), and
    /// above 8192 bits only makes each verification expensive for whoever submitted the key.
    static let rsaBits = 2048...8192

    /// Decodes stored or transmitted COSE_Key bytes: exactly one item, map keys in the canonical order
    /// WebAuthn §6.5.1 requires for credentialPublicKey.
    public init(bytes: [UInt8]) throws(WebAuthnError) {
        let item: CBOR
        do {
            item = try CBOR.decode(bytes, limits: .canonical)
        } catch {
            throw .malformed("credential public key: \(error)")
        }
        try self.init(item: item)
    }

    /// Reads a decoded COSE_Key map.
    public init(item: CBOR) throws(WebAuthnError) {
        guard item.mapEntries != nil else { throw .invalidPublicKey("not a CBOR map") }
        guard let kty = item[Label.kty]?.integerValue else { throw .invalidPublicKey("no integer kty (1)") }
        guard let algValue = item[Label.alg]?.integerValue else { throw .invalidPublicKey("no integer alg (3)") }
        guard let algorithm = COSEAlgorithm(rawValue: Int(clamping: algValue)) else {
            throw .unsupportedAlgorithm(Int(clamping: algValue))
        }
        self.algorithm = algorithm
        switch algorithm {
        case .es256: publicKey = try COSEKey.ec2(item, kty: kty)
        case .edDSA: publicKey = try COSEKey.okp(item, kty: kty)
        case .rs256: publicKey = try COSEKey.rsa(item, kty: kty)
        }
    }

    /// Verifies a signature with this key as its COSE algorithm prescribes (see `PublicKey.verify`).
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        publicKey.verify(signature: signature, message: message)
    }

    /// ES256: kty EC2, crv P-256, x and y of 32 bytes each. The compressed form (y as a bool) is
    /// refused: CTAP2 authenticators always send both coordinates.
    private static func ec2(_ item: CBOR, kty: Int64) throws(WebAuthnError) -> PublicKey {
        guard kty == KeyType.ec2 else { throw .invalidPublicKey("ES256 needs kty 2 (EC2), found \(kty)") }
        guard item[Label.crv]?.integerValue == KeyType.p256 else { throw .invalidPublicKey("ES256 needs crv 1 (P-256)") }
        guard item[Label.ecPrivate] == nil else { throw .invalidPublicKey("the key carries a private part") }
        guard let x = item[Label.x]?.bytesValue, let y = item[Label.y]?.bytesValue, x.count == 32, y.count == 32 else {
            throw .invalidPublicKey("ES256 needs x and y of 32 bytes each")
        }
        do {
            return try PublicKey(p256X: x, y: y)
        } catch {
            throw .invalidPublicKey("not a point on P-256 (\(error.reason))")
        }
    }

    /// EdDSA: kty OKP, crv Ed25519, x the 32-byte public key.
    private static func okp(_ item: CBOR, kty: Int64) throws(WebAuthnError) -> PublicKey {
        guard kty == KeyType.okp else { throw .invalidPublicKey("EdDSA needs kty 1 (OKP), found \(kty)") }
        guard item[Label.crv]?.integerValue == KeyType.ed25519 else { throw .invalidPublicKey("EdDSA needs crv 6 (Ed25519)") }
        guard item[Label.ecPrivate] == nil else { throw .invalidPublicKey("the key carries a private part") }
        guard let x = item[Label.x]?.bytesValue, x.count == 32 else { throw .invalidPublicKey("Ed25519 needs x of 32 bytes") }
        do {
            return try PublicKey(ed25519: x)
        } catch {
            throw .invalidPublicKey("not an Ed25519 key (\(error.reason))")
        }
    }

    /// RS256: kty RSA with n and e (RFC 8230 §4); n of at least 2048 bits.
    private static func rsa(_ item: CBOR, kty: Int64) throws(WebAuthnError) -> PublicKey {
        guard kty == KeyType.rsa else { throw .invalidPublicKey("RS256 needs kty 3 (RSA), found \(kty)") }
        guard item[Label.rsaPrivate] == nil else { throw .invalidPublicKey("the key carries a private part") }
        guard let n = item[Label.rsaN]?.bytesValue, let e = item[Label.rsaE]?.bytesValue else {
            throw .invalidPublicKey("RS256 needs byte strings n (-1) and e (-2)")
        }
        // RFC 8230 §4: n and e are unsigned integers "with no leading zero octets"; checking it also
        // keeps a padded 4096-byte n from reaching OpenSSL.
        guard n.first != 0, e.first != 0, n.count * 8 <= rsaBits.upperBound, e.count <= 8 else {
            throw .invalidPublicKey("RSA n or e has leading zeros or is oversized")
        }
        let key: PublicKey
        do {
            key = try PublicKey(rsaModulus: n, exponent: e)
        } catch {
            throw .invalidPublicKey("not a valid RSA key (\(error.reason))")
        }
        guard rsaBits.contains(key.bits) else { throw .invalidPublicKey("RSA modulus of \(key.bits) bits, outside 2048...8192") }
        return key
    }
}
