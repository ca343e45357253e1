import Store
import Testing
import TestSupport

/// Schema migrations: order, idempotence, atomicity, and refusal of newer databases.
@Suite struct MigratorTests {
    private let folder = TemporaryDirectory()

    private static let first = Migration("001-users", sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE)")
    private static let second = Migration("002-sessions", sql: """
        CREATE TABLE sessions (id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id));
        CREATE INDEX sessions_user ON sessions (user_id);
        """)
    private static let third = Migration("003-user-names") { db in
        try db.execute("ALTER TABLE users ADD COLUMN name TEXT")
        try db.run("UPDATE users SET name = ?", "unknown")
    }

    private func open() throws -> Database { try Database(path: folder.file("test.db")) }

    private func recorded(_ db: Database) throws -> [String] {
        try db.query("SELECT name FROM schema_migrations ORDER BY rowid").compactMap { $0.string("name") }
    }

    @Test("Migrations apply in registration order, once")
    func appliesOnce() throws {
        let db = try open()
        let migrator = Migrator([Self.first, Self.second, Self.third])
        #expect(try migrator.migrate(db) == ["001-users", "002-sessions", "003-user-names"])
        #expect(try recorded(db) == ["001-users", "002-sessions", "003-user-names"])
        #expect(try migrator.migrate(db) == [])
        #expect(try recorded(db) == ["001-users", "002-sessions", "003-user-names"], "a second run records nothing more")
        let appliedAt = try #require(try db.queryOne("SELECT applied_at FROM schema_migrations LIMIT 1")?.string("applied_at"))
        #expect(appliedAt.hasSuffix("Z") && appliedAt.contains("T"))
    }

    @Test("An older database is upgraded with only the new migrations")
    func upgrades() throws {
        let db = try open()
        #expect(try Migrator([Self.first, Self.second]).migrate(db) == ["001-users", "002-sessions"])
        try db.run("INSERT INTO users (email) VALUES (?)", "a@example.com")
        db.close()
        let reopened = try open()
        let migrator = Migrator([Self.first, Self.second, Self.third])
        #expect(try migrator.migrate(reopened) == ["003-user-names"])
        #expect(try reopened.queryOne("SELECT name FROM users")?.string("name") == "unknown")
    }

    @Test("A failing migration rolls back entirely and is not recorded")
    func failureRollsBack() throws {
        let db = try open()
        let broken = Migration("002-broken", sql: "CREATE TABLE half (id INTEGER); INSERT INTO nowhere VALUES (1)")
        let error = try #require(throws: MigrationError.self) { try Migrator([Self.first, broken, Self.third]).migrate(db) }
        #expect(error.name == "002-broken")
        #expect(error.description.contains("nowhere"))
        #expect(try recorded(db) == ["001-users"])
        #expect(try db.queryOne("SELECT name FROM sqlite_master WHERE name = 'half'") == nil)
        #expect(try Migrator([Self.first, Self.third]).migrate(db) == ["003-user-names"], "later runs continue normally")
    }

    @Test("A database with unknown migrations is refused as newer")
    func refusesNewer() throws {
        let db = try open()
        _ = try Migrator([Self.first, Self.second, Self.third]).migrate(db)
        let error = try #require(throws: NewerDatabaseError.self) { try Migrator([Self.first]).migrate(db) }
        #expect(error.unknownMigrations == ["002-sessions", "003-user-names"])
        #expect(error.description == "this database was written by a newer ClientOne Console "
            + "(unknown migrations: 002-sessions, 003-user-names); refusing to open it")
    }

    @Test("A fresh database gets its record table from the first migration run")
    func freshDatabase() throws {
        let db = try open()
        #expect(try db.queryOne("SELECT name FROM sqlite_master WHERE name = 'schema_migrations'") == nil)
        #expect(try Migrator([Self.first]).migrate(db) == ["001-users"])
        #expect(try recorded(db) == ["001-users"])
    }
}
