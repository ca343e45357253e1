import Foundation
import Testing
@testable import HTTP
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Issue 15 item 16: one address cannot hold every connection, and a client trickling a request is cut
/// off after the request time-out although every byte restarts libmicrohttpd's idle time-out.
@Suite struct ConnectionLimitTests {
    /// A TCP connection from a chosen loopback source address (all of 127.0.0.0/8 is this machine), so a
    /// test can be two clients.
    final class Connection {
        let descriptor: Int32

        init(from source: String, to port: UInt16) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            try #require(descriptor >= 0)
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            var remote = sockaddr_in()
            remote.sin_family = sa_family_t(AF_INET)
            remote.sin_port = port.bigEndian
            inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
            let length = socklen_t(MemoryLayout<sockaddr_in>.size)
            try #require(withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } } == 0)
            try #require(withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) } } == 0)
        }

        deinit { _ = close(descriptor) }

        /// Sends without raising SIGPIPE; false once the server has closed the connection.
        @discardableResult
        func send(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }

        /// Whether the server has closed the connection (end of stream or reset) within `seconds`.
        func closedByServer(within seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            repeat {
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, Int32(max(0, min(100, deadline.timeIntervalSinceNow * 1000))))
                if ready > 0 {
                    let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { return true }
                }
            } while Date() < deadline
            return false
        }

        /// Everything the server sends until it closes (a request with `Connection: close`).
        func readToEnd(seconds: Double = 5) -> String {
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 100) >= 0 else { break }
                guard poller.revents != 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                received += buffer[..<count]
            }
            return String(decoding: received, as: UTF8.self)
        }
    }

    static let page = "GET /page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

    @Test("One address cannot take every connection: past its limit it is refused while another address still gets pages")
    func perAddressLimit() throws {
        let running = try RunningServer(configure: {
            $0.connectionLimit = 8
            $0.connectionsPerAddress = 4
        }, responder: { _ in .text("page") })
        // The attacker opens the whole global limit's worth, each holding an unfinished request.
        var held: [Connection] = []
        for index in 0..<8 {
            let connection = try Connection(from: "127.0.0.1", to: running.port)
            connection.send("GET /slow HTTP/1.1\r\n")
            if index < 4 {
                #expect(eventually { running.server.openConnections(from: "127.0.0.1") == index + 1 }, "connection \(index + 1) is taken on")
            } else {
                #expect(connection.closedByServer(within: 3), "connection \(index + 1) is over the address's limit")
            }
            held.append(connection)
        }
        #expect(!held.prefix(4).contains { $0.closedByServer(within: 0.2) }, "the first four stay open")
        #expect(running.server.openConnections(from: "127.0.0.1") == 4)
        // Another client still gets its page.
        let neighbour = try Connection(from: "127.0.0.2", to: running.port)
        neighbour.send(Self.page)
        #expect(neighbour.readToEnd().hasPrefix("HTTP/1.1 200"))
        // Closed connections are counted out: the attacker's address may connect again.
        held.removeAll()
        #expect(eventually { running.server.openConnections(from: "127.0.0.1") == 0 })
        let again = try Connection(from: "127.0.0.1", to: running.port)
        again.send(Self.page)
        #expect(again.readToEnd().hasPrefix("HTTP/1.1 200"))
    }

    @Test("A trusted proxy's connections are not limited per address: every client arrives from it")
    func trustedProxyExempt() throws {
        let running = try RunningServer(configure: {
            $0.connectionsPerAddress = 2
            $0.trustedProxies = ["127.0.0.1"]
        }, responder: { _ in .text("page") })
        var held: [Connection] = []
        for _ in 0..<6 {
            let connection = try Connection(from: "127.0.0.1", to: running.port)
            connection.send("GET /slow HTTP/1.1\r\n")
            held.append(connection)
        }
        #expect(eventually { running.server.openConnections(from: "127.0.0.1") == 6 })
        #expect(!held.contains { $0.closedByServer(within: 0.2) })
        // Any other address keeps the limit.
        let first = try Connection(from: "127.0.0.3", to: running.port), second = try Connection(from: "127.0.0.3", to: running.port)
        first.send("GET /slow HTTP/1.1\r\n")
        second.send("GET /slow HTTP/1.1\r\n")
        #expect(eventually { running.server.openConnections(from: "127.0.0.3") == 2 })
        let third = try Connection(from: "127.0.0.3", to: running.port)
        #expect(third.closedByServer(within: 3))
    }

    @Test("A client sending its request a byte at a time is cut off after the request time-out")
    func tricklingClientCut() throws {
        let running = try RunningServer(configure: {
            $0.requestTimeout = 3
            // The idle time-out is a third of that, and still never ends the connection: each byte restarts it.
            $0.connectionTimeout = 1
        }, responder: { _ in .text("page") })
        let connection = try Connection(from: "127.0.0.1", to: running.port)
        let started = Date()
        connection.send("GET /trickle HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        var closedAfter: Double?
        // A byte every 300 ms: inside the idle time-out each time, so only the request deadline can end it.
        while Date().timeIntervalSince(started) < 8 {
            if !connection.send("a") || connection.closedByServer(within: 0.3) {
                closedAfter = Date().timeIntervalSince(started)
                break
            }
        }
        let seconds = try #require(closedAfter, "the trickling connection was still open after 8 s")
        #expect(seconds >= 2.9 && seconds < 5, "closed after \(seconds) s")
        #expect(running.calls.all.isEmpty)
        #expect(eventually { running.server.openConnections(from: "127.0.0.1") == 0 })
    }

    @Test("The request time-out spares what is not a trickle: a slow answer, and a kept-alive connection's next request")
    func deadlineSparesTheRest() throws {
        let running = try RunningServer(configure: { $0.requestTimeout = 1 }, responder: { request in
            if request.path == "/slow" { usleep(2_500_000) }
            return .text("done")
        })
        let connection = try Connection(from: "127.0.0.1", to: running.port)
        connection.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(!connection.closedByServer(within: 2.6), "the responder's own time is not the client's")
        // The answer is out; the next request, sent at once whole, is answered on the same connection.
        connection.send(Self.page)
        let text = connection.readToEnd()
        #expect(text.hasPrefix("HTTP/1.1 200") && text.hasSuffix("done"), "\(text)")
    }
}
