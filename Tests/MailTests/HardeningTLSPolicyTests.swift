import Mail
import Testing

/// Issue 15, item 23: `--smtp` fell back to clear text whenever a relay did not offer STARTTLS, so a
/// reset link could be read on the wire. TLS is now required unless the relay is on this machine.
@Suite struct HardeningTLSPolicyTests {
    @Test("TLS is required by default for every relay that is not on this machine, look-alike names included",
          arguments: ["mail.example.com", "192.0.2.25", "10.0.0.1", "::ffff:192.0.2.25", "2001:db8::25", "127.0.0.1.mail.example",
                      "localhost.example", "127.attacker.example", "128.0.0.1", "::2", "0.0.0.0"])
    func requiredElsewhere(_ host: String) {
        #expect(!SMTPConfiguration.isLoopback(host))
        #expect(SMTPConfiguration(host: host, port: 25).requireTLS)
    }

    @Test("Clear text stays allowed to a loopback relay (127.0.0.0/8, ::1, localhost)",
          arguments: ["127.0.0.1", "127.5.6.7", "127.255.255.254", "localhost", "LocalHost", "localhost.", "::1", "0:0:0:0:0:0:0:1",
                      "::ffff:127.0.0.1"])
    func allowedOnLoopback(_ host: String) {
        #expect(SMTPConfiguration.isLoopback(host))
        #expect(!SMTPConfiguration(host: host, port: 25).requireTLS)
    }
}
