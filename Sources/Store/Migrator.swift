/// One named schema change. Names are recorded once applied, so they must never be reused or renamed.
public struct Migration: Sendable {
    public let name: String
    public let apply: @Sendable (Database) throws -> Void

    /// A migration given as SQL text. It runs inside the migrator's transaction, so it must not contain
    /// BEGIN or COMMIT, and `PRAGMA foreign_keys` has no effect in it (SQLite ignores it in a transaction).
    public init(_ name: String, sql: String) {
        self.init(name) { try $0.execute(sql) }
    }

    public init(_ name: String, apply: @escaping @Sendable (Database) throws -> Void) {
        self.name = name
        self.apply = apply
    }
}

/// Applies named migrations in registration order, each in its own IMMEDIATE transaction together with
/// its record in `schema_migrations(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`, so a migration
/// is either fully applied and recorded or not at all.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(_ migrations: [Migration]) {
        var seen = Set<String>()
        for migration in migrations {
            precondition(seen.insert(migration.name).inserted, "duplicate migration name \"\(migration.name)\"")
        }
        self.migrations = migrations
    }

    /// Applies pending migrations and returns their names. Refuses a database that records migrations
    /// this program does not know: it was written by a newer version whose schema this one would misread.
    public func migrate(_ db: Database) throws -> [String] {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        let known = Set(migrations.map(\.name))
        let unknown = try appliedNames(db).filter { !known.contains($0) }
        guard unknown.isEmpty else { throw NewerDatabaseError(unknownMigrations: unknown) }
        var applied: [String] = []
        for migration in migrations {
            let isNew = try db.write { db -> Bool in
                // Checked inside the write lock, so two processes migrating at once do not both apply it.
                guard try db.queryOne("SELECT 1 FROM schema_migrations WHERE name = ?", migration.name) == nil else { return false }
                do {
                    try migration.apply(db)
                } catch {
                    throw MigrationError(name: migration.name, underlying: error)
                }
                try db.run("INSERT INTO schema_migrations (name, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                           migration.name)
                return true
            }
            if isNew { applied.append(migration.name) }
        }
        return applied
    }

    /// The names `schema_migrations` records (`migrate` has made the table first).
    private func appliedNames(_ db: Database) throws -> [String] {
        try db.query("SELECT name FROM schema_migrations ORDER BY rowid").compactMap { $0.string("name") }
    }
}

/// The database records migrations this program does not know, so a newer version wrote it.
public struct NewerDatabaseError: Error, CustomStringConvertible {
    public let unknownMigrations: [String]

    public var description: String {
        "this database was written by a newer ClientOne Console (unknown migrations: \(unknownMigrations.joined(separator: ", "))); refusing to open it"
    }
}

/// A migration failed; its transaction was rolled back and it was not recorded.
public struct MigrationError: Error, CustomStringConvertible {
    public let name: String
    public let underlying: any Error

    public var description: String { "migration \"\(name)\" failed and was rolled back: \(underlying)" }
}
