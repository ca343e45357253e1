/// Formats the one access-log line written per answered request:
/// `127.0.0.1 "GET /portal/profile" 200 5123 1.4ms`.
enum AccessLog {
    /// Logs the raw path only: the query can carry secrets such as password-reset tokens.
    static func line(remoteAddress: String, method: String, rawTarget: [UInt8], status: Int, bodyBytes: Int,
                     elapsed: Duration) -> String {
        let path = escaped(rawTarget.prefix { $0 != UInt8(ascii: "?") })
        return "\(remoteAddress) \"\(escaped(method.utf8)) \(path)\" \(status) \(bodyBytes) \(milliseconds(elapsed))"
    }

    /// Percent-escapes quotes, backslashes, spaces, control and non-ASCII bytes, so nothing a client
    /// sends can end the quoted part early or forge a second line.
    static func escaped(_ bytes: some Sequence<UInt8>) -> String {
        // Built as bytes: this runs for every request.
        func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10 }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes {
            if byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0x0F))
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Milliseconds with one decimal, computed in integers so the output never depends on the locale.
    static func milliseconds(_ elapsed: Duration) -> String {
        let (seconds, attoseconds) = elapsed.components
        let tenths = max(0, seconds * 10_000 + (attoseconds + 50_000_000_000_000) / 100_000_000_000_000)
        return "\(tenths / 10).\(tenths % 10)ms"
    }
}
