@testable import Crypto
import Testing
@testable import WebAuthn

/// The OpenSSL-backed `PublicKey` and `Certificate` added to Crypto for WebAuthn, checked against
/// keys, signatures and a certificate made by pyca/cryptography.
@Suite struct PublicKeyTests {
    /// An assertion, its stored key and the message it signs.
    static func signed(_ name: String) throws -> (key: COSEKey, signature: [UInt8], message: [UInt8]) {
        let fixture = Fixtures.authentication(name)
        let credential = try fixture.decoded()
        let message = credential.response.authenticatorData + Digest.sha256(credential.response.clientDataJSON)
        return (try COSEKey(bytes: fixture.publicKeyBytes), credential.response.signature, message)
    }

    @Test("signatures by all three key types verify, and fail on any altered byte",
          arguments: ["es256", "eddsa-no-uv", "rs256"])
    func verification(_ name: String) throws {
        let (key, signature, message) = try Self.signed(name)
        #expect(key.verify(signature: signature, message: message))
        for index in [0, signature.count / 2, signature.count - 1] {
            var altered = signature
            altered[index] ^= 0x01
            #expect(!key.verify(signature: altered, message: message))
        }
        var alteredMessage = message
        alteredMessage[40] ^= 0x80
        #expect(!key.verify(signature: signature, message: alteredMessage))
        #expect(!key.verify(signature: [], message: message))
        #expect(!key.verify(signature: signature + [0x00], message: message))
        #expect(!key.verify(signature: Array(signature.dropLast()), message: message))
    }

    @Test("ECDSA signatures must be strict DER: a longer length form is refused")
    func strictDER() throws {
        let (key, signature, message) = try Self.signed("es256")
        // SEQUENCE with a one-byte length → the same length in the long form 0x81 n.
        #expect(signature[0] == 0x30 && signature[1] < 0x80)
        let berSignature = [0x30, 0x81] + signature.dropFirst()
        #expect(!key.verify(signature: berSignature, message: message))
    }

    @Test("the SubjectPublicKeyInfo the browser reports is the same key as the COSE key")
    func subjectPublicKeyInfo() throws {
        let (_, signature, message) = try Self.signed("es256")
        let key = try PublicKey(subjectPublicKeyInfo: Fixtures.key("es256Spki"))
        #expect(key.type == .ecP256)
        #expect(key.bits == 256)
        #expect(key.verify(signature: signature, message: message))
        #expect(throws: CryptoError.self) { try PublicKey(subjectPublicKeyInfo: Fixtures.key("es256Spki") + [0]) }
        #expect(throws: CryptoError.self) { try PublicKey(subjectPublicKeyInfo: [0x30, 0x00]) }
    }

    @Test("raw constructors check lengths and points")
    func rawConstructors() {
        #expect(throws: CryptoError.self) { try PublicKey(ed25519: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: CryptoError.self) { try PublicKey(p256X: [UInt8](repeating: 1, count: 32), y: [UInt8](repeating: 1, count: 32)) }
        #expect(throws: CryptoError.self) { try PublicKey(p256X: [], y: []) }
        #expect(throws: CryptoError.self) { try PublicKey(rsaModulus: [], exponent: [1, 0, 1]) }
        #expect(throws: CryptoError.self) { try PublicKey(rsaModulus: [UInt8](repeating: 0xFF, count: 256), exponent: [2]) }
    }

    /// A 2048-bit odd modulus with no factor below 752 that the fuzzer found (authdata target): OpenSSL's
    /// randomized public check accepted it 129 times of 200.
    static let fuzzedModulus = Hex.decode("""
        cfe60916748235d13d19a525a0beb6d54c0102bb3f36ec3f306e9e51000c0ea6ef9c02ec6dbc2e1e44458da7c6c253a03592acb39df5238886ecec3622e5ff\
        d762d804488af6c0258933e1cdde2cf92457e082ebef929be4d1e56f6f129d6cf426eb886095e7679a9972fc3d2a98f9337bed79cb381d2992b9f828069c1b\
        0ff35c770f3ef992b64fc71fa27c85f9707d1091cf0ed5cbcca6aedd360f777611ecdd8ed46bf3ed9f7577101a3fdcb69aca28c06a2888d03db435299bccae\
        5ab76c2d17b060694f788ef1c6b84fed48021f5343a2641039b70ee4073803733bf65131888fb423277c8ad54bfdca76ef7e1e830ef6903f2b4c6578b6630d\
        d2ec69cd
        """)!

    @Test("an RSA key is judged the same way every time, so a stored credential key never changes verdict")
    func rsaVerdictIsStable() {
        let verdicts = (0..<200).map { _ in (try? PublicKey(rsaModulus: Self.fuzzedModulus, exponent: [1, 0, 1])) != nil }
        #expect(Set(verdicts) == [true])
        #expect((try? PublicKey(rsaModulus: Self.fuzzedModulus, exponent: [1, 0, 1]))?.bits == 2048)
    }

    @Test("RSA keys are refused for an even modulus, a factor below 752, a modulus over 16384 bits, or an exponent out of range")
    func rsaRefusals() throws {
        let good = Self.fuzzedModulus
        var even = good
        even[even.count - 1] &-= 1
        #expect(throws: CryptoError.self) { try PublicKey(rsaModulus: even, exponent: [1, 0, 1]) }
        // 751 × 0x…: the product with the largest prime below the bound.
        var timesSmallPrime: [UInt8] = []
        var carry = 0
        for byte in good.reversed() {
            let product = Int(byte) * 751 + carry
            timesSmallPrime.insert(UInt8(product & 0xFF), at: 0)
            carry = product >> 8
        }
        while carry > 0 { timesSmallPrime.insert(UInt8(carry & 0xFF), at: 0); carry >>= 8 }
        #expect(throws: CryptoError.self) { try PublicKey(rsaModulus: timesSmallPrime, exponent: [1, 0, 1]) }
        #expect(throws: CryptoError.self) { try PublicKey(rsaModulus: [0x01] + [UInt8](repeating: 0, count: 2047) + [0x01], exponent: [1, 0, 1]) }
        #expect(throws: CryptoError.self) { try PublicKey(rsaModulus: good, exponent: [3]) }
        #expect(throws: CryptoError.self) { try PublicKey(rsaModulus: good, exponent: [1, 0, 0]) }
        #expect(throws: CryptoError.self) { try PublicKey(rsaModulus: good, exponent: [0x01] + [UInt8](repeating: 0, count: 31) + [0x01]) }
        // The largest allowed exponent size, 256 bits, and the smallest, 17, pass.
        #expect((try? PublicKey(rsaModulus: good, exponent: [0x80] + [UInt8](repeating: 0, count: 30) + [0x01])) != nil)
        #expect((try? PublicKey(rsaModulus: good, exponent: [0x01, 0x00, 0x01])) != nil)
    }

    @Test("the x5c leaf certificate's subject, extensions and key are read")
    func certificate() throws {
        let der = try Self.leafCertificate()
        let certificate = try Certificate(der: der)
        #expect(certificate.version == 3)
        #expect(certificate.subjectAttributes("OU") == ["Authenticator Attestation"])
        #expect(certificate.subjectAttributes("C") == ["SE"])
        #expect(certificate.subjectAttributes("CN") == ["ClientOne Test Attestation leaf"])
        #expect(certificate.subjectAttributes("L").isEmpty)
        #expect(certificate.subjectAttributes("NoSuchAttribute").isEmpty)
        #expect(certificate.basicConstraintsCA == false)
        let aaguid = try #require(Hex.decode(Fixtures.registration("packed-x5c-es256").aaguid))
        #expect(certificate.extensionValue(oid: "1.3.6.1.4.1.45724.1.1.4") == .present(critical: false, value: [0x04, 0x10] + aaguid))
        #expect(certificate.extensionValue(oid: "2.5.29.17") == .absent)
        #expect(try certificate.publicKey().type == .ecP256)
        #expect(throws: CryptoError.self) { try Certificate(der: der + [0]) }
        #expect(throws: CryptoError.self) { try Certificate(der: Array(der.prefix(100))) }
        #expect(throws: CryptoError.self) { try Certificate(der: []) }
    }

    @Test("basic constraints are read from their DER", arguments: [
        ([0x30, 0x00] as [UInt8], false as Bool?), ([0x30, 0x03, 0x01, 0x01, 0xFF], true), ([0x30, 0x03, 0x02, 0x01, 0x00], false),
        ([0x30, 0x06, 0x01, 0x01, 0xFF, 0x02, 0x01, 0x00], true), ([0x30, 0x03, 0x01, 0x01, 0x07], nil),
        ([0x31, 0x00], nil), ([0x30, 0x05, 0x01], nil), ([], nil),
    ])
    func basicConstraints(_ der: [UInt8], _ expected: Bool?) {
        #expect(Certificate.parseBasicConstraintsCA(der) == expected)
    }

    /// The first certificate of the packed x5c fixture.
    static func leafCertificate() throws -> [UInt8] {
        let attestation = try #require(Base64URL.decode(Fixtures.registration("packed-x5c-es256").attestationObjectText))
        let statement = try #require(try CBOR.decode(attestation)[.text("attStmt")])
        return try #require(statement[.text("x5c")]?.arrayValue?.first?.bytesValue)
    }
}
