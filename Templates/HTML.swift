/// A piece of markup that is safe to send to a browser.
///
/// The literal parts of an `HTML` string are trusted markup written in this folder; every interpolated
/// `String` is escaped (`& < > " '`), nested `HTML` is inserted as it is, and the one way around
/// escaping is the greppable `\(unsafeRaw: …)`. Attribute values are always written double-quoted, and
/// the escaper covers both quote characters, so the same escaping is right in text and in attributes.
public struct HTML: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// The markup, ready to send.
    public private(set) var rendered: String

    public var description: String { rendered }

    /// Nothing: for the empty branch of a conditional.
    public static let empty = HTML(trusted: "")

    public init(stringLiteral value: String) {
        rendered = value
    }

    public init(stringInterpolation: StringInterpolation) {
        rendered = stringInterpolation.output
    }

    private init(trusted: String) {
        rendered = trusted
    }

    /// Markup built outside a literal, e.g. an SVG the project's own encoder wrote. The caller vouches
    /// for it; like `unsafeRaw`, every use is a place to review.
    public static func unsafeRaw(_ markup: String) -> HTML {
        HTML(trusted: markup)
    }

    /// Joins pieces of markup, each already safe.
    public static func join(_ parts: [HTML], separator: HTML = .empty) -> HTML {
        HTML(trusted: parts.map(\.rendered).joined(separator: separator.rendered))
    }

    /// Escapes text for use in element content and in double- or single-quoted attribute values.
    public static func escape(_ text: String) -> String {
        // Most values have nothing to escape: return them as they are. Otherwise work on the UTF-8
        // bytes (the five characters are ASCII, so no multi-byte sequence is ever split).
        let utf8 = text.utf8
        // All five are at or below '>' (0x3E), and most bytes of text are letters above it.
        let needsEscaping: (UInt8) -> Bool = { $0 <= 0x3E && ($0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27) }
        let found = utf8.withContiguousStorageIfAvailable { $0.contains(where: needsEscaping) } ?? utf8.contains(where: needsEscaping)
        guard found else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 32)
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
        return String(decoding: out, as: UTF8.self)
    }

    /// Builds the markup: literals as they are, values escaped.
    public struct StringInterpolation: StringInterpolationProtocol {
        var output = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            output.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        public mutating func appendLiteral(_ literal: String) {
            output += literal
        }

        /// Text: escaped.
        public mutating func appendInterpolation(_ text: String) {
            output += HTML.escape(text)
        }

        /// Optional text: escaped, nothing when nil.
        public mutating func appendInterpolation(_ text: String?) {
            if let text { output += HTML.escape(text) }
        }

        /// A number: digits need no escaping.
        public mutating func appendInterpolation(_ number: Int) {
            output += String(number)
        }

        /// Already-safe markup, nested.
        public mutating func appendInterpolation(_ html: HTML) {
            output += html.rendered
        }

        /// A list of already-safe markup, one after another.
        public mutating func appendInterpolation(_ parts: [HTML]) {
            for part in parts { output += part.rendered }
        }

        /// Raw markup, not escaped. Rare on purpose: grep for `unsafeRaw` to review every use.
        public mutating func appendInterpolation(unsafeRaw markup: String) {
            output += markup
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
