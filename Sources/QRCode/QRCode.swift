/// A QR Code symbol (ISO/IEC 18004 Model 2): a square of dark and light modules.
///
/// Make one with `encode(text:ecc:)`, or `encode(segments:ecc:…)` to choose the segments,
/// version range and mask. Read it with `module(x:y:)`, or draw it with `SVGWriter`.
public struct QRCode: Sendable {
    /// The version, which fixes the size.
    public let version: Version
    /// The error-correction level actually used: `encode` may raise the one asked for when the
    /// data still fits the same version.
    public let errorCorrection: ErrorCorrection
    /// The data mask applied.
    public let mask: Mask
    /// Modules on each side, 21...177, without quiet zone.
    public let size: Int

    /// The modules, bit-packed by row: bit x & 63 of word `y * wordsPerRow + x >> 6` is
    /// module (x, y), set when dark. Bits past `size` are clear.
    let rows: [UInt64]
    /// 64-bit words per row of `rows`.
    let wordsPerRow: Int

    init(version: Version, errorCorrection: ErrorCorrection, mask: Mask, rows: [UInt64]) {
        self.version = version
        self.errorCorrection = errorCorrection
        self.mask = mask
        size = version.size
        wordsPerRow = (size + 63) / 64
        precondition(rows.count == size * wordsPerRow)
        self.rows = rows
    }

    /// Whether the module in column `x`, row `y` (origin top left) is dark; false outside the
    /// symbol, where the quiet zone is.
    public func module(x: Int, y: Int) -> Bool {
        guard x >= 0, x < size, y >= 0, y < size else { return false }
        return (rows[y * wordsPerRow + (x >> 6)] >> UInt64(x & 63)) & 1 != 0
    }
}

/// Why a symbol could not be made.
public enum QRCodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The data needs `neededBits` bits, but the largest version allowed (`maxVersion`) holds
    /// only `capacityBits` at `errorCorrection`.
    case dataTooLong(errorCorrection: ErrorCorrection, maxVersion: Version, neededBits: Int, capacityBits: Int)

    public var description: String {
        switch self {
        case let .dataTooLong(ecc, maxVersion, neededBits, capacityBits):
            // In whole bytes, which read better than bits: the encoded size (headers included,
            // rounded up) against the data codewords of the largest version allowed.
            let limit = maxVersion == .max ? "" : " in version \(maxVersion) or below"
            return "text is too long for a QR code at error correction \(ecc.letter)"
                + " (\((neededBits + 7) / 8) bytes encoded; at most \(capacityBits / 8)\(limit))"
        }
    }
}
