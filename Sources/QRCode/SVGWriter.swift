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
        let pixels = dimension * (moduleSize ?? 1)

        // Written straight into the string's storage, sized for the runs there are, each number
        // as long as the longest, and every label byte escaped to six.
        let numberLength = decimalLength(Swift.max(pixels, dimension))
        let rectangleLength = 9 + 4 * numberLength
        let capacity = 320 + 6 * numberLength + 6 * label.utf8.count + darkRunCount(of: code) * rectangleLength
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var out = ByteWriter(buffer)
            out.append(#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#)
            out.append(decimal: dimension)
            out.append(" ")
            out.append(decimal: dimension)
            out.append("\"")
            if moduleSize != nil {
                out.append(#" width=""#)
                out.append(decimal: pixels)
                out.append(#"" height=""#)
                out.append(decimal: pixels)
                out.append("\"")
            }
            out.append(#" shape-rendering="crispEdges" role="img" aria-label=""#)
            out.append(xmlAttributeText: label)
            out.append(#""><rect width=""#)
            out.append(decimal: dimension)
            out.append(#"" height=""#)
            out.append(decimal: dimension)
            out.append(##"" fill="#fff"/><path fill="#000" d=""##)
            appendPathData(of: code, offset: quietZone, to: &out)
            out.append("\"/></svg>\n")
            return out.count
        }
    }

    /// One closed rectangle per horizontal run of dark modules, found from the colour changes
    /// of each bit-packed row.
    private static func appendPathData(of code: QRCode, offset: Int, to out: inout ByteWriter) {
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

    /// Horizontal runs of dark modules: modules that are dark after a light one or the edge.
    private static func darkRunCount(of code: QRCode) -> Int {
        var runs = 0
        for y in 0..<code.size {
            var previousBit: UInt64 = 0
            for word in 0..<code.wordsPerRow {
                let bits = code.rows[y * code.wordsPerRow + word]
                runs += (bits & ~(bits << 1 | previousBit)).nonzeroBitCount
                previousBit = bits >> 63
            }
        }
        return runs
    }

    private static func decimalLength(_ value: Int) -> Int {
        var length = 1, rest = value
        while rest >= 10 {
            rest /= 10
            length += 1
        }
        return length
    }

    private static func appendRectangle(x: Int, y: Int, length: Int, to out: inout ByteWriter) {
        out.append(byte: UInt8(ascii: "M"))
        out.append(decimal: x)
        out.append(byte: UInt8(ascii: " "))
        out.append(decimal: y)
        out.append(byte: UInt8(ascii: "h"))
        out.append(decimal: length)
        out.append("v1h-")
        out.append(decimal: length)
        out.append(byte: UInt8(ascii: "z"))
    }
}

/// Appends bytes to a buffer that the caller has sized for everything that will be written.
private struct ByteWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    mutating func append(byte: UInt8) {
        precondition(count < buffer.count, "SVG buffer sized too small")
        buffer[count] = byte
        count += 1
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes in
            precondition(count + bytes.count <= buffer.count, "SVG buffer sized too small")
            _ = UnsafeMutableBufferPointer(rebasing: buffer[count...]).initialize(fromContentsOf: bytes)
            count += bytes.count
        }
    }

    mutating func append(contentsOf bytes: some Collection<UInt8>) {
        for byte in bytes { append(byte: byte) }
    }

    /// Appends a non-negative integer in decimal; coordinates are almost always below 1000.
    mutating func append(decimal value: Int) {
        if value < 10 {
            append(byte: UInt8(truncatingIfNeeded: 0x30 + value))
        } else if value < 100 {
            append(byte: UInt8(truncatingIfNeeded: 0x30 + value / 10))
            append(byte: UInt8(truncatingIfNeeded: 0x30 + value % 10))
        } else {
            var divisor = 100
            while divisor <= value / 10 { divisor *= 10 }
            while divisor > 0 {
                append(byte: UInt8(truncatingIfNeeded: 0x30 + (value / divisor) % 10))
                divisor /= 10
            }
        }
    }

    /// Appends `text` escaped for a double-quoted XML attribute: the five markup characters
    /// as entities, tab and line breaks as character references (so attribute normalisation
    /// does not turn them into spaces), and the characters XML 1.0 cannot carry at all (other
    /// C0 controls, U+FFFE, U+FFFF) as U+FFFD.
    mutating func append(xmlAttributeText text: String) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": append("&amp;")
            case "<": append("&lt;")
            case ">": append("&gt;")
            case "\"": append("&quot;")
            case "'": append("&#39;")
            case "\t": append("&#9;")
            case "\n": append("&#10;")
            case "\r": append("&#13;")
            case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": append(contentsOf: "\u{FFFD}".utf8)
            default: append(contentsOf: UTF8.encode(scalar)!)
            }
        }
    }
}
