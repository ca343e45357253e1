import CSQLite

/// A failed SQLite call: its result codes, SQLite's message and the SQL text. Bound argument values are
/// never included, since they may be passwords, tokens or secrets that must not reach a log.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    /// The primary result code (for example SQLITE_CONSTRAINT).
    public let code: Int32
    /// The extended result code (for example SQLITE_CONSTRAINT_UNIQUE).
    public let extendedCode: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, extendedCode: Int32, message: String, sql: String?) {
        self.code = code
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// An error raised by this library rather than by SQLite, using the closest SQLite code.
    init(_ code: Int32, _ message: String, sql: String? = nil) {
        self.init(code: code, extendedCode: code, message: message, sql: sql)
    }

    public var isConstraintViolation: Bool { code == SQLITE_CONSTRAINT }

    /// Spelled out because Swift cannot import sqlite3.h's macros for these two extended codes.
    public var isUniqueViolation: Bool {
        extendedCode == SQLITE_CONSTRAINT | (8 << 8) || extendedCode == SQLITE_CONSTRAINT | (6 << 8)
    }

    public var description: String {
        let name = String(cString: sqlite3_errstr(extendedCode))
        var text = "SQLite error \(extendedCode) (\(name)): \(message)"
        if let sql { text += " — in SQL: \(sql)" }
        return text
    }

    /// The one translation from a SQLite result code to an error, called right after the failing call
    /// so the connection's message still belongs to it. SQLite's message is used only when it describes
    /// this very code; otherwise the generic text for the code is safer than a stale message.
    static func from(_ resultCode: Int32, connection: OpaquePointer?, sql: String?) -> DatabaseError {
        let message: String
        if let connection, sqlite3_extended_errcode(connection) == resultCode {
            message = String(cString: sqlite3_errmsg(connection))
        } else {
            message = String(cString: sqlite3_errstr(resultCode))
        }
        return DatabaseError(code: resultCode & 0xFF, extendedCode: resultCode, message: message, sql: sql)
    }
}
