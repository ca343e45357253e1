import COpenSSL

/// HMAC-based key derivation (RFC 5869) through OpenSSL's EVP_KDF "HKDF": extract a pseudorandom key
/// from `key` and `salt`, then expand it into `count` bytes bound to `info`. Different `info` labels
/// give independent keys from one master key, so one secret never serves two algorithms.
public enum HKDF {
    /// The derived bytes; `count` is at most 255 hash lengths (RFC 5869 §2.3). A failure here means
    /// OpenSSL itself is broken (the inputs cannot be wrong once the count is in range), so it stops the
    /// process rather than hand out a key nobody can reproduce.
    public static func derive(_ algorithm: HashAlgorithm, key: [UInt8], salt: [UInt8] = [], info: [UInt8], count: Int) -> [UInt8] {
        precondition(count > 0 && count <= 255 * algorithm.byteCount, "HKDF: output length must be 1...255 hash lengths")
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else { fatalError("\(CryptoError.openSSL("EVP_KDF_fetch HKDF"))") }
        defer { EVP_KDF_free(kdf) }
        guard let context = EVP_KDF_CTX_new(kdf) else { fatalError("\(CryptoError.openSSL("EVP_KDF_CTX_new"))") }
        defer { EVP_KDF_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: count)
        // OSSL_PARAM holds pointers, so every buffer stays pinned for the one derive call.
        let derived = algorithm.openSSLName.withCString { digest in
            withPinned(key) { keyPointer, keyCount in
                withPinned(salt) { saltPointer, saltCount in
                    withPinned(info) { infoPointer, infoCount in
                        // An empty salt or info is left out: RFC 5869 treats a missing salt as zeros and
                        // a missing info as empty, and OpenSSL refuses zero-length values for them.
                        var parameters = [
                            OSSL_PARAM_construct_utf8_string(parameterName("digest"), UnsafeMutablePointer(mutating: digest), 0),
                            OSSL_PARAM_construct_octet_string(parameterName("key"), keyPointer, keyCount),
                        ]
                        if saltCount > 0 { parameters.append(OSSL_PARAM_construct_octet_string(parameterName("salt"), saltPointer, saltCount)) }
                        if infoCount > 0 { parameters.append(OSSL_PARAM_construct_octet_string(parameterName("info"), infoPointer, infoCount)) }
                        parameters.append(OSSL_PARAM_construct_end())
                        return EVP_KDF_derive(context, &output, count, &parameters)
                    }
                }
            }
        }
        guard derived == 1 else { fatalError("\(CryptoError.openSSL("EVP_KDF_derive HKDF"))") }
        return output
    }


    private static func withPinned<T>(_ bytes: [UInt8], _ body: (UnsafeMutableRawPointer, Int) -> T) -> T {
        var copy = bytes.isEmpty ? [0] : bytes
        defer { copy.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        return copy.withUnsafeMutableBytes { body($0.baseAddress!, bytes.count) }
    }
}

/// A parameter name that outlives the call: OSSL_PARAM keeps the pointer, and a String passed to a
/// `const char *` is a temporary that may be gone after the construct call (in HKDF the names read back
/// empty). A StaticString's bytes live as long as the program.
func parameterName(_ text: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}
