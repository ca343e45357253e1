import Foundation
import Testing
@testable import HTTP
import TestSupport

/// Live tests against a server on a free loopback port.
@Suite struct ServerTests {
    /// Echoes what it received so tests can check every decoded part of a request.
    static let echo: @Sendable (Request) -> Response = { request in
        switch request.path {
        case "/form":
            let form = (try? request.form()) ?? Parameters()
            return .text("name=\(form["name"] ?? "-") note=\(form["note"] ?? "-")")
        case "/bad-header":
            return Response(status: 200, headers: HTTPHeaders([("X-Evil", "a\r\nSet-Cookie: owned=1")]))
        case "/bad-status":
            return Response(status: 42)
        default:
            var response = Response.text("""
                \(request.method) \(request.path) q=\(request.query["q"] ?? "-") \
                cookie=\(request.cookies["session"] ?? "-") from=\(request.remoteAddress) body=\(request.body.count)
                """)
            response.headers.add("X-Target", request.target)
            return response
        }
    }

    @Test("answers a GET with the responder's response and only the headers libmicrohttpd adds")
    func getRoundTrip() throws {
        let running = try RunningServer(responder: Self.echo)
        let response = try running.client().get("/hello%20world?q=%C3%A9t%C3%A9", headers: [("Cookie", "session=s1")])
        #expect(response.status == 200)
        #expect(response.text == "GET /hello world q=été cookie=s1 from=127.0.0.1 body=0")
        #expect(response.header("X-Target") == "/hello%20world?q=%C3%A9t%C3%A9")
        #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(response.header("Content-Length") == "\(response.body.count)")
        #expect(response.header("Date") != nil)
        let names = Set(response.headers.map { $0.0.lowercased() })
        #expect(names.isSubset(of: ["content-type", "x-target", "content-length", "date", "connection"]))
    }

    @Test("round-trips a POSTed form, with cookies from the client's jar")
    func postRoundTrip() throws {
        let running = try RunningServer(responder: Self.echo)
        let client = running.client()
        let form = try client.post("/form", form: [("name", "Zoë & Co"), ("note", "a+b=c%")])
        #expect(form.status == 200)
        #expect(form.text == "name=Zoë & Co note=a+b=c%")
        client.cookies["session"] = "jar"
        let echoed = try client.send(method: "PUT", target: "/put", headers: [], body: Array("12345".utf8))
        #expect(echoed.text == "PUT /put q=- cookie=jar from=127.0.0.1 body=5")
    }

    @Test("lets libmicrohttpd drop the body of a HEAD answer but keep its Content-Length")
    func head() throws {
        let running = try RunningServer(responder: Self.echo)
        let bytes = try running.client().raw(Array("HEAD /h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        let text = bytes.text
        #expect(text.hasPrefix("HTTP/1.1 200"))
        #expect(text.hasSuffix("\r\n\r\n"))
        let expectedLength = "HEAD /h q=- cookie=- from=127.0.0.1 body=0".utf8.count
        #expect(text.contains("Content-Length: \(expectedLength)\r\n"))
        #expect(running.log.all.count == 1)
        #expect(running.log.all.first?.hasPrefix("127.0.0.1 \"HEAD /h\" 200 0 ") == true)
    }

    @Test("answers 413 at once, before any body arrives, when Content-Length is over the limit")
    func payloadTooLargeImmediately() throws {
        let running = try RunningServer(responder: Self.echo)
        let started = Date()
        let bytes = try running.client().raw(Array(
            "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5000000\r\n\r\n".utf8),
            readTimeout: 5)
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(bytes.text.hasPrefix("HTTP/1.1 413"))
        #expect(bytes.text.lowercased().contains("connection: close"))
        #expect(running.calls.all.isEmpty)
        #expect(running.log.all.count == 1)
        #expect(running.log.all.first?.hasPrefix("127.0.0.1 \"POST /upload\" 413 ") == true)
    }

    @Test("answers 413 to a chunked body that grows past the limit, and accepts one at the limit")
    func chunkedTooLarge() throws {
        let running = try RunningServer(configure: { $0.maxBodySize = 2000 }, responder: Self.echo)
        let chunk = String(repeating: "x", count: 1000)
        func chunked(_ count: Int) -> [UInt8] {
            var text = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            for _ in 0..<count { text += "3e8\r\n\(chunk)\r\n" }
            return Array((text + "0\r\n\r\n").utf8)
        }
        let tooLarge = try running.client().raw(chunked(3))
        #expect(tooLarge.text.hasPrefix("HTTP/1.1 413"))
        #expect(tooLarge.text.lowercased().contains("connection: close"))
        #expect(running.calls.all.isEmpty)
        let atLimit = try running.client().raw(chunked(2))
        #expect(atLimit.text.hasPrefix("HTTP/1.1 200"))
        #expect(atLimit.text.hasSuffix("body=2000"))
    }

    @Test("answers 400 Bad Request without calling the responder when path or query do not decode",
          arguments: ["/a%zz", "/a%", "/%00", "/%C3%28", "/%FF", "/ok?x=%C3%28", "/ok?x=%4", "/raw\u{FF}"])
    func badTarget(_ target: String) throws {
        let running = try RunningServer(responder: Self.echo)
        var request = Array("GET ".utf8)
        request += target == "/raw\u{FF}" ? Array("/raw".utf8) + [0xFF] : Array(target.utf8)
        request += Array(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
        let bytes = try running.client().raw(request)
        #expect(bytes.text.hasPrefix("HTTP/1.1 400"))
        #expect(bytes.text.hasSuffix("\r\n\r\nBad Request"))
        #expect(running.calls.all.isEmpty)
        #expect(running.log.all.count == 1)
        #expect(running.log.all.first?.contains("\" 400 11 ") == true)
    }

    @Test("writes one access-log line per request with the path but never the query")
    func accessLog() throws {
        let running = try RunningServer(responder: { _ in .text("hello") })
        _ = try running.client().get("/portal/profile?token=secret-reset-token")
        _ = try running.client().post("/portal/login?next=%2Fsecret", form: [("password", "hunter2")])
        let lines = running.log.all
        #expect(lines.count == 2)
        let pattern = #/^127\.0\.0\.1 "(GET|POST) (/portal/\w+)" 200 5 \d+\.\dms$/#
        #expect(lines.allSatisfy { $0.wholeMatch(of: pattern) != nil })
        #expect(lines.first?.hasPrefix("127.0.0.1 \"GET /portal/profile\" 200 5 ") == true)
        #expect(lines.allSatisfy { !$0.contains("secret") && !$0.contains("?") && !$0.contains("hunter2") })
    }

    @Test("escapes quotes and odd bytes in the logged path so a line cannot be forged")
    func logEscaping() throws {
        let running = try RunningServer(responder: { _ in .text("x") })
        _ = try running.client().raw(Array("GET /a\"b%22c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        #expect(running.log.all.first?.hasPrefix("127.0.0.1 \"GET /a%22b%22c\" 200 1 ") == true)
    }

    @Test("turns a response with an injected header or an invalid status into a logged 500")
    func invalidResponses() throws {
        let running = try RunningServer(responder: Self.echo)
        let header = try running.client().get("/bad-header")
        #expect(header.status == 500)
        #expect(header.header("Set-Cookie") == nil)
        #expect(try running.client().get("/bad-status").status == 500)
        #expect(running.log.all.allSatisfy { $0.contains("\" 500 21 ") })
    }

    @Test("releases every request's state once it completes")
    func noLeakedExchanges() throws {
        let running = try RunningServer(responder: Self.echo)
        for _ in 0..<5 { _ = try running.client().get("/x") }
        _ = try running.client().raw(Array("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n".utf8), readTimeout: 0.5)
        #expect(eventually { running.server.requestsInFlight == 0 })
    }

    @Test("serves over IPv6 loopback and reports the client as ::1")
    func ipv6() throws {
        let running = try RunningServer(configure: { $0.host = "::1" }, responder: Self.echo)
        let response = try HTTPClient(host: "::1", port: running.port).get("/six")
        #expect(response.text.hasSuffix("from=::1 body=0"))
        #expect(running.log.all.first?.hasPrefix("::1 \"GET /six\" 200 ") == true)
    }
}
