import CSQLite
import Foundation

/// Thread-safe access to one database file: each caller gets a connection of its own for the duration
/// of a closure. Connections open lazily up to `maxConnections`; further callers block until one comes
/// back. WAL mode lets the connections read concurrently while writes take turns on SQLite's write lock.
///
/// Calls must not nest (`withConnection` inside `withConnection` on one thread): with every connection
/// checked out, the inner call would wait for itself.
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
