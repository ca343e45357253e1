import Foundation
import Testing
@testable import HTTP
import TestSupport

/// The raw test client itself: the integration tests are only as good as its parsing.
@Suite struct ClientTests {
    @Test("keeps a cookie jar: Set-Cookie stores, Max-Age=0 or a past Expires deletes, the jar is sent back")
    func cookieJar() throws {
        let running = try RunningServer(responder: { request in
            var response = Response.text("sid=\(request.cookies["sid"] ?? "-") theme=\(request.cookies["theme"] ?? "-")")
            switch request.path {
            case "/login":
                response.headers.add("Set-Cookie", "sid=abc; Path=/; HttpOnly; SameSite=Lax")
                response.headers.add("Set-Cookie", "theme=dark; Max-Age=3600")
            case "/logout":
                response.headers.add("Set-Cookie", "sid=; Max-Age=0; Path=/")
                response.headers.add("Set-Cookie", "theme=; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
            default:
                break
            }
            return response
        })
        let client = running.client()
        #expect(try client.get("/login").headers("set-cookie").count == 2)
        #expect(client.cookies == ["sid": "abc", "theme": "dark"])
        #expect(try client.get("/me").text == "sid=abc theme=dark")
        _ = try client.get("/logout")
        #expect(client.cookies.isEmpty)
        #expect(try client.get("/me").text == "sid=- theme=-")
    }

    @Test("reads chunked responses and responses that end at close")
    func framing() throws {
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n"
        #expect(try fakeServer(answering: chunked).text == "hello, world")
        let unframed = "HTTP/1.1 201 Created\r\nX-A: 1\r\nx-a: 2\r\n\r\nuntil close"
        let response = try fakeServer(answering: unframed)
        #expect(response.status == 201)
        #expect(response.text == "until close")
        #expect(response.headers("X-A") == ["1", "2"])
        #expect(response.header("x-A") == "1")
    }

    @Test("times out instead of hanging on a server that never answers")
    func timeout() throws {
        let socket = try ListeningSocket.open(host: "127.0.0.1", port: 0)
        defer { closeDescriptor(socket.descriptor) }
        let client = HTTPClient(port: socket.port, timeout: 0.3)
        #expect(throws: HTTPClientError.self) { try client.get("/") }
    }

    /// Accepts one connection, reads the request head, writes `answer` and closes.
    private func fakeServer(answering answer: String) throws -> HTTPResponse {
        let socket = try ListeningSocket.open(host: "127.0.0.1", port: 0)
        defer { closeDescriptor(socket.descriptor) }
        Thread.detachNewThread {
            var connection: Int32 = -1
            for _ in 0..<500 where connection < 0 {
                connection = accept(socket.descriptor, nil, nil)
                if connection < 0 { usleep(10_000) }
            }
            guard connection >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = recv(connection, &buffer, buffer.count, 0)
            _ = Array(answer.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            closeDescriptor(connection)
        }
        return try HTTPClient(port: socket.port, timeout: 5).get("/")
    }
}
