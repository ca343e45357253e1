/// A symbol version, 1...40: version *v* is a square of 4*v* + 17 modules a side.
public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The version number, 1...40.
    public let number: Int

    /// The version with this number, or nil outside 1...40.
    public init?(_ number: Int) {
        guard (1...40).contains(number) else { return nil }
        self.number = number
    }

    private init(checked number: Int) { self.number = number }

    /// The smallest symbol, 21 × 21 modules.
    public static let min = Version(checked: 1)
    /// The largest symbol, 177 × 177 modules.
    public static let max = Version(checked: 40)

    public static func < (lhs: Version, rhs: Version) -> Bool { lhs.number < rhs.number }

    public var description: String { "\(number)" }

    /// Modules on each side of the symbol, without quiet zone.
    public var size: Int { number * 4 + 17 }

    /// The version after this one, or nil after 40.
    var next: Version? { Version(number + 1) }

    /// Which column of the character-count table applies: 0 for versions 1–9, 1 for 10–26, 2 for 27–40.
    var countBitsColumn: Int { (number + 7) / 17 }

    /// Data codewords (bytes of segments, terminator and padding) that fit at `ecc`: the raw
    /// codewords minus the error-correction codewords of every block.
    public func dataCodewords(at ecc: ErrorCorrection) -> Int {
        rawCodewords - eccCodewordsPerBlock(ecc) * eccBlockCount(ecc)
    }

    /// Codewords of the whole symbol, data and error correction together; leftover remainder
    /// bits (0–7) are not counted.
    var rawCodewords: Int { rawDataModules / 8 }

    /// Modules left for codewords once the function patterns, format and version information are
    /// drawn, remainder bits included. The area is counted rather than tabulated: the whole
    /// square, minus the finder patterns with separators and format information (3 × 64 + 31),
    /// the timing patterns, the alignment patterns that do not overlap them, and the two
    /// 18-module version information blocks from version 7 on.
    var rawDataModules: Int {
        var result = (16 * number + 128) * number + 64
        if number >= 2 {
            let alignmentsPerSide = number / 7 + 2
            result -= (25 * alignmentsPerSide - 10) * alignmentsPerSide - 55
            if number >= 7 { result -= 36 }
        }
        return result
    }

    func eccCodewordsPerBlock(_ ecc: ErrorCorrection) -> Int {
        SpecTables.eccCodewordsPerBlock[ecc.tableRow][number]
    }

    func eccBlockCount(_ ecc: ErrorCorrection) -> Int {
        SpecTables.eccBlockCount[ecc.tableRow][number]
    }

    /// Centre coordinates of the alignment patterns, used on both axes.
    var alignmentPatternCentres: [Int] { SpecTables.alignmentPatternCentres[number] }
}
