import Foundation
import HTTPClient
import TestSupport
import Testing

/// Issue 17, item 7: the outbound HTTPS client (libcurl) against a real server on this machine
/// (https_server.py, Python's http.server) with certificates made for the run by `openssl`.
@Suite struct HTTPClientTests {
    @Test("A GET carries its request headers to the server and brings back status, headers and body; header names are looked up in any case")
    func getRoundTrip() throws {
        let server = try startServer()
        let client = OutboundClient(configuration: HTTPClientConfiguration(caFile: server.authority.caFile))
        let response = try client.send(HTTPClientRequest(url: "https://127.0.0.1:\(server.httpsPort)/echo?x=1",
                                                         headers: [("Accept", "application/json"), ("X-Request-Id", "r-17")]))
        #expect(response.status == 200)
        #expect(response.header("x-mixed-case") == "Yes")
        #expect(response.header("X-MIXED-CASE") == "Yes")
        #expect(response.header("content-type") == "application/json")
        #expect(response.header("X-Echo-Method") == "GET")
        #expect(response.header("X-Absent") == nil)
        let echo = try Echo(response)
        #expect(echo.method == "GET")
        #expect(echo.path == "/echo?x=1")
        #expect(echo.header("x-request-id") == ["r-17"])
        #expect(echo.header("Accept") == ["application/json"])
        #expect(echo.header("User-Agent") == ["ClientOne-Console"])
        #expect(echo.body.isEmpty)
        #expect(server.requests(atLeast: 1) == ["GET /echo?x=1"])
    }

    @Test("A POST sends its form body byte for byte, one over 1 MiB too, with no Expect: 100-continue round trip")
    func postRoundTrip() throws {
        let server = try startServer()
        var configuration = HTTPClientConfiguration(caFile: server.authority.caFile)
        // The echo of the body over 1 MiB (where libcurl would start asking for 100-continue) comes back too.
        configuration.maximumResponseBytes = 4 << 20
        let client = OutboundClient(configuration: configuration)
        let form = "grant_type=authorization_code&code=abc%2B123&redirect_uri=https%3A%2F%2Fconsole.example%2Fsso"
        for body in [form, form + "&padding=" + String(repeating: "p", count: 1_100_000), ""] {
            let response = try client.send(HTTPClientRequest(
                method: .post, url: "https://localhost:\(server.httpsPort)/echo",
                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", "Basic Y2xpZW50OnNlY3JldA==")],
                body: Array(body.utf8)))
            #expect(response.status == 200)
            #expect(response.header("x-echo-method") == "POST")
            let echo = try Echo(response)
            #expect(echo.method == "POST")
            #expect(echo.body == body)
            #expect(echo.header("Content-Length") == ["\(body.utf8.count)"])
            #expect(echo.header("Content-Type") == ["application/x-www-form-urlencoded"])
            #expect(echo.header("Authorization") == ["Basic Y2xpZW50OnNlY3JldA=="])
            #expect(echo.header("Expect").isEmpty)
        }
    }

    @Test("A certificate from a CA the machine does not know is refused as a TLS error, and accepted once that CA is given as caFile")
    func unknownCertificateAuthority() throws {
        let server = try startServer()
        let url = "https://127.0.0.1:\(server.httpsPort)/echo"
        #expect(failure { try OutboundClient(configuration: HTTPClientConfiguration()).send(HTTPClientRequest(url: url)) } == .tls)
        #expect(try server.eventsBeforeMarker().filter { $0.event == "request" }.isEmpty)
        let trusting = OutboundClient(configuration: HTTPClientConfiguration(caFile: server.authority.caFile))
        #expect(try trusting.send(HTTPClientRequest(url: url)).status == 200)
        #expect(server.requests(atLeast: 1) == ["GET /echo"])
    }

    @Test("A certificate for another host name is refused even when its CA is trusted")
    func wrongHostName() throws {
        let server = try startServer()
        let client = OutboundClient(configuration: HTTPClientConfiguration(caFile: server.authority.caFile))
        for host in ["127.0.0.1", "localhost"] {
            #expect(failure { try client.send(HTTPClientRequest(url: "https://\(host):\(server.otherHostPort)/echo")) } == .tls)
        }
        #expect(try server.eventsBeforeMarker().filter { $0.event == "request" }.isEmpty)
    }

    @Test("Plain http works to this machine (127.0.0.1, localhost)")
    func plainHTTPToLoopback() throws {
        let server = try startServer()
        let client = OutboundClient(configuration: HTTPClientConfiguration())
        for host in ["127.0.0.1", "localhost"] {
            let response = try client.send(HTTPClientRequest(url: "http://\(host):\(server.plainPort)/echo"))
            #expect(response.status == 200)
            #expect(try Echo(response).method == "GET")
        }
    }

    /// Through the test server as a proxy, since nothing listens on the other loopback addresses: the
    /// request reaching it shows the URL passed the checks.
    @Test("Plain http is allowed to all of 127.0.0.0/8 written the usual way", arguments: ["127.0.0.1", "127.0.0.0", "127.1.2.3", "127.255.255.254", "127.10.100.200"])
    func plainHTTPToLoopbackRange(_ address: String) throws {
        let server = try startServer()
        var configuration = HTTPClientConfiguration()
        configuration.proxy = "http://127.0.0.1:\(server.plainPort)"
        let response = try OutboundClient(configuration: configuration).send(HTTPClientRequest(url: "http://\(address):9/echo"))
        #expect(response.status == 404)
        #expect(server.requests(atLeast: 1) == ["GET http://\(address):9/echo"])
    }

    /// The client is configured with the test server's plain port as its proxy, so a URL that slipped
    /// through the checks would reach the server even for a host elsewhere: its log shows that none did.
    @Test("Plain http elsewhere, other schemes, files, credentials in the URL and look-alike loopback addresses are refused before any connection",
          arguments: ["http://example.com/", "HTTP://example.com/", "http://127.0.0.1.example.com/", "http://localhost.example.com/",
                      "ftp://127.0.0.1:PORT/", "file:///etc/passwd", "gopher://127.0.0.1:PORT/", "https://user:pw@127.0.0.1:TLS/echo",
                      "https://user@127.0.0.1:TLS/echo", "http://127.0.0.1:PORT@example.com/", "http://127.0.0.089:PORT/echo",
                      "http://127.0.0.0255:PORT/echo", "http://0127.0.0.1:PORT/echo", "http://127.0.0.+1:PORT/echo", "http://127.0.0.256:PORT/echo", "https://127.0.0.1:TLS/echo two", "https:///echo", "127.0.0.1:PORT/echo"])
    func refusedURLs(_ template: String) throws {
        let server = try startServer()
        var configuration = HTTPClientConfiguration(caFile: server.authority.caFile)
        configuration.proxy = "http://127.0.0.1:\(server.plainPort)"
        let client = OutboundClient(configuration: configuration)
        let url = template.replacingOccurrences(of: "PORT", with: "\(server.plainPort)")
            .replacingOccurrences(of: "TLS", with: "\(server.httpsPort)")
        #expect(failure { try client.send(HTTPClientRequest(url: url)) } == .refusedURL)
        #expect(try server.connectionsBeforeMarker() == 0, "\(url) reached the server: \(server.events)")
    }

    @Test("A 302 comes back as a response with its Location; the redirect is not followed")
    func redirectNotFollowed() throws {
        let server = try startServer()
        let client = OutboundClient(configuration: HTTPClientConfiguration(caFile: server.authority.caFile))
        for method in [HTTPClientRequest.Method.get, .post] {
            let response = try client.send(HTTPClientRequest(method: method, url: "https://127.0.0.1:\(server.httpsPort)/redirect"))
            #expect(response.status == 302)
            #expect(response.header("location") == "/echo?followed=1")
            #expect(response.body.isEmpty)
        }
        #expect(server.requests(atLeast: 2) == ["GET /redirect", "POST /redirect"])
    }

    @Test("A body of exactly 1 MiB is accepted and one byte more is refused as too large, with Content-Length and chunked",
          arguments: ["bytes", "chunked"])
    func bodyLimit(_ route: String) throws {
        let server = try startServer()
        let client = OutboundClient(configuration: HTTPClientConfiguration(caFile: server.authority.caFile))
        let url = "https://127.0.0.1:\(server.httpsPort)/\(route)/"
        let response = try client.send(HTTPClientRequest(url: url + "\(1 << 20)"))
        #expect(response.status == 200)
        #expect(response.body == pattern(1 << 20))
        if route == "chunked" {
            #expect(response.header("Content-Length") == nil)
            #expect(response.header("Transfer-Encoding") == "chunked")
        } else {
            #expect(response.header("Content-Length") == "\(1 << 20)")
        }
        #expect(failure { try client.send(HTTPClientRequest(url: url + "\((1 << 20) + 1)")) } == .tooLarge)
        #expect(failure { try client.send(HTTPClientRequest(url: url + "\(8 << 20)")) } == .tooLarge)
    }

    @Test("Response headers are capped at 64 KiB together, whether in many fields or in one very long one")
    func headerLimit() throws {
        let server = try startServer()
        let client = OutboundClient(configuration: HTTPClientConfiguration(caFile: server.authority.caFile))
        let base = "https://127.0.0.1:\(server.httpsPort)"
        let fits = try client.send(HTTPClientRequest(url: base + "/headers/60000"))
        #expect(fits.status == 200)
        #expect(fits.headers.count > 60)
        #expect(try client.send(HTTPClientRequest(url: base + "/long-header/60000")).header("x-long")?.utf8.count == 60000 - 10)
        for path in ["/headers/70000", "/headers/1000000", "/long-header/70000", "/long-header/200000", "/long-header/2000000"] {
            #expect(failure { try client.send(HTTPClientRequest(url: base + path)) } == .tooLarge, "\(path)")
        }
    }

    @Test("A server that accepts the request and never answers gives a time-out")
    func timeout() throws {
        let server = try startServer()
        var configuration = HTTPClientConfiguration(caFile: server.authority.caFile)
        configuration.totalTimeoutMilliseconds = 500
        let client = OutboundClient(configuration: configuration)
        #expect(failure { try client.send(HTTPClientRequest(url: "https://127.0.0.1:\(server.httpsPort)/hang")) } == .timeout)
        #expect(failure { try client.send(HTTPClientRequest(method: .post, url: "http://127.0.0.1:\(server.plainPort)/hang")) } == .timeout)
        #expect(server.requests(atLeast: 2) == ["GET /hang", "POST /hang"])
    }

    @Test("A time-out of zero milliseconds stops the call at once; it does not mean no limit")
    func zeroTimeout() throws {
        let server = try startServer()
        var configuration = HTTPClientConfiguration(caFile: server.authority.caFile)
        configuration.totalTimeoutMilliseconds = 0
        let client = OutboundClient(configuration: configuration)
        #expect(failure { try client.send(HTTPClientRequest(url: "http://127.0.0.1:\(server.plainPort)/hang")) } == .timeout)
    }

    @Test("A port nobody listens on gives a connection error")
    func closedPort() throws {
        let port = try HTTPSTestServer.closedPort()
        let client = OutboundClient(configuration: HTTPClientConfiguration())
        #expect(failure { try client.send(HTTPClientRequest(url: "https://127.0.0.1:\(port)/")) } == .connect)
        #expect(failure { try client.send(HTTPClientRequest(url: "http://127.0.0.1:\(port)/")) } == .connect)
    }

    @Test("Many calls at once from several threads each get their own answer")
    func parallelCalls() throws {
        let server = try startServer()
        let client = OutboundClient(configuration: HTTPClientConfiguration(caFile: server.authority.caFile))
        let threads = 8, callsPerThread = 6
        let lock = NSLock()
        nonisolated(unsafe) var answers: [String: String] = [:]
        nonisolated(unsafe) var errors: [String] = []
        let finished = DispatchGroup()
        for thread in 0..<threads {
            finished.enter()
            Thread {
                defer { finished.leave() }
                for call in 0..<callsPerThread {
                    let key = "t\(thread)-c\(call)"
                    let url = call % 2 == 0 ? "https://127.0.0.1:\(server.httpsPort)/echo" : "http://127.0.0.1:\(server.plainPort)/echo"
                    do {
                        let response = try client.send(HTTPClientRequest(method: .post, url: url, headers: [("X-Key", key)],
                                                                         body: Array("key=\(key)".utf8)))
                        let echo = try Echo(response)
                        lock.withLock { answers[key] = (echo.header("X-Key").first ?? "") + "|" + echo.body }
                    } catch {
                        lock.withLock { errors.append("\(key): \(error)") }
                    }
                }
            }.start()
        }
        #expect(finished.wait(timeout: .now() + 60) == .success)
        lock.withLock {
            #expect(errors.isEmpty)
            #expect(answers.count == threads * callsPerThread)
            for (key, answer) in answers { #expect(answer == "\(key)|key=\(key)") }
        }
    }

    @Test("A request header with a line break or control character is refused before any connection",
          arguments: [("X-A", "ok\r\nX-Injected: 1"), ("X-A", "ok\nX-Injected: 1"), ("X-A", "ok\r"), ("X-A\r\nX-Injected", "1"),
                      ("X-A", "ok\u{0}"), ("X A", "ok"), ("X-A", "ok\u{7F}")])
    func headerInjection(_ name: String, _ value: String) throws {
        let server = try startServer()
        let client = OutboundClient(configuration: HTTPClientConfiguration(caFile: server.authority.caFile))
        for url in ["https://127.0.0.1:\(server.httpsPort)/echo", "http://127.0.0.1:\(server.plainPort)/echo"] {
            #expect(failure { try client.send(HTTPClientRequest(url: url, headers: [("X-Fine", "yes"), (name, value)])) } == .protocolError)
        }
        #expect(try server.connectionsBeforeMarker() == 0)
    }
}
