import Foundation
import Store
import Testing
import TestSupport

/// The connection pool under concurrent use, and its close() semantics.
@Suite struct DatabasePoolTests {
    private let folder = TemporaryDirectory()

    /// Collects errors from worker threads.
    private final class ErrorLog: @unchecked Sendable {
        private let lock = NSLock()
        private var errors: [any Error] = []

        func record(_ error: any Error) { lock.withLock { errors.append(error) } }
        var all: [any Error] { lock.withLock { errors } }
    }

    private func makePool(maxConnections: Int = 8) throws -> DatabasePool {
        try DatabasePool(path: folder.file("test.db"), maxConnections: maxConnections) { db in
            try db.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL, seq INTEGER NOT NULL, UNIQUE (thread, seq))")
        }
    }

    /// Runs `body` on `count` real threads (not the cooperative pool, which blocking would starve).
    private func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread {
                body(index)
                group.leave()
            }.start()
        }
        group.wait()
    }

    @Test("8 threads × 100 write transactions all land, with no busy errors")
    func concurrentWrites() throws {
        let pool = try makePool()
        let log = ErrorLog()
        onThreads(8) { thread in
            for seq in 0..<100 {
                do {
                    try pool.write { db in
                        try db.run("INSERT INTO events (thread, seq) VALUES (?, ?)", thread, seq)
                    }
                } catch {
                    log.record(error)
                }
            }
        }
        #expect(log.all.isEmpty, "\(log.all)")
        let total = try pool.read { try $0.queryOne("SELECT COUNT(*) AS n, COUNT(DISTINCT thread) AS threads FROM events") }
        #expect(total?.int("n") == 800)
        #expect(total?.int("threads") == 8)
    }

    @Test("Readers and writers share the pool without exceeding its size")
    func boundedConnections() throws {
        let pool = try makePool(maxConnections: 2)
        let log = ErrorLog()
        onThreads(6) { thread in
            do {
                for seq in 0..<20 {
                    try pool.write { try $0.run("INSERT INTO events (thread, seq) VALUES (?, ?)", thread, seq) }
                    _ = try pool.read { try $0.query("SELECT * FROM events WHERE thread = ?", thread) }
                }
            } catch {
                log.record(error)
            }
        }
        #expect(log.all.isEmpty, "\(log.all)")
        #expect(try pool.withConnection { try $0.queryOne("SELECT COUNT(*) AS n FROM events")?.int("n") } == 120)
    }

    @Test("A connection comes back without a transaction left open")
    func leftoverTransaction() throws {
        let pool = try makePool(maxConnections: 1)
        try pool.withConnection { db in
            try db.execute("BEGIN IMMEDIATE")
            try db.run("INSERT INTO events (thread, seq) VALUES (1, 1)")
        }
        #expect(try pool.write { try $0.queryOne("SELECT COUNT(*) AS n FROM events")?.int("n") } == 0)
    }

    @Test("A failing prepare surfaces at start-up")
    func prepareFailure() {
        #expect(throws: DatabaseError.self) {
            try DatabasePool(path: folder.file("test.db")) { try $0.execute("NOT SQL") }
        }
    }

    @Test("close waits for borrowed connections, and later use throws")
    func closing() throws {
        let pool = try makePool()
        let borrowed = DispatchSemaphore(value: 0)
        let finished = ErrorLog()
        let worker = Thread {
            do {
                try pool.withConnection { db in
                    borrowed.signal()
                    Thread.sleep(forTimeInterval: 0.2)
                    try db.run("INSERT INTO events (thread, seq) VALUES (1, 1)")
                }
            } catch {
                finished.record(error)
            }
        }
        worker.start()
        borrowed.wait()
        pool.close()
        #expect(finished.all.isEmpty, "the borrowed connection kept working until it was returned")
        #expect(throws: DatabaseError.self) { try pool.withConnection { _ in } }
        #expect(throws: DatabaseError.self) { try pool.write { _ in } }
        pool.close()
        let check = try Database(path: folder.file("test.db"))
        #expect(try check.queryOne("SELECT COUNT(*) AS n FROM events")?.int("n") == 1)
    }
}
