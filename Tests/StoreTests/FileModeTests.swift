import Foundation
import Testing
@testable import Store
import TestSupport

/// Issue 15 item 15: the database and the files SQLite keeps beside it are readable by their owner only.
@Suite struct FileModeTests {
    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("A new database, its -wal and its -shm are created 0600 under a permissive umask")
    func newFiles() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("secrets.db")
        // The umask a shell usually has: without the fix SQLite creates every file 0644 under it.
        let previous = umask(0o022)
        defer { umask(previous) }
        let db = try Database(path: path)
        try db.execute("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('hash')")
        let reader = try Database(path: path)
        _ = try reader.queryOne("SELECT x FROM t")
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file) exists while the database is open")
            #expect(try mode(file) == 0o600, "\(file)")
        }
        reader.close()
        db.close()
    }

    @Test("An existing database left 0644, with its -wal and -shm, is tightened to 0600 when opened")
    func existingFilesTightened() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("old.db")
        let keeper = try Database(path: path)
        try keeper.execute("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('hash')")
        // What an older version left behind: everything world-readable, the -wal and -shm still there.
        for file in [path, path + "-wal", path + "-shm"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        }
        let opened = try Database(path: path)
        #expect(try opened.queryOne("SELECT x FROM t")?.string("x") == "hash")
        for file in [path, path + "-wal", path + "-shm"] { #expect(try mode(file) == 0o600, "\(file)") }
        opened.close()
        keeper.close()
    }

    @Test("Owner bits are kept, group and other bits are taken away, an in-memory database is left alone")
    func onlyGroupAndOther() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("x.db")
        #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640]))
        let db = try Database(path: path)
        #expect(try mode(path) == 0o600)
        db.close()
        let memory = try Database(path: ":memory:")
        #expect(try memory.queryOne("SELECT 1 AS one")?.int("one") == 1)
        #expect(!FileManager.default.fileExists(atPath: ":memory:"))
    }
}
