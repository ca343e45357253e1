import COpenSSL

/// Cryptographically secure random values from OpenSSL's DRBG.
public enum SecureRandom {
    /// `count` random bytes. If OpenSSL cannot produce them the process stops: every caller uses these
    /// bytes for keys, salts, nonces or tokens, and carrying on with predictable ones would be worse
    /// than crashing.
    public static func bytes(count: Int) -> [UInt8] {
        precondition((0...Int(Int32.max)).contains(count), "SecureRandom.bytes: count \(count) out of range")
        guard count > 0 else { return [] }
        var output = [UInt8](repeating: 0, count: count)
        let result = output.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard result == 1 else {
            fatalError("\(CryptoError.openSSL("RAND_bytes"))")
        }
        return output
    }

    /// A uniformly distributed integer in `0..<upperBound`.
    public static func uniform(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "SecureRandom.uniform: upperBound must be positive")
        let bound = UInt64(upperBound)
        // Draws below 2^64 mod bound belong to a final, incomplete run of residues; reducing them
        // would favour small results, so they are drawn again.
        let threshold = (0 &- bound) % bound
        while true {
            let draw = bytes(count: 8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            if draw >= threshold { return Int(draw % bound) }
        }
    }
}
