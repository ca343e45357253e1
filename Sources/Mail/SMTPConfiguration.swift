#if canImport(Glibc)
import Glibc
#endif

/// Where and how to send: the submission server, the name to greet it with, and the security policy.
public struct SMTPConfiguration: Sendable {
    public var host: String
    public var port: UInt16
    /// The domain sent with EHLO/HELO (RFC 5321 §4.1.1.1: "the fully-qualified domain name of the
    /// SMTP client if one is available").
    public var heloName: String = "localhost"
    /// Seconds allowed for connecting, and again for each command and each reply.
    public var timeout: Double = 15
    /// Refuse to send (before MAIL FROM) when the server does not offer STARTTLS. On unless `host` is
    /// a loopback relay (`isLoopback`): mail carries reset links, and clear text may go only where no
    /// one but this machine can read it.
    public var requireTLS: Bool
    /// Check the server's certificate during STARTTLS against the system CAs and `host`. A failed
    /// check stops the delivery even when TLS is optional: falling back to plain text would hand the
    /// message to whoever stands in the middle. Only tests against a self-signed server turn this off.
    public var verifyCertificate: Bool = true
    /// A PEM file of CA certificates to trust instead of the system's, for a relay with a private CA.
    /// nil (the default) means the system store.
    public var trustedCertificatesFile: String? = nil

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
        requireTLS = !Self.isLoopback(host)
    }

    /// True for a relay on this machine: `localhost`, an IPv4 address in 127.0.0.0/8, `::1`, or
    /// `::ffff:127.x.y.z`. Decided on the literal, never by resolving: a name such as
    /// `127.0.0.1.mail.example` or `localhost.example` is somebody else's host, whatever it resolves to.
    public static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased()
        if name == "localhost" || name == "localhost." { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, name, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
        // An IPv4-mapped address (RFC 4291 §2.5.5.2) reaches the IPv4 address it maps.
        return bytes[..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
    }
}
