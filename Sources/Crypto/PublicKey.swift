import COpenSSL

/// A public key for signature verification, held as an OpenSSL `EVP_PKEY`.
///
/// Three kinds exist, the ones WebAuthn credentials use: ECDSA on P-256, RSA, and Ed25519. Keys come
/// from raw parameters (a COSE key's coordinates, modulus and exponent, or raw bytes), from a DER
/// SubjectPublicKeyInfo, or from an X.509 certificate (see `Certificate`). Every constructor checks the
/// key (OpenSSL's public-key check for EC and Ed25519, the deterministic SP 800-56B checks for RSA), so an
/// EC point off the curve or an even RSA modulus never becomes a key.
public struct PublicKey: Sendable {
    /// The kind of key, which also fixes how `verify` hashes and decodes a signature.
    public enum KeyType: String, Sendable {
        /// ECDSA on NIST P-256 (secp256r1, "prime256v1" to OpenSSL).
        case ecP256 = "EC P-256"
        /// RSA, verified with PKCS #1 v1.5 padding.
        case rsa = "RSA"
        /// Ed25519 (RFC 8032), pure: the message is signed as it is, without a pre-hash.
        case ed25519 = "Ed25519"
    }

    public let type: KeyType
    let handle: KeyHandle

    init(adopting key: OpaquePointer, function: String) throws(CryptoError) {
        let handle = KeyHandle(key)
        guard let type = PublicKey.keyType(of: key) else {
            throw CryptoError(function: function, reason: "unsupported key type (only EC P-256, RSA and Ed25519)")
        }
        // The check OpenSSL's own decoders leave to the caller: on the curve and not the point at
        // infinity (EC), and for RSA the deterministic part of the same check (see `checkRSA`). For
        // Ed25519 OpenSSL 3.0's check only sees that a key is present, so the key's encoding is checked
        // here (a SubjectPublicKeyInfo holds the same 32 bytes).
        if type == .rsa {
            try PublicKey.checkRSA(key, function: function)
        } else if type == .ed25519 {
            var raw = [UInt8](repeating: 0, count: 32)
            var length = raw.count
            guard EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1, length == 32 else {
                throw CryptoError.openSSL("EVP_PKEY_get_raw_public_key", otherwise: "not a 32-byte Ed25519 key")
            }
            try Ed25519Encoding.check(raw)
        } else {
            guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else { throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_pkey") }
            defer { EVP_PKEY_CTX_free(context) }
            guard EVP_PKEY_public_check(context) == 1 else {
                throw CryptoError.openSSL("EVP_PKEY_public_check", otherwise: "the public key is invalid")
            }
        }
        self.type = type
        self.handle = handle
    }

    /// The RSA public-key checks of NIST SP 800-56B rev. 2 §6.4.2.1 that give the same verdict every
    /// time: an odd modulus of at most 16,384 bits with no prime factor below 752, and an odd exponent
    /// with 2^16 < e < 2^256. OpenSSL's `EVP_PKEY_public_check` adds a Miller–Rabin test with random
    /// bases ("not a prime or a power of a prime"), whose verdict on a malformed modulus changes from
    /// call to call (a fuzzed 2048-bit modulus passed 129 times of 200): a credential key accepted at
    /// registration could then be refused at sign-in. The test only guards the key's owner (a weak key
    /// lets others sign as that credential), and the owner chose the key, so it is left out.
    private static func checkRSA(_ key: OpaquePointer, function: String) throws(CryptoError) {
        func number(_ name: String) throws(CryptoError) -> OpaquePointer {
            var value: OpaquePointer?
            guard EVP_PKEY_get_bn_param(key, name, &value) == 1, let value else {
                throw CryptoError.openSSL("EVP_PKEY_get_bn_param \(name)")
            }
            return value
        }
        let modulus = try number(OSSL_PKEY_PARAM_RSA_N)
        defer { BN_free(modulus) }
        let exponent = try number(OSSL_PKEY_PARAM_RSA_E)
        defer { BN_free(exponent) }
        func refuse(_ reason: String) -> CryptoError { CryptoError(function: function, reason: "invalid RSA key: \(reason)") }
        guard BN_is_odd(modulus) == 1, BN_num_bits(modulus) <= 16_384 else { throw refuse("the modulus must be odd and at most 16384 bits") }
        guard BN_is_odd(exponent) == 1, (17...256).contains(BN_num_bits(exponent)) else {
            throw refuse("the exponent must be odd and between 2^16 and 2^256")
        }
        for prime in smallOddPrimes where BN_mod_word(modulus, .init(prime)) == 0 {
            throw refuse("the modulus has the small factor \(prime)")
        }
    }

    /// The odd primes below 752, by a sieve (SP 800-56B's small-factor bound).
    private static let smallOddPrimes: [Int] = (3..<752).filter { candidate in
        candidate % 2 == 1 && !stride(from: 3, through: Int(Double(candidate).squareRoot()), by: 2).contains { candidate % $0 == 0 }
    }

    /// An ECDSA P-256 key from its affine coordinates, 32 big-endian bytes each (SEC 1 §2.3.3 after the
    /// 0x04 prefix). Throws when the point is not on the curve.
    public init(p256X x: [UInt8], y: [UInt8]) throws(CryptoError) {
        guard x.count == 32, y.count == 32 else {
            throw CryptoError(function: "PublicKey(p256X:y:)", reason: "coordinates must be 32 bytes each")
        }
        let key = try PublicKey.fromData(algorithm: "EC", [
            (OSSL_PKEY_PARAM_GROUP_NAME, .utf8("prime256v1")),
            (OSSL_PKEY_PARAM_PUB_KEY, .octets([0x04] + x + y)),
        ])
        try self.init(adopting: key, function: "PublicKey(p256X:y:)")
    }

    /// An RSA key from its modulus and public exponent, unsigned big-endian bytes.
    public init(rsaModulus modulus: [UInt8], exponent: [UInt8]) throws(CryptoError) {
        guard !modulus.isEmpty, !exponent.isEmpty else {
            throw CryptoError(function: "PublicKey(rsaModulus:exponent:)", reason: "empty modulus or exponent")
        }
        let key = try PublicKey.fromData(algorithm: "RSA", [
            (OSSL_PKEY_PARAM_RSA_N, .unsignedInteger(modulus)),
            (OSSL_PKEY_PARAM_RSA_E, .unsignedInteger(exponent)),
        ])
        try self.init(adopting: key, function: "PublicKey(rsaModulus:exponent:)")
    }

    /// An Ed25519 key from its 32 raw bytes (RFC 8032 §5.1.5 encoding). Non-canonical encodings
    /// (y ≥ p), points off the curve and the small-order points are refused (see `Ed25519Encoding`).
    public init(ed25519 raw: [UInt8]) throws(CryptoError) {
        guard raw.count == 32 else {
            throw CryptoError(function: "PublicKey(ed25519:)", reason: "an Ed25519 public key is 32 bytes")
        }
        let created = raw.withUnsafeBufferPointer { EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, $0.baseAddress, $0.count) }
        guard let key = created else { throw CryptoError.openSSL("EVP_PKEY_new_raw_public_key_ex") }
        try self.init(adopting: key, function: "PublicKey(ed25519:)")
    }

    /// A key from a DER-encoded SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), the form browsers report as
    /// `getPublicKey()`. The whole input must be the one structure.
    public init(subjectPublicKeyInfo der: [UInt8]) throws(CryptoError) {
        let decoded: OpaquePointer? = withInputBytes(der) { base, count in
            var cursor: UnsafePointer<UInt8>? = base
            let key = d2i_PUBKEY(nil, &cursor, count)
            guard let key, let cursor, cursor == base + count else {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        guard let key = decoded else {
            throw CryptoError.openSSL("d2i_PUBKEY", otherwise: "not exactly one DER SubjectPublicKeyInfo")
        }
        try self.init(adopting: key, function: "PublicKey(subjectPublicKeyInfo:)")
    }

    /// The key's size in bits: 256 for P-256 and Ed25519 (as OpenSSL counts it), the modulus length for RSA.
    public var bits: Int { Int(EVP_PKEY_get_bits(handle.key)) }

    /// Whether `signature` is a valid signature of `message` under this key:
    /// - EC P-256: ECDSA over SHA-256, the signature DER-encoded (RFC 3279 Ecdsa-Sig-Value);
    /// - RSA: PKCS #1 v1.5 with SHA-256 (RFC 8017 §8.2);
    /// - Ed25519: the 64-byte signature over the message itself (RFC 8032 §5.1.7).
    /// Any failure, including malformed signatures, is simply `false`.
    public func verify(signature: some Collection<UInt8>, message: some Collection<UInt8>) -> Bool {
        guard let context = EVP_MD_CTX_new() else {
            ERR_clear_error()
            return false
        }
        defer { EVP_MD_CTX_free(context) }
        // Ed25519 takes no digest name: it hashes internally with SHA-512 as part of the scheme.
        let digest: String? = type == .ed25519 ? nil : "SHA256"
        guard EVP_DigestVerifyInit_ex(context, nil, digest, nil, nil, handle.key, nil) == 1 else {
            ERR_clear_error()
            return false
        }
        return digestVerify(context, signature: signature, message: message)
    }

    /// Whether `signature` is a valid RSASSA-PSS signature (RFC 8017 §8.1) of `message` with SHA-256,
    /// MGF1 with SHA-256 and a salt as long as the hash (32 bytes): JWS "PS256" (RFC 7518 §3.5), which
    /// fixes the salt length, so a signature made with another salt length is refused rather than
    /// recovered by OpenSSL's "auto" salt detection. False for keys that are not RSA.
    public func verifyRSAPSS(signature: some Collection<UInt8>, message: some Collection<UInt8>) -> Bool {
        guard type == .rsa, let context = EVP_MD_CTX_new() else {
            ERR_clear_error()
            return false
        }
        defer { EVP_MD_CTX_free(context) }
        // The key context belongs to the digest context (freed with it); padding, MGF1 digest and salt
        // length are set on it after initialisation, as EVP_DigestVerifyInit(3) describes.
        var keyContext: OpaquePointer?
        guard EVP_DigestVerifyInit_ex(context, &keyContext, "SHA256", nil, nil, handle.key, nil) == 1, let keyContext,
              EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1,
              EVP_PKEY_CTX_set_rsa_mgf1_md_name(keyContext, "SHA256", nil) == 1,
              EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) == 1 else {
            ERR_clear_error()
            return false
        }
        return digestVerify(context, signature: signature, message: message)
    }

    /// The one-shot verification both schemes end with, on a context already initialised.
    private func digestVerify(_ context: OpaquePointer, signature: some Collection<UInt8>, message: some Collection<UInt8>) -> Bool {
        let result = withInputBytes(signature) { signaturePointer, signatureCount in
            withInputBytes(message) { messagePointer, messageCount in
                EVP_DigestVerify(context, signaturePointer, signatureCount, messagePointer, messageCount)
            }
        }
        // A mismatch or a malformed signature leaves entries on this thread's error queue; they belong
        // to no later failure.
        ERR_clear_error()
        return result == 1
    }

    /// One key parameter for `fromData`.
    enum Parameter {
        case utf8(String)
        case octets([UInt8])
        /// An unsigned big-endian integer, passed to OpenSSL as a BIGNUM.
        case unsignedInteger([UInt8])
    }

    /// Builds a key of `algorithm` from named parameters through `EVP_PKEY_fromdata`.
    ///
    /// OSSL_PARAM_BLD keeps pointers to the names, strings and BIGNUMs pushed onto it and copies them
    /// only in OSSL_PARAM_BLD_to_param, so Swift's temporary bridged pointers would dangle by then.
    /// Everything pushed is therefore copied into memory owned here and freed after the key exists.
    private static func fromData(algorithm: String, _ parameters: [(name: String, value: Parameter)]) throws(CryptoError) -> OpaquePointer {
        guard let builder = OSSL_PARAM_BLD_new() else { throw CryptoError.openSSL("OSSL_PARAM_BLD_new") }
        var owned: [UnsafeMutableRawPointer] = []
        var numbers: [OpaquePointer] = []
        defer {
            OSSL_PARAM_BLD_free(builder)
            owned.forEach { free($0) }
            numbers.forEach { BN_free($0) }
        }
        for (name, value) in parameters {
            guard let key = strdup(name) else { throw CryptoError(function: "strdup", reason: "out of memory") }
            owned.append(UnsafeMutableRawPointer(key))
            let pushed: Int32
            switch value {
            case .utf8(let text):
                guard let copy = strdup(text) else { throw CryptoError(function: "strdup", reason: "out of memory") }
                owned.append(UnsafeMutableRawPointer(copy))
                pushed = OSSL_PARAM_BLD_push_utf8_string(builder, key, copy, 0)
            case .octets(let bytes):
                guard let copy = malloc(max(bytes.count, 1)) else { throw CryptoError(function: "malloc", reason: "out of memory") }
                owned.append(copy)
                bytes.withUnsafeBytes { source in
                    if let base = source.baseAddress { copy.copyMemory(from: base, byteCount: source.count) }
                }
                pushed = OSSL_PARAM_BLD_push_octet_string(builder, key, copy, bytes.count)
            case .unsignedInteger(let bytes):
                guard let number = bytes.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else {
                    throw CryptoError.openSSL("BN_bin2bn")
                }
                numbers.append(number)
                pushed = OSSL_PARAM_BLD_push_BN(builder, key, number)
            }
            try checkTyped(pushed, "OSSL_PARAM_BLD_push")
        }
        guard let built = OSSL_PARAM_BLD_to_param(builder) else { throw CryptoError.openSSL("OSSL_PARAM_BLD_to_param") }
        defer { OSSL_PARAM_free(built) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        try checkTyped(EVP_PKEY_fromdata_init(context), "EVP_PKEY_fromdata_init")
        var key: OpaquePointer?
        // EVP_PKEY_PUBLIC_KEY is a composite macro Swift does not import: the public key plus all
        // domain parameters (OSSL_KEYMGMT_SELECT_ALL_PARAMETERS).
        let selection = Int32(OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS | OSSL_KEYMGMT_SELECT_OTHER_PARAMETERS)
        guard EVP_PKEY_fromdata(context, &key, selection, built) == 1, let key else {
            throw CryptoError.openSSL("EVP_PKEY_fromdata", otherwise: "the key parameters are invalid")
        }
        return key
    }

    /// The supported kind of `key`, or nil for anything else (other curves, DSA, RSA-PSS, Ed448...).
    private static func keyType(of key: OpaquePointer) -> KeyType? {
        if EVP_PKEY_is_a(key, "ED25519") == 1 { return .ed25519 }
        if EVP_PKEY_is_a(key, "RSA") == 1 { return .rsa }
        guard EVP_PKEY_is_a(key, "EC") == 1 else { return nil }
        var name = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1 else {
            ERR_clear_error()
            return nil
        }
        let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return group == "prime256v1" ? .ecP256 : nil
    }
}

/// Owns one reference to an `EVP_PKEY` and frees it with the last copy of the `PublicKey`.
///
/// It is `@unchecked Sendable` because the key is never modified after construction, and OpenSSL 3
/// documents read-only use of a shared object from several threads as safe (openssl-threads(7)):
/// the per-operation state lives in the `EVP_MD_CTX` each `verify` creates for itself.
final class KeyHandle: @unchecked Sendable {
    let key: OpaquePointer

    init(_ key: OpaquePointer) { self.key = key }

    deinit { EVP_PKEY_free(key) }
}

/// `checkOpenSSL` with a typed error, for the typed-throwing constructors here.
func checkTyped(_ result: Int32, _ function: String) throws(CryptoError) {
    guard result == 1 else { throw CryptoError.openSSL(function) }
}
