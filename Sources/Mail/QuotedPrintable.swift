/// The body transfer encoding. Quoted-printable keeps the ASCII of a password-reset link readable in
/// the raw message while any UTF-8 still travels over 7-bit SMTP, with no `8BITMIME` needed.
enum QuotedPrintable {
    /// RFC 2045 §6.7 rule 5: "encoded lines be no more than 76 characters long". Content goes up to
    /// 75 so that a soft line break `=` always fits after it.
    private static let contentPerLine = 75

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), equals = UInt8(ascii: "=")
    private static let crlf: [UInt8] = [0x0D, 0x0A]

    /// Encodes `text` with every line break (CRLF, bare LF, bare CR) written as CRLF, which RFC 5322
    /// §2.3 requires ("CR and LF MUST only occur together as CRLF"). Without a final line break, the
    /// last line ends in a soft break (`=` CRLF), so the message still ends in CRLF as DATA needs
    /// while the decoded text gains no newline it did not have.
    static func encode(_ text: String) -> [UInt8] {
        let (lines, endsWithBreak) = normalizedLines(text)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8 + 8)
        for (index, line) in lines.enumerated() {
            encodeLine(line, into: &output)
            if index < lines.count - 1 || endsWithBreak {
                output += crlf
            } else {
                output += [equals] + crlf
            }
        }
        return output
    }

    /// The lines of `text`, split at CRLF, LF and CR alike, and whether it ended with a break.
    static func normalizedLines(_ text: String) -> (lines: [[UInt8]], endsWithBreak: Bool) {
        let bytes = Array(text.utf8)
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D || byte == 0x0A {
                lines.append(line)
                line = []
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
            } else {
                line.append(byte)
            }
            index += 1
        }
        let endsWithBreak = bytes.last == 0x0D || bytes.last == 0x0A
        if !endsWithBreak && !bytes.isEmpty { lines.append(line) }
        return (lines, endsWithBreak)
    }

    /// One line of text, with soft breaks (rule 5) where it would pass 76 characters.
    private static func encodeLine(_ line: [UInt8], into output: inout [UInt8]) {
        var length = 0
        for (index, byte) in line.enumerated() {
            let isLast = index == line.count - 1
            let literal: Bool
            switch byte {
            // Rule 3: space and tab stay literal except at the end of a line, where a transport may
            // strip them; there they are encoded.
            case space, tab: literal = !isLast
            // Rule 2: printable ASCII stands for itself, except "=", which starts an escape.
            case equals: literal = false
            case 33...126: literal = true
            // Rule 1: everything else, UTF-8 bytes included, as "=" and two upper-case hex digits.
            default: literal = false
            }
            let width = literal ? 1 : 3
            if length + width > contentPerLine {
                output += [equals] + crlf
                length = 0
            }
            if literal {
                output.append(byte)
            } else {
                output += [equals, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
            length += width
        }
    }
}
