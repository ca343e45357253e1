#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value as SQLite stores it: one of its five storage classes.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A Swift value that can be bound to a `?` parameter.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension SQLValue: SQLBindable {
    public var sqlValue: SQLValue { self }
}

extension String: SQLBindable {
    public var sqlValue: SQLValue { .text(self) }
}

extension Int: SQLBindable {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Int64: SQLBindable {
    public var sqlValue: SQLValue { .integer(self) }
}

/// SQLite has no boolean type; 0 and 1 are its convention (and what `CHECK (x IN (0, 1))` expects).
extension Bool: SQLBindable {
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
}

extension Double: SQLBindable {
    public var sqlValue: SQLValue { .real(self) }
}

extension Array: SQLBindable where Element == UInt8 {
    public var sqlValue: SQLValue { .blob(self) }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// An enum stored as its raw value binds by declaring the conformance: `extension Kind: SQLBindable {}`.
extension SQLBindable where Self: RawRepresentable, RawValue: SQLBindable {
    public var sqlValue: SQLValue { rawValue.sqlValue }
}

/// One result row, with columns looked up by name. ``decode(_:as:)`` is the way to read it: it throws a
/// ``RowDecodingError`` naming the column when the row lacks it or holds something else there. The
/// older accessors (`string(_:)`, `int64(_:)`…) return nil for NULL and for another storage class alike,
/// and stop the program on a missing column.
public struct Row: Sendable {
    /// Shared by every row of one statement, so each row carries only its values.
    let columns: ColumnNames
    let values: [SQLValue]

    /// The value of `column`; asking for a column the query does not return is a programming error.
    public subscript(_ column: String) -> SQLValue {
        guard let index = columns.index(of: column) else {
            preconditionFailure("no column named \"\(column)\" in this row (columns: \(columns.names.sorted().joined(separator: ", ")))")
        }
        return values[index]
    }

    /// The value of `column` as `Value`: `id = try row.decode("id")`, or `try row.decode("users", as: Int.self)`.
    /// An optional type reads NULL as nil; any other type refuses NULL. SQLite columns are dynamically
    /// typed, so a value of another storage class is refused too rather than converted.
    public func decode<Value: SQLDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        guard let index = columns.index(of: column) else {
            throw RowDecodingError(column: column, problem: .missing(available: columns.names), sql: columns.sql)
        }
        let value = values[index]
        guard let decoded = Value(sqlValue: value) else {
            throw RowDecodingError(column: column, problem: .mismatch(expected: Value.sqlDescription, found: value.storageClassName), sql: columns.sql)
        }
        return decoded
    }

    public func string(_ column: String) -> String? {
        if case .text(let value) = self[column] { return value }
        return nil
    }

    public func int(_ column: String) -> Int? {
        int64(column).map { Int($0) }
    }

    public func int64(_ column: String) -> Int64? {
        if case .integer(let value) = self[column] { return value }
        return nil
    }

    /// Any non-zero integer is true, matching SQLite's own truth test.
    public func bool(_ column: String) -> Bool? {
        int64(column).map { $0 != 0 }
    }

    public func blob(_ column: String) -> [UInt8]? {
        if case .blob(let value) = self[column] { return value }
        return nil
    }

    /// Integers are widened, since SQLite stores integral REAL values as integers when asked to.
    public func double(_ column: String) -> Double? {
        switch self[column] {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }
}

/// A type a column's value can be read as, with ``Row/decode(_:as:)``.
public protocol SQLDecodable {
    /// The value, or nil when `sqlValue` is not one (another storage class, or NULL for a non-optional).
    init?(sqlValue: SQLValue)
    /// What the type reads, for error messages: "an integer", "text".
    static var sqlDescription: String { get }
}

extension String: SQLDecodable {
    public init?(sqlValue: SQLValue) {
        guard case .text(let value) = sqlValue else { return nil }
        self = value
    }
    public static var sqlDescription: String { "text" }
}

extension Int64: SQLDecodable {
    public init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue else { return nil }
        self = value
    }
    public static var sqlDescription: String { "an integer" }
}

extension Int: SQLDecodable {
    public init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue, let exact = Int(exactly: value) else { return nil }
        self = exact
    }
    public static var sqlDescription: String { "an integer" }
}

/// Any integer: non-zero is true, as in SQLite's own truth test.
extension Bool: SQLDecodable {
    public init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue else { return nil }
        self = value != 0
    }
    public static var sqlDescription: String { "an integer (a boolean)" }
}

/// Integers are widened, since SQLite stores integral REAL values as integers when asked to.
extension Double: SQLDecodable {
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: return nil
        }
    }
    public static var sqlDescription: String { "a number" }
}

extension Array: SQLDecodable where Element == UInt8 {
    public init?(sqlValue: SQLValue) {
        guard case .blob(let value) = sqlValue else { return nil }
        self = value
    }
    public static var sqlDescription: String { "a blob" }
}

/// NULL is nil; anything else must be a `Wrapped`.
extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public init?(sqlValue: SQLValue) {
        if case .null = sqlValue {
            self = .none
            return
        }
        guard let value = Wrapped(sqlValue: sqlValue) else { return nil }
        self = .some(value)
    }
    public static var sqlDescription: String { "\(Wrapped.sqlDescription) or NULL" }
}

/// An enum stored as its raw value decodes by declaring the conformance: `extension Kind: SQLDecodable {}`.
/// A raw value that is no case is refused like a value of the wrong type.
extension SQLDecodable where Self: RawRepresentable, RawValue: SQLDecodable {
    public init?(sqlValue: SQLValue) {
        guard let raw = RawValue(sqlValue: sqlValue) else { return nil }
        self.init(rawValue: raw)
    }
    public static var sqlDescription: String { "\(RawValue.sqlDescription) naming a \(Self.self)" }
}

extension SQLValue {
    /// The storage class, as an error may name it (never the value, which may be a secret).
    var storageClassName: String {
        switch self {
        case .null: "NULL"
        case .integer: "an integer"
        case .real: "a real"
        case .text: "text"
        case .blob: "a blob"
        }
    }
}

/// A row that does not hold what the code reads from it: a column missing, or a value of another type.
/// It names the column, the type expected and the storage class found, never the value itself (it may be
/// a password hash, a token or a secret), and the statement's SQL text.
public struct RowDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// The statement returns no column of that name; `available` are the ones it returns.
        case missing(available: [String])
        /// The column holds a value of another type (or NULL where the type has none).
        case mismatch(expected: String, found: String)
    }

    public let column: String
    public let problem: Problem
    public let sql: String?

    public var description: String {
        var text: String
        switch problem {
        case .missing(let available):
            text = "no column \"\(column)\" in the row (columns: \(available.joined(separator: ", ")))"
        case .mismatch(let expected, let found):
            text = "column \"\(column)\" holds \(found) where \(expected) was expected"
        }
        if let sql { text += " — in SQL: \(sql)" }
        return text
    }
}

/// The column names of a statement's result, in order. Rows look a column up by name for every value
/// they hand out (a page reads about forty), so the names are kept as one run of bytes and found by
/// length and `memcmp`: a hashed dictionary spent most of a lookup hashing the name.
final class ColumnNames: Sendable {
    let names: [String]
    /// The statement's text, for decoding errors.
    let sql: String?
    private let bytes: [UInt8]
    /// Where each name starts in `bytes`, and one past the end of the last.
    private let offsets: [Int]

    init(_ names: [String], sql: String? = nil) {
        self.names = names
        self.sql = sql
        var bytes: [UInt8] = []
        var offsets = [0]
        for name in names {
            bytes.append(contentsOf: name.utf8)
            offsets.append(bytes.count)
        }
        self.bytes = bytes
        self.offsets = offsets
    }

    /// The first column called `name` (with duplicate names, from a join, the first one wins). A row is
    /// read by a dozen of these calls, so a literal name's bytes are read in place (`withUTF8` needs a
    /// mutable copy, with a uniqueness check and a retain each time) and lengths are compared first.
    func index(of name: String) -> Int? {
        if let found = name.utf8.withContiguousStorageIfAvailable({ index(of: $0) }) { return found }
        var copy = name
        return copy.withUTF8 { index(of: $0) }
    }

    private func index(of name: UnsafeBufferPointer<UInt8>) -> Int? {
        let length = name.count
        return offsets.withUnsafeBufferPointer { offsets in
            bytes.withUnsafeBufferPointer { all in
                for column in 0..<offsets.count - 1 {
                    let start = offsets[column]
                    guard offsets[column + 1] - start == length else { continue }
                    if length == 0 || memcmp(all.baseAddress! + start, name.baseAddress!, length) == 0 { return column }
                }
                return nil
            }
        }
    }
}
