import Foundation

/// Collects what several threads report (log lines, responder calls, mismatches) for later assertions.
public final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []

    public init() {}

    public func append(_ entry: String) { lock.withLock { entries.append(entry) } }

    public var all: [String] { lock.withLock { entries } }
}
