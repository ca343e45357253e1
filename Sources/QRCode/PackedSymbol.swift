/// A finished grid bit-packed by rows and by columns, with the data modules told apart from the
/// function modules, so that each of the eight masks is applied and scored a line at a time
/// instead of a module at a time.
struct PackedSymbol {
    let size: Int
    /// 64-bit words per line.
    let words: Int
    private let ecc: ErrorCorrection
    /// Modules before masking, with the format information area light.
    private var baseRows: [UInt64], baseColumns: [UInt64]
    /// Set for data modules: the ones a mask may invert.
    private var dataRows: [UInt64], dataColumns: [UInt64]
    /// The symbol with the last mask applied and its format information drawn.
    private(set) var rows: [UInt64], columns: [UInt64]

    init(grid: ModuleGrid, ecc: ErrorCorrection) {
        size = grid.size
        words = grid.words
        self.ecc = ecc
        baseRows = grid.darkRows
        baseColumns = BitMatrix.transpose(grid.darkRows, size: size, words: words)
        dataRows = Self.dataModules(function: grid.functionRows, size: size, words: words)
        dataColumns = BitMatrix.transpose(dataRows, size: size, words: words)
        rows = baseRows
        columns = baseColumns
    }

    /// The modules inside the symbol that are not function modules: the complement of
    /// `function`, without the bits past `size` in each line's last word.
    private static func dataModules(function: [UInt64], size: Int, words: Int) -> [UInt64] {
        let lastWordModules = size - (words - 1) * 64
        let lastWordMask: UInt64 = lastWordModules == 64 ? ~0 : (1 << UInt64(lastWordModules)) - 1
        var data = function
        for line in 0..<size {
            for word in 0..<words {
                data[line * words + word] = ~function[line * words + word] & (word == words - 1 ? lastWordMask : ~0)
            }
        }
        return data
    }

    /// Sets `rows` and `columns` to the symbol under `mask`: data modules inverted where the
    /// mask says, format information for `mask` drawn.
    mutating func apply(_ mask: Mask) {
        let stride = MaskPatterns.wordsPerLine
        Self.applyPattern(MaskPatterns.rows, from: mask.number * 12 * stride, period: 12,
                          base: baseRows, data: dataRows, into: &rows, size: size, words: words)
        Self.applyPattern(MaskPatterns.columns, from: mask.number * 6 * stride, period: 6,
                          base: baseColumns, data: dataColumns, into: &columns, size: size, words: words)
        let format = FormatInformation.formatBits(ecc: ecc, mask: mask)
        let words = self.words
        FormatInformation.forEachFormatModule(size: size) { x, y, bit in
            // The area is light in the base, so only dark bits need writing.
            guard (format >> UInt32(bit)) & 1 != 0 else { return }
            rows[y * words + (x >> 6)] |= 1 << UInt64(x & 63)
            columns[x * words + (y >> 6)] |= 1 << UInt64(y & 63)
        }
    }

    /// `lines[i] = base[i] ^ (pattern & data[i])` for every line, the pattern of line n being
    /// the one `n mod period` lines after `from` in `patterns`.
    private static func applyPattern(_ patterns: [UInt64], from start: Int, period: Int, base: [UInt64], data: [UInt64],
                                     into lines: inout [UInt64], size: Int, words: Int) {
        let stride = MaskPatterns.wordsPerLine
        patterns.withUnsafeBufferPointer { patterns in
            base.withUnsafeBufferPointer { base in
                data.withUnsafeBufferPointer { data in
                    lines.withUnsafeMutableBufferPointer { lines in
                        var phase = 0
                        for line in 0..<size {
                            let pattern = start + phase * stride
                            for word in 0..<words {
                                let index = line * words + word
                                lines[index] = base[index] ^ (patterns[pattern + word] & data[index])
                            }
                            phase = phase + 1 == period ? 0 : phase + 1
                        }
                    }
                }
            }
        }
    }

    /// The penalty score (§7.8.3) of the symbol as it stands.
    func penalty() -> Int {
        rows.withUnsafeBufferPointer { rows in
            columns.withUnsafeBufferPointer { columns in
                Penalty.score(size: size, words: words, rows: rows.baseAddress!, columns: columns.baseAddress!)
            }
        }
    }

    /// Applies `mask`, or when it is nil each of the eight in turn, keeping the first with the
    /// lowest penalty (§7.8.3: the finished symbol, format information included, is scored).
    /// Returns the mask left applied.
    mutating func applyBestMask(_ mask: Mask?) -> Mask {
        if let mask {
            apply(mask)
            return mask
        }
        var best = Mask.all[0], bestPenalty = Int.max
        for candidate in Mask.all {
            apply(candidate)
            let penalty = penalty()
            if penalty < bestPenalty {
                best = candidate
                bestPenalty = penalty
            }
        }
        if best != Mask.all[7] { apply(best) }
        return best
    }
}
