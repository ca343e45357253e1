/// A piece of the payload encoded in one mode: the mode indicator and character count that
/// head it in the bit stream, and its data bits (ISO/IEC 18004 §7.4).
///
/// Build segments with `numeric(_:)`, `alphanumeric(_:)` and `bytes(_:)`, or let
/// `makeSegments(_:)` split a text into the shortest sequence of them.
public struct Segment: Sendable, Hashable {
    /// How a segment's characters become bits.
    public enum Mode: Sendable, Hashable, CaseIterable {
        /// Digits 0–9, three to 10 bits.
        case numeric
        /// Digits, upper-case A–Z and ` $%*+-./:`, two to 11 bits.
        case alphanumeric
        /// Any bytes, 8 bits each; text is written as UTF-8.
        case byte

        /// The 4-bit mode indicator (Table 2).
        var indicator: UInt32 {
            switch self {
            case .numeric: 0b0001
            case .alphanumeric: 0b0010
            case .byte: 0b0100
            }
        }

        /// Width of the character count field at `version` (Table 3).
        public func characterCountBits(at version: Version) -> Int {
            let column = version.countBitsColumn
            switch self {
            case .numeric: return SpecTables.characterCountBits.numeric[column]
            case .alphanumeric: return SpecTables.characterCountBits.alphanumeric[column]
            case .byte: return SpecTables.characterCountBits.byte[column]
            }
        }

        /// Whether every character of `text` can be written in this mode.
        public func canEncode(_ text: String) -> Bool {
            switch self {
            case .numeric: text.utf8.allSatisfy(Self.isDigit)
            case .alphanumeric: text.utf8.allSatisfy(Self.isAlphanumeric)
            case .byte: true
            }
        }

        static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

        static func isAlphanumeric(_ byte: UInt8) -> Bool {
            byte < 0x80 && SpecTables.alphanumericValue[Int(byte)] != 0xFF
        }
    }

    /// The mode the data bits are written in.
    public let mode: Mode
    /// Characters for numeric and alphanumeric mode, bytes for byte mode: the value of the
    /// character count field.
    public let characterCount: Int
    /// The data bits, without mode indicator and character count.
    public let bits: BitBuffer

    /// A segment from bits already encoded. Nothing checks that `characterCount` and `bits`
    /// agree with `mode`; the factory functions below produce segments that do.
    public init(mode: Mode, characterCount: Int, bits: BitBuffer) {
        precondition(characterCount >= 0, "negative character count")
        self.mode = mode
        self.characterCount = characterCount
        self.bits = bits
    }

    /// Digits in numeric mode: each group of three digits becomes a 10-bit number, a final
    /// group of two 7 bits, of one 4 bits (§7.4.3). `digits` must hold only 0–9.
    public static func numeric(_ digits: String) -> Segment {
        precondition(Mode.numeric.canEncode(digits), "numeric segment with a character other than 0-9")
        return numeric(ascii: digits.utf8)
    }

    /// `numeric(_:)` on ASCII digits already checked.
    static func numeric(ascii digits: some Collection<UInt8>) -> Segment {
        var bits = BitBuffer(capacity: digits.count * 10 / 3 + 7)
        var group: UInt32 = 0
        var groupLength = 0
        for byte in digits {
            group = group * 10 + UInt32(byte - 0x30)
            groupLength += 1
            if groupLength == 3 {
                bits.append(group, bitCount: 10)
                group = 0
                groupLength = 0
            }
        }
        if groupLength > 0 { bits.append(group, bitCount: groupLength * 3 + 1) }
        return Segment(mode: .numeric, characterCount: digits.count, bits: bits)
    }

    /// Text in alphanumeric mode: each pair of characters becomes 45 × first + second in
    /// 11 bits, a final single character 6 bits (§7.4.4). `text` may hold only 0–9, A–Z
    /// (upper case) and the nine symbols ` $%*+-./:`.
    public static func alphanumeric(_ text: String) -> Segment {
        precondition(Mode.alphanumeric.canEncode(text), "alphanumeric segment with a character outside 0-9 A-Z $%*+-./:")
        return alphanumeric(ascii: text.utf8)
    }

    /// `alphanumeric(_:)` on ASCII characters already checked.
    static func alphanumeric(ascii text: some Collection<UInt8>) -> Segment {
        var bits = BitBuffer(capacity: text.count * 11 / 2 + 6)
        var pair: UInt32 = 0
        var pairLength = 0
        for byte in text {
            pair = pair * 45 + UInt32(SpecTables.alphanumericValue[Int(byte)])
            pairLength += 1
            if pairLength == 2 {
                bits.append(pair, bitCount: 11)
                pair = 0
                pairLength = 0
            }
        }
        if pairLength > 0 { bits.append(pair, bitCount: 6) }
        return Segment(mode: .alphanumeric, characterCount: text.count, bits: bits)
    }

    /// Bytes in byte mode, 8 bits each (§7.4.5). For text pass its UTF-8, as
    /// `bytes(Array(text.utf8))`: readers take byte-mode data as UTF-8 when it is valid UTF-8.
    public static func bytes(_ data: some Collection<UInt8>) -> Segment {
        let bytes = Array(data)
        return Segment(mode: .byte, characterCount: bytes.count, bits: BitBuffer(bytes: bytes))
    }

    /// Bits the segments take at `version`, headers included; nil if a segment has more
    /// characters than its count field can hold at that version.
    static func totalBits(_ segments: [Segment], version: Version) -> Int? {
        var total = 0
        for segment in segments {
            let countBits = segment.mode.characterCountBits(at: version)
            guard segment.characterCount < 1 << countBits else { return nil }
            total += 4 + countBits + segment.bits.count
        }
        return total
    }

    /// Bits the segments take at `version` even when a count field overflows: the size
    /// reported when the data does not fit.
    static func uncheckedTotalBits(_ segments: [Segment], version: Version) -> Int {
        segments.reduce(0) { $0 + 4 + $1.mode.characterCountBits(at: version) + $1.bits.count }
    }
}
