import COpenSSL

/// The hash functions offered to callers. SHA-1 exists only for protocols that require it (RFC 6238 TOTP).
public enum HashAlgorithm: Sendable, CaseIterable {
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

    /// The digest, fetched from OpenSSL's default provider once. `EVP_sha256()` and friends are
    /// legacy handles that make OpenSSL 3 fetch the implementation again (a locked lookup) on every use.
    var messageDigest: OpaquePointer { FetchedAlgorithms.digests[index] }

    /// An HMAC context with this digest set and no key yet, to duplicate per use (see ``HMAC``).
    var hmacTemplate: OpaquePointer { FetchedAlgorithms.hmacTemplates[index] }

    /// Its place in `allCases`, where the fetched objects are kept in the same order.
    private var index: Int { Self.allCases.firstIndex(of: self)! }

    var openSSLName: String {
        switch self {
        case .sha1: "SHA1"
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        }
    }
}

/// OpenSSL objects fetched once per process and only read afterwards (OpenSSL documents fetched
/// algorithms and contexts used only for duplication as safe to share between threads).
private enum FetchedAlgorithms {
    nonisolated(unsafe) static let digests: [OpaquePointer] = HashAlgorithm.allCases.map { algorithm in
        guard let fetched = EVP_MD_fetch(nil, algorithm.openSSLName, nil) else {
            fatalError("\(CryptoError.openSSL("EVP_MD_fetch \(algorithm.openSSLName)"))")
        }
        return fetched
    }

    nonisolated(unsafe) static let hmacTemplates: [OpaquePointer] = {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { fatalError("\(CryptoError.openSSL("EVP_MAC_fetch HMAC"))") }
        defer { EVP_MAC_free(mac) }
        return HashAlgorithm.allCases.map { algorithm in
            guard let context = EVP_MAC_CTX_new(mac) else { fatalError("\(CryptoError.openSSL("EVP_MAC_CTX_new"))") }
            // Keyed (with the empty key) as well as given its digest: only an initialized context can be
            // duplicated, and each use sets its own key.
            let emptyKey: [UInt8] = [0]
            let set = algorithm.openSSLName.withCString { name in
                var parameters = [OSSL_PARAM_construct_utf8_string(parameterName("digest"), UnsafeMutablePointer(mutating: name), 0),
                                  OSSL_PARAM_construct_end()]
                return EVP_MAC_init(context, emptyKey, 0, &parameters)
            }
            guard set == 1 else { fatalError("\(CryptoError.openSSL("EVP_MAC_init \(algorithm.openSSLName)"))") }
            return context
        }
    }()
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

/// Keyed message authentication (RFC 2104) through OpenSSL's EVP_MAC.
public enum HMAC {
    /// The HMAC of `message` under `key`. Like `Digest.hash`, a failure means OpenSSL is broken and stops the process.
    public static func code(_ algorithm: HashAlgorithm, key: [UInt8], message: some Collection<UInt8>) -> [UInt8] {
        // A copy of the prepared context: the digest is already set, so nothing is fetched here.
        guard let context = EVP_MAC_CTX_dup(algorithm.hmacTemplate) else { fatalError("\(CryptoError.openSSL("EVP_MAC_CTX_dup"))") }
        defer { EVP_MAC_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: algorithm.byteCount)
        var length = 0
        let produced = withInputBytes(key) { keyPointer, keyCount in
            withInputBytes(message) { messagePointer, messageCount in
                EVP_MAC_init(context, keyPointer, keyCount, nil) == 1
                    && EVP_MAC_update(context, messagePointer, messageCount) == 1
                    && EVP_MAC_final(context, &output, &length, output.count) == 1
            }
        }
        guard produced, length == algorithm.byteCount else { fatalError("\(CryptoError.openSSL("HMAC"))") }
        return output
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

/// A key prepared for many HMACs with the same key (RFC 2104): the digest states after absorbing the
/// key's inner and outer pad are computed once, and each ``code(_:)`` copies them instead of keying a
/// new context, which saves two compression rounds and the context set-up per use. Every page uses one
/// (the CSRF token). The prepared states are only ever read after `init`, so one key may be used from
/// many threads at once; they are freed with the key.
public final class HMACKey: @unchecked Sendable {
    public let algorithm: HashAlgorithm
    private let inner: OpaquePointer
    private let outer: OpaquePointer

    public init(_ algorithm: HashAlgorithm, key: [UInt8]) {
        self.algorithm = algorithm
        let digest = algorithm.messageDigest
        let blockSize = Int(EVP_MD_get_block_size(digest))
        // Keys longer than a block are hashed first; shorter ones are padded with zeros.
        var padded = key.count > blockSize ? Digest.hash(algorithm, key) : key
        padded += [UInt8](repeating: 0, count: blockSize - padded.count)
        var innerPad = padded.map { $0 ^ 0x36 }
        var outerPad = padded.map { $0 ^ 0x5C }
        func absorbed(_ pad: [UInt8]) -> OpaquePointer {
            guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex2(context, digest, nil) == 1,
                  EVP_DigestUpdate(context, pad, pad.count) == 1 else { fatalError("\(CryptoError.openSSL("HMAC key set-up"))") }
            return context
        }
        inner = absorbed(innerPad)
        outer = absorbed(outerPad)
        OPENSSL_cleanse(&padded, padded.count)
        OPENSSL_cleanse(&innerPad, innerPad.count)
        OPENSSL_cleanse(&outerPad, outerPad.count)
    }

    deinit {
        EVP_MD_CTX_free(inner)
        EVP_MD_CTX_free(outer)
    }

    /// The HMAC of `message`, the same as ``HMAC/code(_:key:message:)`` with this key.
    public func code(_ message: some Collection<UInt8>) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { fatalError("\(CryptoError.openSSL("EVP_MD_CTX_new"))") }
        defer { EVP_MD_CTX_free(context) }
        var innerDigest = [UInt8](repeating: 0, count: algorithm.byteCount)
        var output = [UInt8](repeating: 0, count: algorithm.byteCount)
        var length: UInt32 = 0
        let produced = withInputBytes(message) { pointer, count in
            EVP_MD_CTX_copy_ex(context, inner) == 1 && EVP_DigestUpdate(context, pointer, count) == 1
                && EVP_DigestFinal_ex(context, &innerDigest, &length) == 1 && length == innerDigest.count
                && EVP_MD_CTX_copy_ex(context, outer) == 1 && EVP_DigestUpdate(context, innerDigest, innerDigest.count) == 1
                && EVP_DigestFinal_ex(context, &output, &length) == 1 && length == output.count
        }
        guard produced else { fatalError("\(CryptoError.openSSL("HMAC"))") }
        return output
    }
}
