import Testing
@testable import QRCode

/// Codeword construction against the worked examples and tables of ISO/IEC 18004.
@Suite struct CodewordTests {
    @Test("GF(256) tables: α⁸ = x⁴ + x³ + x² + 1, and every non-zero element has an inverse")
    func galoisField() {
        #expect(GaloisField.exp[0] == 1)
        #expect(GaloisField.exp[7] == 0x80)
        #expect(GaloisField.exp[8] == 0x1D)
        #expect(GaloisField.exp[255] == 1)
        for a in 1...255 {
            let inverse = GaloisField.exp[255 - GaloisField.log[a]]
            #expect(GaloisField.multiply(UInt8(a), inverse) == 1)
        }
        #expect(GaloisField.multiply(0, 0x53) == 0)
    }

    @Test("the degree-7 generator is Annex A's α⁸⁷ α²²⁹ α¹⁴⁶ α¹⁴⁹ α²³⁸ α¹⁰² α²¹")
    func generatorPolynomial() {
        #expect(ReedSolomon(degree: 7).generatorLogs == [87, 229, 146, 149, 238, 102, 21])
    }

    @Test("\"01234567\" at 1-M: the data and error-correction codewords of the standard's worked example")
    func workedExample() {
        let data = QRCode.dataCodewords(for: [.numeric("01234567")], version: Version(1)!, ecc: .medium)
        #expect(data == [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11])
        #expect(ReedSolomon(degree: 10).remainder(of: data) == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
        // One block: the error correction simply follows the data.
        let all = QRCode.errorCorrectedCodewords(data: data, version: Version(1)!, ecc: .medium)
        #expect(all == data + [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    @Test("blocks of two lengths are interleaved codeword by codeword, data before error correction")
    func interleaving() {
        // 5-Q: two blocks of 15 data codewords and two of 16, 18 error-correction codewords each.
        let version = Version(5)!
        let data = (0..<62).map { UInt8($0) }
        let blocks = [data[0..<15], data[15..<30], data[30..<46], data[46..<62]].map(Array.init)
        let coder = ReedSolomon(degree: 18)
        var expected: [UInt8] = []
        for i in 0..<16 {
            for block in blocks where i < block.count { expected.append(block[i]) }
        }
        let corrections = blocks.map { coder.remainder(of: $0) }
        for i in 0..<18 {
            for correction in corrections { expected.append(correction[i]) }
        }
        #expect(QRCode.errorCorrectedCodewords(data: data, version: version, ecc: .quartile) == expected)
    }

    @Test("terminator and padding: 0000, zero bits to a byte, then EC 11 alternately")
    func padding() {
        // "A" in 1-H: 0010 000000001 001010 + 0000 → 2 whole bytes + 7 bits, then 0xEC 0x11 …
        let data = QRCode.dataCodewords(for: [.alphanumeric("A")], version: Version(1)!, ecc: .high)
        #expect(data == [0b0010_0000, 0b0000_1001, 0b0100_0000, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11])
        // Seven bytes fill 1-H to its last four bits: the terminator takes them, no pad follows.
        let full = QRCode.dataCodewords(for: [.bytes(Array(repeating: 0xFF, count: 7))], version: Version(1)!, ecc: .high)
        #expect(full.count == 9 && full.last == 0xF0)
    }

    @Test("format information matches Table C.1 for every level and mask")
    func formatInformation() {
        let table: [ErrorCorrection: [UInt32]] = [
            .low: [0x77C4, 0x72F3, 0x7DAA, 0x789D, 0x662F, 0x6318, 0x6C41, 0x6976],
            .medium: [0x5412, 0x5125, 0x5E7C, 0x5B4B, 0x45F9, 0x40CE, 0x4F97, 0x4AA0],
            .quartile: [0x355F, 0x3068, 0x3F31, 0x3A06, 0x24B4, 0x2183, 0x2EDA, 0x2BED],
            .high: [0x1689, 0x13BE, 0x1CE7, 0x19D0, 0x0762, 0x0255, 0x0D0C, 0x083B],
        ]
        for (ecc, values) in table {
            for mask in Mask.all {
                #expect(FormatInformation.formatBits(ecc: ecc, mask: mask) == values[mask.number], "\(ecc) mask \(mask)")
            }
        }
    }

    @Test("version information matches Table D.1")
    func versionInformation() {
        #expect(FormatInformation.versionBits(Version(7)!) == 0x07C94)
        #expect(FormatInformation.versionBits(Version(8)!) == 0x085BC)
        #expect(FormatInformation.versionBits(Version(21)!) == 0x15683)
        #expect(FormatInformation.versionBits(Version(40)!) == 0x28C69)
    }

    @Test("format and version information are drawn where Figures 25 and 27 put them")
    func informationPlacement() throws {
        let code = try QRCode.encode(segments: [.bytes(Array("placement".utf8))], ecc: .quartile,
                                     minVersion: Version(7)!, maxVersion: Version(7)!, mask: Mask(3)!, boostECC: false)
        let format = FormatInformation.formatBits(ecc: .quartile, mask: Mask(3)!)
        let size = code.size
        // Bits 0–7 down column 8 from the top (skipping the timing row 6); bits 8–14 along
        // row 8 from the right of the bottom-left copy.
        let firstCopy = [(8, 0), (8, 1), (8, 2), (8, 3), (8, 4), (8, 5), (8, 7), (8, 8), (7, 8), (5, 8), (4, 8), (3, 8), (2, 8), (1, 8), (0, 8)]
        for (bit, (x, y)) in firstCopy.enumerated() {
            #expect(code.module(x: x, y: y) == ((format >> UInt32(bit)) & 1 == 1), "format bit \(bit) at (\(x),\(y))")
        }
        for bit in 0..<8 { #expect(code.module(x: size - 1 - bit, y: 8) == ((format >> UInt32(bit)) & 1 == 1)) }
        for bit in 8..<15 { #expect(code.module(x: 8, y: size - 15 + bit) == ((format >> UInt32(bit)) & 1 == 1)) }
        #expect(code.module(x: 8, y: size - 8), "the dark module")
        let versionBits = FormatInformation.versionBits(Version(7)!)
        for bit in 0..<18 {
            let dark = (versionBits >> UInt32(bit)) & 1 == 1
            #expect(code.module(x: size - 11 + bit % 3, y: bit / 3) == dark)
            #expect(code.module(x: bit / 3, y: size - 11 + bit % 3) == dark)
        }
    }
}
