import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lines to a file descriptor (the access log on standard output), written in batches: a request adds
/// its line to a buffer, and a thread of its own writes whatever has gathered, at most `delay` after the
/// first line of a batch.
/// One `write` per line cost each request a system call; under load a batch now carries hundreds of
/// lines, while a person watching the terminal still sees each line within a fraction of a second.
/// Lines never interleave (each is appended whole, under the lock), and ``flush()`` empties the buffer
/// before the process stops. Other messages (start-up, errors) go out at once through
/// ``writeNow(_:)``, after the lines gathered before them, so the order on the screen is kept.
public final class LineWriter: @unchecked Sendable {
    /// Guards `pending` and `stopped`; request threads take only this one, and never while writing.
    private let condition = NSCondition()
    /// Held while a batch is taken and written, so batches reach the output in the order they were taken.
    private let writing = NSLock()
    private var pending: [UInt8] = []
    private var stopped = false
    private let descriptor: Int32
    private let delay: TimeInterval
    /// A batch is written at once when it grows to this size, whatever the delay.
    private let limit = 64 * 1024

    public init(descriptor: Int32 = 1, delay: TimeInterval = 0.05) {
        self.descriptor = descriptor
        self.delay = delay
        // The thread keeps the output alive until it has stopped (after flush()).
        let thread = Thread { [self] in self.run() }
        thread.name = "access log"
        thread.start()
    }

    /// Adds one line (without its newline) to the next batch.
    public func append(_ line: String) {
        condition.lock()
        if stopped {
            // After flush() no thread writes batches any more.
            condition.unlock()
            return writeNow(line)
        }
        let wasEmpty = pending.isEmpty
        pending.append(contentsOf: line.utf8)
        pending.append(UInt8(ascii: "\n"))
        if wasEmpty || pending.count >= limit { condition.signal() }
        condition.unlock()
    }

    /// Writes a line now, after everything already gathered.
    public func writeNow(_ line: String) {
        writing.lock()
        condition.lock()
        pending.append(contentsOf: line.utf8)
        pending.append(UInt8(ascii: "\n"))
        let batch = takeBatch()
        condition.unlock()
        emit(batch)
        writing.unlock()
    }

    /// Writes what is gathered and stops the writer thread; later lines (if any) are written by
    /// ``writeNow(_:)`` callers or at the next flush.
    public func flush() {
        writing.lock()
        condition.lock()
        stopped = true
        let batch = takeBatch()
        condition.broadcast()
        condition.unlock()
        emit(batch)
        writing.unlock()
    }

    /// The gathered bytes, leaving the buffer empty. Called with `condition` held.
    private func takeBatch() -> [UInt8] {
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        return batch
    }

    private func run() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopped { condition.wait() }
            if stopped {
                condition.unlock()
                return
            }
            // Let a batch gather (requests arriving meanwhile join it), unless it is already large.
            if pending.count < limit { _ = condition.wait(until: Date(timeIntervalSinceNow: delay)) }
            condition.unlock()
            // Taken again under the writing lock, so a line written at once in between keeps its place.
            writing.lock()
            condition.lock()
            let batch = takeBatch()
            condition.unlock()
            // Written outside `condition`, so requests never wait for the terminal or the pipe.
            emit(batch)
            writing.unlock()
        }
    }

    private func emit(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
