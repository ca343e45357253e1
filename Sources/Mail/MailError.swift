/// Why a message could not be built or sent. The outbox decides from `isTransient` whether to keep
/// the message for another try or to give up on it.
public enum MailError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The address is not one this client will put in a header or an SMTP command.
    case invalidAddress(String)
    /// A header value would break the message's structure (a line break, a control character).
    case invalidHeader(String)
    /// The server could not be reached or dropped the connection; another try may succeed.
    case connection(String)
    /// The server did not answer, or did not take our bytes, within the configured time.
    case timeout(String)
    /// STARTTLS was required but not offered, or the TLS handshake or certificate check failed.
    /// Not transient: a missing extension or a bad certificate does not fix itself in a minute.
    case tls(String)
    /// The server answered a command with a 4xx or 5xx reply (RFC 5321 §4.2.1).
    case rejected(code: Int, message: String)

    /// True when trying again later may succeed: network failures, time-outs and 4xx replies, which
    /// RFC 5321 §4.2.1 calls "Transient Negative Completion" ("the error condition is temporary").
    /// 5xx replies are "Permanent Negative Completion": the same request will fail again.
    public var isTransient: Bool {
        switch self {
        case .connection, .timeout: true
        case .rejected(let code, _): (400..<500).contains(code)
        case .invalidAddress, .invalidHeader, .tls: false
        }
    }

    public var description: String {
        switch self {
        case .invalidAddress(let detail): "invalid address: \(detail)"
        case .invalidHeader(let detail): "invalid header: \(detail)"
        case .connection(let detail): "connection failed: \(detail)"
        case .timeout(let detail): "timed out: \(detail)"
        case .tls(let detail): "TLS failed: \(detail)"
        case .rejected(let code, let message): "server replied \(code): \(message)"
        }
    }
}
