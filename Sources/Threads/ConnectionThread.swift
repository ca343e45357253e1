#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Marks a thread while it answers a connection's request, so code that must never run there (a
/// password hash, which belongs on the server's slow lane) can check where it is. The server sets the
/// mark (`HTTP`) and the portal's hashing checks it: here, below both, neither imports the other.
public enum ConnectionThread {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key left")
        return key
    }()

    /// True on a connection thread while it answers a request.
    public static var isCurrent: Bool { pthread_getspecific(key) != nil }

    /// Runs `body` with the current thread marked as a connection thread (the server calls it around
    /// its responder).
    public static func answering<T>(_ body: () -> T) -> T {
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(key, nil) }
        return body()
    }
}
