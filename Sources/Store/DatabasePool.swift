import CSQLite
import Foundation

/// Thread-safe access to one database file: each caller gets a connection of its own for the duration
/// of a closure. Connections open lazily up to `maxConnections`; further callers block until one comes
/// back. WAL mode lets the connections read concurrently while writes take turns on SQLite's write lock.
///
/// Calls must not nest (`withConnection` inside `withConnection` on one thread): with every connection
/// checked out, the inner call would wait for itself. Inside ``withReadScope(_:)`` they may: every call
/// on that thread gets the scope's connection.
public final class DatabasePool: @unchecked Sendable {
    public let path: String
    public let maxConnections: Int
    private let prepare: @Sendable (Database) throws -> Void
    /// Guards `idle`, `openCount` and `isClosed`, and wakes waiters when a connection comes back.
    private let condition = NSCondition()
    private var idle: [Database] = []
    /// Connections in existence: idle, checked out, or being opened.
    private var openCount = 0
    private var isClosed = false

    /// Opens the first connection at once so a bad path or a failing `prepare` surfaces at start-up.
    /// `prepare` runs on every new connection (for per-connection settings).
    public init(path: String, maxConnections: Int = 8, prepare: @escaping @Sendable (Database) throws -> Void = { _ in }) throws {
        precondition(maxConnections >= 1, "DatabasePool needs at least one connection")
        self.path = path
        self.maxConnections = maxConnections
        self.prepare = prepare
        idle = [try Self.openConnection(path: path, prepare: prepare)]
        openCount = 1
    }

    @discardableResult
    public func withConnection<T>(_ body: (Database) throws -> T) throws -> T {
        if let scoped = ScopedConnection.current(in: self) { return try body(scoped) }
        let database = try checkOut()
        defer { checkIn(database) }
        return try body(database)
    }

    @discardableResult
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try withConnection { try $0.write(body) }
    }

    @discardableResult
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try withConnection { try $0.read(body) }
    }

    /// Runs `body` with every `withConnection`, `read` and `write` of this pool on this thread using one
    /// connection, whose reads share one snapshot (one read transaction) until something writes; reads
    /// after a write see it, in a new snapshot. For the work of one request: one consistent view, and
    /// one read lock instead of one per query. Keep it short: an open snapshot holds back checkpoints.
    /// Nested, it simply runs `body`.
    @discardableResult
    public func withReadScope<T>(_ body: () throws -> T) throws -> T {
        if ScopedConnection.current(in: self) != nil { return try body() }
        let database = try checkOut()
        database.readScope = true
        let outer = ScopedConnection.enter(database, in: self)
        defer {
            ScopedConnection.leave(restoring: outer)
            database.readScope = false
            try? database.endScopedRead()
            checkIn(database)
        }
        return try body()
    }

    /// Waits for every checked-out connection to come back, then closes them all. Callers waiting for a
    /// connection, and any later call, get an error. Calling it again does nothing.
    public func close() {
        condition.lock()
        isClosed = true
        condition.broadcast()
        while idle.count < openCount { condition.wait() }
        let connections = idle
        idle = []
        openCount = 0
        condition.unlock()
        for connection in connections { connection.close() }
    }

    private func checkOut() throws -> Database {
        condition.lock()
        while true {
            if isClosed {
                condition.unlock()
                throw DatabaseError(SQLITE_MISUSE, "the database pool for \(path) is closed")
            }
            if let database = idle.popLast() {
                condition.unlock()
                return database
            }
            if openCount < maxConnections { break }
            condition.wait()
        }
        // The slot is reserved before unlocking so opening (slow, and possibly failing) happens outside the lock.
        openCount += 1
        condition.unlock()
        do {
            return try Self.openConnection(path: path, prepare: prepare)
        } catch {
            condition.lock()
            openCount -= 1
            condition.broadcast()
            condition.unlock()
            throw error
        }
    }

    private func checkIn(_ database: Database) {
        // A transaction left open (by hand-written BEGIN, say) would hold locks for the next borrower.
        database.rollbackIfInTransaction()
        condition.lock()
        idle.append(database)
        // Broadcast rather than signal: both borrowers and close() wait on this condition.
        condition.broadcast()
        condition.unlock()
    }

    private static func openConnection(path: String, prepare: @Sendable (Database) throws -> Void) throws -> Database {
        let database = try Database(path: path)
        try prepare(database)
        return database
    }
}

/// The connection a read scope lent to this thread, and the pool it came from (a thread may use several
/// pools, in tests). Thread-specific data rather than a task local: the callers are libmicrohttpd's
/// threads and the server's own.
private enum ScopedConnection {
    final class Entry {
        let pool: ObjectIdentifier
        let database: Database
        init(pool: ObjectIdentifier, database: Database) {
            self.pool = pool
            self.database = database
        }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key left")
        return key
    }()

    static func current(in pool: DatabasePool) -> Database? {
        guard let raw = pthread_getspecific(key) else { return nil }
        let entry = Unmanaged<Entry>.fromOpaque(raw).takeUnretainedValue()
        return entry.pool == ObjectIdentifier(pool) ? entry.database : nil
    }

    /// Returns what was there before (another pool's scope), for ``leave(restoring:)``.
    static func enter(_ database: Database, in pool: DatabasePool) -> UnsafeMutableRawPointer? {
        let outer = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passRetained(Entry(pool: ObjectIdentifier(pool), database: database)).toOpaque())
        return outer
    }

    static func leave(restoring outer: UnsafeMutableRawPointer?) {
        guard let raw = pthread_getspecific(key) else { return }
        pthread_setspecific(key, outer)
        Unmanaged<Entry>.fromOpaque(raw).release()
    }
}
