/// ECDSA signatures in the two encodings protocols use: the fixed-length concatenation r ‖ s of JWS
/// (RFC 7518 §3.4) and COSE, and the DER `Ecdsa-Sig-Value` (RFC 3279 §2.2.3) that OpenSSL verifies.
public enum ECDSASignature {
    /// The DER encoding of a raw P-256 signature: exactly 64 bytes, r then s, 32 big-endian bytes each.
    /// Nil for any other length, or when r or s is zero (never valid, and DER would need an empty
    /// integer for it). Values ≥ the group order are passed on: OpenSSL refuses them when verifying.
    public static func der(fromRawP256 raw: [UInt8]) -> [UInt8]? {
        guard raw.count == 64 else { return nil }
        guard let r = integer(raw[0..<32]), let s = integer(raw[32..<64]) else { return nil }
        let body = r + s
        // At most 2 × (2 + 33) = 70 bytes, so the sequence's length always fits the short form.
        return [0x30, UInt8(body.count)] + body
    }

    /// One DER INTEGER from unsigned big-endian bytes: leading zeros dropped, and a zero byte put back
    /// in front when the top bit is set, so the value stays positive. Nil for zero.
    private static func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var magnitude = Array(bytes.drop { $0 == 0 })
        guard let first = magnitude.first else { return nil }
        if first & 0x80 != 0 { magnitude.insert(0, at: 0) }
        return [0x02, UInt8(magnitude.count)] + magnitude
    }
}
