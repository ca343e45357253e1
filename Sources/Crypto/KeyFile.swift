#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// A secret key kept in a file beside the database (for encrypting TOTP secrets). It is created on first
/// use with 32 random bytes and mode 0600. An existing file is refused unless it is exactly 32 bytes and
/// inaccessible to group and others: a truncated key would silently fail to decrypt everything, and a
/// readable one has probably leaked.
///
/// Creation never shows a partial file at the key's path: the key is written to a temporary file beside
/// it (`open(O_CREAT|O_EXCL, 0600)`, so the bytes are never readable by others, not even before a chmod),
/// synced, and then `link()`ed into place, which fails with EEXIST if another process got there first;
/// that one's key is then read and used, so concurrent first starts all end with the same key. A crash
/// leaves at most a stray temporary file, never a short key file that blocks every later start. An
/// empty file left at the path by an earlier version's crash (between its `open` and `write`) never held
/// a key that was used, so it is replaced when creating is allowed (see `replaceEmpty`).
public struct KeyFile {
    public static let byteCount = 32

    /// The key at `path`, created first if it is missing (or an empty leftover) and `create` is true.
    public static func loadOrCreate(at path: String, create: Bool) throws -> [UInt8] {
        switch try inspect(path) {
        case .key(let key):
            return key
        case .missing:
            guard create else { throw KeyFileError(path: path, problem: "is missing") }
        case .empty:
            guard create else { throw KeyFileError(path: path, problem: wrongSize(0)) }
        }
        return try createKey(at: path)
    }

    /// What is at the key's path.
    private enum Found {
        case missing
        /// A 0-byte regular file of the right mode: what a crash after `open` left behind.
        case empty
        case key([UInt8])
    }

    private static func wrongSize(_ size: Int) -> String {
        "is \(size) bytes but a key file holds exactly \(byteCount); refusing to use it"
    }

    /// Reads the file at `path`. Checks run on the open descriptor so they describe the file actually
    /// read, not one swapped in between a stat and an open.
    private static func inspect(_ path: String) throws -> Found {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return .missing }
            throw KeyFileError(path: path, problem: "cannot be opened: \(systemError())")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw KeyFileError(path: path, problem: "cannot be inspected: \(systemError())") }
        guard info.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else { throw KeyFileError(path: path, problem: "is not a regular file") }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw KeyFileError(path: path, problem: "is accessible by group or others (mode \(octal(permissions))); "
                               + "run `chmod 600 \(path)` if it has not leaked, or replace it")
        }
        if info.st_size == 0 { return .empty }
        guard info.st_size == byteCount else { throw KeyFileError(path: path, problem: wrongSize(Int(info.st_size))) }
        var key = [UInt8](repeating: 0, count: byteCount)
        var filled = 0
        while filled < byteCount {
            let count = key.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, byteCount - filled) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw KeyFileError(path: path, problem: "cannot be read: \(count < 0 ? systemError() : "unexpected end of file")") }
            filled += count
        }
        return .key(key)
    }

    /// Makes a key, or takes the one another process put in place first.
    private static func createKey(at path: String) throws -> [UInt8] {
        let key = SecureRandom.bytes(count: byteCount)
        let temporary = try writeTemporary(key, beside: path)
        defer { unlink(temporary) }
        // A few rounds at most: each ends unless another process changed the path in between.
        for _ in 0..<8 {
            if link(temporary, path) == 0 {
                syncDirectory(containing: path)
                return key
            }
            guard errno == EEXIST else { throw KeyFileError(path: path, problem: "cannot be created: \(systemError())") }
            switch try inspect(path) {
            case .key(let theirs):
                return theirs
            case .missing:
                continue
            case .empty:
                if try replaceEmpty(path, with: temporary) {
                    syncDirectory(containing: path)
                    return key
                }
            }
        }
        throw KeyFileError(path: path, problem: "kept changing while it was being created; start again")
    }

    /// The key in a new file `PATH.new-RANDOM` (0600, written and synced): the key must be on disk before
    /// anything encrypted with it is committed to the database.
    private static func writeTemporary(_ key: [UInt8], beside path: String) throws -> String {
        let temporary = path + ".new-" + SecureRandom.bytes(count: 8).map { String($0, radix: 16) }.joined()
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw KeyFileError(path: path, problem: "cannot be created (temporary file \(temporary)): \(systemError())")
        }
        var written = 0
        var failure: String?
        while written < byteCount, failure == nil {
            let count = key.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, byteCount - written) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { failure = "cannot be written: \(systemError())" } else { written += count }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = "cannot be synced: \(systemError())" }
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw KeyFileError(path: path, problem: failure)
        }
        return temporary
    }

    /// Replaces an empty leftover at `path` with the complete `temporary`, atomically (`rename`). Two
    /// processes finding the same leftover take an exclusive `flock` on it, and each renames only while
    /// `path` is still that empty file, so the second finds the first's key in place instead of
    /// replacing it. Returns whether this call put its key in place.
    private static func replaceEmpty(_ path: String, with temporary: String) throws -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return false }
            throw KeyFileError(path: path, problem: "cannot be opened: \(systemError())")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw KeyFileError(path: path, problem: "cannot be locked: \(systemError())") }
        }
        var held = stat()
        var current = stat()
        guard fstat(descriptor, &held) == 0 else { throw KeyFileError(path: path, problem: "cannot be inspected: \(systemError())") }
        guard stat(path, &current) == 0 else { return false }
        guard held.st_dev == current.st_dev, held.st_ino == current.st_ino, held.st_size == 0 else { return false }
        guard rename(temporary, path) == 0 else { throw KeyFileError(path: path, problem: "cannot be replaced: \(systemError())") }
        return true
    }

    /// Makes the new directory entry durable too; best effort, as some file systems refuse to sync directories.
    private static func syncDirectory(containing path: String) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let descriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }

    private static func octal(_ permissions: mode_t) -> String {
        let digits = String(permissions, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// Why a key file could not be used; the description names the file and the remedy.
public struct KeyFileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let problem: String

    public var description: String { "key file \(path) \(problem)" }
}
