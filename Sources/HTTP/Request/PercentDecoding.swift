/// Strict percent-decoding and UTF-8 validation, shared by the path, query and form decoders.
///
/// Strict on purpose: lenient decoders that pass `%zz` through or repair bad UTF-8 let two different byte
/// strings mean the same thing, which is how filters get bypassed.
enum PercentDecoding {
    /// Decodes `%XX` escapes, and `+` as a space when `plusIsSpace`; nil when a `%` is not followed by two
    /// hex digits.
    static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes, plusIsSpace: Bool) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            bytes.formIndex(after: &index)
            switch byte {
            case UInt8(ascii: "%"):
                guard index != bytes.endIndex, let high = hexValue(bytes[index]) else { return nil }
                bytes.formIndex(after: &index)
                guard index != bytes.endIndex, let low = hexValue(bytes[index]) else { return nil }
                bytes.formIndex(after: &index)
                output.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                output.append(UInt8(ascii: " "))
            default:
                output.append(byte)
            }
        }
        return output
    }

    /// Decodes and then requires valid UTF-8.
    static func decodeString<Bytes: Collection<UInt8>>(_ bytes: Bytes, plusIsSpace: Bool) -> String? {
        decode(bytes, plusIsSpace: plusIsSpace).flatMap(validUTF8)
    }

    /// The string when `bytes` is well-formed UTF-8 (no overlong forms, surrogates or values past
    /// U+10FFFF), nil otherwise. `String(decoding:)` alone would silently substitute U+FFFD.
    static func validUTF8(_ bytes: [UInt8]) -> String? {
        if bytes.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid:
                continue
            case .emptyInput:
                return String(decoding: bytes, as: UTF8.self)
            case .error:
                return nil
            }
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
