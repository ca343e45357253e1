#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a lock, for the little mutable state shared between threads: the server's daemon
/// handle and requests in flight, the portal's mail worker and origin, what test threads record.
/// `Synchronization.Mutex` would do on Linux but needs macOS 15, and the package supports macOS 14;
/// the one method is `Mutex`'s, so the switch will be a rename.
///
/// A plain `pthread_mutex_t` in one allocation beside the object: some are made for every request (a
/// request's memo), and Foundation's `NSLock` on Linux is an object of its own with a mutex, a
/// condition and a second mutex, each allocated and initialised (and destroyed) separately.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock; what `body` returns is returned.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
