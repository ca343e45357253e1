import Threads

/// One request's state while libmicrohttpd feeds it in, kept behind `con_cls`.
///
/// Created in the URI callback, released in the completion callback; between the two, libmicrohttpd
/// calls back only on the connection's own thread, so the state needs no lock.
final class Exchange {
    /// Where the request is in its life.
    enum Phase {
        /// Created from the request line; the access handler has not run yet.
        case awaitingHeaders
        /// Headers accepted; body bytes (if any) are being collected.
        case receivingBody
        /// The body outgrew the limit: the rest is read and dropped, then 413 goes out.
        case discardingBody
        /// On the slow lane: the connection is suspended until a pool thread has the response.
        case working
        /// A response is queued; anything more libmicrohttpd hands over is dropped.
        case responded
    }

    /// The request target exactly as received, before libmicrohttpd unescapes its copy in place.
    let rawTarget: [UInt8]
    let startedAt = ContinuousClock.now
    var phase = Phase.awaitingHeaders
    var method = ""
    var remoteAddress = "-"
    var headers = HTTPHeaders()
    var target = ""
    var decodedTarget: RequestTarget?
    var body: [UInt8] = []
    /// The connection's deadline keeper (nil only if libmicrohttpd had no socket context for it).
    var connection: ConnectionGuard.Connection?
    /// The slow lane's answer, set on a pool thread before the connection is resumed. Made when the
    /// request is sent to the lane (before the job is queued), so a request answered on its connection's
    /// thread, nearly every one, allocates no lock for it.
    var laneResponse: Locked<Response?>?

    init(rawTarget: [UInt8]) { self.rawTarget = rawTarget }
}

/// What every callback of one daemon shares; handed to C as `cls` (unretained: ``HTTPServer`` owns it
/// and stops the daemon before letting go).
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let responder: @Sendable (Request) -> Response
    let accessLog: @Sendable (String) -> Void
    let slowLane: SlowLane?
    /// ``ServerConfiguration/trustedProxies`` in canonical form.
    let trustedProxies: Set<String>
    /// The per-address connection limit and the request deadline.
    let connections: ConnectionGuard
    /// The slow lane's threads, from start to stop.
    let lanePool = Locked<WorkerPool?>(nil)
    /// Requests between their URI callback and their completion callback, for a graceful stop.
    let inFlight = Locked(0)

    init(configuration: ServerConfiguration, responder: @escaping @Sendable (Request) -> Response,
         accessLog: @escaping @Sendable (String) -> Void, slowLane: SlowLane?) {
        self.configuration = configuration
        self.responder = responder
        self.accessLog = accessLog
        self.slowLane = slowLane
        trustedProxies = Set(configuration.trustedProxies.compactMap { ClientAddress.canonical($0) })
        connections = ConnectionGuard(limit: configuration.connectionsPerAddress, requestTimeout: configuration.requestTimeout,
                                      exempt: trustedProxies)
    }

    static func from(_ pointer: UnsafeMutableRawPointer) -> ServerContext {
        Unmanaged<ServerContext>.fromOpaque(pointer).takeUnretainedValue()
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
}
