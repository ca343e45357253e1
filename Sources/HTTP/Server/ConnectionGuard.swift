import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Threads

/// Keeps one client from holding the server's connections: at most
/// ``ServerConfiguration/connectionsPerAddress`` open connections per address, and a request must
/// arrive whole within ``ServerConfiguration/requestTimeout`` seconds.
///
/// libmicrohttpd's own `MHD_OPTION_PER_IP_CONNECTION_LIMIT` cannot exempt an address, and behind a
/// reverse proxy every connection comes from the proxy: its limit would cap the whole deployment at a
/// few dozen concurrent requests. So the count is kept here, from libmicrohttpd's connection
/// notifications, and the accept policy refuses a connection beyond it unless it comes from a trusted
/// proxy (which sees the clients and limits them itself; the console cannot tell them apart per
/// connection). libmicrohttpd's connection time-out is an idle time-out that every byte received
/// restarts, so a client sending a byte every few seconds would hold its connection forever; a timer
/// here cuts off a connection whose request is still not in after the request time-out.
final class ConnectionGuard: Sendable {
    /// One open connection, hung on libmicrohttpd's `socket_context` from its start to its close.
    final class Connection: Sendable {
        let address: String
        let descriptor: Int32
        /// Since when the connection has been waiting for (the rest of) a request; nil while a request
        /// is being answered. Set on libmicrohttpd's threads, read by the timer.
        let awaitingSince = Locked<ContinuousClock.Instant?>(ContinuousClock.now)

        init(address: String, descriptor: Int32) {
            self.address = address
            self.descriptor = descriptor
        }

        /// The request is in (the responder may take its time).
        func requestArrived() { awaitingSince.withLock { $0 = nil } }
        /// The answer is out: the next request's time starts now.
        func answered() { awaitingSince.withLock { $0 = .now } }
    }

    private struct State {
        var perAddress: [String: Int] = [:]
        var open: [ObjectIdentifier: Connection] = [:]
    }

    let limit: Int
    let requestTimeout: Duration
    let exempt: Set<String>
    private let state = Locked(State())
    private let timer = Locked<DispatchSourceTimer?>(nil)

    init(limit: Int, requestTimeout: Int, exempt: Set<String>) {
        self.limit = limit
        self.requestTimeout = .seconds(requestTimeout)
        self.exempt = exempt
    }

    /// The accept policy: whether another connection from this address may open.
    func admits(_ address: String) -> Bool {
        exempt.contains(address) || state.withLock { $0.perAddress[address, default: 0] } < limit
    }

    /// libmicrohttpd started a connection (after the accept policy admitted it).
    func opened(_ connection: Connection) {
        state.withLock { state in
            state.perAddress[connection.address, default: 0] += 1
            state.open[ObjectIdentifier(connection)] = connection
        }
    }

    /// libmicrohttpd is closing the connection; it closes the socket only after this returns, and the
    /// timer touches sockets only under the same lock, so it never shuts down a reused descriptor.
    func closed(_ connection: Connection) {
        state.withLock { state in
            state.open[ObjectIdentifier(connection)] = nil
            let left = state.perAddress[connection.address, default: 1] - 1
            state.perAddress[connection.address] = left > 0 ? left : nil
        }
    }

    /// Open connections from `address` (for tests).
    func count(_ address: String) -> Int { state.withLock { $0.perAddress[address, default: 0] } }

    /// Starts checking the request deadlines, four times per time-out (at least once a second).
    func start() {
        let source = DispatchSource.makeTimerSource(queue: .global())
        let interval = min(Duration.seconds(1), requestTimeout / 4)
        let (seconds, attoseconds) = interval.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        source.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds))
        source.setEventHandler { [weak self] in self?.cutOffLateRequests() }
        timer.withLock { $0 = source }
        source.resume()
    }

    func stop() {
        timer.withLock { timer in
            timer?.cancel()
            timer = nil
        }
    }

    /// Shuts down every connection whose request is overdue; libmicrohttpd then sees the socket end and
    /// closes the connection as it would any other.
    private func cutOffLateRequests() {
        let now = ContinuousClock.now
        state.withLock { state in
            for connection in state.open.values {
                guard let since = connection.awaitingSince.withLock({ $0 }), now - since > requestTimeout else { continue }
                connection.awaitingSince.withLock { $0 = nil }
                _ = shutdown(connection.descriptor, Int32(SHUT_RDWR))
            }
        }
    }
}
