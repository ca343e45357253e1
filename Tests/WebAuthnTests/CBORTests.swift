import Crypto
import Testing
@testable import WebAuthn

/// The CBOR decoder on well-formed input, and on every kind of hostile input: none may crash, each
/// must fail with a specific error.
@Suite struct CBORTests {
    @Test("integers of every head width decode, including the extremes of both signs")
    func integers() throws {
        #expect(try CBOR.decode([0x00]) == .unsigned(0))
        #expect(try CBOR.decode([0x17]) == .unsigned(23))
        #expect(try CBOR.decode([0x18, 0x18]) == .unsigned(24))
        #expect(try CBOR.decode([0x19, 0x01, 0x00]) == .unsigned(256))
        #expect(try CBOR.decode([0x1A, 0x00, 0x01, 0x00, 0x00]) == .unsigned(65_536))
        #expect(try CBOR.decode([0x1B] + [UInt8](repeating: 0xFF, count: 8)) == .unsigned(.max))
        #expect(try CBOR.decode([0x20]).integerValue == -1)
        #expect(try CBOR.decode([0x26]).integerValue == -7)
        #expect(try CBOR.decode([0x39, 0x01, 0x00]).integerValue == -257)
        #expect(try CBOR.decode([0x3B, 0x7F] + [UInt8](repeating: 0xFF, count: 7)).integerValue == .min)
        // -2^64, below Int64: representable as the encoded n, with no Int64 value.
        let lowest = try CBOR.decode([0x3B] + [UInt8](repeating: 0xFF, count: 8))
        #expect(lowest == .negative(.max))
        #expect(lowest.integerValue == nil)
        #expect(CBOR.integer(-257) == .negative(256))
        #expect(CBOR.integer(Int64.min).integerValue == .min)
    }

    @Test("strings, arrays, maps and simple values decode as RFC 8949 Appendix A lists them")
    func rfcExamples() throws {
        #expect(try CBOR.decode([0x40]) == .bytes([]))
        #expect(try CBOR.decode([0x44, 1, 2, 3, 4]) == .bytes([1, 2, 3, 4]))
        #expect(try CBOR.decode([0x60]) == .text(""))
        #expect(try CBOR.decode([0x62, 0xC3, 0xBC]) == .text("ü"))
        #expect(try CBOR.decode([0x64, 0xF0, 0x9F, 0x99, 0x82]) == .text("🙂"))
        #expect(try CBOR.decode([0x83, 0x01, 0x82, 0x02, 0x03, 0x82, 0x04, 0x05])
                == .array([.unsigned(1), .array([.unsigned(2), .unsigned(3)]), .array([.unsigned(4), .unsigned(5)])]))
        let map = try CBOR.decode([0xA2, 0x61, 0x61, 0x01, 0x61, 0x62, 0x82, 0x02, 0x03])
        #expect(map[.text("a")] == .unsigned(1))
        #expect(map[.text("b")] == .array([.unsigned(2), .unsigned(3)]))
        #expect(map[.text("c")] == nil)
        #expect(try CBOR.decode([0xF4]) == .bool(false))
        #expect(try CBOR.decode([0xF5]) == .bool(true))
        #expect(try CBOR.decode([0xF6]) == .null)
    }

    @Test("non-shortest heads are accepted where canonical form is not required")
    func longHeads() throws {
        #expect(try CBOR.decode([0x18, 0x01]) == .unsigned(1))
        #expect(try CBOR.decode([0x5A, 0, 0, 0, 2, 0xAA, 0xBB]) == .bytes([0xAA, 0xBB]))
    }

    @Test("a valid item cut at every length is refused as truncated, never read past its end")
    func truncatedAtEveryLength() throws {
        let attestation = try #require(Base64URL.decode(Fixtures.registration("packed-x5c-es256").attestationObjectText))
        for length in 0..<attestation.count {
            #expect(throws: CBORError.self) { try CBOR.decode(Array(attestation.prefix(length))) }
        }
        #expect(try CBOR.decode(attestation).mapEntries?.count == 3)
    }

    @Test("lengths larger than the input fail before anything is allocated", arguments: [
        [0x5B, 0x80, 0, 0, 0, 0, 0, 0, 0] as [UInt8],                // byte string of 2^63 bytes
        [0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],      // 2^64 - 1 bytes
        [0x7B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x61], // text
        [0x9B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], // array of 2^63 - 1 items
        [0xBB, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01], // map of 2^32 entries
        [0x45, 0x01, 0x02],                                           // 5 bytes claimed, 2 present
        [0x82, 0x01],                                                 // two elements claimed, one present
        [0xA2, 0x01, 0x02, 0x03],                                     // two entries, three bytes
    ])
    func oversizedLengths(_ input: [UInt8]) {
        #expect(throws: CBORError.self) { try CBOR.decode(input) }
    }

    @Test("a 2^63-byte string claim is reported as exceeding the input")
    func oversizedLengthError() {
        #expect(throws: CBORError.lengthExceedsInput(offset: 0)) { try CBOR.decode([0x5B, 0x80, 0, 0, 0, 0, 0, 0, 0]) }
    }

    @Test("nesting 1000 deep stops at the depth limit", arguments: [0x81, 0xA1] as [UInt8])
    func deepNesting(_ container: UInt8) {
        // Arrays of one element, or maps whose first key is again a map.
        let input = [UInt8](repeating: container, count: 1000) + [0x00]
        #expect(throws: CBORError.depthExceeded(limit: 16)) { try CBOR.decode(input) }
        let shallow = [UInt8](repeating: 0x81, count: 15) + [0x00]
        #expect((try? CBOR.decode(shallow)) != nil, "15 arrays and an integer are 16 levels")
        #expect(throws: CBORError.depthExceeded(limit: 16)) { try CBOR.decode([0x81] + shallow) }
    }

    @Test("indefinite lengths are refused for strings, arrays and maps", arguments: [
        [0x5F, 0x41, 0x00, 0xFF] as [UInt8], [0x7F, 0x61, 0x61, 0xFF], [0x9F, 0x01, 0xFF], [0xBF, 0x01, 0x02, 0xFF],
    ])
    func indefiniteLength(_ input: [UInt8]) {
        #expect(throws: CBORError.indefiniteLength(offset: 0)) { try CBOR.decode(input) }
    }

    @Test("duplicate map keys are refused, also when encoded differently")
    func duplicateKeys() {
        #expect(throws: CBORError.duplicateMapKey(offset: 3)) { try CBOR.decode([0xA2, 0x01, 0x02, 0x01, 0x03]) }
        #expect(throws: CBORError.duplicateMapKey(offset: 3)) { try CBOR.decode([0xA2, 0x01, 0x02, 0x18, 0x01, 0x03]) }
        #expect(throws: CBORError.duplicateMapKey(offset: 4)) { try CBOR.decode([0xA2, 0x61, 0x61, 0x01, 0x61, 0x61, 0x02]) }
        // Nested maps are checked too.
        #expect(throws: CBORError.duplicateMapKey(offset: 4)) { try CBOR.decode([0x81, 0xA2, 0x20, 0x00, 0x20, 0x00]) }
    }

    @Test("canonical key order is enforced only when asked for")
    func canonicalOrder() throws {
        // CTAP2 order of a COSE key's labels: 1, 3, -1, -2 (major type 0 before 1).
        let ordered = CBORWriter.rawMap([([0x01], [0x02]), ([0x03], [0x26]), ([0x20], [0x01]), ([0x21], [0x40])])
        let unordered = CBORWriter.rawMap([([0x03], [0x26]), ([0x01], [0x02]), ([0x20], [0x01]), ([0x21], [0x40])])
        let negativeFirst = CBORWriter.rawMap([([0x20], [0x01]), ([0x01], [0x02])])
        let longerFirst = CBORWriter.rawMap([([0x62, 0x61, 0x61], [0x01]), ([0x61, 0x62], [0x01])])
        #expect(try CBOR.decode(ordered, limits: .canonical).mapEntries?.count == 4)
        #expect(throws: CBORError.nonCanonicalMapKeyOrder(offset: 3)) { try CBOR.decode(unordered, limits: .canonical) }
        #expect(throws: CBORError.nonCanonicalMapKeyOrder(offset: 3)) { try CBOR.decode(negativeFirst, limits: .canonical) }
        #expect(throws: CBORError.nonCanonicalMapKeyOrder(offset: 5)) { try CBOR.decode(longerFirst, limits: .canonical) }
        #expect(try CBOR.decode(unordered).mapEntries?.count == 4)
    }

    @Test("tags, floats, undefined and other simple values are refused", arguments: [
        [0xC0, 0x60] as [UInt8], [0xD8, 0x20, 0x60], [0xF7], [0xF8, 0x20], [0xF0],
        [0xF9, 0x3C, 0x00], [0xFA, 0x47, 0xC3, 0x50, 0x00], [0xFB, 0x3F, 0xF1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A],
    ])
    func unsupportedTypes(_ input: [UInt8]) {
        #expect(throws: CBORError.self) { try CBOR.decode(input) }
    }

    @Test("reserved additional information and a stray break are refused", arguments: [
        [0x1C] as [UInt8], [0x3D], [0x5E], [0xFF], [0x1F], [0xDF],
    ])
    func reservedEncodings(_ input: [UInt8]) {
        #expect(throws: CBORError.reservedEncoding(offset: 0)) { try CBOR.decode(input) }
    }

    @Test("text that is not UTF-8 is refused", arguments: [
        [0x61, 0xFF] as [UInt8], [0x62, 0xC3, 0x28], [0x63, 0xED, 0xA0, 0x80], [0x62, 0xC0, 0xAF],
    ])
    func invalidUTF8(_ input: [UInt8]) {
        #expect(throws: CBORError.invalidUTF8(offset: 0)) { try CBOR.decode(input) }
    }

    @Test("trailing bytes fail decode but are counted by decodePrefix")
    func trailingBytes() throws {
        #expect(throws: CBORError.trailingBytes(count: 2)) { try CBOR.decode([0xA1, 0x01, 0x02, 0x00, 0x00]) }
        let (item, consumed) = try CBOR.decodePrefix([0xA1, 0x01, 0x02, 0x00, 0x00])
        #expect(item == .map([(.unsigned(1), .unsigned(2))]))
        #expect(consumed == 3)
        #expect(throws: CBORError.truncated(offset: 0)) { try CBOR.decode([]) }
    }

    @Test("the item limit bounds the total number of items")
    func itemLimit() {
        let array = CBORWriter.head(4, 100) + [UInt8](repeating: 0x00, count: 100)
        #expect(throws: CBORError.tooManyItems(limit: 50)) { try CBOR.decode(array, limits: CBORLimits(maxItems: 50)) }
        #expect((try? CBOR.decode(array)) != nil)
    }

    @Test("maps compare and hash by their entries")
    func equality() {
        let a = CBOR.map([(.text("a"), .unsigned(1)), (.text("b"), .null)])
        let b = CBOR.map([(.text("a"), .unsigned(1)), (.text("b"), .null)])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != .map([(.text("b"), .null), (.text("a"), .unsigned(1))]), "order is part of the encoding")
        #expect(CBOR.unsigned(1) != .negative(1))
        #expect(CBORWriter.encode(a) == [0xA2, 0x61, 0x61, 0x01, 0x61, 0x62, 0xF6])
    }
}

extension RegistrationFixture {
    /// The attestationObject member, still base64url.
    var attestationObjectText: String {
        guard case .object(let top) = credential, case .object(let response)? = top["response"],
              case .string(let text)? = response["attestationObject"] else { return "" }
        return text
    }
}
