import CSQLite

/// One SQLite connection. Deliberately not thread-safe (opened with SQLITE_OPEN_NOMUTEX, so SQLite skips
/// its own locking): it is used by one thread at a time, and `DatabasePool` hands connections out
/// exclusively when several threads need the database.
///
/// Each connection runs in WAL mode with `synchronous=FULL`. NORMAL would be safe from corruption but can
/// lose the last transactions on power failure; here a write is reported to the user as done, so the
/// commit must be on disk first, and FULL syncs the WAL on every commit for that.
public final class Database {
    public let path: String
    private var connection: OpaquePointer?
    /// Prepared statements keyed by SQL text, so repeated queries skip parsing and planning.
    private var statements: [SQLText: OpaquePointer] = [:]
    /// Caps the cache so code that builds SQL text dynamically cannot grow it without bound.
    private static let statementCacheLimit = 256
    /// Column name → index for each cached statement that returns rows, built on its first result:
    /// making it per query cost a string and a hash per column on every page.
    private var columnMaps: [OpaquePointer: ColumnNames] = [:]
    var transaction: TransactionKind?
    var savepointDepth = 0
    /// How many statements this connection has prepared (cache misses), for tests of the cache.
    private(set) var preparedStatementCount = 0

    /// Which transaction `write()` or `read()` has open on this connection; `scopedRead` is the one a
    /// read scope opened by itself (see ``readScope``).
    enum TransactionKind { case read, write, scopedRead }

    /// Set while ``DatabasePool/withReadScope(_:)`` lends this connection out: the first reading
    /// statement opens a read transaction that later reads share (one snapshot, one read lock), and the
    /// first statement that writes, or `write()`, or `execute()`, ends it first. Without the scope each
    /// statement outside a transaction is its own snapshot.
    var readScope = false

    /// Process-wide settings, applied once before the first connection initializes SQLite.
    private static let processSettings: Void = {
        // Without memory statistics, allocations take no process-wide lock (see the shim). Nothing here
        // reads the statistics; if SQLite was already initialized elsewhere, it keeps them, still correct.
        _ = clientone_sqlite3_disable_memory_statistics()
    }()

    public init(path: String, readOnly: Bool = false) throws {
        Self.processSettings
        self.path = path
        let access = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        if !readOnly { try Self.protectFiles(at: path) }
        var opened: OpaquePointer?
        let result = sqlite3_open_v2(path, &opened, access | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nil)
        connection = opened
        do {
            try check(result, sql: nil)
            try configure(readOnly: readOnly)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    private func configure(readOnly: Bool) throws {
        let handle = try openHandle()
        // The timeout is set first so the pragmas below wait out another process's lock instead of failing.
        try check(sqlite3_busy_timeout(handle, 5000), sql: nil)
        try check(clientone_sqlite3_set_defensive(handle), sql: nil)
        if !readOnly {
            let mode = try queryOne("PRAGMA journal_mode=WAL")?.string("journal_mode")
            // In-memory databases report "memory" and cannot use WAL; everything else must, because the
            // pool's concurrent readers and the durability argument above depend on it.
            guard mode == "wal" || mode == "memory" else {
                throw DatabaseError(SQLITE_ERROR, "could not switch to WAL journal mode (got \(mode ?? "nothing"))", sql: "PRAGMA journal_mode=WAL")
            }
        }
        // secure_delete overwrites deleted content so removed secrets do not linger in free pages.
        try execute("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON")
    }

    /// Runs one or more statements without arguments, such as a schema.
    public func execute(_ sql: String) throws {
        let handle = try openHandle()
        try endScopedRead()
        // Schema changes come through here (migrations); SQLite re-prepares affected statements by
        // itself, and a `SELECT *` may then return other columns.
        columnMaps.removeAll()
        try check(sqlite3_exec(handle, sql, nil, nil, nil), sql: sql)
    }

    /// Runs one statement and returns how many rows it changed: `try db.run("DELETE FROM t WHERE id = \(id)")`.
    @discardableResult
    public func run(_ sql: SQL) throws -> Int {
        try refuseIfInvalid(sql)
        return try run(sql.text, count: sql.arguments.count) { sql.arguments[$0] }
    }

    /// The rows of one statement.
    public func query(_ sql: SQL) throws -> [Row] {
        try refuseIfInvalid(sql)
        return try withStatement(sql.text, count: sql.arguments.count, { sql.arguments[$0] }) { try rows(of: $0, sql: sql.text, limit: nil) }
    }

    /// The first row, or nil. Only that row is fetched.
    public func queryOne(_ sql: SQL) throws -> Row? {
        try refuseIfInvalid(sql)
        return try withStatement(sql.text, count: sql.arguments.count, { sql.arguments[$0] }) { try rows(of: $0, sql: sql.text, limit: 1).first }
    }

    // The text-and-arguments forms, with `?` lined up with the arguments by hand. Disfavoured so that a
    // literal (`db.run("… \(value)")`) goes to the `SQL` forms above and binds its values, instead of
    // being spliced into the text by String's interpolation.

    @_disfavoredOverload
    @discardableResult
    public func run(_ sql: String, _ arguments: any SQLBindable...) throws -> Int {
        try run(sql, arguments)
    }

    @_disfavoredOverload
    @discardableResult
    public func run(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int {
        try run(sql, count: arguments.count) { arguments[$0].sqlValue }
    }

    @_disfavoredOverload
    public func query(_ sql: String, _ arguments: any SQLBindable...) throws -> [Row] {
        try query(sql, arguments)
    }

    @_disfavoredOverload
    public func query(_ sql: String, _ arguments: [any SQLBindable]) throws -> [Row] {
        try withStatement(sql, count: arguments.count, { arguments[$0].sqlValue }) { try rows(of: $0, sql: sql, limit: nil) }
    }

    /// The first row, or nil. Only that row is fetched.
    @_disfavoredOverload
    public func queryOne(_ sql: String, _ arguments: any SQLBindable...) throws -> Row? {
        try queryOne(sql, arguments)
    }

    @_disfavoredOverload
    public func queryOne(_ sql: String, _ arguments: [any SQLBindable]) throws -> Row? {
        try withStatement(sql, count: arguments.count, { arguments[$0].sqlValue }) { try rows(of: $0, sql: sql, limit: 1).first }
    }

    private func refuseIfInvalid(_ sql: SQL) throws {
        if let problem = sql.problem { throw DatabaseError(SQLITE_MISUSE, problem, sql: sql.text) }
    }

    private func run(_ sql: String, count: Int, _ argument: (Int) -> SQLValue) throws -> Int {
        try withStatement(sql, count: count, argument) { statement in
            // Keep stepping past rows (from RETURNING) so the statement runs to completion.
            while true {
                let result = sqlite3_step(statement)
                if result == SQLITE_DONE { break }
                if result != SQLITE_ROW { throw error(result, sql: sql) }
            }
            return Int(sqlite3_changes64(connection))
        }
    }

    public var lastInsertRowID: Int64 {
        connection.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// Finalizes cached statements and closes the connection; safe to call more than once.
    public func close() {
        guard let handle = connection else { return }
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        columnMaps.removeAll()
        // close_v2 still completes if something else holds a statement, instead of failing with BUSY.
        sqlite3_close_v2(handle)
        connection = nil
        transaction = nil
        savepointDepth = 0
    }

    // MARK: - Internals shared with the transaction and backup code

    func openHandle() throws -> OpaquePointer {
        guard let connection else { throw DatabaseError(SQLITE_MISUSE, "the database connection is closed") }
        return connection
    }

    func check(_ result: Int32, sql: String?) throws {
        guard result == SQLITE_OK || result == SQLITE_ROW || result == SQLITE_DONE else { throw error(result, sql: sql) }
    }

    func error(_ result: Int32, sql: String?) -> DatabaseError {
        DatabaseError.from(result, connection: connection, sql: sql)
    }

    /// Whether SQLite has a transaction open, however it was started.
    var isInTransaction: Bool {
        connection.map { sqlite3_get_autocommit($0) == 0 } ?? false
    }

    /// Rolls back whatever transaction is open. Failures are ignored: this runs while another error is
    /// already being reported, and SQLite may have rolled back by itself (after SQLITE_FULL, for example).
    func rollbackIfInTransaction() {
        guard let connection, sqlite3_get_autocommit(connection) == 0 else { return }
        _ = sqlite3_exec(connection, "ROLLBACK", nil, nil, nil)
    }

    // MARK: - Statements

    private func withStatement<R>(_ sql: String, count: Int, _ argument: (Int) -> SQLValue,
                                  _ body: (OpaquePointer) throws -> R) throws -> R {
        let statement = try prepared(sql)
        if readScope { try followScope(statement) }
        // Reset releases the statement's read lock and clearing drops bound copies of possibly secret values.
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(count: count, argument, to: statement, sql: sql)
        return try body(statement)
    }

    /// In a read scope: a reading statement outside any transaction opens the scope's snapshot; a
    /// writing one closes it first, since upgrading a snapshot that another connection has written past
    /// fails with SQLITE_BUSY_SNAPSHOT instead of waiting.
    private func followScope(_ statement: OpaquePointer) throws {
        let reads = sqlite3_stmt_readonly(statement) != 0
        switch transaction {
        case nil where reads:
            try control("BEGIN")
            transaction = .scopedRead
        case .scopedRead? where !reads:
            try endScopedRead()
        default:
            break
        }
    }

    /// Ends the read transaction a read scope opened, if one is open.
    func endScopedRead() throws {
        guard transaction == .scopedRead else { return }
        transaction = nil
        do {
            try control("COMMIT")
        } catch {
            rollbackIfInTransaction()
            throw error
        }
    }

    /// Runs a transaction-control statement (BEGIN, COMMIT, SAVEPOINT…) as a cached prepared statement,
    /// outside the read scope's bookkeeping: every request opens at least one transaction, and parsing
    /// the text each time was measurable.
    func control(_ sql: String) throws {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        let result = sqlite3_step(statement)
        guard result == SQLITE_DONE else { throw error(result, sql: sql) }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let cached = statements[SQLText(sql)] { return cached }
        let handle = try openHandle()
        var prepared: OpaquePointer?
        var hasTrailingStatement = false
        let result = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let result = sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, &tail)
            if result == SQLITE_OK, let tail, tail.pointee != 0 {
                hasTrailingStatement = Self.containsStatement(handle, tail)
            }
            return result
        }
        try check(result, sql: sql)
        guard let statement = prepared else { throw DatabaseError(SQLITE_MISUSE, "the SQL text contains no statement", sql: sql) }
        guard !hasTrailingStatement else {
            sqlite3_finalize(statement)
            throw DatabaseError(SQLITE_MISUSE, "run() and query() take exactly one statement; use execute() for several", sql: sql)
        }
        if statements.count >= Self.statementCacheLimit {
            for cached in statements.values { sqlite3_finalize(cached) }
            statements.removeAll()
            columnMaps.removeAll()
        }
        statements[SQLText(sql)] = statement
        preparedStatementCount += 1
        return statement
    }

    /// Whether leftover SQL text holds another statement, judged by SQLite itself so trailing
    /// whitespace, semicolons and comments are allowed but a second statement (or garbage) is not.
    private static func containsStatement(_ handle: OpaquePointer, _ text: UnsafePointer<CChar>) -> Bool {
        var extra: OpaquePointer?
        let result = sqlite3_prepare_v2(handle, text, -1, &extra, nil)
        sqlite3_finalize(extra)
        return result != SQLITE_OK || extra != nil
    }

    /// Binds `count` arguments, the one for parameter `n` (from 0) being `argument(n)`.
    private func bind(count: Int, _ argument: (Int) -> SQLValue, to statement: OpaquePointer, sql: String) throws {
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard expected == count else {
            throw DatabaseError(SQLITE_RANGE, "the statement has \(expected) parameter(s) but \(count) argument(s) were given", sql: sql)
        }
        for offset in 0..<count {
            let index = Int32(offset + 1)
            let result: Int32
            switch argument(offset) {
            case .null:
                result = sqlite3_bind_null(statement, index)
            case .integer(let value):
                result = sqlite3_bind_int64(statement, index, value)
            case .real(let value):
                result = sqlite3_bind_double(statement, index, value)
            case .text(let value):
                let length = value.utf8.count
                guard length <= Int(Int32.max) else { throw DatabaseError(SQLITE_TOOBIG, "text argument \(index) is too long", sql: sql) }
                result = value.withCString { clientone_sqlite3_bind_text_transient(statement, index, $0, Int32(length)) }
            case .blob(let value):
                guard value.count <= Int(Int32.max) else { throw DatabaseError(SQLITE_TOOBIG, "blob argument \(index) is too long", sql: sql) }
                // A null pointer would bind NULL, so an empty blob is bound as a zero-length blob instead.
                result = value.isEmpty
                    ? sqlite3_bind_zeroblob(statement, index, 0)
                    : value.withUnsafeBytes { clientone_sqlite3_bind_blob_transient(statement, index, $0.baseAddress, Int32(value.count)) }
            }
            try check(result, sql: sql)
        }
    }

    private func rows(of statement: OpaquePointer, sql: String, limit: Int?) throws -> [Row] {
        var rows: [Row] = []
        // The columns are read after the first step: a statement whose schema changed is prepared again
        // by that step, and only then names the columns it returns now.
        var columns: ColumnNames?
        while limit.map({ rows.count < $0 }) ?? true {
            let result = sqlite3_step(statement)
            if result == SQLITE_DONE { break }
            guard result == SQLITE_ROW else { throw error(result, sql: sql) }
            let names = try columns ?? columnNames(of: statement, count: sqlite3_column_count(statement), sql: sql)
            columns = names
            rows.append(Row(columns: names, values: (0..<Int32(names.names.count)).map { value(of: statement, column: $0) }))
        }
        return rows
    }

    private func columnNames(of statement: OpaquePointer, count: Int32, sql: String) throws -> ColumnNames {
        if let cached = columnMaps[statement], cached.names.count == Int(count) { return cached }
        var names: [String] = []
        for column in 0..<count {
            guard let name = sqlite3_column_name(statement, column) else { throw error(SQLITE_NOMEM, sql: sql) }
            names.append(String(cString: name))
        }
        let columns = ColumnNames(names, sql: sql)
        // Only statements kept in the cache: a map outliving its statement could be found again under a
        // reused address.
        if statements[SQLText(sql)] == statement { columnMaps[statement] = columns }
        return columns
    }

    private func value(of statement: OpaquePointer, column: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(statement, column) else { return .text("") }
            let count = Int(sqlite3_column_bytes(statement, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            // A zero-length blob comes back as a null pointer.
            guard let bytes = sqlite3_column_blob(statement, column) else { return .blob([]) }
            let count = Int(sqlite3_column_bytes(statement, column))
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            return .null
        }
    }
}

/// SQL text as the statement cache's key. Equality is the text's; the hash reads the length and three
/// eight-byte samples instead of every byte, since the texts are long (a page looks up a handful) and
/// rarely alike. Texts that agree in all four fall into one bucket and are told apart by equality.
/// Equal literals share storage, so that comparison usually ends at the first check.
struct SQLText: Hashable {
    let text: String

    init(_ text: String) { self.text = text }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { Self.sample($0, into: &hasher) }
    }

    private static func sample(_ bytes: UnsafeBufferPointer<UInt8>, into hasher: inout Hasher) {
        hasher.combine(bytes.count)
        guard bytes.count >= 8, let base = bytes.baseAddress else {
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
            return
        }
        let raw = UnsafeRawPointer(base)
        hasher.combine(raw.loadUnaligned(as: UInt64.self))
        hasher.combine(raw.loadUnaligned(fromByteOffset: (bytes.count - 8) / 2, as: UInt64.self))
        hasher.combine(raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
    }
}
