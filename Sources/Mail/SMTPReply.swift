/// One server reply: its three-digit code and the text of each of its lines.
struct SMTPReply: Sendable, Equatable {
    let code: Int
    let lines: [String]

    /// The text of all lines, for error messages.
    var message: String { lines.joined(separator: " / ") }

    /// RFC 5321 §4.2.1: 2yz "Positive Completion", 3yz "Positive Intermediate".
    var isPositive: Bool { (200..<400).contains(code) }

    /// The error for a reply the client did not expect: 4xx and 5xx keep their code, so the caller
    /// can tell transient from permanent; a positive reply in the wrong place is a broken server.
    var unexpected: MailError {
        isPositive ? .connection("unexpected reply \(code) \(message)") : .rejected(code: code, message: message)
    }

    /// The service extensions an EHLO reply announces (RFC 5321 §4.1.1.1: every line after the first
    /// is `ehlo-keyword *(SP ehlo-param)`), keyword upper-cased, mapped to its parameters.
    var extensions: [String: [String]] {
        var result: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            if let keyword = words.first { result[keyword.uppercased()] = Array(words.dropFirst()) }
        }
        return result
    }
}

/// Assembles a reply from lines, multi-line replies included. RFC 5321 §4.2.1: every line but the
/// last is `code-text`, the last is `code SP text` (or the bare code), all with the same code.
struct SMTPReplyParser {
    /// A bound on lines per reply, so a server cannot make the client collect text without end.
    static let maximumLines = 200

    private var code: Int?
    private var lines: [String] = []

    /// Takes one line without its line break; returns the reply once its last line has arrived.
    mutating func feed(_ line: [UInt8]) throws(MailError) -> SMTPReply? {
        let text = String(decoding: line, as: UTF8.self)
        guard line.count >= 3, line[0..<3].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let lineCode = Int(String(decoding: line[0..<3], as: UTF8.self)), (200..<600).contains(lineCode)
        else { throw .connection("malformed reply line \(text.debugDescription)") }
        if let code, code != lineCode {
            throw .connection("reply lines disagree on the code: \(code) then \(lineCode)")
        }
        let separator = line.count > 3 ? line[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw .connection("malformed reply line \(text.debugDescription)")
        }
        code = lineCode
        lines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
        guard lines.count <= Self.maximumLines else { throw .connection("reply longer than \(Self.maximumLines) lines") }
        guard separator == UInt8(ascii: " ") else { return nil }
        let reply = SMTPReply(code: lineCode, lines: lines)
        code = nil
        lines = []
        return reply
    }
}

/// The DATA payload transparency of RFC 5321 §4.5.2.
enum DotStuffing {
    /// "Before sending a line of mail text, the SMTP client checks the first character of the line.
    /// If it is a period, one additional period is inserted at the beginning of the line." The
    /// result ends with the end-of-data marker, CRLF "." CRLF, adding a CRLF first if the text has
    /// no final line break.
    static func stuffed(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        for byte in message {
            if atLineStart && byte == UInt8(ascii: ".") { output.append(byte) }
            output.append(byte)
            atLineStart = byte == 0x0A
        }
        if !output.isEmpty && output.suffix(2) != [0x0D, 0x0A] { output += [0x0D, 0x0A] }
        return output + Array(".\r\n".utf8)
    }
}
