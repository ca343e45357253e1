/// Draws a `QRCode` as a small SVG document that renders the same on any page: a white
/// background and one dark `<path>`, in a `viewBox` measured in modules with the quiet zone
/// included, `shape-rendering="crispEdges"` so that modules stay sharp and joined, and
/// `role="img"` with an `aria-label` for screen readers.
///
/// The path draws each horizontal run of dark modules as one rectangle,
/// `M{x} {y}h{length}v1h-{length}z`, so its length grows with the runs, not the modules.
public struct SVGWriter: Sendable {
    /// The SVG for `code`.
    ///
    /// - Parameters:
    ///   - label: the accessible name, e.g. "QR code for setting up your authenticator app";
    ///     escaped here, so pass it as plain text.
    ///   - quietZone: light modules around the symbol; the standard asks for at least 4.
    ///   - moduleSize: pixels per module for explicit `width` and `height` attributes; nil
    ///     leaves them out, so that the image fills the box the page gives it.
    public static func svg(for code: QRCode, label: String, quietZone: Int = 4, moduleSize: Int? = nil) -> String {
        precondition(quietZone >= 0, "negative quiet zone")
        precondition(moduleSize.map { $0 > 0 } ?? true, "module size must be positive")
        let dimension = code.size + 2 * quietZone

        var out = [UInt8]()
        // Dark runs average a few modules, each written in about 14 bytes.
        out.reserveCapacity(code.size * code.size * 3 + label.utf8.count * 2 + 320)
        out.append(ascii: #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#)
        out.append(decimal: dimension)
        out.append(ascii: " ")
        out.append(decimal: dimension)
        out.append(ascii: "\"")
        if let moduleSize {
            out.append(ascii: #" width=""#)
            out.append(decimal: dimension * moduleSize)
            out.append(ascii: #"" height=""#)
            out.append(decimal: dimension * moduleSize)
            out.append(ascii: "\"")
        }
        out.append(ascii: #" shape-rendering="crispEdges" role="img" aria-label=""#)
        out.append(xmlAttributeText: label)
        out.append(ascii: #""><rect width=""#)
        out.append(decimal: dimension)
        out.append(ascii: #"" height=""#)
        out.append(decimal: dimension)
        out.append(ascii: ##"" fill="#fff"/><path fill="#000" d=""##)
        appendPathData(of: code, offset: quietZone, to: &out)
        out.append(ascii: "\"/></svg>\n")
        return String(decoding: out, as: UTF8.self)
    }

    /// One closed rectangle per horizontal run of dark modules, found from the colour changes
    /// of each bit-packed row.
    private static func appendPathData(of code: QRCode, offset: Int, to out: inout [UInt8]) {
        let size = code.size, words = code.wordsPerRow
        code.rows.withUnsafeBufferPointer { rows in
            for y in 0..<size {
                var runStart = 0
                var inRun = false
                var previousBit: UInt64 = 0
                for word in 0..<words {
                    let bits = rows[y * words + word]
                    var changes = bits ^ (bits << 1 | previousBit)
                    previousBit = bits >> 63
                    let modulesInWord = size - word * 64
                    if modulesInWord < 64 { changes &= (1 << UInt64(modulesInWord)) - 1 }
                    while changes != 0 {
                        let x = word * 64 + changes.trailingZeroBitCount
                        changes &= changes - 1
                        if inRun {
                            appendRectangle(x: runStart + offset, y: y + offset, length: x - runStart, to: &out)
                        } else {
                            runStart = x
                        }
                        inRun.toggle()
                    }
                }
                if inRun { appendRectangle(x: runStart + offset, y: y + offset, length: size - runStart, to: &out) }
            }
        }
    }

    private static func appendRectangle(x: Int, y: Int, length: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "M"))
        out.append(decimal: x)
        out.append(UInt8(ascii: " "))
        out.append(decimal: y)
        out.append(UInt8(ascii: "h"))
        out.append(decimal: length)
        out.append(ascii: "v1h-")
        out.append(decimal: length)
        out.append(UInt8(ascii: "z"))
    }
}

extension [UInt8] {
    fileprivate mutating func append(ascii text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends a non-negative integer in decimal.
    fileprivate mutating func append(decimal value: Int) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        while divisor > 0 {
            append(UInt8(truncatingIfNeeded: 0x30 + (value / divisor) % 10))
            divisor /= 10
        }
    }

    /// Appends `text` escaped for a double-quoted XML attribute: the five markup characters
    /// as entities, tab and line breaks as character references (so attribute normalisation
    /// does not turn them into spaces), and the characters XML 1.0 cannot carry at all (other
    /// C0 controls, U+FFFE, U+FFFF) as U+FFFD.
    fileprivate mutating func append(xmlAttributeText text: String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": append(ascii: "&amp;")
            case "<": append(ascii: "&lt;")
            case ">": append(ascii: "&gt;")
            case "\"": append(ascii: "&quot;")
            case "'": append(ascii: "&#39;")
            case "\t": append(ascii: "&#9;")
            case "\n": append(ascii: "&#10;")
            case "\r": append(ascii: "&#13;")
            case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": append(contentsOf: "\u{FFFD}".utf8)
            default: append(contentsOf: UTF8.encode(scalar)!)
            }
        }
    }
}
