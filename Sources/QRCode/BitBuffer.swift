/// A growable string of bits, packed eight to a byte with the first bit in the high bit of
/// byte 0: the order in which QR codewords are read.
public struct BitBuffer: Sendable, Hashable {
    /// The packed bits; bits past `count` in the last byte are zero.
    public private(set) var bytes: [UInt8] = []
    /// Number of bits appended so far.
    public private(set) var count: Int = 0

    /// An empty buffer.
    public init() {}

    /// An empty buffer with room for `capacity` bits before it reallocates.
    public init(capacity: Int) {
        bytes.reserveCapacity((capacity + 7) / 8)
    }

    /// The bits of `bytes`, eight to a byte, high bit first.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        count = bytes.count * 8
    }

    /// Bit `index`, counted from the first bit appended.
    public subscript(index: Int) -> Bool {
        precondition(index >= 0 && index < count, "bit index out of range")
        return bytes[index >> 3] & (0x80 >> UInt8(index & 7)) != 0
    }

    /// Appends the low `bitCount` bits of `value`, most significant first.
    /// `bitCount` is 0...31 and `value` must fit in it.
    public mutating func append(_ value: UInt32, bitCount: Int) {
        precondition(bitCount >= 0 && bitCount <= 31 && value >> UInt32(bitCount) == 0,
                     "value does not fit in bitCount bits")
        var remaining = bitCount
        while remaining > 0 {
            let used = count & 7
            if used == 0 { bytes.append(0) }
            let free = 8 - used
            let taken = Swift.min(free, remaining)
            let chunk = (value >> UInt32(remaining - taken)) & ((1 << UInt32(taken)) - 1)
            bytes[bytes.count - 1] |= UInt8(chunk << UInt32(free - taken))
            remaining -= taken
            count += taken
        }
    }

    /// Appends every bit of `other`, a byte at a time.
    public mutating func append(contentsOf other: BitBuffer) {
        let wholeBytes = other.count / 8
        if count & 7 == 0 {
            // Aligned: the bytes can be copied as they are.
            bytes.append(contentsOf: other.bytes[0..<wholeBytes])
            count += wholeBytes * 8
        } else {
            for index in 0..<wholeBytes { append(UInt32(other.bytes[index]), bitCount: 8) }
        }
        let tailBits = other.count & 7
        if tailBits > 0 {
            append(UInt32(other.bytes[wholeBytes] >> UInt8(8 - tailBits)), bitCount: tailBits)
        }
    }
}
