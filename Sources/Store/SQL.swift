/// One SQL statement (or a fragment of one) with its arguments, written as a string literal:
///
///     try db.run("UPDATE sessions SET last_seen_at = \(time) WHERE id = \(session.id)")
///     try db.query("SELECT \(identifier: column) FROM clients WHERE id IN (\(list: ids))")
///
/// The literal parts are trusted SQL written in this code base; every interpolated value becomes a `?`
/// and a bound argument, never text, so no value can change what the statement does. A name that is not
/// a literal goes through `\(identifier:)`, which quotes it; a fragment of SQL nests with `\(fragment)`;
/// the one way to splice text is the greppable `\(unsafeRaw:)`.
///
/// The same literal always gives the same ``text`` (values only ever add a `?`), so the connection's
/// statement cache, keyed by that text, finds the prepared statement again on the next call.
public struct SQL: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// The SQL text, with a `?` for each argument.
    public private(set) var text: String
    /// The values bound to the `?`s, in order.
    public private(set) var arguments: [SQLValue]
    /// Why the statement must not run (an identifier that cannot be one), or nil. Kept rather than thrown
    /// at once, since an interpolation cannot throw; ``Database`` refuses the statement before preparing it.
    public private(set) var problem: String?

    /// Trusted SQL text without arguments.
    public init(stringLiteral text: String) {
        self.text = text
        arguments = []
        problem = nil
    }

    /// A template's statement (``SQLTemplate``): its fixed text and this call's values.
    init(text: String, arguments: [SQLValue]) {
        self.text = text
        self.arguments = arguments
        problem = nil
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        arguments = stringInterpolation.arguments
        problem = stringInterpolation.problem
    }

    /// Nothing: for a fragment a condition leaves out.
    public static let empty: SQL = ""

    /// The text only: arguments may be passwords, tokens or secrets that must not reach a log.
    public var description: String {
        arguments.isEmpty ? text : "\(text) (\(arguments.count) argument(s))"
    }

    /// SQL built outside a literal, not checked in any way. Rare on purpose: grep for `unsafeRaw` to review
    /// every use; values never need it.
    public static func unsafeRaw(_ text: String) -> SQL {
        SQL(stringLiteral: text)
    }

    /// The fragments one after another, `separator` between them: `SQL.join(conditions, separator: " AND ")`.
    public static func join(_ parts: some Sequence<SQL>, separator: SQL = ", ") -> SQL {
        var joined = SQL.empty
        for (index, part) in parts.enumerated() {
            if index > 0 { joined.append(separator) }
            joined.append(part)
        }
        return joined
    }

    /// Appends a fragment, its arguments after the ones already here.
    public mutating func append(_ other: SQL) {
        text += other.text
        arguments += other.arguments
        if problem == nil { problem = other.problem }
    }

    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        var result = lhs
        result.append(rhs)
        return result
    }

    /// Builds the statement: literals as they are, values as `?` and an argument.
    public struct StringInterpolation: StringInterpolationProtocol {
        var text: String
        var arguments: [SQLValue]
        var problem: String?

        public init(literalCapacity: Int, interpolationCount: Int) {
            // One byte per value (its `?`); nested fragments and identifiers may make the text grow once more.
            text = ""
            text.reserveCapacity(literalCapacity + interpolationCount)
            arguments = []
            arguments.reserveCapacity(interpolationCount)
            problem = nil
        }

        public mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        /// A value, bound: `\(name)`.
        public mutating func appendInterpolation(_ value: some SQLBindable) {
            text += "?"
            arguments.append(value.sqlValue)
        }

        /// An optional value, bound; nil binds NULL. Spelled out so the compiler knows an optional is
        /// meant here (it warns about optionals given to a generic interpolation).
        public mutating func appendInterpolation<Value: SQLBindable>(_ value: Value?) {
            text += "?"
            arguments.append(value?.sqlValue ?? .null)
        }

        /// Values separated by commas, each bound: `IN (\(list: ids))`. An empty list writes nothing, and
        /// SQLite reads `x IN ()` as false. The text depends only on how many values there are.
        public mutating func appendInterpolation<Values: Sequence>(list values: Values) where Values.Element: SQLBindable {
            for (index, value) in values.enumerated() {
                text += index == 0 ? "?" : ", ?"
                arguments.append(value.sqlValue)
            }
        }

        /// A fragment of SQL with its arguments, nested as it is.
        public mutating func appendInterpolation(_ sql: SQL) {
            text += sql.text
            arguments += sql.arguments
            if problem == nil { problem = sql.problem }
        }

        /// A table or column name, double-quoted with any `"` doubled, so it can only ever be read as a
        /// name. An empty name or one holding a control character (a NUL would end the statement's text
        /// where SQLite reads it) makes the statement refuse to run.
        public mutating func appendInterpolation(identifier name: String) {
            guard SQL.isValidIdentifier(name) else {
                // The name itself is left out of the message: it may have come from outside.
                if problem == nil { problem = "an identifier is empty or holds a control character" }
                text += "\"\""
                return
            }
            text += "\""
            text += name.utf8.contains(UInt8(ascii: "\"")) ? name.replacingQuotes() : name
            text += "\""
        }

        /// SQL text spliced as it is, not checked in any way. Rare on purpose: grep for `unsafeRaw`.
        public mutating func appendInterpolation(unsafeRaw text: String) {
            self.text += text
        }
    }

    static func isValidIdentifier(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }
}

private extension String {
    /// The name with each `"` doubled, as SQL quotes a quote inside a quoted identifier.
    func replacingQuotes() -> String {
        var quoted = ""
        quoted.reserveCapacity(utf8.count + 2)
        for character in unicodeScalars {
            if character == "\"" { quoted += "\"\"" } else { quoted.unicodeScalars.append(character) }
        }
        return quoted
    }
}
