/// The two BCH-protected words that tell a reader how to decode the rest: format information
/// (error-correction level and mask, §7.9) and version information (version 7 and up, §7.10).
enum FormatInformation {
    /// The 15 format bits for `ecc` and `mask`: 2 level bits and 3 mask bits, then the 10-bit
    /// remainder of the BCH(15,5) code with generator 0x537, the whole XORed with 0x5412 so
    /// that it is never all zero.
    static func formatBits(ecc: ErrorCorrection, mask: Mask) -> UInt32 {
        let data = ecc.formatBits << 3 | UInt32(mask.number)
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return (data << 10 | remainder) ^ 0x5412
    }

    /// The 18 version bits: 6 bits of version number, then the 12-bit remainder of the
    /// BCH(18,6) code with generator 0x1F25. Only versions 7 and up carry them.
    static func versionBits(_ version: Version) -> UInt32 {
        precondition(version.number >= 7, "versions below 7 have no version information")
        let data = UInt32(version.number)
        var remainder = data
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return data << 12 | remainder
    }

    /// Calls `body(x, y, bit)` for the 30 modules that hold the two copies of the format
    /// information, `bit` being the index into `formatBits` (0 = least significant), in the
    /// layout of Figure 25: bits 0–7 run down column 8 beside the top-left finder (skipping
    /// the timing row) and right along row 8 under the top-right finder; bits 8–14 run left
    /// along row 8 and down column 8 beside the bottom-left finder.
    static func forEachFormatModule(size: Int, _ body: (_ x: Int, _ y: Int, _ bit: Int) -> Void) {
        // Copy beside the top-left finder.
        for bit in 0..<6 { body(8, bit, bit) }
        body(8, 7, 6)
        body(8, 8, 7)
        body(7, 8, 8)
        for bit in 9..<15 { body(14 - bit, 8, bit) }
        // Copy split between the top-right and bottom-left finders.
        for bit in 0..<8 { body(size - 1 - bit, 8, bit) }
        for bit in 8..<15 { body(8, size - 15 + bit, bit) }
    }
}
