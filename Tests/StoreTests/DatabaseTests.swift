@testable import Store
import Testing
import TestSupport

/// A single connection: values, pragmas, errors, the statement cache and closing.
@Suite struct DatabaseTests {
    private let folder = TemporaryDirectory()

    private func open() throws -> Database {
        let db = try Database(path: folder.file("test.db"))
        try db.execute("""
            CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, count INTEGER, ratio REAL, data BLOB, flag INTEGER);
            """)
        return db
    }

    @Test("Every SQLValue type round-trips, including NULL, empty text and zero-byte blobs")
    func roundTrip() throws {
        let db = try open()
        let values: [SQLValue] = [.null, .integer(Int64.min), .integer(Int64.max), .real(-2.5), .text(""), .text("héllo\u{0}wörld ✓"),
                                  .blob([]), .blob([0, 255, 0, 1])]
        for value in values {
            try db.run("INSERT INTO items (data) VALUES (?)", value)
            let row = try #require(try db.queryOne("SELECT data FROM items WHERE id = ?", db.lastInsertRowID))
            #expect(row["data"] == value)
        }
        let emptyBlob = try #require(try db.queryOne("SELECT data, typeof(data) AS kind FROM items WHERE data = ?", [UInt8]()))
        #expect(emptyBlob.string("kind") == "blob")
        #expect(emptyBlob.blob("data") == [])
    }

    @Test("A cached SELECT * sees columns added later, by this connection or by another one")
    func cachedStatementAfterSchemaChange() throws {
        let db = try open()
        try db.run("INSERT INTO items (name) VALUES (?)", "widget")
        let before = try #require(try db.queryOne("SELECT * FROM items WHERE name = ?", "widget"))
        #expect(before.string("name") == "widget")

        try db.execute("ALTER TABLE items ADD COLUMN colour TEXT DEFAULT 'blue'")
        let after = try #require(try db.queryOne("SELECT * FROM items WHERE name = ?", "widget"))
        #expect(after.string("colour") == "blue")

        let other = try Database(path: folder.file("test.db"))
        try other.execute("ALTER TABLE items ADD COLUMN size INTEGER DEFAULT 3")
        let third = try #require(try db.queryOne("SELECT * FROM items WHERE name = ?", "widget"))
        #expect(third.int("size") == 3)
        #expect(third.string("colour") == "blue")
    }

    @Test("Columns are found by their exact name: the first of duplicates, not a longer or shorter name, empty names too")
    func columnNames() throws {
        let db = try open()
        let row = try #require(try db.queryOne("""
            SELECT 1 AS id, 2 AS id, 3 AS id2, 4 AS i, 5 AS "", 6 AS "Id", 7 AS "é", 8 AS "a column with a long name"
            """))
        #expect(row.int("id") == 1)
        #expect(row.int("id2") == 3)
        #expect(row.int("i") == 4)
        #expect(row.int("") == 5)
        #expect(row.int("Id") == 6)
        #expect(row.int("é") == 7)
        #expect(row.int("a column with a long name") == 8)
        // Names built at run time (not literals) are found the same way.
        #expect(row.int(String(["i", "d", "2"])) == 3)
    }

    @Test("Statements whose texts agree in length, start, middle and end are cached apart and give their own rows")
    func lookalikeStatements() throws {
        let db = try open()
        try db.run("INSERT INTO items (name, count) VALUES ('a', 1), ('b', 2)")
        // Same length, the same first, middle and last eight bytes: only the bytes in between differ.
        let first = "SELECT count FROM items WHERE name = 'a' AND 1 = 1 AND count >= 0 AND name IS NOT NULL AND 2 = 2"
        let second = "SELECT count FROM items WHERE name = 'b' AND 1 = 1 AND count >= 0 AND name IS NOT NULL AND 2 = 2"
        #expect(SQLText(first).hashValue == SQLText(second).hashValue && SQLText(first) != SQLText(second))
        for _ in 0..<3 {
            #expect(try db.queryOne(first)?.int("count") == 1)
            #expect(try db.queryOne(second)?.int("count") == 2)
        }
    }

    @Test("Swift types bind to their SQLite storage classes and typed accessors read them back")
    func typedAccessors() throws {
        let db = try open()
        let missing: String? = nil
        try db.run("INSERT INTO items (name, count, ratio, data, flag) VALUES (?, ?, ?, ?, ?)", "widget", 42, 0.25, [UInt8]([1, 2]), true)
        try db.run("INSERT INTO items (name, count, ratio, data, flag) VALUES (?, ?, ?, ?, ?)", missing, Int64(7), 3.0, Optional([UInt8]([9])), false)
        let rows = try db.query("SELECT * FROM items ORDER BY id")
        try #require(rows.count == 2)
        #expect(rows[0].string("name") == "widget")
        #expect(rows[0].int("count") == 42)
        #expect(rows[0].int64("count") == 42)
        #expect(rows[0].double("ratio") == 0.25)
        #expect(rows[0].blob("data") == [1, 2])
        #expect(rows[0].bool("flag") == true)
        #expect(rows[1].string("name") == nil)
        #expect(rows[1]["name"] == .null)
        #expect(rows[1].bool("flag") == false)
        #expect(rows[1].double("count") == 7)
        #expect(rows[0].int("name") == nil, "text is not silently read as a number")
    }

    @Test("run returns the number of changed rows; queryOne returns nil when nothing matches")
    func changesAndEmptyResults() throws {
        let db = try open()
        for name in ["a", "b", "c"] { try db.run("INSERT INTO items (name, count) VALUES (?, 1)", name) }
        #expect(try db.run("UPDATE items SET count = count + 1 WHERE name <> ?", "a") == 2)
        #expect(try db.queryOne("SELECT * FROM items WHERE name = ?", "zzz") == nil)
        #expect(try db.query("SELECT name FROM items WHERE count = ?", [2]).count == 2)
        let arguments: [any SQLBindable] = ["a", 1]
        #expect(try db.query("SELECT name FROM items WHERE name = ? AND count = ?", arguments).count == 1)
    }

    @Test("Connections run in WAL mode with foreign keys, a busy timeout, full sync and secure delete")
    func pragmas() throws {
        let db = try open()
        #expect(try db.queryOne("PRAGMA journal_mode")?.string("journal_mode") == "wal")
        #expect(try db.queryOne("PRAGMA foreign_keys")?.int("foreign_keys") == 1)
        #expect(try db.queryOne("PRAGMA busy_timeout")?.int("timeout") == 5000)
        #expect(try db.queryOne("PRAGMA synchronous")?.int("synchronous") == 2)
        #expect(try db.queryOne("PRAGMA secure_delete")?.int("secure_delete") == 1)
    }

    @Test("Foreign keys are enforced")
    func foreignKeys() throws {
        let db = try open()
        try db.execute("CREATE TABLE parts (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id))")
        let error = try #require(throws: DatabaseError.self) { try db.run("INSERT INTO parts (item_id) VALUES (?)", 999) }
        #expect(error.isConstraintViolation)
        #expect(!error.isUniqueViolation)
    }

    @Test("Unique and primary key violations are recognised")
    func uniqueViolation() throws {
        let db = try open()
        try db.run("INSERT INTO items (id, name) VALUES (?, ?)", 1, "dup")
        let unique = try #require(throws: DatabaseError.self) { try db.run("INSERT INTO items (name) VALUES (?)", "dup") }
        #expect(unique.isUniqueViolation)
        #expect(unique.isConstraintViolation)
        try db.execute("CREATE TABLE keyed (code TEXT PRIMARY KEY)")
        try db.run("INSERT INTO keyed VALUES (?)", "x")
        let primary = try #require(throws: DatabaseError.self) { try db.run("INSERT INTO keyed VALUES (?)", "x") }
        #expect(primary.isUniqueViolation)
    }

    @Test("Errors carry the SQL but never the bound values")
    func errorsHideArguments() throws {
        let db = try open()
        let secret = "hunter2-very-secret"
        try db.run("INSERT INTO items (name) VALUES (?)", secret)
        let error = try #require(throws: DatabaseError.self) { try db.run("INSERT INTO items (name) VALUES (?)", secret) }
        #expect(error.sql == "INSERT INTO items (name) VALUES (?)")
        #expect(error.description.contains("INSERT INTO items (name) VALUES (?)"))
        #expect(error.description.contains("UNIQUE"))
        #expect(!error.description.contains(secret))
        #expect(!error.message.contains(secret))
        let syntax = try #require(throws: DatabaseError.self) { try db.query("SELEC nonsense", secret) }
        #expect(syntax.sql == "SELEC nonsense")
        #expect(!syntax.description.contains(secret))
    }

    @Test("A cached statement is reused many times; wrong argument counts fail clearly and leave it usable")
    func statementCache() throws {
        let db = try open()
        for index in 0..<500 {
            try db.run("INSERT INTO items (name, count) VALUES (?, ?)", "item \(index)", index)
        }
        #expect(try db.queryOne("SELECT COUNT(*) AS n, SUM(count) AS total FROM items")?.int("total") == 499 * 500 / 2)
        let tooFew = try #require(throws: DatabaseError.self) { try db.run("INSERT INTO items (name, count) VALUES (?, ?)", "x") }
        #expect(tooFew.message.contains("2 parameter(s) but 1 argument(s)"))
        #expect(throws: DatabaseError.self) { try db.run("INSERT INTO items (name, count) VALUES (?, ?)", "x", 1, 2) }
        try db.run("INSERT INTO items (name, count) VALUES (?, ?)", "after", 1)
        #expect(try db.queryOne("SELECT count FROM items WHERE name = ?", "after")?.int("count") == 1)
    }

    @Test("run and query refuse several statements at once; execute accepts them")
    func singleStatement() throws {
        let db = try open()
        let error = try #require(throws: DatabaseError.self) {
            try db.run("INSERT INTO items (name) VALUES ('a'); DROP TABLE items")
        }
        #expect(error.message.contains("exactly one statement"))
        #expect(try db.run("INSERT INTO items (name) VALUES ('a');  -- trailing comment\n;") == 1)
        #expect(throws: DatabaseError.self) { try db.query("SELECT 1; garbage") }
        try db.execute("INSERT INTO items (name) VALUES ('b'); INSERT INTO items (name) VALUES ('c')")
        #expect(try db.query("SELECT * FROM items").count == 3)
    }

    @Test("close is idempotent and later use throws")
    func closing() throws {
        let db = try open()
        _ = try db.query("SELECT * FROM items")
        db.close()
        db.close()
        #expect(throws: DatabaseError.self) { try db.query("SELECT 1") }
        #expect(throws: DatabaseError.self) { try db.execute("SELECT 1") }
    }

    @Test("A read-only connection reads but cannot write")
    func readOnly() throws {
        let db = try open()
        try db.run("INSERT INTO items (name) VALUES (?)", "a")
        let reader = try Database(path: folder.file("test.db"), readOnly: true)
        #expect(try reader.query("SELECT * FROM items").count == 1)
        let error = try #require(throws: DatabaseError.self) { try reader.run("INSERT INTO items (name) VALUES (?)", "b") }
        #expect(error.code == 8)
    }

    @Test("Opening a path in a missing folder fails with an error")
    func badPath() {
        #expect(throws: DatabaseError.self) { try Database(path: folder.file("missing/dir/test.db")) }
    }
}
