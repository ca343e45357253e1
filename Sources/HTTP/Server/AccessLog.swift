/// Formats the one access-log line written per answered request:
/// `127.0.0.1 "GET /portal/profile" 200 5123 1.4ms`.
enum AccessLog {
    /// Logs the raw path only: the query can carry secrets such as password-reset tokens. Built as
    /// bytes and made a string once: this runs for every request.
    static func line(remoteAddress: String, method: String, rawTarget: [UInt8], status: Int, bodyBytes: Int,
                     elapsed: Duration) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(remoteAddress.utf8.count + method.utf8.count + rawTarget.count + 40)
        output.append(contentsOf: remoteAddress.utf8)
        output.append(contentsOf: " \"".utf8)
        appendEscaped(method.utf8, to: &output)
        output.append(UInt8(ascii: " "))
        appendEscaped(rawTarget.prefix { $0 != UInt8(ascii: "?") }, to: &output)
        output.append(contentsOf: "\" ".utf8)
        appendDecimal(status, to: &output)
        output.append(UInt8(ascii: " "))
        appendDecimal(bodyBytes, to: &output)
        output.append(UInt8(ascii: " "))
        appendMilliseconds(elapsed, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Percent-escapes quotes, backslashes, spaces, control and non-ASCII bytes, so nothing a client
    /// sends can end the quoted part early or forge a second line.
    static func escaped(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        appendEscaped(bytes, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func appendEscaped(_ bytes: some Sequence<UInt8>, to output: inout [UInt8]) {
        func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10 }
        for byte in bytes {
            if byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0x0F))
            }
        }
    }

    /// Milliseconds with one decimal, computed in integers so the output never depends on the locale.
    static func milliseconds(_ elapsed: Duration) -> String {
        var output: [UInt8] = []
        appendMilliseconds(elapsed, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func appendMilliseconds(_ elapsed: Duration, to output: inout [UInt8]) {
        let (seconds, attoseconds) = elapsed.components
        let tenths = max(0, seconds * 10_000 + (attoseconds + 50_000_000_000_000) / 100_000_000_000_000)
        appendDecimal(Int(tenths / 10), to: &output)
        output.append(UInt8(ascii: "."))
        output.append(UInt8(ascii: "0") + UInt8(tenths % 10))
        output.append(contentsOf: "ms".utf8)
    }

    /// Decimal digits (a small string, so no allocation).
    private static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        output.append(contentsOf: String(value).utf8)
    }
}
