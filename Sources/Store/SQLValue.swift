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

/// One result row, with columns looked up by name. The typed accessors return nil for NULL and also
/// when the column holds a different storage class: SQLite columns are dynamically typed, and
/// reading text as a number by accident should surface as a missing value rather than a made-up one.
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

/// The column names of a statement's result, in order. Rows look a column up by name for every value
/// they hand out (a page reads about forty), so the names are kept as one run of bytes and found by
/// length and `memcmp`: a hashed dictionary spent most of a lookup hashing the name.
final class ColumnNames: Sendable {
    let names: [String]
    private let bytes: [UInt8]
    /// Where each name starts in `bytes`, and one past the end of the last.
    private let offsets: [Int]

    init(_ names: [String]) {
        self.names = names
        var bytes: [UInt8] = []
        var offsets = [0]
        for name in names {
            bytes.append(contentsOf: name.utf8)
            offsets.append(bytes.count)
        }
        self.bytes = bytes
        self.offsets = offsets
    }

    /// The first column called `name` (with duplicate names, from a join, the first one wins).
    func index(of name: String) -> Int? {
        var name = name
        return name.withUTF8 { index(of: $0) }
    }

    private func index(of name: UnsafeBufferPointer<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { all in
            for column in 0..<names.count {
                let start = offsets[column], end = offsets[column + 1]
                guard end - start == name.count else { continue }
                if name.isEmpty || memcmp(all.baseAddress! + start, name.baseAddress!, name.count) == 0 { return column }
            }
            return nil
        }
    }
}
