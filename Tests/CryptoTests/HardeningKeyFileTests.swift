import Foundation
import Testing
import Crypto

/// Creating the key file under attack from circumstance: first starts racing each other, and the empty
/// file a crash between `open` and `write` left behind (which blocked every later start).
@Suite struct HardeningKeyFileTests {
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clientone-keyrace-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    private func permissions(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    /// `loadOrCreate` from `count` threads released at the same moment; each result or error.
    private func race(_ keyPath: String, threads count: Int = 4) -> [Result<[UInt8], any Error>] {
        let gate = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let results = Results(count: count)
        for index in 0..<count {
            done.enter()
            Thread {
                gate.wait()
                results.set(index, Result { try KeyFile.loadOrCreate(at: keyPath, create: true) })
                done.leave()
            }.start()
        }
        for _ in 0..<count { gate.signal() }
        done.wait()
        return results.all
    }

    @Test("Four concurrent first starts all get the same key, 300 times over, and leave nothing else behind")
    func concurrentFirstStarts() throws {
        var failures: [String] = []
        for round in 0..<300 {
            let keyPath = path("race-\(round).key")
            let results = race(keyPath)
            let keys = results.compactMap { try? $0.get() }
            failures += results.compactMap { if case .failure(let error) = $0 { "\(error)" } else { nil } }
            #expect(Set(keys).count <= 1, "round \(round): different keys were handed out")
            if let key = keys.first { #expect(try KeyFile.loadOrCreate(at: keyPath, create: false) == key) }
            #expect(try permissions(keyPath) == 0o600)
        }
        #expect(failures.isEmpty, "\(failures.count) of 1200 starts failed, e.g. \(failures.first ?? "")")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasSuffix(".key") }
        #expect(left.isEmpty, "temporary files left: \(left.prefix(3))")
    }

    @Test("The empty file a crash between open and write left behind no longer blocks the start that may create a key")
    func emptyLeftover() throws {
        let keyPath = path("crashed.key")
        #expect(FileManager.default.createFile(atPath: keyPath, contents: Data(), attributes: [.posixPermissions: 0o600]))
        let key = try KeyFile.loadOrCreate(at: keyPath, create: true)
        #expect(key.count == 32)
        #expect(try Data(contentsOf: URL(fileURLWithPath: keyPath)) == Data(key))
        #expect(try permissions(keyPath) == 0o600)
        #expect(try KeyFile.loadOrCreate(at: keyPath, create: false) == key)
    }

    @Test("An empty leftover is still refused where a key must already exist (the database holds sealed data)")
    func emptyLeftoverWithoutCreate() throws {
        let keyPath = path("lost.key")
        #expect(FileManager.default.createFile(atPath: keyPath, contents: Data(), attributes: [.posixPermissions: 0o600]))
        let error = try #require(throws: KeyFileError.self) { try KeyFile.loadOrCreate(at: keyPath, create: false) }
        #expect(error.description.contains("is 0 bytes"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: keyPath)).isEmpty, "nothing was changed")
    }

    @Test("Four starts finding the same empty leftover agree on one key")
    func concurrentRepair() throws {
        for round in 0..<100 {
            let keyPath = path("leftover-\(round).key")
            #expect(FileManager.default.createFile(atPath: keyPath, contents: Data(), attributes: [.posixPermissions: 0o600]))
            let results = race(keyPath)
            let keys = try results.map { try $0.get() }
            #expect(Set(keys).count == 1, "round \(round)")
            #expect(try KeyFile.loadOrCreate(at: keyPath, create: false) == keys[0])
        }
    }

    @Test("A temporary file a crash left beside the key changes nothing")
    func strayTemporary() throws {
        let keyPath = path("stray.key")
        #expect(FileManager.default.createFile(atPath: keyPath + ".new-00", contents: Data([1, 2, 3]), attributes: [.posixPermissions: 0o600]))
        let key = try KeyFile.loadOrCreate(at: keyPath, create: true)
        #expect(try KeyFile.loadOrCreate(at: keyPath, create: true) == key)
    }
}

/// Results written from several threads.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<[UInt8], any Error>?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<[UInt8], any Error>) { lock.withLock { values[index] = value } }

    var all: [Result<[UInt8], any Error>] { lock.withLock { values.compactMap { $0 } } }
}
