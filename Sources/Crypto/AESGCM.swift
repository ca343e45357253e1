import COpenSSL

/// AES-256-GCM authenticated encryption with a 12-byte random nonce and a 16-byte tag.
/// A sealed box is laid out as nonce || ciphertext || tag so it can be stored as one blob.
/// Random nonces are safe for up to about 2^32 messages per key, far beyond what this console encrypts.
public enum AESGCM {
    public static let keyByteCount = 32
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    public static func seal(_ plaintext: [UInt8], key: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        try seal(plaintext, key: key, nonce: SecureRandom.bytes(count: nonceByteCount), associatedData: associatedData)
    }

    /// Sealing with a caller-chosen nonce, kept internal so only tests (published vectors) can pick one:
    /// reusing a nonce under one key breaks GCM completely.
    static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        try checkSizes(key: key, payload: plaintext, associatedData: associatedData, function: "AESGCM.seal")
        precondition(nonce.count == nonceByteCount, "AESGCM: nonce must be \(nonceByteCount) bytes")
        let context = try CipherContext()
        try checkOpenSSL(EVP_EncryptInit_ex(context.pointer, EVP_aes_256_gcm(), nil, key, nonce), "EVP_EncryptInit_ex")
        var outputLength: Int32 = 0
        if !associatedData.isEmpty {
            try checkOpenSSL(EVP_EncryptUpdate(context.pointer, nil, &outputLength, associatedData, Int32(associatedData.count)),
                             "EVP_EncryptUpdate")
        }
        // GCM is a stream mode: the ciphertext is exactly as long as the plaintext.
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        var written = 0
        if !plaintext.isEmpty {
            try checkOpenSSL(EVP_EncryptUpdate(context.pointer, &ciphertext, &outputLength, plaintext, Int32(plaintext.count)),
                             "EVP_EncryptUpdate")
            written = Int(outputLength)
        }
        try ciphertext.withUnsafeMutableBufferPointer { buffer in
            try checkOpenSSL(EVP_EncryptFinal_ex(context.pointer, buffer.baseAddress! + written, &outputLength), "EVP_EncryptFinal_ex")
        }
        written += Int(outputLength)
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        try checkOpenSSL(EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag), "EVP_CIPHER_CTX_ctrl")
        return nonce + ciphertext.prefix(written) + tag
    }

    /// The plaintext of a sealed box. Throws if the box is too short or if authentication fails for
    /// any reason: altered bytes, a wrong key or different associated data all look the same.
    public static func open(_ sealed: [UInt8], key: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        guard sealed.count >= nonceByteCount + tagByteCount else {
            throw CryptoError(function: "AESGCM.open",
                              reason: "sealed data is \(sealed.count) bytes, shorter than a nonce and a tag (\(nonceByteCount + tagByteCount))")
        }
        let nonce = Array(sealed.prefix(nonceByteCount))
        var tag = Array(sealed.suffix(tagByteCount))
        let ciphertext = Array(sealed[nonceByteCount..<(sealed.count - tagByteCount)])
        try checkSizes(key: key, payload: ciphertext, associatedData: associatedData, function: "AESGCM.open")
        let context = try CipherContext()
        try checkOpenSSL(EVP_DecryptInit_ex(context.pointer, EVP_aes_256_gcm(), nil, key, nonce), "EVP_DecryptInit_ex")
        var outputLength: Int32 = 0
        if !associatedData.isEmpty {
            try checkOpenSSL(EVP_DecryptUpdate(context.pointer, nil, &outputLength, associatedData, Int32(associatedData.count)),
                             "EVP_DecryptUpdate")
        }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + tagByteCount)
        var written = 0
        if !ciphertext.isEmpty {
            try checkOpenSSL(EVP_DecryptUpdate(context.pointer, &plaintext, &outputLength, ciphertext, Int32(ciphertext.count)),
                             "EVP_DecryptUpdate")
            written = Int(outputLength)
        }
        try checkOpenSSL(EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &tag), "EVP_CIPHER_CTX_ctrl")
        try plaintext.withUnsafeMutableBufferPointer { buffer in
            try checkOpenSSL(EVP_DecryptFinal_ex(context.pointer, buffer.baseAddress! + written, &outputLength) > 0 ? 1 : 0,
                             "EVP_DecryptFinal_ex",
                             otherwise: "authentication failed: the data was altered, or the key or associated data is wrong")
        }
        written += Int(outputLength)
        return Array(plaintext.prefix(written))
    }

    private static func checkSizes(key: [UInt8], payload: [UInt8], associatedData: [UInt8], function: String) throws {
        guard key.count == keyByteCount else {
            throw CryptoError(function: function, reason: "key must be \(keyByteCount) bytes, got \(key.count)")
        }
        guard payload.count < Int(Int32.max) - tagByteCount, associatedData.count < Int(Int32.max) else {
            throw CryptoError(function: function, reason: "input too large for one OpenSSL call")
        }
    }
}

/// Owns an EVP_CIPHER_CTX so every exit path frees it (which also wipes the expanded key schedule).
private final class CipherContext {
    let pointer: OpaquePointer

    init() throws {
        guard let pointer = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        self.pointer = pointer
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }
}
