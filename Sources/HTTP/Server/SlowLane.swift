/// Requests the responder may take long over (checking a password costs about 0.3 s of CPU by design).
///
/// libmicrohttpd ties each connection to one of its threads, and a thread answers its connections one at
/// a time: a slow request answered there would hold up every page of every other connection on that
/// thread. A request the lane ``accepts`` is answered on a small pool of threads of its own instead,
/// with its connection suspended meanwhile, so the connection threads keep serving pages however many
/// slow requests are waiting. When more than `queueLimit` are already waiting, the request is answered
/// at once with ``busy``.
public struct SlowLane: Sendable {
    /// Threads answering slow requests.
    public var threads: Int
    /// Slow requests that may wait for a thread.
    public var queueLimit: Int
    /// Whether a request goes to the lane (called on the connection's thread; must be cheap).
    public var accepts: @Sendable (Request) -> Bool
    /// The answer when the lane is full, or the server stops before the request's turn.
    public var busy: @Sendable (Request) -> Response

    public init(threads: Int, queueLimit: Int, accepts: @escaping @Sendable (Request) -> Bool,
                busy: @escaping @Sendable (Request) -> Response) {
        self.threads = threads
        self.queueLimit = queueLimit
        self.accepts = accepts
        self.busy = busy
    }

    var problem: String? {
        if threads < 1 { return "the slow lane needs at least 1 thread" }
        if queueLimit < 0 { return "the slow lane's queue limit must not be negative" }
        return nil
    }
}
