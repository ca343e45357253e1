/// An ordered name/value list, as found in query strings and form bodies. Repeated names are kept.
public struct Parameters: Sendable {
    /// The most pairs one query string or form body may hold; more is refused rather than parsed, so a
    /// hostile body cannot make the server build a huge list.
    public static let maximumPairs = 1_000

    public var pairs: [(name: String, value: String)]

    public init() { pairs = [] }

    public init(_ pairs: [(name: String, value: String)]) { self.pairs = pairs }

    /// The first value for `name`.
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Every value for `name`, in order (checkbox groups, multi-selects).
    public func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public func contains(_ name: String) -> Bool {
        pairs.contains { $0.name == name }
    }

    public var isEmpty: Bool { pairs.isEmpty }

    /// Parses `application/x-www-form-urlencoded` bytes strictly: `+` is a space, `%` must be followed by
    /// two hex digits, decoded names and values must be valid UTF-8. Empty pieces (`a=1&&b=2`) are skipped;
    /// a piece without `=` is a name with an empty value.
    /// - Throws: 400 "Malformed form data", or 400 when there are more than ``maximumPairs`` pairs.
    public static func parseURLEncoded(_ bytes: some Collection<UInt8>) throws(HTTPError) -> Parameters {
        var result = Parameters()
        for piece in bytes.split(separator: UInt8(ascii: "&")) {
            guard result.pairs.count < maximumPairs else { throw .tooManyFields }
            let equals = piece.firstIndex(of: UInt8(ascii: "="))
            let rawName = piece[..<(equals ?? piece.endIndex)]
            let rawValue = equals.map { piece[piece.index(after: $0)...] } ?? piece[piece.endIndex...]
            guard let name = PercentDecoding.decodeString(rawName, plusIsSpace: true),
                  let value = PercentDecoding.decodeString(rawValue, plusIsSpace: true) else {
                throw .malformedFormData
            }
            result.pairs.append((name: name, value: value))
        }
        return result
    }
}
