import COpenSSL
import Foundation

/// Password hashes: PBKDF2-HMAC-SHA256 (PKCS5_PBKDF2_HMAC), OWASP 2023+ work factor 600,000 iterations,
/// 16-byte random salt, 32-byte key.
/// Encoded with its parameters so they can be raised later:
/// "pbkdf2-sha256$600000$<base64 salt, no padding>$<base64 hash, no padding>".
/// Passwords are normalised to Unicode NFKC before hashing, so the same password typed on keyboards
/// or platforms that compose characters differently still matches.
public struct PasswordHasher: Sendable {
    public static let defaultIterations = 600_000
    /// Bounds on stored iteration counts: zero is meaningless, and a huge count in a tampered row
    /// would let whoever wrote it stall every login attempt.
    public static let acceptedIterations = 1...10_000_000

    static let scheme = "pbkdf2-sha256"
    static let saltByteCount = 16
    static let keyByteCount = 32

    public let iterations: Int

    public init(iterations: Int = PasswordHasher.defaultIterations) {
        precondition(Self.acceptedIterations.contains(iterations), "PasswordHasher: iterations \(iterations) out of range")
        self.iterations = iterations
    }

    /// A new encoded hash with a fresh salt. Stops the process if OpenSSL cannot derive the key, since
    /// there is no safe value to store instead.
    public func hash(_ password: String) -> String {
        let salt = SecureRandom.bytes(count: Self.saltByteCount)
        let key: [UInt8]
        do {
            key = try Self.pbkdf2SHA256(password: Self.normalized(password), salt: salt,
                                        iterations: iterations, keyLength: Self.keyByteCount)
        } catch {
            fatalError("\(error)")
        }
        return EncodedHash(iterations: iterations, salt: salt, key: key).encoded
    }

    /// Whether `password` matches `encoded`. Anything that does not parse is a mismatch, never a crash:
    /// stored hashes may come from older versions or a hand-edited database.
    public func verify(_ password: String, against encoded: String) -> Bool {
        guard let stored = EncodedHash(parsing: encoded),
              let derived = try? Self.pbkdf2SHA256(password: Self.normalized(password), salt: stored.salt,
                                                   iterations: stored.iterations, keyLength: stored.key.count)
        else { return false }
        return constantTimeEquals(derived, stored.key)
    }

    /// True when the stored hash is weaker than this hasher would produce (or unreadable), so the
    /// caller can re-hash the password while it has it in hand after a successful login.
    public func needsRehash(_ encoded: String) -> Bool {
        guard let stored = EncodedHash(parsing: encoded) else { return true }
        return stored.iterations < iterations
    }

    /// Runs a full verification against a hash that matches nothing, so a login for an unknown account
    /// takes as long as one for a real account and response times do not reveal which accounts exist.
    public func dummyVerify(_ password: String) {
        let decoy = EncodedHash(iterations: iterations, salt: Self.decoySalt,
                                key: [UInt8](repeating: 0, count: Self.keyByteCount))
        _ = verify(password, against: decoy.encoded)
    }

    private static let decoySalt = SecureRandom.bytes(count: saltByteCount)

    static func normalized(_ password: String) -> [UInt8] {
        Array(password.precomposedStringWithCompatibilityMapping.utf8)
    }

    /// Raw PBKDF2-HMAC-SHA256, exposed to tests so it can be checked against published vectors.
    static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) throws -> [UInt8] {
        guard password.count <= Int(Int32.max), salt.count <= Int(Int32.max),
              (1...Int(Int32.max)).contains(iterations), (1...1024).contains(keyLength)
        else { throw CryptoError(function: "PKCS5_PBKDF2_HMAC", reason: "parameters out of range") }
        var key = [UInt8](repeating: 0, count: keyLength)
        let result = withInputBytes(password) { passwordPointer, passwordCount in
            withInputBytes(salt) { saltPointer, saltCount in
                passwordPointer.withMemoryRebound(to: CChar.self, capacity: max(passwordCount, 1)) { passwordChars in
                    PKCS5_PBKDF2_HMAC(passwordChars, Int32(passwordCount), saltPointer, Int32(saltCount),
                                      Int32(iterations), EVP_sha256(), Int32(keyLength), &key)
                }
            }
        }
        try checkOpenSSL(result, "PKCS5_PBKDF2_HMAC")
        return key
    }
}

/// The parsed form of "pbkdf2-sha256$<iterations>$<salt>$<key>", strict so that only hashes this code
/// wrote (or will write) are accepted.
private struct EncodedHash {
    let iterations: Int
    let salt: [UInt8]
    let key: [UInt8]

    init(iterations: Int, salt: [UInt8], key: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.key = key
    }

    init?(parsing encoded: String) {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == PasswordHasher.scheme else { return nil }
        let digits = fields[1].utf8
        // Digits only and no leading zero: Int() alone would also accept "+600000" and "0600000",
        // letting one hash have several spellings.
        guard (1...8).contains(digits.count), digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              digits.first != UInt8(ascii: "0"),
              let iterations = Int(fields[1]), PasswordHasher.acceptedIterations.contains(iterations),
              let salt = Base64Codec.decode(String(fields[2]), alphabet: .standard, padded: false),
              (8...64).contains(salt.count),
              let key = Base64Codec.decode(String(fields[3]), alphabet: .standard, padded: false),
              key.count == PasswordHasher.keyByteCount
        else { return nil }
        self.init(iterations: iterations, salt: salt, key: key)
    }

    var encoded: String {
        [PasswordHasher.scheme, String(iterations),
         Base64Codec.encode(salt, alphabet: .standard, padded: false),
         Base64Codec.encode(key, alphabet: .standard, padded: false)].joined(separator: "$")
    }
}
