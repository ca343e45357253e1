#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocks SIGINT and SIGTERM in the calling thread and waits for one of them; returns its number.
/// Meant for the main thread once the server runs: the program then shuts down in order (stop the
/// server, close the database) instead of dying inside a signal handler.
public func waitForTerminationSignal() -> Int32 {
    var signals = TerminationSignals.set(SIGINT, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    var received: Int32 = 0
    while sigwait(&signals, &received) != 0 {}
    return received
}

/// Signal masks for the server's threads.
enum TerminationSignals {
    static func set(_ numbers: Int32...) -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in numbers { sigaddset(&signals, number) }
        return signals
    }

    /// Runs `body` with SIGINT, SIGTERM and SIGPIPE blocked in the calling thread. Threads inherit their
    /// creator's mask, so libmicrohttpd's threads started in `body` never take these signals: SIGINT and
    /// SIGTERM then reach the thread in ``waitForTerminationSignal()``, and a client hanging up cannot
    /// kill the process with SIGPIPE.
    static func blocked<Result>(_ body: () throws -> Result) rethrows -> Result {
        var signals = set(SIGINT, SIGTERM, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &signals, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }
}
