import Testing
@testable import HTTP
import TestSupport

/// Issue 15 item 9 at the server: which address a request gets from `X-Forwarded-For`, and when.
@Suite struct ForwardedForTests {
    /// A server trusting this machine (the tests connect from 127.0.0.1) and a proxy at 10.0.0.2,
    /// answering with the address it gave the request.
    func server(trusting proxies: [String] = ["127.0.0.1", "10.0.0.2"]) throws -> RunningServer {
        try RunningServer(configure: { $0.trustedProxies = proxies }, responder: { .text($0.remoteAddress) })
    }

    static let cases: [(headers: [String], client: String)] = [
        (["203.0.113.7"], "203.0.113.7"),
        ([" 203.0.113.7 "], "203.0.113.7"),
        (["198.51.100.1, 203.0.113.7"], "203.0.113.7"),                  // the right-most is the client
        (["203.0.113.7, 10.0.0.2"], "203.0.113.7"),                       // trusted hops are skipped
        (["203.0.113.7,\t10.0.0.2 , 127.0.0.1"], "203.0.113.7"),
        (["198.51.100.1", "203.0.113.7, 10.0.0.2"], "203.0.113.7"),       // several headers are one list
        (["2001:DB8:0:0::0001"], "2001:db8::1"),                          // IPv6, canonical
        (["::ffff:203.0.113.7"], "::ffff:203.0.113.7"),
        (["junk, 203.0.113.7"], "203.0.113.7"),                           // junk left of the client is not read
        (["203.0.113.7, unknown"], "127.0.0.1"),                          // junk where the client would be
        (["203.0.113.7:4711"], "127.0.0.1"),                              // a port
        (["[2001:db8::1]"], "127.0.0.1"),                                 // brackets
        (["fe80::1%eth0"], "127.0.0.1"),                                  // a zone index
        (["203.0.113.7, "], "127.0.0.1"),                                 // an empty item
        ([""], "127.0.0.1"),
        (["localhost"], "127.0.0.1"),                                     // a name, never resolved
        (["203.0.113.300"], "127.0.0.1"),
        (["<script>alert(1)</script>"], "127.0.0.1"),
        (["10.0.0.2, 127.0.0.1"], "10.0.0.2"),                            // only proxies: the farthest hop
    ]

    @Test("A trusted proxy's X-Forwarded-For names the client: the right-most address that is not a trusted proxy",
          arguments: ForwardedForTests.cases.indices)
    func resolves(index: Int) throws {
        let (headers, client) = Self.cases[index]
        let running = try server()
        let answer = try running.client().get("/", headers: headers.map { ("X-Forwarded-For", $0) })
        #expect(answer.text == client, "X-Forwarded-For \(headers)")
        #expect(running.log.all.first?.hasPrefix(client + " \"GET /\"") == true, "the access log has the same address")
    }

    @Test("A connection from an address that is not a trusted proxy keeps its own address, whatever it forwards",
          arguments: [[String](), ["10.0.0.2"], ["::1"]])
    func untrusted(proxies: [String]) throws {
        let running = try server(trusting: proxies)
        let answer = try running.client().get("/", headers: [("X-Forwarded-For", "203.0.113.7")])
        #expect(answer.text == "127.0.0.1")
        #expect(running.log.all.first?.hasPrefix("127.0.0.1 ") == true)
    }

    @Test("A trusted proxy that is not an IP address stops the server from starting, saying which",
          arguments: ["proxy.example", "10.0.0.256", "10.0.0.1/8", "[::1]", ""])
    func badProxyRefused(proxy: String) throws {
        #expect(throws: HTTPServerError.self) { try self.server(trusting: ["127.0.0.1", proxy]) }
        let server = HTTPServer(configuration: { var c = ServerConfiguration(); c.port = 0; c.trustedProxies = [proxy]; return c }(),
                                responder: { _ in .text("") }, accessLog: { _ in })
        do {
            try server.start()
            Issue.record("started with trusted proxy \(proxy)")
        } catch {
            #expect("\(error)".contains("trusted proxy \(proxy) is not an IPv4 or IPv6 address"))
        }
    }

    @Test("Canonical forms: what counts as an address")
    func canonical() {
        #expect(ClientAddress.canonical("127.0.0.1") == "127.0.0.1")
        #expect(ClientAddress.canonical("::0001") == "::1")
        #expect(ClientAddress.canonical("127.0.0.1\u{0}junk") == nil)
        #expect(ClientAddress.canonical(" 127.0.0.1") == nil)
        #expect(ClientAddress.canonical(String(repeating: "1", count: 100)) == nil)
    }
}
