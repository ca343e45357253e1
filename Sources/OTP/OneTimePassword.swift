import Crypto

/// HOTP (RFC 4226) and TOTP (RFC 6238) over OpenSSL's HMAC.
public struct OneTimePassword: Sendable {
    /// The hash of the HMAC. Authenticator apps reliably support SHA-1 only, so that is what the console provisions.
    public let algorithm: HashAlgorithm
    public let digits: Int
    /// The TOTP time step in seconds.
    public let period: Int64
    public let secret: [UInt8]

    public init(secret: [UInt8], algorithm: HashAlgorithm = .sha1, digits: Int = 6, period: Int64 = 30) {
        precondition((6...8).contains(digits), "RFC 4226 codes have 6 to 8 digits")
        precondition(period > 0)
        self.secret = secret
        self.algorithm = algorithm
        self.digits = digits
        self.period = period
    }

    /// RFC 4226 §5.3: HMAC of the big-endian counter, dynamic truncation, modulo 10^digits, zero-padded.
    public func hotp(counter: UInt64) -> String {
        let message = (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * $0)) }
        let mac = HMAC.code(algorithm, key: secret, message: message)
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let code = String(binary % modulus)
        return String(repeating: "0", count: digits - code.count) + code
    }

    /// The time step that contains `time` (seconds since 1970).
    public func step(at time: Int64) -> Int64 { time >= 0 ? time / period : 0 }

    public func totp(at time: Int64) -> String { hotp(counter: UInt64(step(at: time))) }

    /// The step a code matches within `window` steps either side of `time`, compared in constant time;
    /// nil when none does. Every candidate is computed so the time taken does not say which step matched.
    public func matchingStep(_ code: String, at time: Int64, window: Int64 = 1) -> Int64? {
        let submitted = Array(code.utf8)
        guard submitted.count == digits, submitted.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        let current = step(at: time)
        var found: Int64?
        for candidate in (current - window)...(current + window) where candidate >= 0 {
            if constantTimeEquals(Array(hotp(counter: UInt64(candidate)).utf8), submitted), found == nil {
                found = candidate
            }
        }
        return found
    }
}
