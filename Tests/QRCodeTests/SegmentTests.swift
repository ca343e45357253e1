import Testing
import TestSupport
@testable import QRCode

/// Segment encoding (§7.4) and the optimal split of text into segments.
@Suite struct SegmentTests {
    private func bitString(_ bits: BitBuffer) -> String {
        String((0..<bits.count).map { bits[$0] ? "1" : "0" })
    }

    @Test("numeric mode packs three digits in 10 bits, the standard's \"01234567\"")
    func numericEncoding() {
        let segment = Segment.numeric("01234567")
        #expect(segment.mode == .numeric && segment.characterCount == 8)
        #expect(bitString(segment.bits) == "0000001100" + "0101011001" + "1000011")
    }

    @Test("alphanumeric mode packs pairs in 11 bits, the standard's \"AC-42\"")
    func alphanumericEncoding() {
        let segment = Segment.alphanumeric("AC-42")
        #expect(segment.mode == .alphanumeric && segment.characterCount == 5)
        #expect(bitString(segment.bits) == "00111001110" + "11100111001" + "000010")
    }

    @Test("byte mode writes the bytes as they are and counts bytes, not characters")
    func byteEncoding() {
        let segment = Segment.bytes(Array("é".utf8))
        #expect(segment.characterCount == 2)
        #expect(segment.bits.bytes == [0xC3, 0xA9] && segment.bits.count == 16)
    }

    @Test("character count widths change at versions 10 and 27 (Table 3)")
    func countWidths() {
        let widths = [1, 9, 10, 26, 27, 40].map { number in
            Segment.Mode.allCases.map { $0.characterCountBits(at: Version(number)!) }
        }
        #expect(widths == [[10, 9, 8], [10, 9, 8], [12, 11, 16], [12, 11, 16], [14, 13, 16], [14, 13, 16]])
    }

    @Test("modes accept exactly their character sets")
    func characterSets() {
        #expect(Segment.Mode.numeric.canEncode("0123456789"))
        #expect(!Segment.Mode.numeric.canEncode("12a"))
        #expect(Segment.Mode.alphanumeric.canEncode("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"))
        #expect(!Segment.Mode.alphanumeric.canEncode("abc"))
        #expect(!Segment.Mode.alphanumeric.canEncode("A#"))
        #expect(Segment.Mode.byte.canEncode("any text 🙂"))
    }

    @Test("makeSegments uses one mode where one mode is shortest")
    func singleModeTexts() {
        #expect(Segment.makeSegments("").isEmpty)
        #expect(Segment.makeSegments("0123456789").map(\.mode) == [.numeric])
        #expect(Segment.makeSegments("HELLO WORLD").map(\.mode) == [.alphanumeric])
        #expect(Segment.makeSegments("Hello, world!").map(\.mode) == [.byte])
        #expect(Segment.makeSegments("日本語").map(\.mode) == [.byte])
    }

    @Test("makeSegments switches modes where the switch pays for its header", arguments: [
        // 3 + 20 + 3 characters: 30 + 81 + 30 bits mixed, 156 all alphanumeric.
        ("ABC01234567890123456789DEF", [Segment.Mode.alphanumeric, .numeric, .alphanumeric], 141),
        // The 32-character secret in alphanumeric mode: 12 + 65 × 8 + 13 + 176 + 12 + 27 × 8 bits,
        // 55 fewer than bytes throughout (1004).
        ("otpauth://totp/ClientOne%20Console:jane.doe%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=ClientOne%20Console",
         [.byte, .alphanumeric, .byte], 949),
        // Digits after a multi-byte character.
        ("é1234567", [.byte, .numeric], 12 + 16 + 14 + 24),
    ])
    func mixedTexts(text: String, modes: [Segment.Mode], bits: Int) {
        let segments = Segment.makeSegments(text)
        #expect(segments.map(\.mode) == modes)
        #expect(Segment.totalBits(segments, version: .min) == bits)
        #expect(decodedText(segments) == text)
    }

    @Test("makeSegments is never longer than the best of all segmentations, in every version range")
    func optimalOnExhaustiveSearch() {
        var generator = SeededGenerator(seed: 18004)
        let alphabet = Array("0123456789ABCZ $:az.é🙂")
        for _ in 0..<60 {
            let length = Int(generator.next() % 9)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            for version in [Version(1)!, Version(10)!, Version(27)!] {
                let segments = Segment.makeSegments(text, for: version)
                #expect(decodedText(segments) == text)
                #expect(Segment.totalBits(segments, version: version) == exhaustiveMinimumBits(text, version: version), "\(text) at version \(version)")
            }
        }
    }

    @Test("makeSegments weighs a switch with the header widths of the version range the text needs")
    func versionRangeOfSegmentation() {
        // Six digits inside bytes: numeric saves 28 bits of data; the extra numeric and byte
        // headers cost 14 + 12 bits in versions 1–9 but 16 + 20 from version 10 on.
        let short = String(repeating: "a", count: 20) + "123456" + "abc"
        #expect(Segment.makeSegments(short).map(\.mode) == [.byte, .numeric, .byte])
        #expect(Segment.makeSegments(short, for: Version(10)!).map(\.mode) == [.byte])
        // 309 bytes need version 10 or more even at level L, so the wider headers apply.
        let long = String(repeating: "a", count: 300) + "123456" + "abc"
        #expect(Segment.makeSegments(long).map(\.mode) == [.byte])
        #expect(Segment.makeSegments(long, for: Version(1)!).map(\.mode) == [.byte, .numeric, .byte])
    }

    /// The fewest bits over every assignment of a mode to each character (adjacent characters
    /// in one mode sharing a segment; splitting a run in one mode never helps).
    private func exhaustiveMinimumBits(_ text: String, version: Version) -> Int {
        let characters = Array(text.unicodeScalars)
        if characters.isEmpty { return 0 }
        func modes(of scalar: Unicode.Scalar) -> [Segment.Mode] {
            let string = String(scalar)
            return Segment.Mode.allCases.filter { $0.canEncode(string) }
        }
        var best = Int.max
        func search(_ index: Int, _ chosen: [Segment.Mode]) {
            if index == characters.count {
                var segments: [Segment] = []
                var start = 0
                while start < characters.count {
                    var end = start + 1
                    while end < characters.count && chosen[end] == chosen[start] { end += 1 }
                    var piece = ""
                    piece.unicodeScalars.append(contentsOf: characters[start..<end])
                    switch chosen[start] {
                    case .numeric: segments.append(.numeric(piece))
                    case .alphanumeric: segments.append(.alphanumeric(piece))
                    case .byte: segments.append(.bytes(Array(piece.utf8)))
                    }
                    start = end
                }
                best = min(best, Segment.totalBits(segments, version: version)!)
                return
            }
            for mode in modes(of: characters[index]) { search(index + 1, chosen + [mode]) }
        }
        search(0, [])
        return best
    }

    /// The text the segments' data bits spell, read back as a decoder would.
    private func decodedText(_ segments: [Segment]) -> String {
        var bytes: [UInt8] = []
        let charset = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)
        for segment in segments {
            var position = 0
            func read(_ count: Int) -> Int {
                var value = 0
                for _ in 0..<count {
                    value = value << 1 | (segment.bits[position] ? 1 : 0)
                    position += 1
                }
                return value
            }
            var remaining = segment.characterCount
            switch segment.mode {
            case .numeric:
                while remaining > 0 {
                    let digits = min(remaining, 3)
                    let value = read([0, 4, 7, 10][digits])
                    let text = String(value)
                    bytes += Array((String(repeating: "0", count: digits - text.count) + text).utf8)
                    remaining -= digits
                }
            case .alphanumeric:
                while remaining > 0 {
                    if remaining >= 2 {
                        let value = read(11)
                        bytes += [charset[value / 45], charset[value % 45]]
                        remaining -= 2
                    } else {
                        bytes.append(charset[read(6)])
                        remaining -= 1
                    }
                }
            case .byte:
                for _ in 0..<remaining { bytes.append(UInt8(read(8))) }
            }
            #expect(position == segment.bits.count, "data bits left over in a \(segment.mode) segment")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

