import Testing
import Crypto

/// HKDF-SHA-256 through OpenSSL's EVP_KDF, checked with the RFC 5869 appendix A vectors.
@Suite struct HKDFTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let ikm: [UInt8]
        let salt: [UInt8]
        let info: [UInt8]
        let okm: String
        var testDescription: String { name }
    }

    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    static let vectors: [Vector] = [
        Vector(name: "A.1 basic", ikm: [UInt8](repeating: 0x0B, count: 22), salt: Array(0x00...0x0C), info: Array(0xF0...0xF9),
               okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
        Vector(name: "A.2 longer inputs and outputs", ikm: Array(0x00...0x4F), salt: Array(0x60...0xAF), info: Array(0xB0...0xFF),
               okm: "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"),
        Vector(name: "A.3 empty salt and info", ikm: [UInt8](repeating: 0x0B, count: 22), salt: [], info: [],
               okm: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
    ]

    @Test("RFC 5869 test vectors (SHA-256)", arguments: vectors)
    func rfc5869(_ vector: Vector) {
        let okm = Self.hex(vector.okm)
        #expect(HKDF.derive(.sha256, key: vector.ikm, salt: vector.salt, info: vector.info, count: okm.count) == okm)
    }

    @Test("the same as RFC 5869's two steps written with HMAC; different info gives unrelated keys")
    func matchesDefinition() {
        let key = [UInt8](repeating: 0x42, count: 32)
        let salt = Array("salt".utf8)
        // Extract: PRK = HMAC(salt, IKM); expand: T(1) = HMAC(PRK, info || 0x01).
        let prk = HMAC.code(.sha256, key: salt, message: key)
        let expected = HMAC.code(.sha256, key: prk, message: Array("a".utf8) + [0x01])
        #expect(HKDF.derive(.sha256, key: key, salt: salt, info: Array("a".utf8), count: 32) == expected)
        #expect(HKDF.derive(.sha256, key: key, salt: salt, info: Array("b".utf8), count: 32) != expected)
        #expect(HKDF.derive(.sha256, key: key, salt: salt, info: Array("a".utf8), count: 16) == Array(expected.prefix(16)))
    }
}
