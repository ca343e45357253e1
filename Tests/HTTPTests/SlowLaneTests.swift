import Foundation
import Testing
@testable import HTTP
import TestSupport
import Threads

/// The slow lane: requests it accepts are answered on threads of their own while their connections are
/// suspended, so a single connection thread keeps serving everything else.
@Suite struct SlowLaneTests {
    /// A lane for paths under /slow/; its responder holds each request until the test releases it.
    final class Gate: @unchecked Sendable {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let threads = Recorder()

        func hold(_ request: Request) -> Response {
            threads.append(ConnectionThread.isCurrent ? "connection thread" : "lane thread")
            entered.signal()
            // Bounded, so a broken lane fails the test instead of hanging it.
            _ = release.wait(timeout: .now() + 10)
            return .text("slow \(request.path) \(String(decoding: request.body, as: UTF8.self))")
        }
    }

    static func lane(queueLimit: Int) -> SlowLane {
        SlowLane(threads: 1, queueLimit: queueLimit, accepts: { $0.path.hasPrefix("/slow/") },
                 busy: { _ in .text("busy", status: 503) })
    }

    /// One connection thread, so without the lane a held request would hold up every other one.
    static func start(_ gate: Gate, queueLimit: Int = 4, connectionTimeout: Int = 30) throws -> RunningServer {
        try RunningServer(configure: { $0.threadPoolSize = 1; $0.connectionTimeout = connectionTimeout },
                          slowLane: lane(queueLimit: queueLimit)) { request in
            request.path.hasPrefix("/slow/") ? gate.hold(request) : .text("fast \(request.path)")
        }
    }

    /// Sends a request on a thread of its own; the answer ("status text" or "error …") lands in `into`.
    static func send(_ port: UInt16, _ path: String, body: String = "", into results: Recorder) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                let response = try HTTPClient(port: port).send(method: "POST", target: path, headers: [], body: Array(body.utf8))
                results.append("\(response.status) \(response.text)")
            } catch {
                results.append("error \(error)")
            }
            done.signal()
        }
        return done
    }

    @Test("pages are answered while a slow request is still being worked on, which then gets its own answer")
    func pagesKeepFlowing() throws {
        let gate = Gate()
        let running = try Self.start(gate)
        let slow = Recorder()
        let slowDone = Self.send(running.port, "/slow/sign-in", body: "password=x", into: slow)
        #expect(gate.entered.wait(timeout: .now() + 5) == .success)

        // The only connection thread is free: other requests are answered at once, several times over.
        for index in 0..<5 {
            let response = try running.client().get("/page/\(index)")
            #expect(response.status == 200)
            #expect(response.text == "fast /page/\(index)")
        }
        #expect(slow.all.isEmpty)

        gate.release.signal()
        #expect(slowDone.wait(timeout: .now() + 5) == .success)
        #expect(slow.all == ["200 slow /slow/sign-in password=x"])
        #expect(gate.threads.all == ["lane thread"])
        #expect(running.log.all.contains { $0.contains("\"POST /slow/sign-in\" 200") })
    }

    @Test("a full lane answers busy at once and changes nothing; it takes work again once there is room")
    func fullLaneIsBusy() throws {
        let gate = Gate()
        let running = try Self.start(gate, queueLimit: 1)
        let results = Recorder()
        let first = Self.send(running.port, "/slow/1", into: results)
        #expect(gate.entered.wait(timeout: .now() + 5) == .success)
        let second = Self.send(running.port, "/slow/2", into: results)
        #expect(eventually { running.server.requestsInFlight == 2 })
        #expect(running.calls.all.filter { $0.hasPrefix("/slow/") } == ["/slow/1"])

        // One running, one waiting: a third is refused without reaching the responder.
        let third = try running.client().post("/slow/3", form: [])
        #expect(third.status == 503)
        #expect(third.text == "busy")
        #expect(!running.calls.all.contains("/slow/3"))

        gate.release.signal()
        #expect(gate.entered.wait(timeout: .now() + 5) == .success)
        gate.release.signal()
        #expect(first.wait(timeout: .now() + 5) == .success)
        #expect(second.wait(timeout: .now() + 5) == .success)
        #expect(Set(results.all) == ["200 slow /slow/1 ", "200 slow /slow/2 "])
        gate.release.signal()
        #expect(try running.client().post("/slow/4", form: []).status == 200)
    }

    @Test("stopping lets the running request finish and, once the stop's wait is over, answers the waiting one busy")
    func stopWithWorkQueued() throws {
        let gate = Gate()
        // The stop waits for requests in flight as long as the connection time-out: one second here.
        let running = try Self.start(gate, queueLimit: 1, connectionTimeout: 1)
        let results = Recorder()
        let first = Self.send(running.port, "/slow/running", into: results)
        #expect(gate.entered.wait(timeout: .now() + 5) == .success)
        let second = Self.send(running.port, "/slow/waiting", into: results)
        #expect(eventually { running.server.requestsInFlight == 2 })

        let stopped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            running.server.stop()
            stopped.signal()
        }
        #expect(second.wait(timeout: .now() + 10) == .success)
        gate.release.signal()
        #expect(first.wait(timeout: .now() + 5) == .success)
        #expect(stopped.wait(timeout: .now() + 40) == .success)
        #expect(Set(results.all) == ["200 slow /slow/running ", "503 busy"])
        #expect(running.calls.all.filter { $0.hasPrefix("/slow/") } == ["/slow/running"])
    }

    @Test("answers every one of many quick lane requests (8 clients × 50), whichever thread finishes first")
    func manyQuickRequests() throws {
        // Instant answers: the lane's thread often resumes a connection before its connection thread has
        // returned from suspending it.
        let running = try RunningServer(configure: { $0.threadPoolSize = 2 }, slowLane: SlowLane(
            threads: 2, queueLimit: 64, accepts: { _ in true }, busy: { _ in .text("busy", status: 503) })) { request in
            .text("n=\(request.query["n"] ?? "")")
        }
        #expect(running.echoLoad(path: "/quick").isEmpty)
        #expect(running.log.all.count == 400)
    }

    @Test("refuses a lane without threads or with a negative queue at start")
    func badLane() {
        let server = HTTPServer(configuration: ServerConfiguration(), slowLane: SlowLane(
            threads: 0, queueLimit: 1, accepts: { _ in true }, busy: { _ in .text("busy", status: 503) }),
            responder: { _ in .text("") }, accessLog: { _ in })
        #expect(throws: HTTPServerError.self) { try server.start() }
    }
}
