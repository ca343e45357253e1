import Foundation
import Testing
import TestSupport
import Threads
@testable import HTTP

/// The shutdown signal wait, exercised with a signal sent to one thread only so the test process
/// itself is never at risk of being terminated.
@Suite struct SignalsTests {
    @Test("returns the number of the termination signal it waited for")
    func waitsForSignal() throws {
        let waiter = Locked<pthread_t?>(nil)
        let received = Locked<Int32?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            // Blocked before the thread is published, so the signal stays pending instead of killing us.
            var signals = TerminationSignals.set(SIGINT, SIGTERM)
            pthread_sigmask(SIG_BLOCK, &signals, nil)
            waiter.withLock { $0 = pthread_self() }
            let number = waitForTerminationSignal()
            received.withLock { $0 = number }
            done.signal()
        }
        #expect(eventually { waiter.withLock { $0 } != nil })
        let thread = try #require(waiter.withLock { $0 })
        #expect(pthread_kill(thread, SIGTERM) == 0)
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(received.withLock { $0 } == SIGTERM)
    }
}
