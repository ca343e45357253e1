import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A response as the test client received it.
public struct HTTPResponse: Sendable {
    public let status: Int
    public let headers: [(String, String)]
    public let body: [UInt8]

    /// The first value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? { headers(name).first }

    /// Every value of header `name`, in the order received.
    public func headers(_ name: String) -> [String] {
        headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
    }

    /// The body decoded as UTF-8 (invalid bytes become U+FFFD).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a test request failed: connection refused, timeout, malformed answer.
public struct HTTPClientError: Error, CustomStringConvertible {
    public let description: String
}

/// A small HTTP/1.1 client over raw sockets for integration tests: one connection per request with
/// `Connection: close`, Content-Length and chunked bodies, a cookie jar, no redirects followed, and a
/// read timeout on every socket so a test never hangs.
public final class HTTPClient: @unchecked Sendable {
    public let host: String
    public let port: UInt16
    public let hostHeader: String
    /// Seconds a request may wait for the server at each read or write.
    public let timeout: Double
    private let lock = NSLock()
    private var jar: [String: String] = [:]
    /// The loopback address this browser's connections come from (e.g. "127.0.3.7"), as if it were
    /// another machine; nil lets the system choose (127.0.0.1).
    public var sourceAddress: String?

    public init(host: String = "127.0.0.1", port: UInt16, hostHeader: String? = nil, timeout: Double = 10) {
        self.host = host
        self.port = port
        self.hostHeader = hostHeader ?? "localhost:\(port)"
        self.timeout = timeout
    }

    /// The cookie jar: Set-Cookie updates it (Max-Age=0 or a past Expires deletes), and it is sent back
    /// on every request that does not set its own Cookie header.
    public var cookies: [String: String] {
        get { lock.withLock { jar } }
        set { lock.withLock { jar = newValue } }
    }

    public func get(_ target: String, headers: [(String, String)] = []) throws -> HTTPResponse {
        try send(method: "GET", target: target, headers: headers, body: [])
    }

    /// POSTs `form` as `application/x-www-form-urlencoded`.
    public func post(_ target: String, form: [(String, String)], headers: [(String, String)] = []) throws
        -> HTTPResponse {
        let body = form.map { Self.formEncode($0.0) + "=" + Self.formEncode($0.1) }.joined(separator: "&")
        return try send(method: "POST", target: target,
                        headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers,
                        body: Array(body.utf8))
    }

    public func post(_ target: String, json: [UInt8], headers: [(String, String)] = []) throws -> HTTPResponse {
        try send(method: "POST", target: target, headers: [("Content-Type", "application/json")] + headers,
                 body: json)
    }

    /// Sends one request and reads the whole response. Host, Connection, Content-Length (when there is
    /// a body or the method usually has one) and Cookie are added unless `headers` has them.
    public func send(method: String, target: String, headers: [(String, String)], body: [UInt8]) throws
        -> HTTPResponse {
        let has = { (name: String) in headers.contains { $0.0.lowercased() == name.lowercased() } }
        var lines = ["\(method) \(target) HTTP/1.1"]
        if !has("Host") { lines.append("Host: \(hostHeader)") }
        if !has("Connection") { lines.append("Connection: close") }
        if !has("Content-Length") && (!body.isEmpty || ["POST", "PUT", "PATCH"].contains(method)) {
            lines.append("Content-Length: \(body.count)")
        }
        let jar = cookies
        if !has("Cookie") && !jar.isEmpty {
            lines.append("Cookie: " + jar.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: "; "))
        }
        lines += headers.map { "\($0.0): \($0.1)" }
        let socket = try Socket(host: host, port: port, timeout: timeout, source: sourceAddress)
        defer { socket.close() }
        try socket.write(Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + body)
        var reader = ResponseReader(socket: socket)
        let response = try reader.read(bodyless: method == "HEAD")
        updateCookies(from: response)
        return response
    }

    /// Writes `bytes` on a fresh connection and returns whatever comes back until the server closes or
    /// `readTimeout` seconds pass. Write errors are ignored: a server may answer and close early.
    public func raw(_ bytes: [UInt8], readTimeout: Double = 5) throws -> [UInt8] {
        let socket = try Socket(host: host, port: port, timeout: readTimeout, source: sourceAddress)
        defer { socket.close() }
        try? socket.write(bytes)
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(readTimeout)
        while Date() < deadline, let chunk = try? socket.read(), !chunk.isEmpty {
            received += chunk
        }
        return received
    }

    private func updateCookies(from response: HTTPResponse) {
        for header in response.headers("Set-Cookie") {
            let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
            var expired = false
            for attribute in parts.dropFirst() {
                let lower = attribute.lowercased()
                if lower.hasPrefix("max-age="), let seconds = Int(attribute.dropFirst(8)), seconds <= 0 {
                    expired = true
                }
                if lower.hasPrefix("expires="), let date = Self.httpDate(String(attribute.dropFirst(8))),
                   date < Date() {
                    expired = true
                }
            }
            lock.withLock { jar[name] = expired ? nil : value }
        }
    }

    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    /// WHATWG form encoding: alphanumerics and `*-._` stay, space becomes `+`, the rest is `%XX`.
    static func formEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "*"), UInt8(ascii: "-"),
                 UInt8(ascii: "."), UInt8(ascii: "_"):
                output.unicodeScalars.append(UnicodeScalar(byte))
            case UInt8(ascii: " "):
                output += "+"
            default:
                output += String(format: "%%%02X", byte)
            }
        }
        return output
    }
}

/// A connected TCP socket with send and receive timeouts.
private struct Socket {
    let descriptor: Int32

    init(host: String, port: UInt16, timeout: Double, source: String? = nil) throws {
        var v4 = sockaddr_in(), v6 = sockaddr_in6()
        let isIPv6 = inet_pton(AF_INET, host, &v4.sin_addr) != 1
        guard !isIPv6 || inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 else {
            throw HTTPClientError(description: "Not an IP address: \(host)")
        }
        #if canImport(Glibc)
        descriptor = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(isIPv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw HTTPClientError(description: "socket() failed: errno \(errno)") }
        var limit = timeval()
        limit.tv_sec = .init(timeout)
        limit.tv_usec = .init((timeout - Double(Int(timeout))) * 1e6)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            var local = sockaddr_in()
            guard !isIPv6, inet_pton(AF_INET, source, &local.sin_addr) == 1 else {
                closeFileDescriptor(descriptor)
                throw HTTPClientError(description: "Not an IPv4 source address: \(source)")
            }
            local.sin_family = sa_family_t(AF_INET)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let code = errno
                closeFileDescriptor(descriptor)
                throw HTTPClientError(description: "bind to \(source) failed: errno \(code)")
            }
        }
        let result: Int32
        if isIPv6 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            result = withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            result = withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard result == 0 else {
            let code = errno
            closeFileDescriptor(descriptor)
            throw HTTPClientError(description: "connect to \(host):\(port) failed: errno \(code)")
        }
    }

    func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let count = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + sent, $0.count - sent, flags) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw HTTPClientError(description: "send failed: errno \(errno)") }
            sent += count
        }
    }

    /// Up to 64 KiB; empty at end of stream. Throws on error or timeout.
    func read() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw HTTPClientError(description: errno == EAGAIN ? "read timed out" : "recv failed: errno \(errno)")
            }
            return Array(buffer[..<count])
        }
    }

    func close() { closeFileDescriptor(descriptor) }
}

/// Names the C `close`, which `Socket.close()` shadows.
private func closeFileDescriptor(_ descriptor: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(descriptor)
    #else
    _ = Darwin.close(descriptor)
    #endif
}

/// Reads one response from a socket: status line, headers, then a body framed by chunked encoding,
/// Content-Length or the end of the stream.
private struct ResponseReader {
    let socket: Socket
    private var buffer: [UInt8] = []
    private var ended = false

    init(socket: Socket) { self.socket = socket }

    mutating func read(bodyless: Bool) throws -> HTTPResponse {
        while true {
            let headerEnd = try fill { $0.firstRange(of: [13, 10, 13, 10])?.upperBound }
            let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
            buffer.removeSubrange(..<headerEnd)
            var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            let statusParts = lines.removeFirst().split(separator: " ", maxSplits: 2)
            guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
                throw HTTPClientError(description: "Malformed status line in \(head)")
            }
            if (100..<200).contains(status) { continue }
            let headers = lines.compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            let response = { (body: [UInt8]) in HTTPResponse(status: status, headers: headers, body: body) }
            let find = { (name: String) in headers.first { $0.0.lowercased() == name }?.1 }
            if bodyless || status == 204 || status == 304 { return response([]) }
            if find("transfer-encoding")?.lowercased() == "chunked" { return response(try readChunked()) }
            if let length = find("content-length").flatMap({ Int($0) }) {
                _ = try fill { $0.count >= length ? length : nil }
                return response(Array(buffer[..<length]))
            }
            while !ended { try receive() }
            return response(buffer)
        }
    }

    private mutating func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let lineEnd = try fill { $0.firstRange(of: [13, 10])?.lowerBound }
            let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw HTTPClientError(description: "Malformed chunk size \(sizeText)")
            }
            buffer.removeSubrange(..<(lineEnd + 2))
            if size == 0 { return body }
            _ = try fill { $0.count >= size + 2 ? size : nil }
            body += buffer[..<size]
            buffer.removeSubrange(..<(size + 2))
        }
    }

    /// Reads until `ready` finds what it needs in the buffer; throws if the stream ends first.
    private mutating func fill(_ ready: ([UInt8]) -> Int?) throws -> Int {
        while true {
            if let found = ready(buffer) { return found }
            guard !ended else { throw HTTPClientError(description: "Connection closed mid-response") }
            try receive()
        }
    }

    private mutating func receive() throws {
        let chunk = try socket.read()
        if chunk.isEmpty { ended = true } else { buffer += chunk }
    }
}
