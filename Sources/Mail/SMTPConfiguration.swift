/// Where and how to send: the submission server, the name to greet it with, and the security policy.
public struct SMTPConfiguration: Sendable {
    public var host: String
    public var port: UInt16
    /// The domain sent with EHLO/HELO (RFC 5321 §4.1.1.1: "the fully-qualified domain name of the
    /// SMTP client if one is available").
    public var heloName: String = "localhost"
    /// Seconds allowed for connecting, and again for each command and each reply.
    public var timeout: Double = 15
    /// Refuse to send (before MAIL FROM) when the server does not offer STARTTLS.
    public var requireTLS: Bool = false
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
    }
}
