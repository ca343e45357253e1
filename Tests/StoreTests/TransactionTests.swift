import Foundation
import Store
import Testing
import TestSupport

/// write(), read() and backup().
@Suite struct TransactionTests {
    private let folder = TemporaryDirectory()

    /// A failure thrown on purpose to trigger a rollback.
    private struct Abort: Error {}

    private func open() throws -> Database {
        let db = try Database(path: folder.file("test.db"))
        try db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        return db
    }

    private func count(_ db: Database) throws -> Int {
        try #require(try db.queryOne("SELECT COUNT(*) AS n FROM notes")?.int("n"))
    }

    @Test("write commits when the body returns and hands back its value")
    func commits() throws {
        let db = try open()
        let id = try db.write { db in
            try db.run("INSERT INTO notes (body) VALUES (?)", "kept")
            return db.lastInsertRowID
        }
        #expect(id == 1)
        let other = try Database(path: folder.file("test.db"))
        #expect(try count(other) == 1, "visible to another connection, so committed")
    }

    @Test("write rolls back everything when the body throws")
    func rollsBack() throws {
        let db = try open()
        #expect(throws: Abort.self) {
            try db.write { db in
                try db.run("INSERT INTO notes (body) VALUES (?)", "lost")
                throw Abort()
            }
        }
        #expect(try count(db) == 0)
        try db.write { try $0.run("INSERT INTO notes (body) VALUES (?)", "after") }
        #expect(try count(db) == 1, "the connection is usable after a rollback")
    }

    @Test("A nested write joins the outer transaction, and a failed nested write undoes only itself")
    func nested() throws {
        let db = try open()
        try db.write { db in
            try db.run("INSERT INTO notes (body) VALUES (?)", "outer")
            try db.write { try $0.run("INSERT INTO notes (body) VALUES (?)", "inner") }
            try? db.write { db in
                try db.run("INSERT INTO notes (body) VALUES (?)", "inner failed")
                throw Abort()
            }
        }
        #expect(try db.query("SELECT body FROM notes ORDER BY id").compactMap { $0.string("body") } == ["outer", "inner"])
        #expect(throws: Abort.self) {
            try db.write { db in
                try db.write { try $0.run("INSERT INTO notes (body) VALUES (?)", "doomed") }
                throw Abort()
            }
        }
        #expect(try count(db) == 2, "an outer rollback also undoes committed nested work")
    }

    @Test("read sees one snapshot even while another connection writes")
    func snapshot() throws {
        let db = try open()
        try db.run("INSERT INTO notes (body) VALUES (?)", "first")
        let writer = try Database(path: folder.file("test.db"))
        let counts = try db.read { db in
            let before = try count(db)
            try writer.run("INSERT INTO notes (body) VALUES (?)", "second")
            return (before, try count(db))
        }
        #expect(counts.0 == 1 && counts.1 == 1)
        #expect(try count(db) == 2)
    }

    @Test("write inside read is refused rather than failing later with a busy snapshot")
    func writeInsideRead() throws {
        let db = try open()
        #expect(throws: DatabaseError.self) {
            try db.read { db in try db.write { try $0.run("INSERT INTO notes (body) VALUES ('x')") } }
        }
        #expect(try count(db) == 0)
    }

    @Test("backup writes a private, complete copy and refuses to overwrite")
    func backup() throws {
        let db = try open()
        try db.write { db in
            for index in 0..<100 { try db.run("INSERT INTO notes (body) VALUES (?)", "note \(index)") }
        }
        let destination = folder.file("backup.db")
        try db.backup(to: destination)
        let permissions = try FileManager.default.attributesOfItem(atPath: destination)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let copy = try Database(path: destination, readOnly: true)
        #expect(try count(copy) == 100)
        #expect(try copy.queryOne("SELECT body FROM notes WHERE id = 42")?.string("body") == "note 41")
        let error = try #require(throws: DatabaseError.self) { try db.backup(to: destination) }
        #expect(error.message.contains("already exists"))
        #expect(try count(copy) == 100, "the existing copy is untouched")
    }
}
