import Foundation
import Store
import Testing
import TestSupport

/// `DatabasePool.withReadScope`: one connection and one snapshot for the work of a request.
@Suite struct ReadScopeTests {
    private let folder = TemporaryDirectory()

    private func makePool(maxConnections: Int = 4) throws -> DatabasePool {
        try DatabasePool(path: folder.file("scope.db"), maxConnections: maxConnections) { db in
            try db.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        }
    }

    private func count(_ db: Database) throws -> Int {
        try db.queryOne("SELECT COUNT(*) AS n FROM notes")?.int("n") ?? -1
    }

    /// Another process (here: another connection) writing while the scope is open.
    private func writeElsewhere(_ text: String) throws {
        let other = try Database(path: folder.file("scope.db"))
        try other.write { db in try db.run("INSERT INTO notes (text) VALUES (?)", text) }
    }

    @Test("reads in a scope share one snapshot: a write committed elsewhere meanwhile is not half-seen")
    func oneSnapshot() throws {
        let pool = try makePool()
        try pool.write { db in try db.run("INSERT INTO notes (text) VALUES ('first')") }
        let seen = try pool.withReadScope { () -> [Int] in
            let before = try pool.withConnection { try count($0) }
            try writeElsewhere("second")
            let after = try pool.withConnection { try count($0) }
            return [before, after]
        }
        #expect(seen == [1, 1])
        // Outside the scope, each read is current again.
        #expect(try pool.withConnection { try count($0) } == 2)
    }

    @Test("a write in a scope ends its snapshot: later reads see the write and what others wrote")
    func writeEndsSnapshot() throws {
        let pool = try makePool()
        let seen = try pool.withReadScope { () -> [Int] in
            let before = try pool.withConnection { try count($0) }
            try writeElsewhere("theirs")
            // The snapshot predates "theirs": upgrading it would fail with SQLITE_BUSY_SNAPSHOT.
            try pool.write { db in try db.run("INSERT INTO notes (text) VALUES ('mine')") }
            let after = try pool.withConnection { try count($0) }
            return [before, after]
        }
        #expect(seen == [0, 2])
    }

    @Test("a writing statement outside write() in a scope also ends the snapshot and commits")
    func bareWriteStatement() throws {
        let pool = try makePool()
        try pool.withReadScope {
            _ = try pool.withConnection { try count($0) }
            try writeElsewhere("theirs")
            try pool.withConnection { db in _ = try db.run("INSERT INTO notes (text) VALUES ('bare')") }
            #expect(try pool.withConnection { try count($0) } == 2)
        }
        let texts = try pool.withConnection { db in try db.query("SELECT text FROM notes ORDER BY id").compactMap { $0.string("text") } }
        #expect(texts == ["theirs", "bare"])
    }

    @Test("a failed write in a scope is rolled back and the scope goes on reading")
    func failedWrite() throws {
        let pool = try makePool()
        struct Refused: Error {}
        try pool.withReadScope { () throws in
            #expect(throws: Refused.self) {
                try pool.write { db in
                    try db.run("INSERT INTO notes (text) VALUES ('undone')")
                    throw Refused()
                }
            }
            #expect(try pool.withConnection { try count($0) } == 0)
        }
        #expect(try pool.withConnection { try count($0) } == 0)
    }

    @Test("calls nest in a scope on one connection, even with a pool of one, and it comes back idle")
    func nestingOnOneConnection() throws {
        let pool = try makePool(maxConnections: 1)
        try pool.withReadScope {
            try pool.withConnection { outer in
                try pool.read { inner in
                    #expect(inner === outer)
                    try pool.withReadScope { _ = try count(inner) }
                }
            }
        }
        // The connection was returned with no transaction open: a write from another thread gets it.
        let done = DispatchSemaphore(value: 0)
        let failures = Recorder()
        Thread {
            do { try pool.write { db in try db.run("INSERT INTO notes (text) VALUES ('later')") } } catch { failures.append("\(error)") }
            done.signal()
        }.start()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(failures.all.isEmpty)
        #expect(try pool.withConnection { try count($0) } == 1)
    }

    @Test("a scope belongs to its pool and its thread: another pool, or another thread, uses its own connections")
    func scopeIsPerPoolAndThread() throws {
        let pool = try makePool()
        let otherFolder = TemporaryDirectory()
        let otherPool = try DatabasePool(path: otherFolder.file("other.db")) { db in
            try db.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        }
        try pool.withReadScope {
            let scoped = try pool.withConnection { $0 }
            let scopedID = ObjectIdentifier(scoped)
            try otherPool.withConnection { db in
                #expect(db !== scoped)
                try db.run("INSERT INTO notes (text) VALUES ('other')")
            }
            // Another pool's scope inside this one, and this one's is back afterwards.
            try otherPool.withReadScope { () throws in #expect(try otherPool.withConnection { try count($0) } == 1) }
            #expect(try pool.withConnection { $0 } === scoped)
            let elsewhere = Recorder()
            let done = DispatchSemaphore(value: 0)
            Thread {
                let same = (try? pool.withConnection { ObjectIdentifier($0) == scopedID }) ?? true
                elsewhere.append(same ? "same connection" : "own connection")
                done.signal()
            }.start()
            #expect(done.wait(timeout: .now() + 10) == .success)
            #expect(elsewhere.all == ["own connection"])
        }
    }
}
