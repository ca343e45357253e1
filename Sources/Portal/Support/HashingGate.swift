import Crypto
import Foundation

/// Password hashing on a bounded number of threads. A hash takes about 0.3 s of CPU on purpose; without
/// a bound, a flood of sign-in attempts would hold every server thread in PBKDF2 and starve every
/// other page. A request that cannot get a turn within `wait` is answered "busy" (503 with
/// Retry-After) instead of holding a thread.
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

    func hash(_ password: String) throws -> String { try gate.run { hasher.hash(password) } }
    func verify(_ password: String, against encoded: String) throws -> Bool { try gate.run { hasher.verify(password, against: encoded) } }
    func dummyVerify(_ password: String) throws { try gate.run { hasher.dummyVerify(password) } }
    func needsRehash(_ encoded: String) -> Bool { hasher.needsRehash(encoded) }
}
