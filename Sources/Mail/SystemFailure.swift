import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// The one place where a failed socket or OpenSSL call becomes a `MailError`. Callers hand over
/// errno, or the SSL return value, right after the failing call, before anything else can change it
/// (the swift-nio `syscall` pattern), and the error names the operation that failed.
enum SystemFailure {
    /// A failed POSIX call. A refused, reset or unreachable connection is worth another try later,
    /// so everything is `.connection` except the kernel's own time-out, which is `.timeout`.
    static func socket(_ operation: String, errno code: Int32) -> MailError {
        let reason = String(cString: strerror(code))
        return code == ETIMEDOUT ? .timeout("\(operation): \(reason)") : .connection("\(operation): \(reason)")
    }

    /// A getaddrinfo failure, which reports through its return value rather than errno.
    static func resolver(_ host: String, status: Int32) -> MailError {
        if status == EAI_SYSTEM { return socket("resolve \(host)", errno: errno) }
        return .connection("resolve \(host): \(String(cString: gai_strerror(status)))")
    }

    /// A failed SSL_* call with its return value. SSL_get_error reads the thread's OpenSSL error
    /// queue, which the caller cleared before the call, so what is there now belongs to this call;
    /// `errno` is read first, since the queue functions may change it.
    static func openSSL(_ operation: String, ssl: OpaquePointer?, result: Int32) -> MailError {
        let savedErrno = errno
        let kind = ssl.map { SSL_get_error($0, result) } ?? SSL_ERROR_SSL
        let firstCode = ERR_peek_error()
        let queued = drainErrorQueue()
        switch kind {
        case SSL_ERROR_ZERO_RETURN:
            return .connection("\(operation): the server closed the TLS session")
        case SSL_ERROR_SYSCALL where firstCode == 0:
            // "Some non-recoverable, fatal I/O error occurred ... consult errno"; errno 0 means the
            // peer closed the TCP connection without a TLS close_notify.
            if savedErrno != 0 { return socket(operation, errno: savedErrno) }
            return .connection("\(operation): the server closed the connection")
        default:
            if ERR_GET_REASON(firstCode) == SSL_R_UNEXPECTED_EOF_WHILE_READING {
                return .connection("\(operation): the server closed the connection")
            }
            if let ssl, ERR_GET_REASON(firstCode) == SSL_R_CERTIFICATE_VERIFY_FAILED {
                let verdict = String(cString: X509_verify_cert_error_string(SSL_get_verify_result(ssl)))
                return .tls("\(operation): certificate verification failed: \(verdict)")
            }
            return .tls("\(operation): \(queued.isEmpty ? "SSL error \(kind)" : queued)")
        }
    }

    /// Empties the thread's OpenSSL error queue into one line, oldest error first.
    static func drainErrorQueue() -> String {
        var messages: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while case let code = ERR_get_error(), code != 0 {
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.joined(separator: "; ")
    }

    /// Runs `body` with SIGPIPE blocked on this thread. OpenSSL writes to the socket with write(2),
    /// which raises SIGPIPE when the server has gone away, and the default action of SIGPIPE ends the
    /// whole process; blocked, the write fails with EPIPE instead. A SIGPIPE raised meanwhile is taken
    /// off the pending set before the old mask comes back, so it is never delivered late.
    static func withoutSIGPIPE<Value>(_ body: () -> Value) -> Value {
        var pipeOnly = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeOnly, &previousMask)
        var pendingBefore = sigset_t()
        sigpending(&pendingBefore)
        let result = body()
        var pendingAfter = sigset_t()
        sigpending(&pendingAfter)
        if sigismember(&pendingBefore, SIGPIPE) == 0 && sigismember(&pendingAfter, SIGPIPE) == 1 {
            var immediately = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&pipeOnly, nil, &immediately)
        }
        pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        return result
    }
}
