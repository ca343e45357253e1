@testable import Store
import Testing
import TestSupport

/// The `SQL` literal: values bound, identifiers quoted, fragments nested, the statement cache hit; and
/// rows decoded by throwing when a column is missing or holds something else.
@Suite struct SQLTests {
    private let folder = TemporaryDirectory()

    private func open() throws -> Database {
        let db = try Database(path: folder.file("sql.db"))
        try db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, count INTEGER, data BLOB)")
        return db
    }

    private func tableExists(_ name: String, _ db: Database) throws -> Bool {
        try db.queryOne("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = \(name)") != nil
    }

    // MARK: Values

    @Test("A value that is an injection payload is stored as it is and drops no table")
    func injectionPayloadIsBound() throws {
        let db = try open()
        let payloads = ["x'); DROP TABLE items; --", "' OR 1=1 --", "\"; DELETE FROM items; --", "?", "a\u{0}b"]
        for payload in payloads {
            let insert: SQL = "INSERT INTO items (name) VALUES (\(payload))"
            #expect(insert.text == "INSERT INTO items (name) VALUES (?)")
            #expect(insert.arguments == [.text(payload)])
            try db.run(insert)
        }
        #expect(try tableExists("items", db))
        let names = try db.query("SELECT name FROM items ORDER BY id").map { try $0.decode("name", as: String.self) }
        #expect(names == payloads)
        // A payload as a WHERE value matches only itself.
        #expect(try db.query("SELECT id FROM items WHERE name = \("' OR 1=1 --")").count == 1)
        #expect(try db.query("SELECT id FROM items WHERE name = \("' OR '1'='1")").isEmpty)
    }

    @Test("Every bindable type goes in as an argument and comes back the same")
    func valuesRoundTrip() throws {
        let db = try open()
        let blob: [UInt8] = [0, 1, 2, 255]
        try db.run("INSERT INTO items (id, name, count, data) VALUES (\(Int64(7)), \("seven"), \(Int(-3)), \(blob))")
        let row = try #require(try db.queryOne("SELECT * FROM items WHERE id = \(7) AND count < \(0.5) AND \(true)"))
        #expect(try row.decode("id", as: Int64.self) == 7)
        #expect(try row.decode("name", as: String.self) == "seven")
        #expect(try row.decode("count", as: Int.self) == -3)
        #expect(try row.decode("data", as: [UInt8].self) == blob)
        #expect(try row.decode("count", as: Double.self) == -3)
        #expect(try row.decode("count", as: Bool.self))
    }

    @Test("A nil optional binds NULL and a non-nil one its value")
    func optionalsBindNull() throws {
        let db = try open()
        let none: Int64? = nil, some: Int64? = 4, noName: String? = nil
        let insert: SQL = "INSERT INTO items (name, count) VALUES (\(noName), \(none))"
        #expect(insert.arguments == [.null, .null])
        try db.run(insert)
        try db.run("INSERT INTO items (name, count) VALUES (\("four"), \(some))")
        #expect(try db.query("SELECT id FROM items WHERE name IS NULL AND count IS NULL").count == 1)
        let four = try #require(try db.queryOne("SELECT count FROM items WHERE name = \("four")"))
        #expect(try four.decode("count", as: Int64?.self) == 4)
    }

    @Test("The description shows the text and how many arguments, never their values")
    func descriptionHidesValues() {
        let secret = "hunter2-password"
        let sql: SQL = "UPDATE items SET name = \(secret) WHERE id = \(1)"
        #expect(sql.description == "UPDATE items SET name = ? WHERE id = ? (2 argument(s))")
        #expect(!String(describing: sql).contains(secret))
    }

    // MARK: Identifiers

    @Test("An identifier is double-quoted with its quotes doubled, and works as a name")
    func identifiersAreQuoted() throws {
        let db = try open()
        let column = "odd \"name\"; DROP TABLE items"
        let create: SQL = "CREATE TABLE \(identifier: "weird table") (\(identifier: column) TEXT)"
        #expect(create.text == #"CREATE TABLE "weird table" ("odd ""name""; DROP TABLE items" TEXT)"#)
        try db.run(create)
        try db.run("INSERT INTO \(identifier: "weird table") (\(identifier: column)) VALUES (\("kept"))")
        let row = try #require(try db.queryOne("SELECT \(identifier: column) AS value FROM \(identifier: "weird table")"))
        #expect(try row.decode("value", as: String.self) == "kept")
        #expect(try tableExists("items", db))
    }

    @Test("An empty identifier or one with a control character is refused and nothing runs")
    func badIdentifiersAreRefused() throws {
        let db = try open()
        for bad in ["", "items\u{0}; DROP TABLE items", "line\nbreak", "tab\there", "del\u{7F}"] {
            let drop: SQL = "DROP TABLE \(identifier: bad)"
            #expect(drop.problem != nil)
            let error = try #require(throws: DatabaseError.self) { try db.run(drop) }
            #expect(error.message == "an identifier is empty or holds a control character")
            #expect(throws: DatabaseError.self) { try db.query("SELECT * FROM \(identifier: bad)") }
            #expect(throws: DatabaseError.self) { try db.queryOne("SELECT * FROM \(identifier: bad)") }
            // The refusal travels with the fragment into whatever nests it.
            let nested: SQL = "DROP TABLE IF EXISTS \(drop)"
            #expect(throws: DatabaseError.self) { try db.run(nested) }
        }
        #expect(try tableExists("items", db))
    }

    // MARK: Fragments and lists

    @Test("A nested fragment keeps its text and its arguments in order")
    func fragmentsNest() throws {
        let db = try open()
        for (name, count) in [("a", 1), ("b", 2), ("c", 3), ("d", 4)] {
            try db.run("INSERT INTO items (name, count) VALUES (\(name), \(count))")
        }
        let low: SQL = "count >= \(2)"
        let high: SQL = "count <= \(3)"
        let query: SQL = "SELECT name FROM items WHERE \(low) AND \(high) AND name <> \("z") ORDER BY id"
        #expect(query.text == "SELECT name FROM items WHERE count >= ? AND count <= ? AND name <> ? ORDER BY id")
        #expect(query.arguments == [.integer(2), .integer(3), .text("z")])
        #expect(try db.query(query).map { try $0.decode("name", as: String.self) } == ["b", "c"])

        let joined = SQL.join([low, high, "name <> \("c")"], separator: " AND ")
        #expect(joined.text == "count >= ? AND count <= ? AND name <> ?")
        #expect(try db.query("SELECT name FROM items WHERE \(joined)").map { try $0.decode("name", as: String.self) } == ["b"])
        #expect(SQL.join([SQL]()).text.isEmpty)
        #expect((low + " OR " + high).arguments == [.integer(2), .integer(3)])
    }

    @Test("A list binds each value for IN, and an empty list matches nothing")
    func listsBindEachValue() throws {
        let db = try open()
        for name in ["a", "b", "c"] { try db.run("INSERT INTO items (name) VALUES (\(name))") }
        let wanted = ["a", "c", "x') OR 1=1 --"]
        let query: SQL = "SELECT name FROM items WHERE name IN (\(list: wanted)) ORDER BY name"
        #expect(query.text == "SELECT name FROM items WHERE name IN (?, ?, ?) ORDER BY name")
        #expect(try db.query(query).map { try $0.decode("name", as: String.self) } == ["a", "c"])
        #expect(try db.query("SELECT name FROM items WHERE name IN (\(list: [String]()))").isEmpty)
        let ids = SQL.join([1, 2].map { id -> SQL in "\(Int64(id))" })
        #expect(ids.text == "?, ?")
    }

    // MARK: The statement cache

    @Test("The same literal gives the same text for any values, so its prepared statement is reused")
    func sameTextHitsTheCache() throws {
        let db = try open()
        func insert(_ name: String?, _ count: Int64) -> SQL { "INSERT INTO items (name, count) VALUES (\(name), \(count))" }
        #expect(insert("a", 1).text == insert(nil, 99).text)
        try db.run(insert("first", 1))
        let prepared = db.preparedStatementCount
        for round in 0..<20 { try db.run(insert(round.isMultiple(of: 2) ? "x\(round)" : nil, Int64(round))) }
        #expect(db.preparedStatementCount == prepared)
        func lookUp(_ names: [String]) -> SQL { "SELECT count FROM items WHERE name IN (\(list: names))" }
        _ = try db.query(lookUp(["x0", "x2"]))
        _ = try db.query(lookUp(["x4", "x6"]))
        #expect(db.preparedStatementCount == prepared + 1)
        #expect(try db.query(lookUp(["x0", "x2", "x4"])).count == 3)
        #expect(db.preparedStatementCount == prepared + 2)
    }

    @Test("A literal without values reaches the old forms unchanged, and the old forms still bind by hand")
    func oldFormsStillWork() throws {
        let db = try open()
        try db.run("INSERT INTO items (name) VALUES (?)", "by hand")
        try db.run("INSERT INTO items (name) VALUES ('literal')")
        #expect(try db.query("SELECT name FROM items ORDER BY id").map { try $0.decode("name", as: String.self) } == ["by hand", "literal"])
    }

    // MARK: Decoding

    enum Colour: String, SQLDecodable { case red, green }

    @Test("A missing column throws an error naming it and the columns there are")
    func missingColumnThrows() throws {
        let db = try open()
        try db.run("INSERT INTO items (name, count) VALUES (\("a"), \(1))")
        let row = try #require(try db.queryOne("SELECT id, name FROM items"))
        let error = try #require(throws: RowDecodingError.self) { try row.decode("count", as: Int64.self) }
        #expect(error.column == "count")
        #expect(error.problem == .missing(available: ["id", "name"]))
        #expect(error.sql == "SELECT id, name FROM items")
        #expect(error.description == #"no column "count" in the row (columns: id, name) — in SQL: SELECT id, name FROM items"#)
    }

    @Test("A mistyped or NULL column throws an error naming it and what it holds, never the value")
    func mistypedColumnThrows() throws {
        let db = try open()
        let secret = "s3cr3t-token-value"
        try db.run("INSERT INTO items (name, count, data) VALUES (\(secret), \(secret), NULL)")
        let row = try #require(try db.queryOne("SELECT * FROM items"))

        let text = try #require(throws: RowDecodingError.self) { try row.decode("count", as: Int64.self) }
        #expect(text.problem == .mismatch(expected: "an integer", found: "text"))
        #expect(text.description.hasPrefix(#"column "count" holds text where an integer was expected"#))
        #expect(!text.description.contains(secret))

        let null = try #require(throws: RowDecodingError.self) { try row.decode("data", as: [UInt8].self) }
        #expect(null.problem == .mismatch(expected: "a blob", found: "NULL"))
        #expect(try row.decode("data", as: [UInt8]?.self) == nil)

        let optional = try #require(throws: RowDecodingError.self) { try row.decode("name", as: Int64?.self) }
        #expect(optional.problem == .mismatch(expected: "an integer or NULL", found: "text"))
        #expect(!optional.description.contains(secret))
    }

    @Test("An enum decodes from its raw value, and text that names no case is refused")
    func enumsDecode() throws {
        let db = try open()
        try db.run("INSERT INTO items (id, name) VALUES (\(1), \("green")), (\(2), \("purple")), (\(3), NULL)")
        let rows = try db.query("SELECT name FROM items ORDER BY id")
        #expect(try rows[0].decode("name", as: Colour.self) == .green)
        let error = try #require(throws: RowDecodingError.self) { try rows[1].decode("name", as: Colour.self) }
        #expect(error.problem == .mismatch(expected: "text naming a Colour", found: "text"))
        #expect(try rows[2].decode("name", as: Colour?.self) == nil)
        #expect(throws: RowDecodingError.self) { try rows[1].decode("name", as: Colour?.self) }
    }
}
