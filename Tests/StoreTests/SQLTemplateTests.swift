@testable import Store
import Testing
import TestSupport

/// `SQLTemplate`: a statement whose text is written once, its values bound by number on each call.
@Suite struct SQLTemplateTests {
    private let folder = TemporaryDirectory()

    private func open() throws -> Database {
        let db = try Database(path: folder.file("template.db"))
        try db.execute("""
            CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, count INTEGER);
            INSERT INTO items (name, count) VALUES ('apple', 3), ('pear', 5), ('plum', 5);
            """)
        return db
    }

    private static let byCount = SQLTemplate { (count: SQLParameter<Int>) in
        "SELECT name FROM items WHERE count = \(count) ORDER BY id"
    }

    private static let byNameAndCount = SQLTemplate { (name: SQLParameter<String>, count: SQLParameter<Int>) in
        "SELECT id FROM items WHERE name = \(name) AND count = \(count)"
    }

    @Test("Each call binds its own values into the one text, numbered in the order the template declares them")
    func bindsEachCallsValues() throws {
        let db = try open()
        #expect(Self.byCount.text == "SELECT name FROM items WHERE count = ?1 ORDER BY id")
        #expect(try db.query(Self.byCount(5)).map { try $0.decode("name", as: String.self) } == ["pear", "plum"])
        #expect(try db.query(Self.byCount(3)).map { try $0.decode("name", as: String.self) } == ["apple"])
        #expect(Self.byNameAndCount("pear", 5).arguments == [.text("pear"), .integer(5)])
        #expect(try db.queryOne(Self.byNameAndCount("pear", 5))?.decode("id", as: Int64.self) == 2)
        #expect(try db.queryOne(Self.byNameAndCount("pear", 3)) == nil)
        // The second and later calls find the statement prepared by the first.
        let prepared = db.preparedStatementCount
        _ = try db.query(Self.byCount(4))
        #expect(db.preparedStatementCount == prepared)
    }

    @Test("An injection payload given to a template is a value, never text")
    func payloadIsBound() throws {
        let db = try open()
        #expect(try db.queryOne(Self.byNameAndCount("x' OR '1'='1", 5)) == nil)
        #expect(try db.query("SELECT id FROM items").count == 3)
    }

    @Test("A parameter written twice is one value, bound once")
    func parameterUsedTwice() throws {
        let db = try open()
        let either = SQLTemplate { (count: SQLParameter<Int>) in
            "SELECT count(*) AS n FROM items WHERE count = \(count) OR count = \(count) + 2"
        }
        #expect(either(3).arguments == [.integer(3)])
        #expect(try db.queryOne(either(3))?.decode("n", as: Int.self) == 3)
    }

    @Test("Four values bind in order")
    func fourValues() throws {
        let db = try open()
        let range = SQLTemplate { (low: SQLParameter<Int>, high: SQLParameter<Int>, skip: SQLParameter<String>, limit: SQLParameter<Int>) in
            "SELECT name FROM items WHERE count BETWEEN \(low) AND \(high) AND name <> \(skip) ORDER BY id LIMIT \(limit)"
        }
        #expect(try db.query(range(3, 5, "apple", 1)).map { try $0.decode("name", as: String.self) } == ["pear"])
    }

    @Test("A value interpolated into a template directly, which would stay fixed at its first value, stops the program")
    func directValueRefused() async {
        await #expect(processExitsWith: .failure) {
            let fixed = 5
            _ = SQLTemplate { (count: SQLParameter<Int>) in "SELECT name FROM items WHERE count = \(count) AND id <> \(fixed)" }
        }
    }
}
