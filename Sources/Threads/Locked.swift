import Foundation

/// A value guarded by a lock, for the little mutable state shared between threads: the server's daemon
/// handle and requests in flight, the portal's mail worker and origin, what test threads record.
/// `Synchronization.Mutex` would do on Linux but needs macOS 15, and the package supports macOS 14;
/// the one method is `Mutex`'s, so the switch will be a rename.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the value, holding the lock; what `body` returns is returned.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
