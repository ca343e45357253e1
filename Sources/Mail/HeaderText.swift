import Crypto

/// Header values as RFC 5322 and RFC 2047 want them written: checked for characters that would end
/// the header early, encoded when they are not plain ASCII, and folded to short lines.
enum HeaderText {
    /// RFC 5322 §2.1.1: lines "SHOULD be no more than 78 characters, excluding the CRLF".
    static let preferredLineLength = 78

    /// Refuses a value that could end the header line or start a new header: CR and LF first of all
    /// (header injection), and every other control character (Unicode category Cc, which includes
    /// NEL U+0085) and the Unicode line and paragraph separators, which some readers treat as breaks.
    static func validate(_ value: String, field: String) throws(MailError) {
        for scalar in value.unicodeScalars {
            if scalar == "\r" || scalar == "\n" { throw .invalidHeader("\(field) contains a line break") }
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator:
                let code = String(scalar.value, radix: 16, uppercase: true)
                throw .invalidHeader("\(field) contains the control character U+\(code)")
            default:
                continue
            }
        }
    }

    /// An unstructured value (Subject): kept as it is when it is printable ASCII that `field` can
    /// fold, encoded words otherwise.
    static func unstructured(_ value: String) -> String {
        if needsEncoding(value) { return encodedWords(value) }
        return value
    }

    /// A display name as an RFC 5322 §3.2.5 phrase: atoms as they are, a quoted-string when it holds
    /// specials, encoded words (allowed in a phrase by RFC 2047 §5 rule 3) when it is not ASCII.
    static func phrase(_ name: String) -> String {
        if needsEncoding(name) { return encodedWords(name) }
        // Leading, trailing or doubled spaces survive only inside quotes; a reader may fold them away.
        let isAtoms = !name.utf8.contains { phraseSpecials.contains($0) }
            && name.first != " " && name.last != " " && !name.contains("  ")
        if isAtoms { return name }
        var quoted = "\""
        for character in name {
            // RFC 5322 §3.2.4: inside a quoted-string only `"` and `\` need a quoted-pair.
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    /// RFC 5322 §3.2.3 specials, and the dot, which is not allowed in an atom of a phrase either.
    private static let phraseSpecials = Set("()<>[]:;@\\,.\"".utf8)

    /// True for text a reader could not take literally: anything outside printable ASCII; text that
    /// looks like an encoded word already (`=?`), which a reader would decode (RFC 2047 §6.1); and a
    /// word too long to fold under the 998-character limit of RFC 5322 §2.1.1.
    private static func needsEncoding(_ value: String) -> Bool {
        if value.utf8.contains(where: { $0 < 0x20 || $0 > 0x7E }) || value.contains("=?") { return true }
        return value.split(separator: " ").contains { $0.utf8.count > 900 }
    }

    /// Longest UTF-8 run in one encoded word: 39 bytes become 52 base64 characters, so a word is
    /// 64 characters, within the 75 of RFC 2047 §2, and "Subject: " plus one word stays under 78.
    private static let bytesPerWord = 39

    /// RFC 2047 B-encoded words separated by spaces. Words split only between Unicode scalars, since
    /// "each encoded-word MUST represent an integral number of characters" (RFC 2047 §5); the spaces
    /// between adjacent words are dropped by the reader (§6.2), so the text comes back unchanged.
    static func encodedWords(_ value: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in value.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > bytesPerWord {
                words.append("=?utf-8?B?" + Base64.encode(chunk) + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?utf-8?B?" + Base64.encode(chunk) + "?=") }
        return words.joined(separator: " ")
    }

    /// `Name: value` with CRLF inserted before a space wherever the line would pass 78 characters
    /// (RFC 5322 §2.2.3 folding: unfolding just removes the CRLF, so the value is unchanged). A fold
    /// goes only before a space that follows a non-space, so no folded line is blank.
    static func field(_ name: String, _ value: String) -> String {
        var pieces: [Substring] = []
        var start = value.startIndex
        var previous: Character? = nil
        for index in value.indices {
            let character = value[index]
            if character == " ", let previous, previous != " ", index != start {
                pieces.append(value[start..<index])
                start = index
            }
            previous = character
        }
        pieces.append(value[start...])

        var lines: [String] = []
        var line = name + ":"
        if let first = pieces.first, !first.isEmpty { line += " " + first }
        for piece in pieces.dropFirst() {
            if line.count + piece.count > preferredLineLength, piece.contains(where: { $0 != " " }) {
                lines.append(line)
                line = String(piece)
            } else {
                line += piece
            }
        }
        lines.append(line)
        return lines.joined(separator: "\r\n")
    }
}
