import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// The moment by which one step (connecting, one command, one reply) must be done. Each step gets the
/// whole configured time, but no more: a server that drips one byte at a time cannot stretch it.
struct Deadline {
    let seconds: Double
    private let end: ContinuousClock.Instant

    init(seconds: Double) {
        self.seconds = seconds
        end = .now + .nanoseconds(Int64(max(0, min(seconds, 86_400)) * 1e9))
    }

    /// What is left, in whole milliseconds as poll(2) takes it, rounded up so a wait never ends early.
    var remainingMilliseconds: Int32 {
        let left = ContinuousClock.now.duration(to: end).components
        guard left.seconds >= 0, left.seconds > 0 || left.attoseconds > 0 else { return 0 }
        return Int32(left.seconds * 1000 + (left.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}

/// One TCP connection to the server: plain at first, then TLS over the same socket after STARTTLS.
/// The socket is non-blocking and every wait is a poll(2) bounded by a `Deadline`, so no call here
/// can hang for longer than the configured time-out.
final class SMTPConnection {
    /// RFC 5321 §4.5.3.1.5 limits a reply line to 512 octets; leave room for servers that do not care.
    static let maximumLineLength = 4096

    private let fd: Int32
    private let endpoint: String
    private var context: OpaquePointer?
    private var ssl: OpaquePointer?
    private var input: [UInt8] = []

    /// Connects to the first address of `host` that answers. getaddrinfo itself cannot be bounded
    /// (a slow resolver blocks it); everything after it is.
    init(host: String, port: UInt16, deadline: Deadline) throws(MailError) {
        endpoint = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        fd = try Self.open(host: host, port: port, endpoint: endpoint, deadline: deadline)
    }

    // No TLS close_notify: the session ends after QUIT and its 221 (RFC 5321 §4.1.1.10), when the
    // server closes the channel anyway, so there is nothing left that a truncation could cut.
    deinit {
        if let ssl { SSL_free(ssl) }
        if let context { SSL_CTX_free(context) }
        close(fd)
    }

    var isTLS: Bool { ssl != nil }

    /// True when the server has sent bytes the client has not read yet.
    var hasBufferedInput: Bool { !input.isEmpty }

    /// One line without its CRLF (a bare LF is taken as a line end too, as servers in the wild send it).
    func readLine(deadline: Deadline) throws(MailError) -> [UInt8] {
        while true {
            if let newline = input.firstIndex(of: 0x0A) {
                var line = Array(input[..<newline])
                input.removeSubrange(...newline)
                if line.last == 0x0D { line.removeLast() }
                return line
            }
            guard input.count <= Self.maximumLineLength else {
                throw .connection("reply line from \(endpoint) longer than \(Self.maximumLineLength) bytes")
            }
            try receive(deadline: deadline)
        }
    }

    /// Writes all of `bytes` before the deadline.
    func write(_ bytes: [UInt8], deadline: Deadline) throws(MailError) {
        var offset = 0
        while offset < bytes.count {
            offset += try transmit(bytes[offset...], deadline: deadline)
        }
    }

    /// Starts TLS on the open socket (RFC 3207 §4, after the server's 220 to STARTTLS). With
    /// `verify`, the chain must lead to a CA of the system (or of `trustFile`) and the certificate
    /// must name `host`.
    func startTLS(host: String, verify: Bool, trustFile: String?, deadline: Deadline) throws(MailError) {
        let operation = "TLS handshake with \(endpoint)"
        ERR_clear_error()
        guard let newContext = SSL_CTX_new(TLS_client_method()) else {
            throw SystemFailure.openSSL("SSL_CTX_new", ssl: nil, result: 0)
        }
        context = newContext
        // TLS 1.0 and 1.1 are deprecated by RFC 8996; RFC 8314 §4.1 asks mail clients for 1.2 or later.
        guard clientone_ssl_ctx_set_min_proto_version(newContext, TLS1_2_VERSION) == 1 else {
            throw SystemFailure.openSSL("SSL_CTX_set_min_proto_version", ssl: nil, result: 0)
        }
        if verify {
            if let trustFile {
                guard SSL_CTX_load_verify_locations(newContext, trustFile, nil) == 1 else {
                    throw SystemFailure.openSSL("load CA certificates from \(trustFile)", ssl: nil, result: 0)
                }
            } else if SSL_CTX_set_default_verify_paths(newContext) != 1 {
                throw SystemFailure.openSSL("SSL_CTX_set_default_verify_paths", ssl: nil, result: 0)
            }
            SSL_CTX_set_verify(newContext, SSL_VERIFY_PEER, nil)
        }
        guard let session = SSL_new(newContext) else { throw SystemFailure.openSSL("SSL_new", ssl: nil, result: 0) }
        ssl = session
        guard SSL_set_fd(session, fd) == 1 else { throw SystemFailure.openSSL("SSL_set_fd", ssl: nil, result: 0) }
        let isIPAddress = Self.isIPAddress(host)
        // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName".
        if !isIPAddress && clientone_ssl_set_host_name(session, host) != 1 {
            throw SystemFailure.openSSL("SNI for \(host)", ssl: nil, result: 0)
        }
        if verify {
            let named = isIPAddress
                ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(session), host)
                : SSL_set1_host(session, host)
            guard named == 1 else { throw SystemFailure.openSSL("expected certificate name \(host)", ssl: nil, result: 0) }
        }
        try driveTLS(operation, deadline: deadline) { SSL_connect($0) }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, host, &buffer) == 1 || inet_pton(AF_INET6, host, &buffer) == 1
    }

    private static func open(host: String, port: UInt16, endpoint: String, deadline: Deadline)
        throws(MailError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else { throw SystemFailure.resolver(host, status: status) }
        defer { freeaddrinfo(first) }
        var lastError = MailError.connection("connect to \(endpoint): no address")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry?.pointee {
            do throws(MailError) {
                return try connect(address, endpoint: endpoint, deadline: deadline)
            } catch {
                // A time-out has used up the deadline, which the next address would share.
                if case .timeout = error { throw error }
                lastError = error
            }
            entry = address.ai_next
        }
        throw lastError
    }

    private static func connect(_ address: addrinfo, endpoint: String, deadline: Deadline) throws(MailError) -> Int32 {
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let descriptor = socket(address.ai_family, address.ai_socktype | flags, address.ai_protocol)
        guard descriptor >= 0 else { throw SystemFailure.socket("socket", errno: errno) }
        if Glibc.connect(descriptor, address.ai_addr, address.ai_addrlen) != 0 {
            let code = errno
            do throws(MailError) {
                guard code == EINPROGRESS else { throw SystemFailure.socket("connect to \(endpoint)", errno: code) }
                try wait(descriptor, for: Int16(POLLOUT), deadline: deadline, operation: "connect to \(endpoint)")
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                if getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length) != 0 { socketError = errno }
                if socketError != 0 { throw SystemFailure.socket("connect to \(endpoint)", errno: socketError) }
            } catch {
                close(descriptor)
                throw error
            }
        }
        return descriptor
    }

    /// Waits until the socket is ready for `events`. Errors and hang-ups count as ready: the read or
    /// write that follows reports them with their errno.
    private static func wait(_ descriptor: Int32, for events: Int16, deadline: Deadline, operation: String)
        throws(MailError) {
        while true {
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, deadline.remainingMilliseconds)
            if ready > 0 { return }
            if ready == 0 { throw .timeout("\(operation): no progress within \(deadline.seconds) s") }
            let code = errno
            if code != EINTR { throw SystemFailure.socket("poll", errno: code) }
        }
    }

    private func receive(deadline: Deadline) throws(MailError) {
        let capacity = 4096
        var chunk = [UInt8](repeating: 0, count: capacity)
        var count = 0
        if ssl != nil {
            try driveTLS("read from \(endpoint)", deadline: deadline) { SSL_read_ex($0, &chunk, capacity, &count) }
        } else {
            while true {
                let received = recv(fd, &chunk, capacity, 0)
                if received > 0 {
                    count = received
                    break
                }
                if received == 0 { throw .connection("\(endpoint) closed the connection") }
                let code = errno
                guard code == EAGAIN || code == EWOULDBLOCK || code == EINTR else {
                    throw SystemFailure.socket("read from \(endpoint)", errno: code)
                }
                try Self.wait(fd, for: Int16(POLLIN), deadline: deadline, operation: "read from \(endpoint)")
            }
        }
        input += chunk[..<count]
    }

    private func transmit(_ bytes: ArraySlice<UInt8>, deadline: Deadline) throws(MailError) -> Int {
        var count = 0
        if ssl != nil {
            try driveTLS("write to \(endpoint)", deadline: deadline) { session in
                bytes.withUnsafeBytes { SSL_write_ex(session, $0.baseAddress, $0.count, &count) }
            }
            return count
        }
        while true {
            // MSG_NOSIGNAL: a closed peer gives EPIPE here instead of a process-ending SIGPIPE.
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent >= 0 { return sent }
            let code = errno
            guard code == EAGAIN || code == EWOULDBLOCK || code == EINTR else {
                throw SystemFailure.socket("write to \(endpoint)", errno: code)
            }
            try Self.wait(fd, for: Int16(POLLOUT), deadline: deadline, operation: "write to \(endpoint)")
        }
    }

    /// Calls an SSL_* function until it succeeds (returns 1), polling for whichever direction OpenSSL
    /// says it is waiting on: on a non-blocking socket even a read may need to write, and the other
    /// way round (SSL_get_error(3): SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE).
    private func driveTLS(_ operation: String, deadline: Deadline, _ call: (OpaquePointer) -> Int32) throws(MailError) {
        guard let ssl else { throw .tls("\(operation): no TLS session") }
        while true {
            ERR_clear_error()
            errno = 0
            let result = SystemFailure.withoutSIGPIPE { call(ssl) }
            if result == 1 { return }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ:
                try Self.wait(fd, for: Int16(POLLIN), deadline: deadline, operation: operation)
            case SSL_ERROR_WANT_WRITE:
                try Self.wait(fd, for: Int16(POLLOUT), deadline: deadline, operation: operation)
            default:
                throw SystemFailure.openSSL(operation, ssl: ssl, result: result)
            }
        }
    }
}
