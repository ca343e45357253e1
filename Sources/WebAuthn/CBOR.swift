/// One decoded CBOR data item (RFC 8949), limited to what CTAP2 and WebAuthn use: integers, byte and
/// text strings, arrays, maps and the simple values false, true and null. Tags, floats and
/// `undefined` are refused by the decoder, never represented.
public enum CBOR: Sendable, Hashable {
    /// Major type 0: an unsigned integer.
    case unsigned(UInt64)
    /// Major type 1: the negative integer -1 - n, holding n as encoded (RFC 8949 §3.1), so the full
    /// range down to -2^64 fits without overflow.
    case negative(UInt64)
    /// Major type 2: a byte string.
    case bytes([UInt8])
    /// Major type 3: a text string, valid UTF-8.
    case text(String)
    /// Major type 4: an array.
    case array([CBOR])
    /// Major type 5: a map, its entries in encoded order. Keys are unique (the decoder refuses
    /// duplicates, RFC 8949 §5.6).
    case map([(key: CBOR, value: CBOR)])
    /// Major type 7, simple values 20 and 21.
    case bool(Bool)
    /// Major type 7, simple value 22.
    case null

    /// `value` as CBOR: major type 0 when not negative, 1 otherwise.
    public static func integer(_ value: Int64) -> CBOR {
        value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(-(value + 1)))
    }

    /// The integer value when it fits an `Int64`, for major types 0 and 1; nil otherwise.
    public var integerValue: Int64? {
        switch self {
        case .unsigned(let value): value <= UInt64(Int64.max) ? Int64(value) : nil
        case .negative(let n): n <= UInt64(Int64.max) ? -1 - Int64(n) : nil
        default: nil
        }
    }

    public var bytesValue: [UInt8]? {
        if case .bytes(let value) = self { return value }
        return nil
    }

    public var textValue: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    public var arrayValue: [CBOR]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var mapEntries: [(key: CBOR, value: CBOR)]? {
        if case .map(let entries) = self { return entries }
        return nil
    }

    /// The value under `key` when this is a map; keys are unique, so there is at most one.
    public subscript(key: CBOR) -> CBOR? {
        mapEntries?.first { $0.key == key }?.value
    }

    public static func == (left: CBOR, right: CBOR) -> Bool {
        switch (left, right) {
        case (.unsigned(let a), .unsigned(let b)): a == b
        case (.negative(let a), .negative(let b)): a == b
        case (.bytes(let a), .bytes(let b)): a == b
        case (.text(let a), .text(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.map(let a), .map(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .unsigned(let value): hasher.combine(0); hasher.combine(value)
        case .negative(let value): hasher.combine(1); hasher.combine(value)
        case .bytes(let value): hasher.combine(2); hasher.combine(value)
        case .text(let value): hasher.combine(3); hasher.combine(value)
        case .array(let value): hasher.combine(4); hasher.combine(value)
        case .map(let entries):
            hasher.combine(5)
            hasher.combine(entries.count)
            for entry in entries {
                hasher.combine(entry.key)
                hasher.combine(entry.value)
            }
        case .bool(let value): hasher.combine(7); hasher.combine(value)
        case .null: hasher.combine(8)
        }
    }
}

/// Bounds on what one decode may build, so that hostile input costs at most time and memory
/// proportional to its own size.
public struct CBORLimits: Sendable, Equatable {
    /// Deepest nesting of arrays and maps; the top-level item is depth 1. CTAP2 structures nest at most
    /// four deep (attestation object → attStmt → x5c → certificate), so 16 leaves room and keeps the
    /// recursive decoder's stack use small.
    public var maxDepth: Int
    /// Most data items in total, counting every key, value and element.
    public var maxItems: Int
    /// Whether every map's keys must appear in CTAP2 canonical order (CTAP 2.1 §8, "CTAP2 canonical
    /// CBOR encoding form": by major type, then encoded length, then bytewise), strictly increasing.
    public var canonicalMapKeys: Bool
    /// Whether every head must be in its shortest form (CTAP 2.1 §8: "Integers must be encoded as small
    /// as possible", and lengths of strings, arrays and maps likewise; RFC 8949 §4.2.1 "preferred
    /// serialization"). Without it `18 01` and `01` are both the integer 1, so the same key would have
    /// several encodings.
    public var shortestHeads: Bool

    public init(maxDepth: Int = 16, maxItems: Int = 65_536, canonicalMapKeys: Bool = false, shortestHeads: Bool = false) {
        self.maxDepth = maxDepth
        self.maxItems = maxItems
        self.canonicalMapKeys = canonicalMapKeys
        self.shortestHeads = shortestHeads
    }

    public static let `default` = CBORLimits()
    /// For COSE credential public keys, which WebAuthn §6.5.1 requires in CTAP2 canonical form: keys
    /// in canonical order and every head as short as possible.
    public static let canonical = CBORLimits(canonicalMapKeys: true, shortestHeads: true)
}

/// Why CBOR input was refused; offsets count bytes from the start of the input.
public enum CBORError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ends inside an item.
    case truncated(offset: Int)
    /// A string or container declares more content than the input has left.
    case lengthExceedsInput(offset: Int)
    /// An indefinite-length string or container (additional information 31), which CTAP2 forbids.
    case indefiniteLength(offset: Int)
    /// Reserved additional information (28–30), or a stray "break" byte.
    case reservedEncoding(offset: Int)
    /// Tags, floating-point numbers, `undefined` and other simple values.
    case unsupportedType(String, offset: Int)
    /// A text string that is not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// A map key that occurs twice in the same map.
    case duplicateMapKey(offset: Int)
    /// A map key out of canonical order where canonical order is required.
    case nonCanonicalMapKeyOrder(offset: Int)
    /// A head longer than its argument needs where canonical form is required.
    case nonShortestHead(offset: Int)
    /// Nesting deeper than `CBORLimits.maxDepth`.
    case depthExceeded(limit: Int)
    /// More items than `CBORLimits.maxItems`.
    case tooManyItems(limit: Int)
    /// Bytes left after a complete top-level item where none may follow.
    case trailingBytes(count: Int)

    public var description: String {
        switch self {
        case .truncated(let offset): "CBOR truncated at byte \(offset)"
        case .lengthExceedsInput(let offset): "CBOR length at byte \(offset) exceeds the input"
        case .indefiniteLength(let offset): "CBOR indefinite length at byte \(offset)"
        case .reservedEncoding(let offset): "CBOR reserved encoding at byte \(offset)"
        case .unsupportedType(let type, let offset): "CBOR \(type) at byte \(offset) is not supported"
        case .invalidUTF8(let offset): "CBOR text at byte \(offset) is not UTF-8"
        case .duplicateMapKey(let offset): "CBOR duplicate map key at byte \(offset)"
        case .nonCanonicalMapKeyOrder(let offset): "CBOR map key at byte \(offset) is out of canonical order"
        case .nonShortestHead(let offset): "CBOR head at byte \(offset) is not in its shortest form"
        case .depthExceeded(let limit): "CBOR nesting deeper than \(limit)"
        case .tooManyItems(let limit): "CBOR has more than \(limit) items"
        case .trailingBytes(let count): "\(count) bytes after the CBOR item"
        }
    }
}
