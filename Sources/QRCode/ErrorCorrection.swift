/// How much of a symbol may be damaged and still be read: the share of codewords spent on
/// Reed–Solomon error correction rather than data.
public enum ErrorCorrection: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Recovers about 7 % of the codewords.
    case low
    /// Recovers about 15 % of the codewords.
    case medium
    /// Recovers about 25 % of the codewords.
    case quartile
    /// Recovers about 30 % of the codewords.
    case high

    /// The level named by its letter in the standard: "L", "M", "Q" or "H" (either case).
    public init?(letter: String) {
        switch letter.uppercased() {
        case "L": self = .low
        case "M": self = .medium
        case "Q": self = .quartile
        case "H": self = .high
        default: return nil
        }
    }

    /// The standard's one-letter name for the level.
    public var letter: String {
        switch self {
        case .low: "L"
        case .medium: "M"
        case .quartile: "Q"
        case .high: "H"
        }
    }

    public var description: String { letter }

    /// Row of this level in the capacity tables (`SpecTables`), lowest level first.
    var tableRow: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .quartile: 2
        case .high: 3
        }
    }

    /// The two error-correction bits of the format information (ISO/IEC 18004 Table 12).
    /// They are not in level order: L = 01, M = 00, Q = 11, H = 10.
    var formatBits: UInt32 {
        switch self {
        case .low: 0b01
        case .medium: 0b00
        case .quartile: 0b11
        case .high: 0b10
        }
    }
}
