import Foundation

/// The time as the portal sees it. Everything the portal dates or times out reads it through this
/// protocol (sessions and idle expiry, lockouts, TOTP steps, reset links and pending secrets, the
/// outbox's retries, audit events), so tests can fix and move it.
public protocol Clock: Sendable {
    /// Seconds since 1970-01-01 UTC.
    func now() -> Int64
}

/// The real time.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}

/// A clock tests set by hand.
public final class ManualClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Int64

    public init(_ start: Int64 = 1_800_000_000) { current = start }

    public func now() -> Int64 { lock.withLock { current } }

    public func advance(by seconds: Int64) { lock.withLock { current += seconds } }
}
