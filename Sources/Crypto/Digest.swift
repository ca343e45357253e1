import COpenSSL

/// The hash functions offered to callers. SHA-1 exists only for protocols that require it (RFC 6238 TOTP).
public enum HashAlgorithm: Sendable {
    case sha1, sha256, sha384, sha512

    /// Length of the digest (and of an HMAC) in bytes.
    public var byteCount: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    var messageDigest: OpaquePointer {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        }
    }

    var openSSLName: String {
        switch self {
        case .sha1: "SHA1"
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        }
    }
}

/// One-shot message digests through `EVP_Digest`.
public enum Digest {
    /// The digest of `data`. A failure here means the OpenSSL installation itself is broken, so it stops
    /// the process rather than handing out a wrong digest.
    public static func hash(_ algorithm: HashAlgorithm, _ data: some Collection<UInt8>) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = withInputBytes(data) { pointer, count in
            EVP_Digest(pointer, count, &output, &length, algorithm.messageDigest, nil)
        }
        guard result == 1 else { fatalError("\(CryptoError.openSSL("EVP_Digest"))") }
        return Array(output.prefix(Int(length)))
    }

    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
        hash(.sha256, data)
    }
}

/// Keyed message authentication (RFC 2104) through OpenSSL's `EVP_Q_mac`.
public enum HMAC {
    /// The HMAC of `message` under `key`. Like `Digest.hash`, a failure means OpenSSL is broken and stops the process.
    public static func code(_ algorithm: HashAlgorithm, key: [UInt8], message: some Collection<UInt8>) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length = 0
        let produced = withInputBytes(key) { keyPointer, keyCount in
            withInputBytes(message) { messagePointer, messageCount in
                EVP_Q_mac(nil, "HMAC", nil, algorithm.openSSLName, nil, keyPointer, keyCount,
                          messagePointer, messageCount, &output, output.count, &length)
            }
        }
        guard produced != nil else { fatalError("\(CryptoError.openSSL("EVP_Q_mac"))") }
        return Array(output.prefix(length))
    }
}

/// Compares two byte strings in time that depends only on their length, so a secret (a MAC, a token, a
/// password hash) cannot be guessed byte by byte from response times. Lengths are not secret here:
/// different lengths return false at once.
public func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    let left = Array(a)
    let right = Array(b)
    guard left.count == right.count else { return false }
    guard !left.isEmpty else { return true }
    return left.withUnsafeBytes { leftBytes in
        right.withUnsafeBytes { rightBytes in
            CRYPTO_memcmp(leftBytes.baseAddress, rightBytes.baseAddress, leftBytes.count) == 0
        }
    }
}
