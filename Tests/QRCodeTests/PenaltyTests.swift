import Testing
@testable import QRCode

/// The mask penalty (§7.8.3) rule by rule on hand-made grids, then against qrcodegen's scores.
@Suite struct PenaltyTests {
    /// Score of a square grid written as rows of "0"/"1".
    private func score(_ rows: [String]) -> Int {
        let dark = rows.map { $0.map { $0 == "1" } }
        return packed(dark) { size, words, rows, columns in Penalty.score(size: size, words: words, rows: rows, columns: columns) }
    }

    /// N1 + N3 of one line written as "0"/"1".
    private func lineScore(_ line: String) -> Int {
        let bits = line.map { $0 == "1" }
        var words = [UInt64](repeating: 0, count: (bits.count + 63) / 64)
        for (x, dark) in bits.enumerated() where dark { words[x / 64] |= 1 << UInt64(x % 64) }
        return words.withUnsafeBufferPointer { Penalty.runScore(size: bits.count, words: words.count, line: $0.baseAddress!) }
    }

    @Test("N1: a run of five scores 3 and each further module 1, light runs included")
    func runRule() {
        #expect(lineScore("11111") == 3)
        #expect(lineScore("1111111") == 5)
        #expect(lineScore("0000011111") == 6)     // two runs of five
        #expect(lineScore("1101101") == 0)        // no run reaches five
        #expect(lineScore("0000") == 0)
    }

    @Test("N3: 1:1:3:1:1 scores 40 per side with four light modules, the border counting as light")
    func finderRule() {
        // Light on both sides: four modules before, the border after.
        #expect(lineScore("00001011101") == 80)
        // The border gives both sides of a bare pattern their light.
        #expect(lineScore("1011101") == 80)
        // Only the side before has four light modules; after it one light, then dark.
        #expect(lineScore("00001011101011") == 40)
        // Scale 2 (2:2:6:2:2) counts too; the light runs of 8 and 10 and the dark run of 6
        // add N1 6 + 8 + 4.
        #expect(lineScore("00000000110011111100110000000000") == 80 + 18)
        // Scale 3 between twelve light modules each side; N1 adds 10 + 7 + 10.
        #expect(lineScore(String(repeating: "0", count: 12) + "111000111111111000111" + String(repeating: "0", count: 12)) == 80 + 27)
        // Lines longer than one 64-bit word, the pattern inside the first and across the
        // boundary at module 64; N1 scores the long light runs on either side.
        #expect(lineScore(String(repeating: "0", count: 60) + "1011101" + String(repeating: "0", count: 33)) == 80 + 58 + 31)
        #expect(lineScore(String(repeating: "0", count: 61) + "1011101" + String(repeating: "0", count: 62)) == 80 + 59 + 60)
        // A 1:1:2:1:1 ratio is not the pattern; only the final light run of five scores (N1).
        #expect(lineScore("000010110100000") == 3)
    }

    @Test("N2: every 2×2 block of one colour scores 3, overlapping blocks each counted")
    func blockRule() {
        func blocks(_ rows: [String]) -> Int {
            packed(rows.map { $0.map { $0 == "1" } }) { size, words, rows, _ in Penalty.blockScore(size: size, words: words, rows: rows) }
        }
        #expect(blocks(["111", "111", "111"]) == 4 * 3)
        #expect(blocks(["000", "000", "000"]) == 4 * 3)
        #expect(blocks(["110", "110", "001"]) == 1 * 3)
        #expect(blocks(["101", "010", "101"]) == 0)
    }

    @Test("N4: 10 points for each full 5 % step of dark share outside 45–55 %")
    func balanceRule() {
        func balance(darkModules: Int) -> Int {
            let rows = (0..<5).map { y in (0..<5).map { x in y * 5 + x < darkModules } }
            return packed(rows) { size, words, rows, _ in Penalty.balanceScore(size: size, words: words, rows: rows) }
        }
        #expect(balance(darkModules: 13) == 0)    // 52 %
        #expect(balance(darkModules: 12) == 0)    // 48 %
        #expect(balance(darkModules: 11) == 10)   // 44 %
        #expect(balance(darkModules: 10) == 10)   // 40 %
        #expect(balance(darkModules: 9) == 20)    // 36 %
        #expect(balance(darkModules: 0) == 90)
        #expect(balance(darkModules: 25) == 90)
    }

    @Test("whole grids add the four rules")
    func wholeGrids() {
        // 5 × 5 light: ten runs of five (N1 30), 16 blocks (N2 48), no dark (N4 90).
        #expect(score(Array(repeating: "00000", count: 5)) == 168)
        // A checkerboard has no runs, no blocks, and 13 of 25 dark.
        #expect(score(["10101", "01010", "10101", "01010", "10101"]) == 0)
        // One finder-like row over a checkerboard: 80 for the row, nothing else.
        #expect(score(["1011101", "0101010", "1010101", "0101010", "1010101", "0101010", "1010101"]) == 80)
    }

    @Test("scores arbitrary grids as qrcodegen does", arguments: Fixtures.shared.penalties)
    func matchesQrcodegen(_ fixture: PenaltyFixture) {
        #expect(packed(fixture.dark) { Penalty.score(size: $0, words: $1, rows: $2, columns: $3) } == fixture.penalty)
    }

    @Test("scores each of the eight masks of a symbol as qrcodegen does", arguments: Fixtures.shared.maskPenalties)
    func maskScoresMatchQrcodegen(_ fixture: MaskPenaltyFixture) throws {
        let version = try #require(Version(fixture.version))
        let ecc = try #require(ErrorCorrection(letter: fixture.ecc))
        let data = QRCode.dataCodewords(for: fixture.segments.map(\.segment), version: version, ecc: ecc)
        var grid = ModuleGrid(version: version)
        grid.placeCodewords(QRCode.errorCorrectedCodewords(data: data, version: version, ecc: ecc))
        var symbol = PackedSymbol(grid: grid, ecc: ecc)
        let scores = Mask.all.map { mask in
            symbol.apply(mask)
            return symbol.penalty()
        }
        #expect(scores == fixture.penalties)
    }

    /// Runs `body` on `dark` packed as rows and as columns.
    private func packed<T>(_ dark: [[Bool]], _ body: (Int, Int, UnsafePointer<UInt64>, UnsafePointer<UInt64>) -> T) -> T {
        let size = dark.count, words = (size + 63) / 64
        var rows = [UInt64](repeating: 0, count: size * words), columns = rows
        for y in 0..<size {
            for x in 0..<size where dark[y][x] {
                rows[y * words + x / 64] |= 1 << UInt64(x % 64)
                columns[x * words + y / 64] |= 1 << UInt64(y % 64)
            }
        }
        return rows.withUnsafeBufferPointer { rows in
            columns.withUnsafeBufferPointer { columns in body(size, words, rows.baseAddress!, columns.baseAddress!) }
        }
    }
}
