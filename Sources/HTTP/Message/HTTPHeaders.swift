/// An ordered list of header fields. Order and repeated names are kept (Set-Cookie needs both);
/// names compare ASCII case-insensitively, as HTTP requires.
public struct HTTPHeaders: Sendable, Sequence {
    public typealias Element = (name: String, value: String)

    private var fields: [Element]

    public init() { fields = [] }

    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { (name: $0.0, value: $0.1) }
    }

    /// The first value for `name`. Setting replaces every field of that name (keeping the position of
    /// the first one); setting nil removes them all.
    public subscript(name: String) -> String? {
        get { fields.first { Self.sameName($0.name, name) }?.value }
        set {
            // Every response sets its security headers, usually new names: one scan, then an append.
            guard let first = fields.firstIndex(where: { Self.sameName($0.name, name) }) else {
                if let newValue { fields.append((name: name, value: newValue)) }
                return
            }
            var later = first + 1
            while later < fields.count {
                if Self.sameName(fields[later].name, name) { fields.remove(at: later) } else { later += 1 }
            }
            if let newValue { fields[first] = (name: name, value: newValue) } else { fields.remove(at: first) }
        }
    }

    /// Makes room for `count` fields in all, so the appends that follow do not grow the list one step
    /// at a time (each step an allocation and a move of every field).
    public mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    /// Appends a field, keeping any existing ones of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Every value for `name`, in the order received.
    public func values(_ name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// Whether at least one field is called `name`.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.sameName($0.name, name) }
    }

    /// Removes every field called `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { Self.sameName($0.name, name) }
    }

    /// The number of fields, counting repeats.
    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Element]> { fields.makeIterator() }

    /// ASCII case-insensitive comparison: header names are tokens, so Unicode case folding would be wrong.
    static func sameName(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        return lhs.withUTF8Bytes { left in
            rhs.withUTF8Bytes { right in
                for index in 0..<left.count where ASCII.lowercase(left[index]) != ASCII.lowercase(right[index]) { return false }
                return true
            }
        }
    }
}

/// Byte-level helpers for the ASCII parts of HTTP, which must not depend on the locale or on Unicode rules.
enum ASCII {
    static func lowercase(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte + 0x20 : byte
    }

    /// RFC 9110 `tchar`: the characters allowed in header names, methods and cookie names.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        // Written out as cases (not a search through a string): every header of every response is checked.
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.withUTF8Bytes { $0.allSatisfy(isTokenCharacter) }
    }

    /// The media type of a Content-Type value, lowercased and without parameters (`; charset=...`).
    static func mediaType(_ contentType: String?) -> String? {
        guard let contentType else { return nil }
        let essence = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return String(decoding: essence.trimmingASCIISpaces().utf8.map(lowercase), as: UTF8.self)
    }
}

extension StringProtocol {
    /// Drops leading and trailing spaces and tabs, the only whitespace HTTP allows around values.
    func trimmingASCIISpaces() -> Substring {
        let text = Substring(self)
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return text[first...last]
    }
}

extension String {
    /// Calls `body` with the UTF-8 bytes as one buffer (without a copy for native strings, everything
    /// here). Byte loops over a buffer are several times faster than walking the `utf8` view, which
    /// checks the string's representation at every step; headers are checked on every response. Native
    /// strings and literals lend their bytes in place; `withUTF8` on a mutable copy, the way for any
    /// other, costs a uniqueness check and a retain on every call.
    @inline(__always)
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return copy.withUTF8(body)
    }
}
