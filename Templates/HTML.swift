#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A piece of markup that is safe to send to a browser.
///
/// The literal parts of an `HTML` string are trusted markup written in this folder; every interpolated
/// `String` is escaped (`& < > " '`), nested `HTML` is inserted as it is, and the one way around
/// escaping is the greppable `\(unsafeRaw: …)`. Attribute values are always written double-quoted, and
/// the escaper covers both quote characters, so the same escaping is right in text and in attributes.
public struct HTML: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// Where the markup's UTF-8 lives. A literal (`"<hr>"` used as HTML) keeps the program's own
    /// static bytes, with no allocation; built markup is one allocation that nothing changes once the
    /// value exists. A page is built from a few hundred small appends (literals, escaped values, nested
    /// pieces), so an append is a bounds check and a `memcpy` rather than a trip through `Array`'s
    /// generic append.
    private enum Storage: Sendable {
        case literal(StaticString)
        case built(MarkupBytes.Shared)
    }

    private let storage: Storage?

    /// The markup as UTF-8, ready to send.
    public var bytes: [UInt8] { withBytes { Array($0) } }

    /// The number of UTF-8 bytes.
    public var byteCount: Int {
        switch storage {
        case nil: 0
        case .literal(let text): text.utf8CodeUnitCount
        case .built(let built): built.count
        }
    }

    /// The markup as text (for tests and logs; a response sends ``bytes``).
    public var rendered: String { withBytes { String(decoding: $0, as: UTF8.self) } }

    public var description: String { rendered }

    /// Nothing: for the empty branch of a conditional.
    public static let empty = HTML(storage: nil)

    /// Literal markup, written in this folder: its bytes are the program's own, not copied. Being a
    /// `StaticString`, the literal cannot be text made at run time. (One made from a single Unicode
    /// scalar has no bytes to point at; that one is copied.)
    public init(stringLiteral value: StaticString) {
        guard value.hasPointerRepresentation else {
            var output = MarkupWriter(capacity: 4)
            output.append(value)
            storage = output.finish().map(Storage.built)
            return
        }
        storage = value.utf8CodeUnitCount == 0 ? nil : .literal(value)
    }

    public init(stringInterpolation: StringInterpolation) {
        var interpolation = stringInterpolation
        storage = interpolation.output.finish().map(Storage.built)
    }

    private init(storage: Storage?) {
        self.storage = storage
    }

    private init(built: MarkupBytes.Shared?) {
        storage = built.map(Storage.built)
    }

    public static func == (lhs: HTML, rhs: HTML) -> Bool {
        lhs.withBytes { left in rhs.withBytes { right in left.elementsEqual(right) } }
    }

    /// Calls `body` with the markup's bytes, without copying them.
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        switch storage {
        case nil: return try body(UnsafeBufferPointer(start: nil, count: 0))
        case .literal(let text): return try body(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        case .built(let built): return try built.withBytes(body)
        }
    }

    /// Markup built outside a literal, e.g. an SVG the project's own encoder wrote. The caller vouches
    /// for it; like `unsafeRaw`, every use is a place to review.
    public static func unsafeRaw(_ markup: String) -> HTML {
        var output = MarkupWriter(capacity: markup.utf8.count)
        output.append(markup)
        return HTML(built: output.finish())
    }

    /// Joins pieces of markup, each already safe.
    public static func join(_ parts: [HTML], separator: HTML = .empty) -> HTML {
        var output = MarkupWriter(capacity: parts.reduce(0) { $0 + $1.byteCount } + separator.byteCount * max(0, parts.count - 1))
        for (index, part) in parts.enumerated() {
            if index > 0 { output.append(separator) }
            output.append(part)
        }
        return HTML(built: output.finish())
    }

    /// Escapes text for use in element content and in double- or single-quoted attribute values.
    public static func escape(_ text: String) -> String {
        var output = MarkupWriter(capacity: text.utf8.count)
        output.appendEscaped(text)
        return HTML(built: output.finish()).rendered
    }

    /// Builds the markup: literals as they are, values escaped.
    public struct StringInterpolation: StringInterpolationProtocol {
        var output: MarkupWriter

        public init(literalCapacity: Int, interpolationCount: Int) {
            output = MarkupWriter(capacity: literalCapacity + interpolationCount * 64)
        }

        /// Markup written in this folder: its static bytes, copied as they are (inlined: a page has a few
        /// hundred of these, each otherwise a call).
        @inline(__always)
        public mutating func appendLiteral(_ literal: StaticString) {
            output.append(literal)
        }

        /// Text: escaped.
        public mutating func appendInterpolation(_ text: String) {
            output.appendEscaped(text)
        }

        /// Optional text: escaped, nothing when nil.
        public mutating func appendInterpolation(_ text: String?) {
            if let text { output.appendEscaped(text) }
        }

        /// A number: digits need no escaping.
        public mutating func appendInterpolation(_ number: Int) {
            output.append(number)
        }

        /// Already-safe markup, nested.
        public mutating func appendInterpolation(_ html: HTML) {
            output.append(html)
        }

        /// A list of already-safe markup, one after another.
        public mutating func appendInterpolation(_ parts: [HTML]) {
            for part in parts { output.append(part) }
        }

        /// Raw markup, not escaped. Rare on purpose: grep for `unsafeRaw` to review every use.
        public mutating func appendInterpolation(unsafeRaw markup: String) {
            output.append(markup)
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

/// The bytes of one finished piece of markup: a count and the bytes themselves in a single allocation.
/// Written only by the ``MarkupWriter`` that made it, before any ``HTML`` holds it; read-only after.
final class MarkupBytes: ManagedBuffer<Int, UInt8> {
    /// A finished buffer as ``HTML`` holds it. `ManagedBuffer` is not `Sendable` because it can be
    /// written through; a finished one never is (see above), so sharing it between threads is safe.
    struct Shared: @unchecked Sendable {
        let buffer: MarkupBytes
        var count: Int { buffer.count }
        func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R { try buffer.withBytes(body) }
    }

    static func make(capacity: Int) -> MarkupBytes {
        // The header is the number of bytes written; the writer tracks the capacity itself.
        let buffer = create(minimumCapacity: capacity) { _ in 0 }
        return unsafeDowncast(buffer, to: MarkupBytes.self)
    }

    var count: Int { withUnsafeMutablePointerToHeader { $0.pointee } }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeMutablePointers { header, bytes in
            try body(UnsafeBufferPointer(start: bytes, count: header.pointee))
        }
    }
}

/// Appends markup bytes into a ``MarkupBytes``, growing it (doubling) when full. Each ``HTML`` value is
/// made by one writer, which hands its storage over in ``finish()`` and is not used again. The write
/// position is kept here, beside a pointer into the storage, so an append touches no class property
/// (each such access is a retain and a dynamic exclusivity check).
struct MarkupWriter {
    private var storage: MarkupBytes?
    private var start: UnsafeMutablePointer<UInt8>?
    private var count = 0
    private var capacity = 0

    init(capacity: Int) {
        if capacity > 0 { adopt(MarkupBytes.make(capacity: capacity), capacity: capacity) }
    }

    /// The storage, or nil when nothing was written (the empty markup needs no allocation).
    mutating func finish() -> MarkupBytes.Shared? {
        defer {
            storage = nil
            start = nil
            count = 0
            capacity = 0
        }
        guard let storage, count > 0 else { return nil }
        let written = count
        storage.withUnsafeMutablePointerToHeader { $0.pointee = written }
        return MarkupBytes.Shared(buffer: storage)
    }

    /// Appends `count` bytes from `source`.
    @inline(__always)
    mutating func append(_ source: UnsafeRawPointer?, count length: Int) {
        guard length > 0, let source else { return }
        if count + length > capacity { grow(toFit: length) }
        (start! + count).initialize(from: source.assumingMemoryBound(to: UInt8.self), count: length)
        count += length
    }

    /// A literal's UTF-8, straight from the program's static data.
    @inline(__always)
    mutating func append(_ literal: StaticString) {
        if literal.hasPointerRepresentation {
            append(literal.utf8Start, count: literal.utf8CodeUnitCount)
        } else {
            literal.withUTF8Buffer { append($0.baseAddress, count: $0.count) }
        }
    }

    /// A string's UTF-8 as it is. Literals and native strings lend their bytes without a copy.
    mutating func append(_ text: String) {
        text.withUTF8Bytes { append($0.baseAddress, count: $0.count) }
    }

    mutating func append(_ html: HTML) {
        html.withBytes { append($0.baseAddress, count: $0.count) }
    }

    /// Decimal digits, with a minus sign when negative.
    mutating func append(_ number: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var magnitude = number.magnitude
        withUnsafeMutableBytes(of: &digits) { buffer in
            var position = buffer.count
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 {
                position -= 1
                buffer[position] = UInt8(ascii: "-")
            }
            append(buffer.baseAddress! + position, count: buffer.count - position)
        }
    }

    /// Text, escaped for element content and for quoted attribute values.
    mutating func appendEscaped(_ text: String) {
        text.withUTF8Bytes { appendEscaped($0) }
    }

    /// The five characters are ASCII, so working on the UTF-8 bytes never splits a multi-byte sequence.
    /// The runs between them are copied in one go, and the search for them takes eight bytes at a time.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        guard let base = utf8.baseAddress else { return }
        let end = utf8.count
        var runStart = 0
        var index = 0
        while index < end {
            // Eight bytes with none of the five are skipped whole (most text is letters and digits).
            if end - index >= 8, !Self.mayNeedEscaping(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                index += 8
                continue
            }
            let byte = base[index]
            let entity: StaticString
            switch byte {
            case 0x26: entity = "&amp;"
            case 0x3C: entity = "&lt;"
            case 0x3E: entity = "&gt;"
            case 0x22: entity = "&quot;"
            case 0x27: entity = "&#39;"
            default:
                index += 1
                continue
            }
            append(base + runStart, count: index - runStart)
            append(entity.utf8Start, count: entity.utf8CodeUnitCount)
            index += 1
            runStart = index
        }
        append(base + runStart, count: end - runStart)
    }

    /// Whether any of the eight bytes in `word` is `&`, `<`, `>`, `"` or `'`. Each test is the classic
    /// "has a zero byte" trick on the word XORed with the character repeated; it is exact in saying
    /// whether some byte matched.
    @inline(__always)
    static func mayNeedEscaping(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        return hasZeroByte(word ^ (ones &* 0x26)) | hasZeroByte(word ^ (ones &* 0x3C)) | hasZeroByte(word ^ (ones &* 0x3E))
            | hasZeroByte(word ^ (ones &* 0x22)) | hasZeroByte(word ^ (ones &* 0x27)) != 0
    }

    /// Moves to storage with room for `length` more bytes (at least twice the current size).
    private mutating func grow(toFit length: Int) {
        let newCapacity = max(count + length, 2 * capacity, 64)
        let grown = MarkupBytes.make(capacity: newCapacity)
        if let start, count > 0 {
            grown.withUnsafeMutablePointerToElements { $0.initialize(from: start, count: count) }
        }
        adopt(grown, capacity: newCapacity)
    }

    private mutating func adopt(_ buffer: MarkupBytes, capacity newCapacity: Int) {
        storage = buffer
        // A ManagedBuffer's elements live inside the object, at an address fixed for its lifetime, and
        // `storage` keeps the object alive for as long as `start` is used.
        start = buffer.withUnsafeMutablePointerToElements { $0 }
        capacity = newCapacity
    }
}

extension String {
    /// Calls `body` with the UTF-8 bytes as one buffer. Literals and other native strings lend theirs
    /// through `withContiguousStorageIfAvailable`, which costs less than `withUTF8` on a copy (a page
    /// makes a few hundred of these calls); anything else is made contiguous first.
    @inline(__always)
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return copy.withUTF8(body)
    }
}
