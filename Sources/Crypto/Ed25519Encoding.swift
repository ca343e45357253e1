import COpenSSL

/// The checks an Ed25519 public key needs before it may verify anything, which OpenSSL 3.0 does not
/// make: its `EVP_PKEY_public_check` only sees that 32 bytes are present. RFC 8032 §5.1.3 decodes a
/// point from y (255 bits, little-endian) and the sign of x (the top bit), and fails when y ≥ p or
/// when x² = (y² − 1) / (d·y² + 1) has no root mod p. Beyond decoding, a key of small order (one of
/// the 8 points of the torsion subgroup) is refused: with the identity `01 00…00` as the key, the
/// signature `01 00…00 ‖ 00…00` verifies for every message, and the other torsion points allow
/// similar forgeries ("Taming the many EdDSAs", Brendel et al. 2020, and libsodium's blocklist).
enum Ed25519Encoding {
    /// p = 2^255 − 19, little-endian.
    static let prime: [UInt8] = [0xED] + [UInt8](repeating: 0xFF, count: 30) + [0x7F]

    /// The y coordinates of the 8 torsion points, little-endian: 0 (the two points of order 4, x = ±√−1),
    /// 1 (the identity), p − 1 (order 2), and the y of the four points of order 8 and its negation.
    /// A y determines a point up to the sign of x, and −P has P's order, so refusing these y refuses
    /// exactly the small-order points, with either sign bit (x = 0 with the sign bit set being one of
    /// the non-canonical encodings).
    static let torsionY: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),
        [0x01] + [UInt8](repeating: 0, count: 31),
        [0xEC] + [UInt8](repeating: 0xFF, count: 30) + [0x7F],
        bytes("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        bytes("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    ]

    /// Throws unless `raw` is the canonical encoding of a point on the curve outside the torsion subgroup.
    static func check(_ raw: [UInt8]) throws(CryptoError) {
        precondition(raw.count == 32)
        func refuse(_ reason: String) -> CryptoError { CryptoError(function: "PublicKey(ed25519:)", reason: reason) }
        var y = raw
        y[31] &= 0x7F
        // Compared as 255-bit little-endian integers, most significant byte first.
        if !y.reversed().lexicographicallyPrecedes(prime.reversed()) {
            throw refuse("a non-canonical encoding (y ≥ p), refused by RFC 8032 §5.1.3")
        }
        if torsionY.contains(y) {
            throw refuse("a point of small order, with which forged signatures verify")
        }
        guard try isOnCurve(y: y) else { throw refuse("not a point on Ed25519 (x² has no root for this y)") }
    }

    /// Whether (y² − 1) / (d·y² + 1) is a square mod p (Euler's criterion), d = −121665/121666.
    /// y < p and not ±1 here, so d·y² + 1 is never 0 (−1/d is not a square mod p) and the quotient is
    /// never 0: the criterion's result is 1 or p − 1.
    private static func isOnCurve(y yBytes: [UInt8]) throws(CryptoError) -> Bool {
        guard let context = BN_CTX_new() else { throw CryptoError.openSSL("BN_CTX_new") }
        defer { BN_CTX_free(context) }
        var numbers: [OpaquePointer] = []
        defer { numbers.forEach { BN_free($0) } }
        func number(_ littleEndian: [UInt8]) throws(CryptoError) -> OpaquePointer {
            guard let value = littleEndian.withUnsafeBufferPointer({ BN_lebin2bn($0.baseAddress, Int32($0.count), nil) }) else {
                throw CryptoError.openSSL("BN_lebin2bn")
            }
            numbers.append(value)
            return value
        }
        func fresh() throws(CryptoError) -> OpaquePointer {
            guard let value = BN_new() else { throw CryptoError.openSSL("BN_new") }
            numbers.append(value)
            return value
        }
        let p = try number(prime)
        let y = try number(yBytes)
        let one = try number([1])
        let (ySquared, d, u, v, quotient, exponent, result) = (try fresh(), try fresh(), try fresh(), try fresh(), try fresh(),
                                                               try fresh(), try fresh())
        // d = (p − 121665) · 121666⁻¹ mod p
        let numerator = try number(littleEndian(121_665))
        let denominator = try number(littleEndian(121_666))
        try checkTyped(BN_sub(numerator, p, numerator), "BN_sub")
        guard BN_mod_inverse(denominator, denominator, p, context) != nil else { throw CryptoError.openSSL("BN_mod_inverse") }
        try checkTyped(BN_mod_mul(d, numerator, denominator, p, context), "BN_mod_mul")
        try checkTyped(BN_mod_sqr(ySquared, y, p, context), "BN_mod_sqr")
        try checkTyped(BN_mod_sub(u, ySquared, one, p, context), "BN_mod_sub")
        try checkTyped(BN_mod_mul(v, d, ySquared, p, context), "BN_mod_mul")
        try checkTyped(BN_mod_add(v, v, one, p, context), "BN_mod_add")
        guard BN_mod_inverse(v, v, p, context) != nil else { throw CryptoError.openSSL("BN_mod_inverse") }
        try checkTyped(BN_mod_mul(quotient, u, v, p, context), "BN_mod_mul")
        // (p − 1) / 2
        try checkTyped(BN_sub(exponent, p, one), "BN_sub")
        try checkTyped(BN_rshift1(exponent, exponent), "BN_rshift1")
        try checkTyped(BN_mod_exp(result, quotient, exponent, p, context), "BN_mod_exp")
        return BN_is_one(result) == 1
    }

    private static func littleEndian(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16)] }

    private static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }
}
