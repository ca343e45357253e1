import Foundation
@testable import HTTP
import TestSupport

/// A server started on a free loopback port for one test; released (and so stopped) with the test.
struct RunningServer {
    let server: HTTPServer
    /// Every access-log line the server wrote.
    let log: Recorder
    /// The path of every request that reached the responder.
    let calls: Recorder

    var port: UInt16 { server.port }

    func client() -> HTTPClient { HTTPClient(port: server.port) }

    /// Starts a server with `responder` on port 0; `configure` adjusts the configuration first.
    init(configure: (inout ServerConfiguration) -> Void = { _ in }, slowLane: SlowLane? = nil,
         responder: @escaping @Sendable (Request) -> Response) throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configure(&configuration)
        let log = Recorder(), calls = Recorder()
        server = HTTPServer(configuration: configuration, slowLane: slowLane, responder: { request in
            calls.append(request.path)
            return responder(request)
        }, accessLog: { log.append($0) })
        self.log = log
        self.calls = calls
        try server.start()
    }
}

extension Array where Element == UInt8 {
    /// Raw response bytes as text, for assertions on the wire format.
    var text: String { String(decoding: self, as: UTF8.self) }
}

extension RunningServer {
    /// 8 clients at once, 50 requests each, to `path?n=…` of a responder that echoes `n=…`: the answers
    /// that were not exactly their own request's.
    func echoLoad(path: String) -> [String] {
        let failures = Recorder()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            let client = self.client()
            for index in 0..<50 {
                let n = "\(thread)-\(index)"
                do {
                    let response = try client.get("\(path)?n=\(n)")
                    if response.status != 200 || response.text != "n=\(n)" { failures.append("\(n): \(response.status) \(response.text)") }
                } catch {
                    failures.append("\(n): \(error)")
                }
            }
        }
        return failures.all
    }
}
