import Foundation
import Testing
@testable import HTTP
import TestSupport

/// Live tests of awkward clients: pipelining, early refusals with bodies on the wire, oversized headers,
/// clients that vanish mid-request.
@Suite struct ServerEdgeTests {
    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("answers pipelined requests on one keep-alive connection in order, logging each")
    func keepAlive() throws {
        let running = try RunningServer(responder: { .text("path=\($0.path)") })
        let reply = try running.client().raw(Self.bytes(
            "GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two?secret=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        let text = reply.text
        #expect(text.components(separatedBy: "HTTP/1.1 200").count == 3)
        #expect(text.range(of: "path=/one")!.lowerBound < text.range(of: "path=/two")!.lowerBound)
        #expect(running.log.all.map { $0.split(separator: "\"")[1] } == ["GET /one", "GET /two"])
        #expect(eventually { running.server.requestsInFlight == 0 })
    }

    @Test("answers 413 at once whatever the method, and before a 100 Continue",
          arguments: ["GET", "PUT", "PATCH", "DELETE"])
    func tooLargeAnyMethod(_ method: String) throws {
        let running = try RunningServer(responder: { _ in .text("called") })
        let started = Date()
        let reply = try running.client().raw(Self.bytes(
            "\(method) /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1048577\r\n\r\n"))
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(reply.text.hasPrefix("HTTP/1.1 413"))
        #expect(!reply.text.contains("100 Continue"))
        #expect(running.calls.all.isEmpty)
    }

    @Test("accepts a body of exactly maxBodySize announced by Content-Length")
    func bodyAtLimit() throws {
        let running = try RunningServer(configure: { $0.maxBodySize = 10 }, responder: { .text("\($0.body.count)") })
        let client = running.client()
        #expect(try client.send(method: "POST", target: "/", headers: [], body: Array(repeating: 65, count: 10)).text == "10")
        #expect(try client.send(method: "POST", target: "/", headers: [], body: Array(repeating: 65, count: 11)).status == 413)
    }

    @Test("refuses a bad path with 400 even when a body follows it")
    func badPathWithBody() throws {
        let running = try RunningServer(responder: { _ in .text("called") })
        let reply = try running.client().raw(Self.bytes(
            "POST /%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"))
        #expect(reply.text.hasPrefix("HTTP/1.1 400"))
        #expect(running.calls.all.isEmpty)
    }

    @Test("survives headers larger than the connection memory limit and frees the request")
    func oversizedHeaders() throws {
        let running = try RunningServer(configure: { $0.connectionMemoryLimit = 16 * 1024 },
                                        responder: { _ in .text("called") })
        let reply = try running.client().raw(Self.bytes(
            "GET /big HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 64 * 1024))\r\n\r\n"))
        #expect(!reply.text.hasPrefix("HTTP/1.1 200"))
        #expect(running.calls.all.isEmpty)
        #expect(eventually { running.server.requestsInFlight == 0 })
        #expect(try running.client().get("/after").text == "called")
    }

    @Test("with the default limit, an 8 KiB cookie header is answered and a 40 KiB header is refused with 431")
    func defaultHeaderLimit() throws {
        // Browsers send localhost's cookies from every port to every port, so a large Cookie header is
        // ordinary here; a request head past the limit is refused before the responder runs.
        let running = try RunningServer(responder: { .text("cookie bytes=\($0.headers["Cookie"]?.utf8.count ?? 0)") })
        let cookie = "other_app=" + String(repeating: "c", count: 8 * 1024)
        let fine = try running.client().get("/page", headers: [("Cookie", cookie)])
        #expect(fine.status == 200)
        #expect(fine.text == "cookie bytes=\(cookie.utf8.count)")
        let refused = try running.client().raw(Self.bytes(
            "GET /page HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 40 * 1024))\r\n\r\n"))
        #expect(refused.text.hasPrefix("HTTP/1.1 431"))
        #expect(running.calls.all == ["/page"])
    }

    @Test("frees the request when the client disappears halfway through the body")
    func clientVanishes() throws {
        let running = try RunningServer(responder: { _ in .text("called") })
        _ = try running.client().raw(Self.bytes(
            "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-part"), readTimeout: 0.2)
        #expect(eventually { running.server.requestsInFlight == 0 })
        #expect(running.calls.all.isEmpty)
    }

    @Test("keeps raw non-UTF-8 header bytes from breaking the request")
    func oddHeaderBytes() throws {
        let running = try RunningServer(responder: { .text("ua=\($0.headers["User-Agent"] ?? "-")") })
        let reply = try running.client().raw(Self.bytes("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nUser-Agent: a")
                                             + [0xFF, 0xFE] + Self.bytes("b\r\n\r\n"))
        #expect(reply.text.hasPrefix("HTTP/1.1 200"))
        #expect(reply.text.hasSuffix("ua=a\u{FFFD}\u{FFFD}b"))
    }
}
