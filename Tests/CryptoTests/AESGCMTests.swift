import Testing
@testable import Crypto

/// AES-256-GCM: a published vector, round trips and rejection of every kind of tampering.
@Suite struct AESGCMTests {
    private let key = SecureRandom.bytes(count: 32)
    private let plaintext = Array("TOTP secret JBSWY3DPEHPK3PXP".utf8)
    private let associatedData = Array("user:42".utf8)

    @Test("Matches the GCM specification's 256-bit test cases 13 and 14")
    func knownAnswer() throws {
        let zeroKey = [UInt8](repeating: 0, count: 32)
        let zeroNonce = [UInt8](repeating: 0, count: 12)
        let empty = try AESGCM.seal([], key: zeroKey, nonce: zeroNonce, associatedData: [])
        #expect(Hex.encode(empty.dropFirst(12)) == "530f8afbc74536b9a963b4f1c4cb738b")
        let block = try AESGCM.seal([UInt8](repeating: 0, count: 16), key: zeroKey, nonce: zeroNonce, associatedData: [])
        #expect(Hex.encode(block.dropFirst(12)) == "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919")
    }

    @Test("Sealed data opens to the original plaintext, with and without associated data")
    func roundTrip() throws {
        let sealed = try AESGCM.seal(plaintext, key: key, associatedData: associatedData)
        #expect(sealed.count == 12 + plaintext.count + 16)
        #expect(try AESGCM.open(sealed, key: key, associatedData: associatedData) == plaintext)
        #expect(try AESGCM.open(try AESGCM.seal(plaintext, key: key), key: key) == plaintext)
        #expect(try AESGCM.open(try AESGCM.seal([], key: key), key: key) == [])
        #expect(try AESGCM.seal(plaintext, key: key) != (try AESGCM.seal(plaintext, key: key)), "fresh nonce each time")
    }

    @Test("Changing any byte of nonce, ciphertext or tag makes opening fail")
    func tampering() throws {
        let sealed = try AESGCM.seal(plaintext, key: key, associatedData: associatedData)
        for index in [0, 11, 12, 12 + plaintext.count - 1, sealed.count - 16, sealed.count - 1] {
            var altered = sealed
            altered[index] ^= 0x01
            #expect(throws: CryptoError.self) { try AESGCM.open(altered, key: self.key, associatedData: self.associatedData) }
        }
    }

    @Test("Wrong associated data, wrong key, short input and bad key sizes fail")
    func wrongInputs() throws {
        let sealed = try AESGCM.seal(plaintext, key: key, associatedData: associatedData)
        #expect(throws: CryptoError.self) { try AESGCM.open(sealed, key: self.key, associatedData: Array("user:43".utf8)) }
        #expect(throws: CryptoError.self) { try AESGCM.open(sealed, key: self.key) }
        #expect(throws: CryptoError.self) { try AESGCM.open(sealed, key: SecureRandom.bytes(count: 32), associatedData: self.associatedData) }
        #expect(throws: CryptoError.self) { try AESGCM.open(Array(sealed.prefix(27)), key: self.key) }
        #expect(throws: CryptoError.self) { try AESGCM.seal(self.plaintext, key: SecureRandom.bytes(count: 16)) }
        #expect(throws: CryptoError.self) { try AESGCM.open(sealed, key: SecureRandom.bytes(count: 31)) }
    }

    @Test("An authentication failure explains itself")
    func failureMessage() throws {
        var sealed = try AESGCM.seal(plaintext, key: key)
        sealed[sealed.count - 1] ^= 0xFF
        let error = try #require(throws: CryptoError.self) { try AESGCM.open(sealed, key: self.key) }
        #expect(error.function == "EVP_DecryptFinal_ex")
        #expect(error.description.contains("authentication failed"))
    }
}
