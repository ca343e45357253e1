import Crypto
import Foundation
import Mail

/// Everything `serve` can set, with the defaults of SPEC §2.
public struct PortalConfiguration: Sendable {
    /// The SQLite file.
    public var databasePath: String
    public var host: String = "127.0.0.1"
    /// 0 binds any free port (tests).
    public var port: UInt16 = 8080
    /// The console's origin (`--public-url`); nil means `http://localhost:PORT`.
    public var publicURL: String?
    /// Shared-workstation mode (SPEC §5).
    public var kiosk: Bool = false
    /// Seconds of inactivity that end a session; nil means the mode's default (kiosk 300, otherwise 1800).
    public var idleTimeout: Int64?
    /// A session ends this long after sign-in, however active it is.
    public var absoluteTimeout: Int64 = 12 * 3600
    /// Where the stylesheet and scripts are served from.
    public var publicDirectory: String
    /// Work factor for new password hashes; tests lower it, production keeps OWASP's figure.
    public var passwordIterations: Int = PasswordHasher.defaultIterations
    /// Request bodies larger than this are refused with 413.
    public var maxBodySize: Int = 1 << 20
    /// libmicrohttpd worker threads, which answer every request but the password checks (those run on
    /// the server's slow lane, see `Application`).
    public var threads: Int = PortalConfiguration.defaultThreads
    /// One per processor: page requests never wait for a password hash, so more threads than processors
    /// only take turns mid-request, which shows as tail latency (BENCHMARKS.md: p99 of the Profile tab
    /// 3.3–4.3 ms with 2 threads on 2 cores, 9.2 ms with 4 or 8).
    public static let defaultThreads = max(2, ProcessInfo.processInfo.activeProcessorCount)
    /// How many passwords may be hashed at once (the rest of the threads keep serving pages): one
    /// fewer than the processor count, at least one.
    public var hashingThreads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    /// The key file that encrypts authenticator secrets; nil means `<database>.key`.
    public var keyFilePath: String?
    /// The name authenticator apps show for the account (the issuer of the `otpauth://` URI).
    public var issuer: String = "ClientOne Console"
    /// The SMTP server (`--smtp HOST:PORT`); nil keeps mail in the outbox for staff to read.
    public var smtp: String?
    /// Require STARTTLS from a loopback relay too. A relay that is not on this machine always needs it
    /// (`SMTPConfiguration.isLoopback`); this can only make delivery stricter. The tests use it to
    /// stand for such a relay, since none can be reached from the test machine.
    public var smtpRequireTLS: Bool = false
    /// Check the SMTP server's certificate after STARTTLS (off only for a test server's self-signed one).
    public var smtpVerifyCertificate: Bool = true
    /// The sender of the console's mail.
    public var mailFrom: String = "no-reply@localhost"
    /// Sign-in failures per email address before it is locked, and for how long.
    public var accountFailureLimit: Int = 5
    /// Sign-in failures per client address before it is locked.
    public var addressFailureLimit: Int = 20
    /// The window in which failures are counted, and the lockout's length, in seconds.
    public var lockoutSeconds: Int64 = 15 * 60
    /// `--trusted-proxy`: reverse proxies whose connections may name the client in `X-Forwarded-For`.
    public var trustedProxies: [String] = []
    /// `serve --ca-file`: extra trusted CA certificates (PEM) for the identity providers' HTTPS.
    public var caFile: String?

    public init(databasePath: String, publicDirectory: String) {
        self.databasePath = databasePath
        self.publicDirectory = publicDirectory
    }

    /// The idle time-out in force.
    public var effectiveIdleTimeout: Int64 { idleTimeout ?? (kiosk ? 300 : 1800) }

    /// What `serve` says about where mail goes and how safely; nil without `--smtp`.
    public var mailTransportSummary: String? {
        guard let smtp else { return nil }
        guard let (host, _) = SMTPClient.parseHostPort(smtp), SMTPConfiguration.isLoopback(host), !smtpRequireTLS else {
            return "Mail goes through the SMTP server at \(smtp), only over TLS (STARTTLS, certificate checked): a server that does not offer it gets no mail, which waits in the outbox and is tried again."
        }
        return "Mail goes through the SMTP server at \(smtp), on this machine (loopback): over STARTTLS when it offers it, otherwise in clear text, which does not leave this machine."
    }

    /// Whether cookies must carry `Secure` (the console is reached over https).
    public var secureCookies: Bool { publicURL?.lowercased().hasPrefix("https://") ?? false }
}

/// Refusals of the `serve` options, each a one-line reason.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case publicHostNeedsHTTPS(String)
    case invalidPublicURL(String)
    case missingPublicDirectory([String])
    case invalidSMTP(String)
    case invalidTrustedProxy(String)

    public var description: String {
        switch self {
        case .publicHostNeedsHTTPS(let host):
            return "refusing to listen on \(host): a non-loopback --host needs --public-url with an https:// URL (the console must not face a network in clear text)"
        case .invalidPublicURL(let url):
            return "invalid --public-url \(url): give an absolute http:// or https:// URL with a host name, e.g. https://portal.example.com"
        case .invalidSMTP(let text):
            return "invalid --smtp \(text): give HOST:PORT, e.g. --smtp 127.0.0.1:2525"
        case .invalidTrustedProxy(let text):
            return "invalid --trusted-proxy \(text): give the proxy's exact IPv4 or IPv6 address, e.g. --trusted-proxy 127.0.0.1"
        case .missingPublicDirectory(let places):
            return "cannot find the Public/ folder (stylesheet and scripts); looked in: \(places.joined(separator: ", ")). Set CLIENTONE_PUBLIC to its path"
        }
    }
}

/// The origin checks of SPEC §2: loopback by default, and a public host only behind https.
public enum ListenPolicy {
    /// True for addresses that only this machine can reach: decided on the literal, as for the mail
    /// relay, so a name such as `127.example.com` is not taken for 127.0.0.0/8.
    public static func isLoopback(_ host: String) -> Bool {
        let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return SMTPConfiguration.isLoopback(literal)
    }

    /// Refuses a non-loopback host unless the public URL is https, and checks the URL's shape.
    public static func validate(host: String, publicURL: String?) throws(ConfigurationError) {
        if let publicURL {
            guard let url = URL(string: publicURL), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", let urlHost = url.host, !urlHost.isEmpty,
                  url.user == nil, url.query == nil, url.fragment == nil, url.path.isEmpty || url.path == "/"
            else { throw .invalidPublicURL(publicURL) }
        }
        if !isLoopback(host) {
            guard let publicURL, publicURL.lowercased().hasPrefix("https://") else {
                throw .publicHostNeedsHTTPS(host)
            }
        }
    }
}
