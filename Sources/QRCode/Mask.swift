/// One of the eight data mask patterns (ISO/IEC 18004 §7.8.2, Table 10). A mask inverts the
/// data modules where its condition holds, to break up large areas and patterns that look like
/// finders; the encoder tries all eight and keeps the one with the lowest penalty.
public struct Mask: Sendable, Hashable, CustomStringConvertible {
    /// The mask pattern reference, 0...7, as written in the format information.
    public let number: Int

    /// The mask with this reference, or nil outside 0...7.
    public init?(_ number: Int) {
        guard (0...7).contains(number) else { return nil }
        self.number = number
    }

    private init(checked number: Int) { self.number = number }

    /// All eight masks in reference order.
    public static let all: [Mask] = (0...7).map { Mask(checked: $0) }

    public var description: String { "\(number)" }

    /// Whether the mask inverts the module in column `x`, row `y`. Table 10 writes i for the
    /// row and j for the column.
    func inverts(x: Int, y: Int) -> Bool {
        switch number {
        case 0: (y + x) % 2 == 0
        case 1: y % 2 == 0
        case 2: x % 3 == 0
        case 3: (y + x) % 3 == 0
        case 4: (y / 2 + x / 3) % 2 == 0
        case 5: (y * x) % 2 + (y * x) % 3 == 0
        case 6: ((y * x) % 2 + (y * x) % 3) % 2 == 0
        default: ((y + x) % 2 + (y * x) % 3) % 2 == 0
        }
    }
}

/// The mask patterns bit-packed for whole lines at a time. Every pattern repeats every 6
/// columns and every 12 rows (the conditions use x mod 2, 3 and 6, y mod 2, 3, 4 and 6), so a
/// row's pattern depends only on y mod 12 and a column's only on x mod 6.
enum MaskPatterns {
    /// 64-bit words per line, enough for the widest symbol (177 modules).
    static let wordsPerLine = 3

    /// `rows[((mask × 12) + y mod 12) × 3 + w]`: bit b of word w is set when the mask inverts
    /// column 64w + b of row y.
    static let rows: [UInt64] = {
        var table = [UInt64](repeating: 0, count: 8 * 12 * wordsPerLine)
        for mask in Mask.all {
            for y in 0..<12 {
                for x in 0..<(64 * wordsPerLine) where mask.inverts(x: x, y: y) {
                    table[(mask.number * 12 + y) * wordsPerLine + x / 64] |= 1 << UInt64(x % 64)
                }
            }
        }
        return table
    }()

    /// `columns[((mask × 6) + x mod 6) × 3 + w]`: bit b of word w is set when the mask inverts
    /// row 64w + b of column x.
    static let columns: [UInt64] = {
        var table = [UInt64](repeating: 0, count: 8 * 6 * wordsPerLine)
        for mask in Mask.all {
            for x in 0..<6 {
                for y in 0..<(64 * wordsPerLine) where mask.inverts(x: x, y: y) {
                    table[(mask.number * 6 + x) * wordsPerLine + y / 64] |= 1 << UInt64(y % 64)
                }
            }
        }
        return table
    }()
}
