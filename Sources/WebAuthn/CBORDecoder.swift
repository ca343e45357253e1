extension CBOR {
    /// Decodes `bytes` as exactly one data item; anything after it is an error (as for the attestation
    /// object, WebAuthn §6.5.4, and a stored COSE key).
    public static func decode(_ bytes: [UInt8], limits: CBORLimits = .default) throws(CBORError) -> CBOR {
        let (item, consumed) = try decodePrefix(bytes, limits: limits)
        guard consumed == bytes.count else { throw .trailingBytes(count: bytes.count - consumed) }
        return item
    }

    /// Decodes the one data item at the start of `bytes` and says how many bytes it took. Authenticator
    /// data needs this: its credential public key is a CBOR item that may be followed by the
    /// extensions map (WebAuthn §6.1), with no length prefix to separate them.
    public static func decodePrefix(_ bytes: [UInt8], limits: CBORLimits = .default) throws(CBORError) -> (item: CBOR, consumed: Int) {
        var decoder = CBORDecoder(input: bytes, limits: limits)
        let item = try decoder.item(depth: 1)
        return (item, decoder.position)
    }
}

/// A recursive-descent reader over one input. Every length read from the input is compared with what
/// the input still holds before anything is allocated from it, so a few hostile bytes claiming a
/// 2^63-byte string fail at once instead of exhausting memory; and an array's or map's claimed count
/// reserves nothing, so memory follows what was actually read.
struct CBORDecoder {
    let input: [UInt8]
    let limits: CBORLimits
    private(set) var position = 0
    private var items = 0

    init(input: [UInt8], limits: CBORLimits) {
        self.input = input
        self.limits = limits
    }

    private var remaining: Int { input.count - position }

    mutating func item(depth: Int) throws(CBORError) -> CBOR {
        guard depth <= limits.maxDepth else { throw .depthExceeded(limit: limits.maxDepth) }
        try countItem()
        let start = position
        guard position < input.count else { throw .truncated(offset: position) }
        let initial = input[position]
        position += 1
        let major = initial >> 5
        let info = initial & 0x1F

        if major == 7 { return try simple(info: info, at: start) }
        guard info != 31 else {
            // Indefinite lengths exist only for major types 2–5; on 0, 1 and 6 the value 31 is simply not well-formed.
            throw (2...5).contains(major) ? .indefiniteLength(offset: start) : .reservedEncoding(offset: start)
        }
        let argument = try self.argument(info: info, at: start)

        switch major {
        case 0:
            return .unsigned(argument)
        case 1:
            return .negative(argument)
        case 2:
            return .bytes(try take(argument, at: start))
        case 3:
            let bytes = try take(argument, at: start)
            // Decoding replaces invalid sequences with U+FFFD; a round trip that changes the bytes shows them.
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.utf8.elementsEqual(bytes) else { throw .invalidUTF8(offset: start) }
            return .text(text)
        case 4:
            // Every element takes at least one byte.
            guard argument <= UInt64(remaining) else { throw .lengthExceedsInput(offset: start) }
            // No capacity is reserved from the claimed count: the bound above lets a 1 MiB input claim a
            // million elements at each of 16 nested levels, and reserving them all before reading any
            // would cost hundreds of megabytes for one request. The array grows as elements arrive.
            var elements: [CBOR] = []
            for _ in 0..<Int(argument) { elements.append(try item(depth: depth + 1)) }
            return .array(elements)
        case 5:
            return try map(count: argument, depth: depth, at: start)
        default:
            throw .unsupportedType("tag", offset: start)
        }
    }

    private mutating func map(count argument: UInt64, depth: Int, at start: Int) throws(CBORError) -> CBOR {
        // Every entry takes at least two bytes, a key and a value.
        guard argument <= UInt64(remaining / 2) else { throw .lengthExceedsInput(offset: start) }
        // Grown as entries arrive, never reserved from the claimed count (see arrays above).
        var entries: [(key: CBOR, value: CBOR)] = []
        var seen = Set<CBOR>()
        var previousKey: ArraySlice<UInt8>?
        for _ in 0..<Int(argument) {
            let keyStart = position
            let key = try item(depth: depth + 1)
            let encodedKey = input[keyStart..<position]
            // RFC 8949 §5.6: a map with duplicate keys is not valid, whatever a lenient decoder would keep.
            guard seen.insert(key).inserted else { throw .duplicateMapKey(offset: keyStart) }
            if limits.canonicalMapKeys, let previous = previousKey, !CBORDecoder.precedes(previous, encodedKey) {
                throw .nonCanonicalMapKeyOrder(offset: keyStart)
            }
            previousKey = encodedKey
            let value = try item(depth: depth + 1)
            entries.append((key, value))
        }
        return .map(entries)
    }

    /// CTAP2 canonical key order: lower major type first, then the shorter encoding, then bytewise.
    static func precedes(_ left: ArraySlice<UInt8>, _ right: ArraySlice<UInt8>) -> Bool {
        let leftMajor = left.first.map { $0 >> 5 } ?? 0
        let rightMajor = right.first.map { $0 >> 5 } ?? 0
        if leftMajor != rightMajor { return leftMajor < rightMajor }
        if left.count != right.count { return left.count < right.count }
        return left.lexicographicallyPrecedes(right)
    }

    private mutating func simple(info: UInt8, at start: Int) throws(CBORError) -> CBOR {
        switch info {
        case 20: return .bool(false)
        case 21: return .bool(true)
        case 22: return .null
        case 23: throw .unsupportedType("undefined", offset: start)
        case 24: throw .unsupportedType("simple value", offset: start)
        case 25, 26, 27: throw .unsupportedType("floating-point number", offset: start)
        case 28, 29, 30, 31: throw .reservedEncoding(offset: start)
        default: throw .unsupportedType("simple value", offset: start)
        }
    }

    /// The head's argument (RFC 8949 §3): the additional information itself below 24, else the 1, 2,
    /// 4 or 8 big-endian bytes that follow.
    private mutating func argument(info: UInt8, at start: Int) throws(CBORError) -> UInt64 {
        let width: Int
        switch info {
        case 0..<24: return UInt64(info)
        case 24: width = 1
        case 25: width = 2
        case 26: width = 4
        case 27: width = 8
        default: throw .reservedEncoding(offset: start)
        }
        guard remaining >= width else { throw .truncated(offset: position) }
        var value: UInt64 = 0
        for byte in input[position..<(position + width)] { value = value << 8 | UInt64(byte) }
        position += width
        // The shortest form: below 24 in the initial byte, else the fewest argument bytes that hold it.
        if limits.shortestHeads {
            let shortest = value < 24 ? 0 : value <= 0xFF ? 1 : value <= 0xFFFF ? 2 : value <= 0xFFFF_FFFF ? 4 : 8
            guard width == shortest else { throw .nonShortestHead(offset: start) }
        }
        return value
    }

    /// The next `length` bytes, checked against the input before anything is copied.
    private mutating func take(_ length: UInt64, at start: Int) throws(CBORError) -> [UInt8] {
        guard length <= UInt64(remaining) else { throw .lengthExceedsInput(offset: start) }
        let bytes = Array(input[position..<(position + Int(length))])
        position += Int(length)
        return bytes
    }

    /// Counts one more item against the limit.
    private mutating func countItem() throws(CBORError) {
        items += 1
        guard items <= limits.maxItems else { throw .tooManyItems(limit: limits.maxItems) }
    }
}
