/// Parses `Cookie` request headers (`a=b; c="d"`) into a dictionary.
enum Cookies {
    /// Every well-formed cookie from every Cookie header. Malformed pieces are skipped rather than failing
    /// the request (browsers send whatever other sites on the domain set); when a name repeats, the first
    /// one wins, since browsers list the most specific path first.
    static func parse(_ headerValues: [String]) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in headerValues {
            for piece in header.split(separator: ";", omittingEmptySubsequences: true) {
                guard let (name, value) = parsePair(piece.trimmingASCIISpaces()),
                      cookies[name] == nil else { continue }
                cookies[name] = value
            }
        }
        return cookies
    }

    /// One `name=value` pair, or nil when the name is not a token or the value has characters RFC 6265
    /// does not allow in a cookie (controls, spaces, quotes, commas, semicolons, backslashes).
    private static func parsePair(_ piece: Substring) -> (String, String)? {
        guard let equals = piece.firstIndex(of: "=") else { return nil }
        let name = piece[..<equals]
        var value = piece[piece.index(after: equals)...]
        guard ASCII.isToken(name) else { return nil }
        if value.utf8.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            value = value.dropFirst().dropLast()
        }
        guard value.utf8.allSatisfy(isCookieOctet) else { return nil }
        return (String(name), String(value))
    }

    private static func isCookieOctet(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21, 0x23...0x2B, 0x2D...0x3A, 0x3C...0x5B, 0x5D...0x7E: true
        default: false
        }
    }
}
