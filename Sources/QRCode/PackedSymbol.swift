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
        words = (size + 63) / 64
        self.ecc = ecc
        let count = size * words
        var baseRows = [UInt64](repeating: 0, count: count), baseColumns = baseRows
        var dataRows = baseRows, dataColumns = baseRows
        let size = self.size, words = self.words
        grid.modules.withUnsafeBufferPointer { modules in
            grid.isFunction.withUnsafeBufferPointer { isFunction in
                for y in 0..<size {
                    for x in 0..<size {
                        let index = y * size + x
                        let rowWord = y * words + (x >> 6), rowBit = UInt64(1) << UInt64(x & 63)
                        let columnWord = x * words + (y >> 6), columnBit = UInt64(1) << UInt64(y & 63)
                        if modules[index] != 0 {
                            baseRows[rowWord] |= rowBit
                            baseColumns[columnWord] |= columnBit
                        }
                        if isFunction[index] == 0 {
                            dataRows[rowWord] |= rowBit
                            dataColumns[columnWord] |= columnBit
                        }
                    }
                }
            }
        }
        self.baseRows = baseRows
        self.baseColumns = baseColumns
        self.dataRows = dataRows
        self.dataColumns = dataColumns
        rows = baseRows
        columns = baseColumns
    }

    /// Sets `rows` and `columns` to the symbol under `mask`: data modules inverted where the
    /// mask says, format information for `mask` drawn.
    mutating func apply(_ mask: Mask) {
        let size = self.size, words = self.words, stride = MaskPatterns.wordsPerLine
        let rowPatterns = mask.number * 12 * stride, columnPatterns = mask.number * 6 * stride
        rows.withUnsafeMutableBufferPointer { rows in
            MaskPatterns.rows.withUnsafeBufferPointer { patterns in
                for y in 0..<size {
                    let pattern = rowPatterns + (y % 12) * stride
                    for word in 0..<words {
                        let index = y * words + word
                        rows[index] = baseRows[index] ^ (patterns[pattern + word] & dataRows[index])
                    }
                }
            }
        }
        columns.withUnsafeMutableBufferPointer { columns in
            MaskPatterns.columns.withUnsafeBufferPointer { patterns in
                for x in 0..<size {
                    let pattern = columnPatterns + (x % 6) * stride
                    for word in 0..<words {
                        let index = x * words + word
                        columns[index] = baseColumns[index] ^ (patterns[pattern + word] & dataColumns[index])
                    }
                }
            }
        }
        let format = FormatInformation.formatBits(ecc: ecc, mask: mask)
        FormatInformation.forEachFormatModule(size: size) { x, y, bit in
            // The area is light in the base, so only dark bits need writing.
            guard (format >> UInt32(bit)) & 1 != 0 else { return }
            rows[y * words + (x >> 6)] |= 1 << UInt64(x & 63)
            columns[x * words + (y >> 6)] |= 1 << UInt64(y & 63)
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
