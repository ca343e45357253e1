import Foundation
import Testing
@testable import HTTP
import TestSupport

/// Start, load and stop behaviour of a live server.
@Suite struct ServerLifecycleTests {
    @Test("answers every one of many concurrent requests (8 threads × 50)")
    func concurrentRequests() throws {
        let running = try RunningServer(responder: { request in .text("n=\(request.query["n"] ?? "")") })
        #expect(running.echoLoad(path: "/load").isEmpty)
        #expect(running.log.all.count == 400)
        #expect(running.calls.all.count == 400)
    }

    @Test("lets a slow request in flight finish when stop() is called, then refuses new connections")
    func gracefulStop() throws {
        let inResponder = DispatchSemaphore(value: 0)
        let running = try RunningServer(responder: { request in
            if request.path == "/slow" {
                inResponder.signal()
                usleep(800_000)
            }
            return .text("done \(request.path)")
        })
        let port = running.port
        let result = Recorder()
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                let response = try HTTPClient(port: port).get("/slow")
                result.append("\(response.status) \(response.text)")
            } catch {
                result.append("error \(error)")
            }
            finished.signal()
        }
        #expect(inResponder.wait(timeout: .now() + 5) == .success)
        let stopStarted = Date()
        running.server.stop()
        #expect(Date().timeIntervalSince(stopStarted) > 0.3)
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(result.all == ["200 done /slow"])
        #expect(throws: HTTPClientError.self) { try HTTPClient(port: port).get("/after") }
        running.server.stop()
        #expect(running.server.port == port)
    }

    @Test("reports a clear error when the port is already taken")
    func portInUse() throws {
        let first = try RunningServer(responder: { _ in .text("first") })
        var configuration = ServerConfiguration()
        configuration.port = first.port
        let second = HTTPServer(configuration: configuration, responder: { _ in .text("second") }, accessLog: { _ in })
        #expect {
            try second.start()
        } throws: { error in
            let message = String(describing: error)
            return message.contains("127.0.0.1:\(first.port)") && message.contains("in use")
        }
        #expect(try first.client().get("/").text == "first")
    }

    @Test("refuses a host that is not an address, a bad configuration and a second start")
    func startErrors() throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.host = "example.org"
        let named = HTTPServer(configuration: configuration, responder: { _ in .text("") }, accessLog: { _ in })
        #expect(throws: HTTPServerError.self) { try named.start() }

        configuration.host = "127.0.0.1"
        configuration.threadPoolSize = 0
        let badPool = HTTPServer(configuration: configuration, responder: { _ in .text("") }, accessLog: { _ in })
        #expect(throws: HTTPServerError.self) { try badPool.start() }

        let running = try RunningServer(responder: { _ in .text("") })
        #expect(throws: HTTPServerError.self) { try running.server.start() }
    }

    @Test("accepts \"localhost\" and bracketed IPv6, and reports the bound port for port 0")
    func hosts() throws {
        let local = try RunningServer(configure: { $0.host = "localhost" }, responder: { _ in .text("ok") })
        #expect(local.port != 0)
        #expect(try local.client().get("/").text == "ok")
        let bracketed = try RunningServer(configure: { $0.host = "[::1]" }, responder: { _ in .text("v6") })
        #expect(try HTTPClient(host: "::1", port: bracketed.port).get("/").text == "v6")
    }

    @Test("stop() on a server never started does nothing")
    func stopUnstarted() {
        let server = HTTPServer(configuration: ServerConfiguration(), responder: { _ in .text("") }, accessLog: { _ in })
        server.stop()
        #expect(server.port == 8080)
    }
}
