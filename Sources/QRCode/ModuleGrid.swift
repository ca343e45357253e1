/// A symbol under construction, bit-packed by rows: bit x & 63 of word `y * words + x >> 6`
/// is module (x, y), set when dark. A second layer marks the function modules (finder, timing
/// and alignment patterns, format and version information) that data placement skips and
/// masks leave alone.
struct ModuleGrid {
    let version: Version
    let size: Int
    /// 64-bit words per row or column.
    let words: Int
    private(set) var darkRows: [UInt64]
    private(set) var functionRows: [UInt64]

    /// The grid of `version` with every function pattern drawn and the format information
    /// area reserved (its bits depend on the mask and are written later).
    init(version: Version) {
        self.version = version
        size = version.size
        words = (size + 63) / 64
        darkRows = [UInt64](repeating: 0, count: size * words)
        functionRows = darkRows
        drawFunctionPatterns()
    }

    private mutating func setFunction(x: Int, y: Int, dark: Bool) {
        let word = y * words + (x >> 6), bit = UInt64(1) << UInt64(x & 63)
        functionRows[word] |= bit
        darkRows[word] = dark ? darkRows[word] | bit : darkRows[word] & ~bit
    }

    private mutating func drawFunctionPatterns() {
        // Timing patterns: alternating modules along row 6 and column 6, dark on even indices
        // (§6.3.5). The finders drawn next overwrite their ends.
        for i in 0..<size {
            setFunction(x: 6, y: i, dark: i % 2 == 0)
            setFunction(x: i, y: 6, dark: i % 2 == 0)
        }

        // Finder patterns with their light separators in three corners (§6.3.3, §6.3.4).
        drawFinderPattern(centreX: 3, centreY: 3)
        drawFinderPattern(centreX: size - 4, centreY: 3)
        drawFinderPattern(centreX: 3, centreY: size - 4)

        // Alignment patterns on every pair of centre coordinates except the three finder
        // corners (§6.3.6).
        let centres = version.alignmentPatternCentres
        let last = centres.count - 1
        for (i, x) in centres.enumerated() {
            for (j, y) in centres.enumerated() where !((i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0)) {
                drawAlignmentPattern(centreX: x, centreY: y)
            }
        }

        // Format information area, and the module above the bottom-left finder that is always
        // dark (§7.9.1).
        FormatInformation.forEachFormatModule(size: size) { x, y, _ in setFunction(x: x, y: y, dark: false) }
        setFunction(x: 8, y: size - 8, dark: true)

        // Version information: two 6 × 3 blocks beside the top-right and bottom-left finders,
        // bit i at (size − 11 + i % 3, i / 3) and transposed (§7.10).
        if version.number >= 7 {
            let bits = FormatInformation.versionBits(version)
            for i in 0..<18 {
                let dark = (bits >> UInt32(i)) & 1 != 0
                let a = size - 11 + i % 3, b = i / 3
                setFunction(x: a, y: b, dark: dark)
                setFunction(x: b, y: a, dark: dark)
            }
        }
    }

    /// A 7 × 7 finder (dark ring, light ring, dark 3 × 3 centre) with the light separator
    /// around it, clipped to the symbol.
    private mutating func drawFinderPattern(centreX: Int, centreY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centreX + dx, y = centreY + dy
                guard x >= 0, x < size, y >= 0, y < size else { continue }
                let ring = Swift.max(abs(dx), abs(dy))
                setFunction(x: x, y: y, dark: ring != 2 && ring != 4)
            }
        }
    }

    /// A 5 × 5 alignment pattern: dark ring, light ring, dark centre.
    private mutating func drawAlignmentPattern(centreX: Int, centreY: Int) {
        for dy in -2...2 {
            for dx in -2...2 {
                setFunction(x: centreX + dx, y: centreY + dy, dark: Swift.max(abs(dx), abs(dy)) != 1)
            }
        }
    }

    /// Places the final codeword sequence in the data area (§7.7.3): two-module-wide columns
    /// from the right edge, alternately upwards and downwards, skipping the vertical timing
    /// column and every function module, most significant bit first. Modules left over after
    /// the last codeword (remainder bits) stay light.
    mutating func placeCodewords(_ codewords: [UInt8]) {
        precondition(codewords.count == version.rawCodewords, "wrong number of codewords for the version")
        let totalBits = codewords.count * 8
        let size = self.size, words = self.words
        var bitIndex = 0
        darkRows.withUnsafeMutableBufferPointer { darkRows in
            functionRows.withUnsafeBufferPointer { functionRows in
                codewords.withUnsafeBufferPointer { codewords in
                    var right = size - 1
                    while right >= 1 {
                        if right == 6 { right = 5 }
                        let upward = (right + 1) & 2 == 0
                        for step in 0..<size {
                            let y = upward ? size - 1 - step : step
                            for column in 0..<2 {
                                let x = right - column
                                let word = y * words + (x >> 6), shift = UInt64(x & 63)
                                guard (functionRows[word] >> shift) & 1 == 0, bitIndex < totalBits else { continue }
                                let bit = UInt64((codewords[bitIndex >> 3] >> UInt8(7 - (bitIndex & 7))) & 1)
                                darkRows[word] |= bit << shift
                                bitIndex += 1
                            }
                        }
                        right -= 2
                    }
                }
            }
        }
        precondition(bitIndex == totalBits)
    }
}
