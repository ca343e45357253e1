/// Settings for ``HTTPServer``. The defaults suit a console served on localhost.
public struct ServerConfiguration: Sendable {
    /// An IPv4 or IPv6 literal (brackets allowed), or "localhost" (127.0.0.1).
    public var host: String = "127.0.0.1"
    /// 0 picks any free port; ``HTTPServer/port`` tells which after ``HTTPServer/start()``.
    public var port: UInt16 = 8080
    /// Larger bodies are refused with 413 (at once when Content-Length announces them).
    public var maxBodySize: Int = 1 << 20
    /// Seconds a connection may stay idle; also how long ``HTTPServer/stop()`` waits for requests in flight.
    public var connectionTimeout: Int = 30
    /// Bytes libmicrohttpd may use per connection for the request line and headers (more is refused
    /// with 431). libmicrohttpd clears this pool between requests and maps pools over 32 KiB from the
    /// kernel: 128 KiB cost about 90 µs of every request (`scripts/bench-load`), 32 KiB is its default.
    public var connectionMemoryLimit: Int = 32 * 1024
    public var connectionLimit: Int = 1024
    /// Open connections one client address may hold; more are refused as they connect, so one address
    /// cannot take every connection. Well above what a browser opens (about 6 per host) and what
    /// `scripts/bench-load` uses (32, plus 16 for its sign-in flood); trusted proxies are exempt (see
    /// ``ConnectionGuard``).
    public var connectionsPerAddress: Int = 128
    /// Seconds a request may take to arrive whole (line, headers and body), counted from the connection's
    /// opening or its previous answer; a connection still short of a request then is closed. The idle
    /// ``connectionTimeout`` alone does not end a client that trickles a byte every few seconds.
    public var requestTimeout: Int = 60
    /// Threads that accept connections and run the responder.
    public var threadPoolSize: Int = 4
    /// Reverse proxies (exact IPv4 or IPv6 addresses) whose connections may name the client in
    /// `X-Forwarded-For`; from any other address the header is ignored (see ``ClientAddress``).
    public var trustedProxies: [String] = []

    public init() {}

    /// The first setting that cannot work, described for the person who chose it.
    var problem: String? {
        if maxBodySize < 0 { return "maxBodySize must not be negative" }
        if connectionTimeout < 1 { return "connectionTimeout must be at least 1 second" }
        if connectionMemoryLimit < 4096 { return "connectionMemoryLimit must be at least 4096 bytes" }
        if connectionLimit < 1 { return "connectionLimit must be at least 1" }
        if connectionsPerAddress < 1 { return "connectionsPerAddress must be at least 1" }
        if requestTimeout < 1 { return "requestTimeout must be at least 1 second" }
        if threadPoolSize < 1 { return "threadPoolSize must be at least 1" }
        if let bad = trustedProxies.first(where: { ClientAddress.canonical($0) == nil }) {
            return "trusted proxy \(bad) is not an IPv4 or IPv6 address"
        }
        return nil
    }
}
