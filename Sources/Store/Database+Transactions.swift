import CSQLite
#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

extension Database {
    /// Runs `body` in a write transaction and commits it, or rolls it back if `body` throws.
    /// BEGIN IMMEDIATE takes the write lock up front, waiting through the busy timeout; a deferred
    /// transaction that upgrades later can fail with SQLITE_BUSY without waiting, losing its work.
    /// A nested call runs inside a savepoint, so a nested failure undoes only its own changes.
    @discardableResult
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        switch transaction {
        case nil:
            return try inTransaction(begin: "BEGIN IMMEDIATE", kind: .write, body)
        case .scopedRead:
            // The scope's snapshot ends here; reads after the write start a new one that sees it.
            try endScopedRead()
            return try inTransaction(begin: "BEGIN IMMEDIATE", kind: .write, body)
        case .write:
            return try inSavepoint(body)
        case .read:
            // The read snapshot may be stale, and upgrading it would fail with SQLITE_BUSY_SNAPSHOT.
            throw DatabaseError(SQLITE_MISUSE, "write() cannot run inside read(); start the outer transaction with write()")
        }
    }

    /// Runs `body` in a read transaction, so all its queries see one consistent snapshot.
    /// Inside another transaction (a read scope's included) it simply runs, since that transaction
    /// already gives a snapshot.
    @discardableResult
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        guard transaction == nil else { return try body(self) }
        return try inTransaction(begin: "BEGIN DEFERRED", kind: .read, body)
    }

    private func inTransaction<T>(begin: String, kind: TransactionKind, _ body: (Database) throws -> T) throws -> T {
        try control(begin)
        transaction = kind
        defer { transaction = nil }
        let result: T
        do {
            result = try body(self)
            try control("COMMIT")
        } catch {
            // A failed COMMIT leaves the transaction open; it must not leak into the next use.
            rollbackIfInTransaction()
            throw error
        }
        return result
    }

    private func inSavepoint<T>(_ body: (Database) throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "clientone_nested_\(savepointDepth)"
        try control("SAVEPOINT \(name)")
        do {
            let result = try body(self)
            try control("RELEASE \(name)")
            return result
        } catch {
            try? control("ROLLBACK TO \(name)")
            try? control("RELEASE \(name)")
            throw error
        }
    }

    /// Copies the whole database into a new file at `path` with SQLite's online backup, which gives a
    /// consistent snapshot even while other connections write. An existing file is never overwritten,
    /// and the copy is created with mode 0600 because it holds every secret the database does.
    public func backup(to path: String) throws {
        let source = try openHandle()
        // O_EXCL makes the existence check and the creation one step, so nothing can slip in between.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "already exists; refusing to overwrite it" : "cannot be created: \(String(cString: strerror(errno)))"
            throw DatabaseError(SQLITE_CANTOPEN, "backup destination \(path) \(reason)")
        }
        closeDescriptor(descriptor)
        var destination: OpaquePointer?
        var completed = false
        defer {
            if let destination { sqlite3_close_v2(destination) }
            // A partial copy must not be mistaken for a good backup later.
            if !completed { unlink(path) }
        }
        let opened = sqlite3_open_v2(path, &destination, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nil)
        guard opened == SQLITE_OK, let destination else {
            throw DatabaseError.from(opened, connection: destination, sql: nil)
        }
        guard let backup = sqlite3_backup_init(destination, "main", source, "main") else {
            throw DatabaseError.from(sqlite3_extended_errcode(destination), connection: destination, sql: nil)
        }
        let stepped = sqlite3_backup_step(backup, -1)
        let finished = sqlite3_backup_finish(backup)
        guard stepped == SQLITE_DONE else {
            throw DatabaseError.from(stepped, connection: destination, sql: nil)
        }
        guard finished == SQLITE_OK else {
            throw DatabaseError.from(finished, connection: destination, sql: nil)
        }
        completed = true
    }
}

/// Inside `Database`, `close` means the connection's own method; this reaches the system call.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
