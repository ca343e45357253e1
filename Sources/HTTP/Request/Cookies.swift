/// Parses `Cookie` request headers (`a=b; c="d"`) into a dictionary.
enum Cookies {
    /// Every well-formed cookie from every Cookie header. Malformed pieces are skipped rather than failing
    /// the request (browsers send whatever other sites on the domain set); when a name repeats, the first
    /// one wins, since browsers list the most specific path first.
    ///
    /// Works on the UTF-8 bytes: every byte a cookie may hold is ASCII, and this runs on every request.
    static func parse(_ headerValues: [String]) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in headerValues {
            var header = header
            header.withUTF8 { bytes in
                var start = 0
                while start < bytes.count {
                    let end = bytes[start...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
                    if let (name, value) = parsePair(bytes, start, end), cookies[name] == nil {
                        cookies[name] = value
                    }
                    start = end + 1
                }
            }
        }
        return cookies
    }

    /// One `name=value` pair from `bytes[start..<end]`, or nil when the name is not a token or the value
    /// has bytes RFC 6265 does not allow in a cookie (controls, spaces, quotes, commas, semicolons,
    /// backslashes, anything beyond ASCII).
    private static func parsePair(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (String, String)? {
        var lower = start, upper = end
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
        guard let equals = bytes[lower..<upper].firstIndex(of: UInt8(ascii: "=")), equals > lower else { return nil }
        let name = UnsafeBufferPointer(rebasing: bytes[lower..<equals])
        guard name.allSatisfy(ASCII.isTokenCharacter) else { return nil }
        var valueStart = equals + 1, valueEnd = upper
        if valueEnd - valueStart >= 2, bytes[valueStart] == UInt8(ascii: "\""), bytes[valueEnd - 1] == UInt8(ascii: "\"") {
            valueStart += 1
            valueEnd -= 1
        }
        let value = UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd])
        guard value.allSatisfy(isCookieOctet) else { return nil }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    private static func isCookieOctet(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21, 0x23...0x2B, 0x2D...0x3A, 0x3C...0x5B, 0x5D...0x7E: true
        default: false
        }
    }
}
