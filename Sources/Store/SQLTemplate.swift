/// A statement whose text is written once and whose values change from call to call, for the queries
/// every page runs:
///
///     static let lookUp = SQLTemplate { (hash: SQLParameter<[UInt8]>) in
///         "SELECT id FROM sessions WHERE token_hash = \(hash)"
///     }
///     try db.queryOne(Session.lookUp(tokenHash))
///
/// The closure runs once, with a placeholder for each value; a placeholder is written as SQLite's
/// numbered parameter (`?1`, `?2`…), so the text is fixed and each call only binds its values, by number,
/// in the order the closure declares them, with the types it declares. Nothing is lined up by hand, and
/// nothing is spliced into the text. An ``SQL`` literal builds its text anew on every call (a few thousand
/// instructions for a long statement); a template shares one text, which the statement cache also finds
/// at its first comparison.
///
/// Up to four values; `Values` is the value's type, or the tuple of their types.
/// (Written without parameter packs: Swift 6.3's cross-module optimisation crashes on a pack here.)
public struct SQLTemplate<Values>: Sendable {
    /// The statement's text, with `?N` for the N-th value.
    public let text: String

    /// Everything the statement varies by must be a placeholder: a value interpolated directly would be
    /// fixed at its first value, so it stops the program.
    init(checking sql: SQL) {
        precondition(sql.arguments.isEmpty, "an SQLTemplate binds its values through its parameters only: \(sql.text)")
        precondition(sql.problem == nil, "an SQLTemplate's text is invalid: \(sql.problem ?? "")")
        text = sql.text
    }

    /// Runs `build` once, with the placeholders `?1` and `?2`.
    public init<A: SQLBindable, B: SQLBindable>(_ build: (SQLParameter<A>, SQLParameter<B>) -> SQL) where Values == (A, B) {
        self.init(checking: build(SQLParameter(number: 1), SQLParameter(number: 2)))
    }

    /// Runs `build` once, with the placeholders `?1` to `?4`.
    public init<A: SQLBindable, B: SQLBindable, C: SQLBindable, D: SQLBindable>(
        _ build: (SQLParameter<A>, SQLParameter<B>, SQLParameter<C>, SQLParameter<D>) -> SQL
    ) where Values == (A, B, C, D) {
        self.init(checking: build(SQLParameter(number: 1), SQLParameter(number: 2), SQLParameter(number: 3), SQLParameter(number: 4)))
    }

    /// The statement with the values bound to `?1` to `?4`, in order.
    public func callAsFunction<A: SQLBindable, B: SQLBindable, C: SQLBindable, D: SQLBindable>(_ first: A, _ second: B, _ third: C, _ fourth: D) -> SQL
    where Values == (A, B, C, D) {
        SQL(text: text, arguments: [first.sqlValue, second.sqlValue, third.sqlValue, fourth.sqlValue])
    }

    /// The statement with `first` bound to `?1` and `second` to `?2`.
    public func callAsFunction<A: SQLBindable, B: SQLBindable>(_ first: A, _ second: B) -> SQL where Values == (A, B) {
        SQL(text: text, arguments: [first.sqlValue, second.sqlValue])
    }
}

extension SQLTemplate where Values: SQLBindable {
    /// Runs `build` once, with the placeholder `?1`.
    public init(_ build: (SQLParameter<Values>) -> SQL) {
        self.init(checking: build(SQLParameter(number: 1)))
    }

    /// The statement with `value` bound to `?1`.
    public func callAsFunction(_ value: Values) -> SQL {
        SQL(text: text, arguments: [value.sqlValue])
    }
}

/// The placeholder for a template's N-th value: interpolated into the template's literal, it writes `?N`.
public struct SQLParameter<Bound: SQLBindable>: Sendable {
    let number: Int
}

extension SQL.StringInterpolation {
    /// A template's parameter: `?N`, bound when the template is called.
    public mutating func appendInterpolation<Bound>(_ parameter: SQLParameter<Bound>) {
        text += "?"
        text += String(parameter.number)
    }
}
