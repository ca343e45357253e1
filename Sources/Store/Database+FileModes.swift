import CSQLite
#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// The database file holds password hashes, personal data and the CSRF key, so only its owner may read
/// it: mode 0600 from the moment it exists, like the key file and a backup.
extension Database {
    /// The files SQLite keeps beside the database. SQLite creates them with the database file's own
    /// permission bits (`findCreateFileMode` in its unix VFS), so a 0600 database gets a
    /// 0600 `-wal` and `-shm`; ones left over from an older version are tightened here.
    static let companionSuffixes = ["-wal", "-shm", "-journal"]

    /// Creates the database file with mode 0600 before SQLite opens it (SQLite would create it 0644
    /// under the usual umask; changing the umask instead is process-wide and races other threads), and
    /// takes group and other permissions away from an existing database and its companions.
    /// In-memory databases and `file:` URIs are left to SQLite.
    /// - Throws: when an existing file's permissions cannot be tightened (a file of another user).
    static func protectFiles(at path: String) throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return }
        // O_CREAT without O_EXCL: an existing database is opened as it is; a missing one is created empty,
        // which SQLite treats as a new database. If this open fails, SQLite's own open reports why.
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            defer { closeFile(descriptor) }
            try tighten(descriptor, path)
        }
        for suffix in companionSuffixes {
            let companion = open(path + suffix, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard companion >= 0 else { continue }
            defer { closeFile(companion) }
            try tighten(companion, path + suffix)
        }
    }

    /// Clears the group and other permission bits of an open file, when any is set.
    private static func tighten(_ descriptor: Int32, _ path: String) throws {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 != 0 else { return }
        guard fchmod(descriptor, mode & 0o700) == 0 else {
            throw DatabaseError(SQLITE_CANTOPEN, "\(path) is readable by others (mode \(String(mode, radix: 8))) and cannot be restricted to its owner: \(String(cString: strerror(errno)))")
        }
    }
}

/// Inside `Database`, `close` means the connection's own method; this reaches the system call.
private func closeFile(_ descriptor: Int32) {
    _ = close(descriptor)
}
