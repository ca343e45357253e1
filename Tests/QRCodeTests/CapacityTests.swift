import Testing
@testable import QRCode

/// Symbol capacities (Tables 1 and 7) and the error for data that does not fit.
@Suite struct CapacityTests {
    @Test("data codewords per version and level (Table 7)")
    func dataCodewords() {
        let levels = ErrorCorrection.allCases
        #expect(levels.map { Version(1)!.dataCodewords(at: $0) } == [19, 16, 13, 9])
        #expect(levels.map { Version(7)!.dataCodewords(at: $0) } == [156, 124, 88, 66])
        #expect(levels.map { Version(40)!.dataCodewords(at: $0) } == [2956, 2334, 1666, 1276])
        #expect([1, 7, 40].map { Version($0)!.rawCodewords } == [26, 196, 3706])
    }

    /// Version 40's largest payload per mode and level (Table 7), and one character more.
    static let largestPayloads: [(ErrorCorrection, numeric: Int, alphanumeric: Int, bytes: Int)] = [
        (.low, 7089, 4296, 2953),
        (.medium, 5596, 3391, 2331),
        (.quartile, 3993, 2420, 1663),
        (.high, 3057, 1852, 1273),
    ]

    @Test("version 40 holds Table 7's largest payload in each mode and not a character more", arguments: largestPayloads)
    func largestPayload(ecc: ErrorCorrection, numeric: Int, alphanumeric: Int, bytes: Int) throws {
        let makers: [(Int) -> Segment] = [
            { .numeric(String(repeating: "9", count: $0)) },
            { .alphanumeric(String(repeating: "Z", count: $0)) },
            { .bytes(Array(repeating: 0x61, count: $0)) },
        ]
        for (make, count) in zip(makers, [numeric, alphanumeric, bytes]) {
            let code = try QRCode.encode(segments: [make(count)], ecc: ecc)
            #expect(code.version == .max && code.errorCorrection == ecc)
            #expect(throws: QRCodeError.self) { try QRCode.encode(segments: [make(count + 1)], ecc: ecc) }
        }
    }

    @Test("version 1 holds Table 7's smallest capacities")
    func smallestSymbol() throws {
        for (ecc, digits, letters, bytes) in [(ErrorCorrection.low, 41, 25, 17), (.medium, 34, 20, 14), (.quartile, 27, 16, 11), (.high, 17, 10, 7)] {
            for segment in [Segment.numeric(String(repeating: "1", count: digits)), .alphanumeric(String(repeating: "A", count: letters)), .bytes([UInt8](repeating: 1, count: bytes))] {
                #expect(try QRCode.encode(segments: [segment], ecc: ecc, boostECC: false).version == .min)
            }
            #expect(try QRCode.encode(segments: [.bytes([UInt8](repeating: 1, count: bytes + 1))], ecc: ecc, boostECC: false).version.number == 2)
        }
    }

    @Test("text too long for a level is a dataTooLong error that says how long and the limit", arguments: ErrorCorrection.allCases)
    func textTooLong(ecc: ErrorCorrection) throws {
        let limit = Version.max.dataCodewords(at: ecc)
        let fits = String(repeating: "a", count: limit - 3)      // 4 + 16 header bits, terminator
        #expect(try QRCode.encode(text: fits, ecc: ecc).version == .max)
        let tooLong = fits + "a"
        let error = try #require(throws: QRCodeError.self) { try QRCode.encode(text: tooLong, ecc: ecc) }
        #expect(error == .dataTooLong(errorCorrection: ecc, maxVersion: .max, neededBits: 20 + 8 * (limit - 2), capacityBits: 8 * limit))
        #expect(error.description == "text is too long for a QR code at error correction \(ecc.letter) (\(limit + 1) bytes encoded; at most \(limit))")
    }

    @Test("byte capacity at L is 2,953: 2,953 bytes fit version 40, 2,954 do not")
    func byteLimitAtLow() throws {
        #expect(try QRCode.encode(text: String(repeating: "x", count: 2953), ecc: .low).version == .max)
        #expect(throws: QRCodeError.self) { try QRCode.encode(text: String(repeating: "x", count: 2954), ecc: .low) }
        // Digits pack tighter: 7,089 fit at L.
        #expect(try QRCode.encode(text: String(repeating: "7", count: 7089), ecc: .low).version == .max)
        #expect(throws: QRCodeError.self) { try QRCode.encode(text: String(repeating: "7", count: 7090), ecc: .low) }
    }

    @Test("a version cap below 40 is named in the error")
    func versionCap() {
        #expect(throws: QRCodeError.dataTooLong(errorCorrection: .low, maxVersion: .min, neededBits: 4 + 8 + 18 * 8, capacityBits: 19 * 8)) {
            try QRCode.encode(segments: [.bytes([UInt8](repeating: 0, count: 18))], ecc: .low, maxVersion: .min)
        }
        let error = QRCodeError.dataTooLong(errorCorrection: .high, maxVersion: Version(3)!, neededBits: 300, capacityBits: 208)
        #expect(error.description == "text is too long for a QR code at error correction H (38 bytes encoded; at most 26 in version 3 or below)")
    }

    @Test("the level is raised only while the data still fits the same version")
    func boostedLevel() throws {
        // 9 bytes need version 1 at L (19 codewords); they still fit M (16) and Q (13), not H (9).
        let segment = Segment.bytes([UInt8](repeating: 0x41, count: 9))
        let boosted = try QRCode.encode(segments: [segment], ecc: .low)
        #expect(boosted.version == .min && boosted.errorCorrection == .quartile)
        let asked = try QRCode.encode(segments: [segment], ecc: .low, boostECC: false)
        #expect(asked.version == .min && asked.errorCorrection == .low)
    }

    @Test("versions and masks exist only in their ranges; letters name levels")
    func valueRanges() {
        #expect(Version(0) == nil && Version(41) == nil && Version(40) == .max && Version(1) == .min)
        #expect(Version(7)!.size == 45 && Version.max.size == 177)
        #expect(Mask(-1) == nil && Mask(8) == nil && Mask(7)?.number == 7)
        #expect(["L", "M", "Q", "H", "q"].map { ErrorCorrection(letter: $0) } == [.low, .medium, .quartile, .high, .quartile])
        #expect(ErrorCorrection(letter: "X") == nil)
    }

    @Test("the otpauth URI fits version 7 at M, one smaller than bytes alone need")
    func otpauthVersion() throws {
        let uri = "otpauth://totp/ClientOne%20Console:jane.doe%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=ClientOne%20Console"
        #expect(try QRCode.encode(text: uri, ecc: .medium).version.number == 7)
        #expect(try QRCode.encode(segments: [.bytes(Array(uri.utf8))], ecc: .medium, boostECC: false).version.number == 8)
    }
}
