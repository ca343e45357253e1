import Foundation

/// A received message taken apart the simple way a test can trust: headers unfolded (RFC 5322
/// §2.2.3: remove each CRLF that precedes white space), the body left as raw lines.
struct ParsedMessage {
    let headerLines: [String]
    let headers: [String: String]
    let rawLines: [String]
    let body: [UInt8]

    init(_ raw: [UInt8]) {
        let text = String(decoding: raw, as: UTF8.self)
        rawLines = text.components(separatedBy: "\r\n")
        let split = text.range(of: "\r\n\r\n")
        let head = split.map { String(text[..<$0.lowerBound]) } ?? text
        body = split.map { Array(text[$0.upperBound...].utf8) } ?? []
        headerLines = head.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: "\t")
            .components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in headerLines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
    }

    /// The body decoded from quoted-printable, as UTF-8.
    var decodedBody: String { String(decoding: decodeQuotedPrintable(body), as: UTF8.self) }
}

/// RFC 2045 §6.7 decoding: `=` CRLF is a soft break, `=XX` an octet, everything else itself.
func decodeQuotedPrintable(_ encoded: [UInt8]) -> [UInt8] {
    var output: [UInt8] = []
    var index = 0
    while index < encoded.count {
        let byte = encoded[index]
        if byte == UInt8(ascii: "="), index + 2 < encoded.count {
            let next = Array(encoded[(index + 1)...(index + 2)])
            if next == [0x0D, 0x0A] {
                index += 3
                continue
            }
            if let value = UInt8(String(decoding: next, as: UTF8.self), radix: 16) {
                output.append(value)
                index += 3
                continue
            }
        }
        output.append(byte)
        index += 1
    }
    return output
}

/// RFC 2047 decoding of a header value: each `=?utf-8?B?…?=` word becomes its text, and the white
/// space between two adjacent encoded words disappears (§6.2).
func decodeEncodedWords(_ value: String) -> String {
    let tokens = value.components(separatedBy: " ")
    var output = ""
    var previousWasEncoded = false
    for (index, token) in tokens.enumerated() {
        if token.lowercased().hasPrefix("=?utf-8?b?"), token.hasSuffix("?="),
           let data = Data(base64Encoded: String(token.dropFirst(10).dropLast(2))) {
            if index > 0 && !previousWasEncoded { output += " " }
            output += String(decoding: data, as: UTF8.self)
            previousWasEncoded = true
        } else {
            if index > 0 { output += " " }
            output += token
            previousWasEncoded = false
        }
    }
    return output
}
