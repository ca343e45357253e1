import Crypto
import Foundation
import Threads

/// Password hashing on a bounded number of threads. A hash takes about 0.3 s of CPU on purpose; without
/// a bound, a flood of sign-in attempts would take every processor and starve every other page. In the
/// server, hashing routes run on the slow lane, whose threads match the permits, so there the gate never
/// waits; it bounds hashing anywhere else too. A caller that cannot get a turn within `wait` is answered
/// "busy" (503 with Retry-After) instead of holding its thread.
final class HashingGate: @unchecked Sendable {
    let permits: Int
    private let semaphore: DispatchSemaphore
    private let wait: TimeInterval

    init(permits: Int, wait: TimeInterval = 1) {
        self.permits = max(1, permits)
        self.wait = wait
        semaphore = DispatchSemaphore(value: self.permits)
    }

    /// Runs `body` holding one of the permits.
    func run<T>(_ body: () throws -> T) throws -> T {
        guard semaphore.wait(timeout: .now() + wait) == .success else { throw PortalBusy() }
        defer { semaphore.signal() }
        return try body()
    }
}

/// Every hashing permit stayed taken for the whole wait.
struct PortalBusy: Error {}

/// The password hasher behind the gate: the same calls as `PasswordHasher`.
struct GatedHasher: Sendable {
    let hasher: PasswordHasher
    let gate: HashingGate

    func hash(_ password: String) throws -> String { try run { hasher.hash(password) } }
    func verify(_ password: String, against encoded: String) throws -> Bool { try run { hasher.verify(password, against: encoded) } }
    func dummyVerify(_ password: String) throws { try run { hasher.dummyVerify(password) } }
    func needsRehash(_ encoded: String) -> Bool { hasher.needsRehash(encoded) }

    /// In the server, hashing belongs on the slow lane (a route's `lane: .slowWork`); on a connection
    /// thread it would hold up every page of that thread's connections. Debug builds (the tests) stop here.
    private func run<T>(_ body: () throws -> T) throws -> T {
        assert(!ConnectionThread.isCurrent, "a password was hashed on a connection thread: give its route lane: .slowWork")
        return try gate.run(body)
    }
}
