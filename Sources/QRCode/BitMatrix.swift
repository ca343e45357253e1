/// Square bit matrices stored as rows of 64-bit words (bit x & 63 of word
/// `y * words + x >> 6` is element (x, y)), as `ModuleGrid` and `PackedSymbol` keep them.
enum BitMatrix {
    /// The transpose of `rows`: its columns as rows. Works on 64 × 64 blocks, each transposed
    /// in six rounds that swap ever smaller off-diagonal sub-blocks (Hacker's Delight §7-3),
    /// instead of moving one bit at a time.
    static func transpose(_ rows: [UInt64], size: Int, words: Int) -> [UInt64] {
        var result = [UInt64](repeating: 0, count: rows.count)
        var block = [UInt64](repeating: 0, count: 64)
        rows.withUnsafeBufferPointer { rows in
            result.withUnsafeMutableBufferPointer { result in
                block.withUnsafeMutableBufferPointer { block in
                    for blockRow in 0..<words {
                        for blockColumn in 0..<words {
                            let rowCount = Swift.min(64, size - blockRow * 64)
                            for r in 0..<64 {
                                block[r] = r < rowCount ? rows[(blockRow * 64 + r) * words + blockColumn] : 0
                            }
                            transpose64(block)
                            // Row c of the transposed block is column c of the original block.
                            let columnCount = Swift.min(64, size - blockColumn * 64)
                            for c in 0..<columnCount {
                                result[(blockColumn * 64 + c) * words + blockRow] = block[c]
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Transposes a 64 × 64 block in place: at each round j, rows k and k + j (k with bit j
    /// clear) exchange the high j columns of row k with the low j columns of row k + j.
    private static func transpose64(_ block: UnsafeMutableBufferPointer<UInt64>) {
        var j = 32
        var lowHalves: UInt64 = 0x0000_0000_FFFF_FFFF
        while j != 0 {
            var k = 0
            while k < 64 {
                let swapped = ((block[k] >> UInt64(j)) ^ block[k + j]) & lowHalves
                block[k] ^= swapped << UInt64(j)
                block[k + j] ^= swapped
                k = (k + j + 1) & ~j
            }
            j >>= 1
            lowHalves ^= lowHalves << UInt64(j)
        }
    }
}
