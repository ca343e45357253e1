#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// A secret key kept in a file beside the database (for encrypting TOTP secrets). It is created on first
/// use with 32 random bytes and mode 0600, atomically through `open(O_CREAT|O_EXCL, 0600)` so the bytes
/// are never readable by others, not even briefly before a chmod. An existing file is refused unless it
/// is exactly 32 bytes and inaccessible to group and others: a truncated key would silently fail to
/// decrypt everything, and a readable one has probably leaked.
public struct KeyFile {
    public static let byteCount = 32

    /// The key at `path`, created first if it is missing and `create` is true.
    public static func loadOrCreate(at path: String, create: Bool) throws -> [UInt8] {
        if let key = try readExisting(path) { return key }
        guard create else { throw KeyFileError(path: path, problem: "is missing") }
        try createExclusively(path)
        guard let key = try readExisting(path) else { throw KeyFileError(path: path, problem: "disappeared right after it was created") }
        return key
    }

    /// The key, or nil when no file exists. Checks run on the open descriptor so they describe the file
    /// actually read, not one swapped in between a stat and an open.
    private static func readExisting(_ path: String) throws -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
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
        guard info.st_size == byteCount else {
            throw KeyFileError(path: path, problem: "is \(info.st_size) bytes but a key file holds exactly \(byteCount); refusing to use it")
        }
        var key = [UInt8](repeating: 0, count: byteCount)
        var filled = 0
        while filled < byteCount {
            let count = key.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, byteCount - filled) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw KeyFileError(path: path, problem: "cannot be read: \(count < 0 ? systemError() : "unexpected end of file")") }
            filled += count
        }
        return key
    }

    private static func createExclusively(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            // Another process created it first; the caller reads and checks that one.
            if errno == EEXIST { return }
            throw KeyFileError(path: path, problem: "cannot be created: \(systemError())")
        }
        let key = SecureRandom.bytes(count: byteCount)
        var written = 0
        var failure: String?
        while written < byteCount, failure == nil {
            let count = key.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, byteCount - written) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { failure = "cannot be written: \(systemError())" } else { written += count }
        }
        // The key must be on disk before anything encrypted with it is committed to the database.
        if failure == nil, fsync(descriptor) != 0 { failure = "cannot be synced: \(systemError())" }
        close(descriptor)
        if let failure {
            unlink(path)
            throw KeyFileError(path: path, problem: failure)
        }
        syncDirectory(containing: path)
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
