/// RFC 4648 §5 base64url without padding, as used in tokens and URLs. Decoding is strict (only
/// A-Z a-z 0-9 - _, no padding, no whitespace, unused trailing bits zero) so each value has exactly one
/// spelling and a token cannot be altered into an equivalent one.
public enum Base64URL {
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        Base64Codec.encode(bytes, alphabet: .url, padded: false)
    }

    public static func decode(_ string: String) -> [UInt8]? {
        Base64Codec.decode(string, alphabet: .url, padded: false)
    }
}

/// RFC 4648 §4 base64 with the standard alphabet and padding. Decoding is equally strict: padding is
/// required, and anything else outside the alphabet is rejected.
public enum Base64 {
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        Base64Codec.encode(bytes, alphabet: .standard, padded: true)
    }

    public static func decode(_ string: String) -> [UInt8]? {
        Base64Codec.decode(string, alphabet: .standard, padded: true)
    }
}

/// Hexadecimal: lower case when encoding; either case accepted when decoding, nothing else.
public enum Hex {
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        // Written straight into the string's storage: this runs on every page (the CSRF binding).
        String(unsafeUninitializedCapacity: bytes.count * 2) { output in
            var index = 0
            for byte in bytes {
                output[index] = digit(byte >> 4)
                output[index + 1] = digit(byte & 0x0F)
                index += 2
            }
            return index
        }
    }

    private static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    public static func decode(_ string: String) -> [UInt8]? {
        let characters = Array(string.utf8)
        guard characters.count.isMultiple(of: 2) else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(characters.count / 2)
        var index = 0
        while index < characters.count {
            guard let high = value(of: characters[index]), let low = value(of: characters[index + 1]) else { return nil }
            output.append(high << 4 | low)
            index += 2
        }
        return output
    }

    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The shared base64 engine behind `Base64`, `Base64URL` and the password hash encoding.
enum Base64Codec {
    /// One of the two RFC 4648 alphabets, with its reverse lookup table.
    struct Alphabet: Sendable {
        let symbols: [UInt8]
        /// Symbol value per byte, 0xFF for bytes outside the alphabet.
        let values: [UInt8]

        init(_ symbols: String) {
            self.symbols = Array(symbols.utf8)
            var values = [UInt8](repeating: 0xFF, count: 256)
            for (value, symbol) in self.symbols.enumerated() { values[Int(symbol)] = UInt8(value) }
            self.values = values
        }

        static let standard = Alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        static let url = Alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    }

    static func encode(_ bytes: some Collection<UInt8>, alphabet: Alphabet, padded: Bool) -> String {
        let input = Array(bytes)
        let symbols = alphabet.symbols
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let remaining = input.count - index
            let b0 = UInt32(input[index])
            let b1 = remaining > 1 ? UInt32(input[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(input[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            output.append(symbols[Int(group >> 18 & 0x3F)])
            output.append(symbols[Int(group >> 12 & 0x3F)])
            if remaining > 1 { output.append(symbols[Int(group >> 6 & 0x3F)]) } else if padded { output.append(UInt8(ascii: "=")) }
            if remaining > 2 { output.append(symbols[Int(group & 0x3F)]) } else if padded { output.append(UInt8(ascii: "=")) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ string: String, alphabet: Alphabet, padded: Bool) -> [UInt8]? {
        var characters = Array(string.utf8)
        if padded {
            guard characters.count.isMultiple(of: 4) else { return nil }
            var padding = 0
            while padding < 2, characters.last == UInt8(ascii: "=") {
                characters.removeLast()
                padding += 1
            }
        }
        // A lone symbol carries only 6 bits, less than one byte, so no valid encoding ends that way.
        guard characters.count % 4 != 1 else { return nil }
        var values: [UInt32] = []
        values.reserveCapacity(characters.count)
        for character in characters {
            let value = alphabet.values[Int(character)]
            guard value != 0xFF else { return nil }
            values.append(UInt32(value))
        }
        var output: [UInt8] = []
        output.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index + 4 <= values.count {
            let group = values[index] << 18 | values[index + 1] << 12 | values[index + 2] << 6 | values[index + 3]
            output.append(UInt8(group >> 16 & 0xFF))
            output.append(UInt8(group >> 8 & 0xFF))
            output.append(UInt8(group & 0xFF))
            index += 4
        }
        switch values.count - index {
        case 2:
            // Non-zero unused bits would give a second spelling of the same bytes.
            guard values[index + 1] & 0x0F == 0 else { return nil }
            output.append(UInt8((values[index] << 2 | values[index + 1] >> 4) & 0xFF))
        case 3:
            guard values[index + 2] & 0x03 == 0 else { return nil }
            let group = values[index] << 10 | values[index + 1] << 4 | values[index + 2] >> 2
            output.append(UInt8(group >> 8 & 0xFF))
            output.append(UInt8(group & 0xFF))
        default:
            break
        }
        return output
    }
}
