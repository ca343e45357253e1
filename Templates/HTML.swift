/// A piece of markup that is safe to send to a browser.
///
/// The literal parts of an `HTML` string are trusted markup written in this folder; every interpolated
/// `String` is escaped (`& < > " '`), nested `HTML` is inserted as it is, and the one way around
/// escaping is the greppable `\(unsafeRaw: …)`. Attribute values are always written double-quoted, and
/// the escaper covers both quote characters, so the same escaping is right in text and in attributes.
public struct HTML: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// The markup as UTF-8, ready to send. Kept as bytes: a page is built from many small pieces, and
    /// appending bytes costs a fraction of appending to a `String` (which tracks its counts and flags
    /// on every append); the response body is bytes anyway.
    public private(set) var bytes: [UInt8]

    /// The markup as text (for tests and logs; a response sends ``bytes``).
    public var rendered: String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { rendered }

    /// Nothing: for the empty branch of a conditional.
    public static let empty = HTML(trusted: [])

    public init(stringLiteral value: String) {
        bytes = Array(value.utf8)
    }

    public init(stringInterpolation: StringInterpolation) {
        bytes = stringInterpolation.output
    }

    private init(trusted: [UInt8]) {
        bytes = trusted
    }

    /// Markup built outside a literal, e.g. an SVG the project's own encoder wrote. The caller vouches
    /// for it; like `unsafeRaw`, every use is a place to review.
    public static func unsafeRaw(_ markup: String) -> HTML {
        HTML(trusted: Array(markup.utf8))
    }

    /// Joins pieces of markup, each already safe.
    public static func join(_ parts: [HTML], separator: HTML = .empty) -> HTML {
        var joined: [UInt8] = []
        joined.reserveCapacity(parts.reduce(0) { $0 + $1.bytes.count } + separator.bytes.count * max(0, parts.count - 1))
        for (index, part) in parts.enumerated() {
            if index > 0 { joined.append(contentsOf: separator.bytes) }
            joined.append(contentsOf: part.bytes)
        }
        return HTML(trusted: joined)
    }

    /// Escapes text for use in element content and in double- or single-quoted attribute values.
    public static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        escape(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `text` to `out`, escaped. The five characters are ASCII, so working on the UTF-8 bytes
    /// never splits a multi-byte sequence.
    static func escape(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            // All five are at or below '>' (0x3E), and most bytes of text are letters above it.
            guard utf8.contains(where: needsEscaping) else {
                out.append(contentsOf: utf8)
                return
            }
            out.reserveCapacity(out.count + utf8.count + 32)
            for byte in utf8 {
                switch byte {
                case 0x26: out.append(contentsOf: "&amp;".utf8)
                case 0x3C: out.append(contentsOf: "&lt;".utf8)
                case 0x3E: out.append(contentsOf: "&gt;".utf8)
                case 0x22: out.append(contentsOf: "&quot;".utf8)
                case 0x27: out.append(contentsOf: "&#39;".utf8)
                default: out.append(byte)
                }
            }
        }
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte <= 0x3E && (byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0x27)
    }

    /// Builds the markup: literals as they are, values escaped.
    public struct StringInterpolation: StringInterpolationProtocol {
        var output: [UInt8] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            output.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        public mutating func appendLiteral(_ literal: String) {
            output.append(contentsOf: literal.utf8)
        }

        /// Text: escaped.
        public mutating func appendInterpolation(_ text: String) {
            HTML.escape(text, into: &output)
        }

        /// Optional text: escaped, nothing when nil.
        public mutating func appendInterpolation(_ text: String?) {
            if let text { HTML.escape(text, into: &output) }
        }

        /// A number: digits need no escaping.
        public mutating func appendInterpolation(_ number: Int) {
            output.append(contentsOf: String(number).utf8)
        }

        /// Already-safe markup, nested.
        public mutating func appendInterpolation(_ html: HTML) {
            output.append(contentsOf: html.bytes)
        }

        /// A list of already-safe markup, one after another.
        public mutating func appendInterpolation(_ parts: [HTML]) {
            for part in parts { output.append(contentsOf: part.bytes) }
        }

        /// Raw markup, not escaped. Rare on purpose: grep for `unsafeRaw` to review every use.
        public mutating func appendInterpolation(unsafeRaw markup: String) {
            output.append(contentsOf: markup.utf8)
        }
    }
}

extension HTML {
    /// `markup` when `condition` holds, otherwise nothing.
    public static func when(_ condition: Bool, _ markup: @autoclosure () -> HTML) -> HTML {
        condition ? markup() : .empty
    }

    /// The markup for each element, joined.
    public static func each<S: Sequence>(_ items: S, _ render: (S.Element) -> HTML) -> HTML {
        join(items.map(render))
    }
}
