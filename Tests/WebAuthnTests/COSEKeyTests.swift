import Crypto
import Testing
@testable import WebAuthn

/// COSE_Key parsing: the three supported algorithms, and each way a key can be wrong.
@Suite struct COSEKeyTests {
    static let valid = Fixtures.shared.registrations.filter { $0.error == nil }

    /// The ES256 key of the fixtures as CBOR, to alter.
    static var es256: CBOR {
        let bytes = Base64URL.decode(Fixtures.registration("none-es256").publicKey) ?? []
        return (try? CBOR.decode(bytes)) ?? .null
    }

    @Test("every key python-fido2 encoded parses with its algorithm", arguments: valid)
    func fixtureKeys(_ fixture: RegistrationFixture) throws {
        let key = try COSEKey(bytes: try #require(Base64URL.decode(fixture.publicKey)))
        #expect(key.algorithm.rawValue == fixture.algorithm)
        let expectedType: PublicKey.KeyType = switch key.algorithm {
        case .es256: .ecP256
        case .edDSA: .ed25519
        case .rs256: .rsa
        }
        #expect(key.publicKey.type == expectedType)
    }

    @Test("a point off the curve is refused")
    func offCurve() throws {
        var y = try #require(Self.es256[.integer(-3)]?.bytesValue)
        y[31] ^= 0x01
        let altered = Self.replacing(.integer(-3), with: .bytes(y), in: Self.es256)
        #expect(throws: WebAuthnError.self) { try COSEKey(bytes: CBORWriter.encode(altered)) }
        #expect(throws: WebAuthnError.self) { try COSEKey(item: altered) }
    }

    @Test("a wrong kty, curve or coordinate length is refused", arguments: [
        (CBOR.integer(1), CBOR.integer(1)),              // kty OKP with ES256
        (CBOR.integer(-1), CBOR.integer(2)),             // crv P-384
        (CBOR.integer(-2), CBOR.bytes([UInt8](repeating: 1, count: 31))),
        (CBOR.integer(-3), CBOR.bool(true)),             // compressed point form
        (CBOR.integer(1), CBOR.text("EC2")),
    ])
    func wrongParameters(_ label: CBOR, _ value: CBOR) {
        let altered = Self.replacing(label, with: value, in: Self.es256)
        #expect(throws: WebAuthnError.self) { try COSEKey(item: altered) }
        do {
            _ = try COSEKey(item: altered)
        } catch {
            #expect(caseName(error) == "invalidPublicKey")
        }
    }

    @Test("an algorithm outside ES256, EdDSA and RS256 is unsupported")
    func unsupportedAlgorithm() {
        #expect(throws: WebAuthnError.unsupportedAlgorithm(-35)) { try COSEKey(bytes: Fixtures.key("es384")) }
        let ps256 = Self.replacing(.integer(3), with: .integer(-37), in: Self.es256)
        #expect(throws: WebAuthnError.unsupportedAlgorithm(-37)) { try COSEKey(item: ps256) }
        let huge = Self.replacing(.integer(3), with: .negative(.max), in: Self.es256)
        #expect(throws: WebAuthnError.self) { try COSEKey(item: huge) }
    }

    @Test("an RSA modulus below 2048 bits is refused")
    func weakRSA() {
        #expect(throws: WebAuthnError.invalidPublicKey("RSA modulus of 1024 bits, outside 2048...8192")) {
            try COSEKey(bytes: Fixtures.key("rsa1024"))
        }
    }

    @Test("RSA n with a leading zero byte or an even modulus is refused")
    func malformedRSA() throws {
        let rsaBytes = try #require(Base64URL.decode(Fixtures.registration("none-rs256").publicKey))
        let rsa = try CBOR.decode(rsaBytes)
        let n = try #require(rsa[.integer(-1)]?.bytesValue)
        #expect(throws: WebAuthnError.self) { try COSEKey(item: Self.replacing(.integer(-1), with: .bytes([0] + n), in: rsa)) }
        var even = n
        even[even.count - 1] &= 0xFE
        #expect(throws: WebAuthnError.self) { try COSEKey(item: Self.replacing(.integer(-1), with: .bytes(even), in: rsa)) }
        #expect(try COSEKey(item: rsa).algorithm == .rs256)
    }

    @Test("a key that carries its private part is refused")
    func privatePart() {
        let withD = CBOR.map((Self.es256.mapEntries ?? []) + [(.integer(-4), .bytes([UInt8](repeating: 7, count: 32)))])
        #expect(throws: WebAuthnError.invalidPublicKey("the key carries a private part")) { try COSEKey(item: withD) }
    }

    @Test("missing kty or alg, or something other than a map, is refused")
    func missingMembers() {
        let entries = Self.es256.mapEntries ?? []
        #expect(throws: WebAuthnError.self) { try COSEKey(item: .map(entries.filter { $0.key != .integer(1) })) }
        #expect(throws: WebAuthnError.self) { try COSEKey(item: .map(entries.filter { $0.key != .integer(3) })) }
        #expect(throws: WebAuthnError.self) { try COSEKey(item: .array([])) }
    }

    @Test("stored key bytes must be canonical and complete")
    func storedBytes() {
        let entries = Self.es256.mapEntries ?? []
        let reversed = CBORWriter.encode(.map(entries.reversed()))
        #expect(throws: WebAuthnError.self) { try COSEKey(bytes: reversed) }
        #expect(throws: WebAuthnError.self) { try COSEKey(bytes: CBORWriter.encode(Self.es256) + [0x00]) }
        #expect(throws: WebAuthnError.self) { try COSEKey(bytes: []) }
        #expect((try? COSEKey(bytes: CBORWriter.encode(Self.es256))) != nil, "the writer keeps python-fido2's order")
    }

    /// `map` with the value under `label` replaced (or added).
    static func replacing(_ label: CBOR, with value: CBOR, in map: CBOR) -> CBOR {
        var entries = map.mapEntries ?? []
        if let index = entries.firstIndex(where: { $0.key == label }) {
            entries[index].value = value
        } else {
            entries.append((label, value))
        }
        return .map(entries)
    }
}
