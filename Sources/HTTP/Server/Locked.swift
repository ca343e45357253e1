import Foundation

/// A value guarded by a lock, for the little mutable state the server shares between threads (the
/// daemon handle, the count of requests in flight). `Synchronization.Mutex` would do on Linux but needs
/// macOS 15, and the package supports macOS 14.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
