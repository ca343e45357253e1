import CMicroHTTPD
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Threads

/// An HTTP/1.1 server on libmicrohttpd. The responder runs synchronously on libmicrohttpd's pool
/// threads (or the ``SlowLane``'s, for the requests that lane accepts), so it must be thread-safe; on
/// the connection threads it should not block for long.
public final class HTTPServer: Sendable {
    /// Where the server is in its life; behind a lock because `port` and `stop()` may be called from
    /// any thread.
    private enum Phase {
        case idle
        case running(daemon: OpaquePointer, port: UInt16)
        case stopped(port: UInt16)
    }

    private let context: ServerContext
    private let phase = Locked(Phase.idle)
    /// Serializes start() and stop() as wholes, so a second stop() waits for the first to finish.
    private let lifecycle = Locked(())

    /// `slowLane`: which requests are answered on threads of their own (see ``SlowLane``); nil answers
    /// every request on its connection's thread.
    public init(configuration: ServerConfiguration, slowLane: SlowLane? = nil,
                responder: @escaping @Sendable (Request) -> Response, accessLog: @escaping @Sendable (String) -> Void) {
        context = ServerContext(configuration: configuration, responder: responder, accessLog: accessLog, slowLane: slowLane)
    }

    deinit { stop() }

    /// Binds and starts serving. A server starts once; a stopped one is not restarted.
    /// - Throws: ``HTTPServerError`` when the configuration is unusable, the host is not an address, the
    ///   port cannot be bound (in use, privileged) or libmicrohttpd fails to start.
    public func start() throws {
        try lifecycle.withLock { _ in
            guard case .idle = phase.withLock({ $0 }) else {
                throw HTTPServerError(message: "The server was already started")
            }
            let configuration = context.configuration
            if let problem = configuration.problem ?? context.slowLane?.problem { throw HTTPServerError(message: problem) }
            let socket = try ListeningSocket.open(host: configuration.host, port: configuration.port)
            let pool = context.slowLane.map { WorkerPool(threads: $0.threads, queueLimit: $0.queueLimit, name: "slow lane") }
            context.lanePool.withLock { $0 = pool }
            guard let daemon = startDaemon(listeningOn: socket) else {
                let failure = HTTPServerError.cFailure("libmicrohttpd could not start on \(configuration.host)")
                closeDescriptor(socket.descriptor)
                pool?.stop()
                throw failure
            }
            context.connections.start()
            phase.withLock { $0 = .running(daemon: daemon, port: socket.port) }
        }
    }

    /// The bound port once started (the configured one before).
    public var port: UInt16 {
        switch phase.withLock({ $0 }) {
        case .idle: context.configuration.port
        case .running(_, let port), .stopped(let port): port
        }
    }

    /// Stops accepting connections, lets requests in flight finish (for at most `connectionTimeout`
    /// seconds), then shuts libmicrohttpd down. Safe to call more than once and from any thread.
    public func stop() {
        lifecycle.withLock { _ in
            guard case .running(let daemon, let port) = phase.withLock({ $0 }) else { return }
            let listener = MHD_quiesce_daemon(daemon)
            waitForRequestsInFlight(seconds: context.configuration.connectionTimeout)
            // libmicrohttpd must not stop with a connection suspended: the lane answers (or cancels)
            // every job it took, each answer resumes its connection, and a short wait lets those answers
            // go out before the connections close.
            if let pool = context.lanePool.withLock({ $0 }) {
                pool.stop()
                waitForRequestsInFlight(seconds: min(5, context.configuration.connectionTimeout))
            }
            MHD_stop_daemon(daemon)
            context.connections.stop()
            // libmicrohttpd hands the quiesced socket back; it may be closed only after the daemon stops.
            if listener >= 0 { closeDescriptor(listener) }
            phase.withLock { $0 = .stopped(port: port) }
        }
    }

    /// Open connections from `address` as the per-address limit counts them (for tests).
    func openConnections(from address: String) -> Int { context.connections.count(address) }

    /// Requests received but not completed yet (for tests of the graceful stop).
    var requestsInFlight: Int { context.inFlight.withLock { $0 } }

    private func waitForRequestsInFlight(seconds: Int) {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while requestsInFlight > 0 && ContinuousClock.now < deadline {
            usleep(5_000)
        }
    }

    /// Starts libmicrohttpd on the already listening socket: epoll on Linux (the best poller elsewhere)
    /// with a thread pool; ITC so `MHD_quiesce_daemon` works; no error log, since the server reports its
    /// failures itself; the accept policy and connection notifications of ``ConnectionGuard``.
    private func startDaemon(listeningOn socket: ListeningSocket) -> OpaquePointer? {
        let configuration = context.configuration
        let cls = context.opaque
        var options = [
            Self.option(.LISTEN_SOCKET, Int(socket.descriptor)),
            Self.option(.CONNECTION_TIMEOUT, configuration.connectionTimeout),
            Self.option(.CONNECTION_LIMIT, configuration.connectionLimit),
            Self.option(.CONNECTION_MEMORY_LIMIT, configuration.connectionMemoryLimit),
            MHD_OptionItem(option: .URI_LOG_CALLBACK,
                           value: unsafeBitCast(exchangeStarted as URICallback, to: Int.self), ptr_value: cls),
            MHD_OptionItem(option: .NOTIFY_COMPLETED,
                           value: unsafeBitCast(exchangeCompleted as MHD_RequestCompletedCallback, to: Int.self),
                           ptr_value: cls),
            MHD_OptionItem(option: .NOTIFY_CONNECTION,
                           value: unsafeBitCast(connectionChanged as MHD_NotifyConnectionCallback, to: Int.self),
                           ptr_value: cls),
        ]
        if configuration.threadPoolSize > 1 {
            options.append(Self.option(.THREAD_POOL_SIZE, configuration.threadPoolSize))
        }
        options.append(Self.option(.END, 0))
        #if os(Linux)
        var flags = MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_USE_ITC.rawValue
        #else
        var flags = MHD_USE_AUTO_INTERNAL_THREAD.rawValue | MHD_USE_ITC.rawValue
        #endif
        if socket.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        if context.slowLane != nil { flags |= MHD_ALLOW_SUSPEND_RESUME.rawValue }
        return TerminationSignals.blocked {
            options.withUnsafeBufferPointer { items in
                clientone_mhd_start(flags, 0, admitConnection, cls, handleAccess, cls, items.baseAddress)
            }
        }
    }

    private static func option(_ option: MHD_OPTION, _ value: Int) -> MHD_OptionItem {
        MHD_OptionItem(option: option, value: value, ptr_value: nil)
    }
}
