import COpenSSL
@testable import Crypto
import Testing
@testable import WebAuthn

/// Ed25519 keys that must never become a `PublicKey`: the small-order points, with which signatures
/// verify for messages nobody signed, and encodings RFC 8032 §5.1.3 does not decode (y ≥ p, off the
/// curve). OpenSSL 3.0 accepts all of them (its public-key check only sees that a key is present).
@Suite struct Ed25519KeyTests {
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    /// The 8 torsion points in their canonical encodings, from libsodium's blocklist and
    /// "Taming the many EdDSAs" (Brendel et al., 2020), table 6.
    static let smallOrder: [(name: String, key: [UInt8])] = [
        ("identity (order 1)", hex("0100000000000000000000000000000000000000000000000000000000000000")),
        ("order 2", hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")),
        ("order 4, x positive", hex("0000000000000000000000000000000000000000000000000000000000000000")),
        ("order 4, x negative", hex("0000000000000000000000000000000000000000000000000000000000000080")),
        ("order 8 (1)", hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")),
        ("order 8 (2)", hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85")),
        ("order 8 (3)", hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")),
        ("order 8 (4)", hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa")),
    ]

    /// Their non-canonical twins: x = 0 with the sign bit set, and y + p for the y below 19 (0 and 1).
    static let nonCanonical: [(name: String, key: [UInt8])] = [
        ("identity, negative zero x", hex("0100000000000000000000000000000000000000000000000000000000000080")),
        ("order 2, negative zero x", hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")),
        ("y = p (0 + p)", hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")),
        ("y = p, sign bit set", hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")),
        ("y = p + 1 (1 + p)", hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")),
        ("y = p + 1, sign bit set", hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")),
        ("y = 2^255 - 1", hex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")),
    ]

    /// RFC 8032 §7.1, test 1: a key that must stay usable.
    static let rfc8032Key = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    static let rfc8032Signature = hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                                      + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")

    /// An OKP/Ed25519 COSE_Key with `x`, canonical order (1, 3, -1, -2).
    static func coseKey(_ x: [UInt8]) -> [UInt8] {
        CBORWriter.encode(.map([(.integer(1), .integer(1)), (.integer(3), .integer(-8)), (.integer(-1), .integer(6)),
                                (.integer(-2), .bytes(x))]))
    }

    @Test("the attack: under the identity key, the signature 01 00…00 ‖ 00…00 verifies any message in plain OpenSSL")
    func theAttackIsReal() throws {
        let identity = Self.smallOrder[0].key
        let key = try #require(identity.withUnsafeBufferPointer { EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, $0.baseAddress, 32) })
        defer { EVP_PKEY_free(key) }
        let context = try #require(EVP_PKEY_CTX_new_from_pkey(nil, key, nil))
        defer { EVP_PKEY_CTX_free(context) }
        #expect(EVP_PKEY_public_check(context) == 1, "OpenSSL's own check lets the identity through")
        let forged = identity + [UInt8](repeating: 0, count: 32)
        let verifier = try #require(EVP_MD_CTX_new())
        defer { EVP_MD_CTX_free(verifier) }
        #expect(EVP_DigestVerifyInit_ex(verifier, nil, nil, nil, nil, key, nil) == 1)
        let message = Array("transfer everything".utf8)
        #expect(EVP_DigestVerify(verifier, forged, forged.count, message, message.count) == 1)
        ERR_clear_error()
    }

    @Test("a small-order Ed25519 key is refused as a PublicKey, raw or as a SubjectPublicKeyInfo", arguments: smallOrder.map(\.name))
    func smallOrderRefused(_ name: String) throws {
        let raw = try #require(Self.smallOrder.first { $0.name == name }).key
        #expect {
            try PublicKey(ed25519: raw)
        } throws: { error in
            (error as? CryptoError)?.reason.contains("small order") == true
        }
        // RFC 8410: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING raw }
        let spki: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00] + raw
        #expect(throws: CryptoError.self) { try PublicKey(subjectPublicKeyInfo: spki) }
        #expect {
            try COSEKey(bytes: Self.coseKey(raw))
        } throws: { error in
            guard case .invalidPublicKey(let reason) = error as? WebAuthnError else { return false }
            return reason.contains("small order")
        }
    }

    @Test("a non-canonical Ed25519 encoding (y ≥ p, or x = 0 with the sign bit) is refused", arguments: nonCanonical.map(\.name))
    func nonCanonicalRefused(_ name: String) throws {
        let raw = try #require(Self.nonCanonical.first { $0.name == name }).key
        #expect(throws: CryptoError.self) { try PublicKey(ed25519: raw) }
        #expect(throws: WebAuthnError.self) { try COSEKey(bytes: Self.coseKey(raw)) }
    }

    @Test("every y ≥ p is refused as non-canonical, with either sign bit")
    func everyYAboveP() {
        for low in 0xED...0xFF {
            for top: UInt8 in [0x7F, 0xFF] {
                let raw = [UInt8(low)] + [UInt8](repeating: 0xFF, count: 30) + [top]
                #expect {
                    try PublicKey(ed25519: raw)
                } throws: { error in
                    (error as? CryptoError)?.reason.contains("y ≥ p") == true
                }
            }
        }
    }

    @Test("a y for which x² has no root is refused (y = 2: Euler's criterion gives −1)")
    func offCurve() {
        let raw = [0x02] + [UInt8](repeating: 0, count: 31)
        #expect {
            try PublicKey(ed25519: raw)
        } throws: { error in
            (error as? CryptoError)?.reason.contains("not a point") == true
        }
    }

    @Test("genuine keys still work: RFC 8032 test 1, and keys OpenSSL generates")
    func genuineKeys() throws {
        let key = try PublicKey(ed25519: Self.rfc8032Key)
        #expect(key.verify(signature: Self.rfc8032Signature, message: []))
        #expect(!key.verify(signature: Self.smallOrder[0].key + [UInt8](repeating: 0, count: 32), message: [0x01]))
        for _ in 0..<50 {
            let context = try #require(EVP_PKEY_CTX_new_from_name(nil, "ED25519", nil))
            defer { EVP_PKEY_CTX_free(context) }
            var made: OpaquePointer?
            #expect(EVP_PKEY_keygen_init(context) == 1 && EVP_PKEY_generate(context, &made) == 1)
            let generated = try #require(made)
            defer { EVP_PKEY_free(generated) }
            var raw = [UInt8](repeating: 0, count: 32)
            var length = 32
            #expect(EVP_PKEY_get_raw_public_key(generated, &raw, &length) == 1)
            #expect((try? PublicKey(ed25519: raw)) != nil)
            #expect((try? COSEKey(bytes: Self.coseKey(raw))) != nil)
        }
    }
}
