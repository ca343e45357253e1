import Foundation
import Testing
import Crypto

/// The TOTP key file: creation with mode 0600, reuse, and refusal of unsafe or damaged files.
@Suite struct KeyFileTests {
    private let folder = ScratchFolder()

    private func path(_ name: String) -> String { folder.url.appendingPathComponent(name).path }

    private func permissions(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    private func writeFile(_ path: String, bytes: [UInt8], permissions: Int) throws {
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: permissions]))
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: path)
    }

    @Test("A missing key file is created with 32 random bytes and mode 0600, then reused")
    func creation() throws {
        let keyPath = path("totp.key")
        let key = try KeyFile.loadOrCreate(at: keyPath, create: true)
        #expect(key.count == 32)
        #expect(try permissions(keyPath) == 0o600)
        #expect(try KeyFile.loadOrCreate(at: keyPath, create: true) == key)
        #expect(try KeyFile.loadOrCreate(at: keyPath, create: false) == key)
        #expect(try KeyFile.loadOrCreate(at: path("other.key"), create: true) != key)
    }

    @Test("A missing key file is an error when creation is not allowed")
    func missing() throws {
        let keyPath = path("absent.key")
        let error = try #require(throws: KeyFileError.self) { try KeyFile.loadOrCreate(at: keyPath, create: false) }
        #expect(error.description == "key file \(keyPath) is missing")
        #expect(!FileManager.default.fileExists(atPath: keyPath))
    }

    @Test("Files of the wrong size are refused, never repaired (an empty one only where no key may be created)")
    func wrongSize() throws {
        let empty = path("size-0.key")
        try writeFile(empty, bytes: [], permissions: 0o600)
        let refused = try #require(throws: KeyFileError.self) { try KeyFile.loadOrCreate(at: empty, create: false) }
        #expect(refused.description.contains("is 0 bytes"))
        for size in [31, 33] {
            let keyPath = path("size-\(size).key")
            try writeFile(keyPath, bytes: [UInt8](repeating: 7, count: size), permissions: 0o600)
            let error = try #require(throws: KeyFileError.self) { try KeyFile.loadOrCreate(at: keyPath, create: true) }
            #expect(error.description.contains("is \(size) bytes"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: keyPath)).count == size)
        }
    }

    @Test("Files accessible by group or others are refused")
    func permissive() throws {
        for mode in [0o640, 0o604, 0o620, 0o644] {
            let keyPath = path("mode-\(mode).key")
            try writeFile(keyPath, bytes: [UInt8](repeating: 7, count: 32), permissions: mode)
            let error = try #require(throws: KeyFileError.self) { try KeyFile.loadOrCreate(at: keyPath, create: false) }
            #expect(error.description.contains("group or others"))
        }
        let readOnly = path("owner-read-only.key")
        try writeFile(readOnly, bytes: [UInt8](repeating: 7, count: 32), permissions: 0o400)
        #expect(try KeyFile.loadOrCreate(at: readOnly, create: false) == [UInt8](repeating: 7, count: 32))
    }

    @Test("A directory in place of the key file is refused")
    func notAFile() throws {
        let keyPath = path("directory.key")
        try FileManager.default.createDirectory(atPath: keyPath, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        #expect(throws: KeyFileError.self) { try KeyFile.loadOrCreate(at: keyPath, create: true) }
    }
}

/// A fresh folder per test, removed with the suite instance. CryptoTests does not depend on
/// TestSupport, so it cannot use TemporaryDirectory.
private final class ScratchFolder: Sendable {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("clientone-keyfile-\(UUID().uuidString)")

    init() {
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
