import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension ExternalTool {
    public static let openssl = ExternalTool(name: "openssl", package: "openssl")
}

/// A certificate authority made for one test run with the `openssl` command, and the server
/// certificates it signed: one for this machine (localhost, 127.0.0.1), one for another host name
/// (other.example). Nothing on the machine trusts the CA; a client that is given `caFile` does.
public final class TestCertificateAuthority: Sendable {
    private let folder = TemporaryDirectory(prefix: "test-ca")
    /// The CA certificate (PEM), to trust.
    public var caFile: String { folder.file("ca.pem") }
    /// Certificate chain and key for "localhost" and 127.0.0.1.
    public var localhost: (certificate: String, key: String) { (folder.file("localhost.pem"), folder.file("localhost-key.pem")) }
    /// Certificate chain and key for "other.example" only.
    public var otherHost: (certificate: String, key: String) { (folder.file("other.pem"), folder.file("other-key.pem")) }

    /// Makes the CA and both certificates (P-256 keys, valid one day). Throws what openssl said when it fails.
    public init() throws {
        let openssl = ExternalTool.openssl
        try Self.check(openssl.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                    "-keyout", folder.file("ca-key.pem"), "-out", caFile, "-days", "1",
                                    "-subj", "/CN=ClientOne Test CA",
                                    "-addext", "basicConstraints=critical,CA:TRUE",
                                    "-addext", "keyUsage=critical,keyCertSign,cRLSign"]))
        for (name, alternativeNames) in [("localhost", "DNS:localhost,IP:127.0.0.1"), ("other", "DNS:other.example")] {
            let key = folder.file("\(name)-key.pem"), request = folder.file("\(name).csr"), extensions = folder.file("\(name).ext")
            try Self.check(openssl.run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                        "-keyout", key, "-out", request, "-subj", "/CN=\(name)"]))
            try "subjectAltName=\(alternativeNames)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                .write(toFile: extensions, atomically: true, encoding: .utf8)
            try Self.check(openssl.run(["x509", "-req", "-in", request, "-CA", caFile, "-CAkey", folder.file("ca-key.pem"),
                                        "-set_serial", "\(UInt32.random(in: 1...UInt32.max))", "-days", "1",
                                        "-extfile", extensions, "-out", folder.file("\(name).pem")]))
        }
    }

    private static func check(_ output: ProcessOutput) throws {
        guard output.status == 0 else { throw ChildProcessError(description: "openssl failed: \(output.stderr)") }
    }
}

/// https_server.py on 127.0.0.1: one plain-http port and two https ports (a certificate for this
/// machine, and one for another host name, both from `authority`), and its log of what reached it, so a
/// test can prove that a call never connected. Stopped when the value goes away.
public final class HTTPSTestServer: Sendable {
    /// One line of the server's log.
    public struct Event: Decodable, Sendable {
        public let event: String
        /// 0: plain http, 1: https for localhost, 2: https for other.example.
        public let listener: Int
        public let method: String?
        public let path: String?
    }

    private struct Ready: Decodable { let ports: [UInt16] }

    public let authority: TestCertificateAuthority
    public let plainPort: UInt16
    /// Its certificate names localhost and 127.0.0.1.
    public let httpsPort: UInt16
    /// Its certificate names other.example only.
    public let otherHostPort: UInt16
    private let child: RunningProcess

    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("https_server.py").path

    public init(authority: TestCertificateAuthority) throws {
        self.authority = authority
        child = try ChildProcess.start("/usr/bin/env", [
            "python3", Self.script, "--listen", "plain",
            "--listen", "\(authority.localhost.certificate):\(authority.localhost.key)",
            "--listen", "\(authority.otherHost.certificate):\(authority.otherHost.key)",
        ])
        let readyLine = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("{\"ports\"") }.map(String.init) }
        _ = child.waitForOutput(within: 20) { readyLine($0) != nil }
        guard let line = readyLine(child.text), let ready = try? JSONDecoder().decode(Ready.self, from: Data(line.utf8)),
              ready.ports.count == 3 else {
            let log = child.stop(grace: 5)
            throw ChildProcessError(description: "https_server.py did not print its ports; it said: \(log)")
        }
        (plainPort, httpsPort, otherHostPort) = (ready.ports[0], ready.ports[1], ready.ports[2])
    }

    deinit { child.stop(grace: 5) }

    /// Everything logged so far, oldest first.
    public var events: [Event] {
        child.text.split(separator: "\n").dropFirst().compactMap { try? JSONDecoder().decode(Event.self, from: Data($0.utf8)) }
    }

    /// The requests logged so far as "METHOD PATH" (without markers, see ``eventsBeforeMarker()``), once there are at least `count` (or 5 s passed): the
    /// server logs a request before it answers, but the log comes on another pipe than the answer.
    public func requests(atLeast count: Int) -> [String] {
        let requests = { self.events.filter { $0.event == "request" && $0.path?.hasPrefix("/marker-") != true }.map { "\($0.method ?? "") \($0.path ?? "")" } }
        _ = child.waitForOutput(within: 5) { _ in requests().count >= count }
        return requests()
    }

    /// What was logged before a marker request the raw test client sends now: once the marker's request
    /// is in the log, so is everything a call made before it. Without the marker's own connection, which
    /// is the plain listener's last before its request: the server's threads log concurrently, so a
    /// handshake that failed before the marker was sent may still be logged just after its connection.
    public func eventsBeforeMarker() throws -> [Event] {
        let marker = "/marker-\(UUID().uuidString)"
        _ = try HTTPClient(port: plainPort, hostHeader: "127.0.0.1:\(plainPort)").get(marker)
        _ = child.waitForOutput(within: 5) { _ in self.events.contains { $0.path == marker } }
        var logged = events
        guard let index = logged.firstIndex(where: { $0.path == marker }),
              let own = logged[..<index].lastIndex(where: { $0.event == "connection" && $0.listener == 0 }) else {
            throw ChildProcessError(description: "https_server.py did not log the marker request: \(logged)")
        }
        logged.removeSubrange(index...)
        logged.remove(at: own)
        return logged
    }

    /// The TCP connections (on any port) accepted before now; see ``eventsBeforeMarker()``.
    public func connectionsBeforeMarker() throws -> Int {
        try eventsBeforeMarker().filter { $0.event == "connection" }.count
    }

    /// A port on 127.0.0.1 nothing listens on: bound by the system's choice, then closed again.
    public static func closedPort() throws -> UInt16 {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw ChildProcessError(description: "socket() failed") }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketDescriptor, generic, length) == 0 && getsockname(socketDescriptor, generic, &length) == 0
            }
        }
        guard bound else { throw ChildProcessError(description: "could not bind a socket on 127.0.0.1") }
        return UInt16(bigEndian: address.sin_port)
    }
}
