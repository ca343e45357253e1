#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP socket bound and listening, made by the server rather than by libmicrohttpd so that a failure
/// (port in use, unknown address) comes back with its real errno, and port 0 can be read back.
struct ListeningSocket {
    let descriptor: Int32
    let port: UInt16
    let isIPv6: Bool

    /// Binds `host:port` and listens; `host` is an IPv4 or IPv6 literal (brackets allowed) or "localhost".
    static func open(host: String, port: UInt16) throws(HTTPServerError) -> ListeningSocket {
        let address = try SocketAddress(host: host, port: port)
        let endpoint = address.isIPv6 && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
        #if canImport(Glibc)
        let streamType = Int32(SOCK_STREAM.rawValue)
        #else
        let streamType = SOCK_STREAM
        #endif
        let descriptor = socket(address.family, streamType, 0)
        guard descriptor >= 0 else { throw .cFailure("Cannot create a socket for \(endpoint)") }
        do throws(HTTPServerError) {
            // Close-on-exec so child processes don't keep the port; non-blocking because every
            // libmicrohttpd pool thread polls the same socket and only one of them wins each accept.
            guard fcntl(descriptor, F_SETFD, FD_CLOEXEC) == 0,
                  fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) == 0 else {
                throw .cFailure("Cannot configure the socket for \(endpoint)")
            }
            // Lets a restarted server bind at once although old connections linger in TIME_WAIT.
            try setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, "reuse the address \(endpoint)")
            if address.isIPv6 {
                try setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, "restrict \(endpoint) to IPv6")
            }
            guard address.withSockaddr({ bind(descriptor, $0, $1) }) == 0 else {
                throw .cFailure("Cannot listen on \(endpoint)")
            }
            guard listen(descriptor, SOMAXCONN) == 0 else { throw .cFailure("Cannot listen on \(endpoint)") }
            return ListeningSocket(descriptor: descriptor, port: try boundPort(descriptor),
                                   isIPv6: address.isIPv6)
        } catch {
            closeDescriptor(descriptor)
            throw error
        }
    }

    private static func setOption(_ descriptor: Int32, _ level: Int32, _ name: Int32,
                                  _ purpose: String) throws(HTTPServerError) {
        var on: Int32 = 1
        guard setsockopt(descriptor, level, name, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .cFailure("Cannot \(purpose)")
        }
    }

    /// The port the kernel chose (for port 0) or confirmed.
    private static func boundPort(_ descriptor: Int32) throws(HTTPServerError) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { throw .cFailure("Cannot read the bound port") }
        let isIPv6 = Int32(storage.ss_family) == AF_INET6
        return withUnsafePointer(to: &storage) { pointer in
            if isIPv6 {
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin6_port)
                }
            } else {
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin_port)
                }
            }
        }
    }
}

/// An IPv4 or IPv6 socket address parsed from a literal; no name resolution besides "localhost", so
/// the server never depends on DNS to start.
enum SocketAddress {
    case v4(sockaddr_in)
    case v6(sockaddr_in6)

    init(host: String, port: UInt16) throws(HTTPServerError) {
        var literal = host == "localhost" ? "127.0.0.1" : host
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, literal, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            self = .v4(v4)
            return
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, literal, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            self = .v6(v6)
            return
        }
        throw HTTPServerError(
            message: "Cannot listen on \(host): not an IPv4 or IPv6 address, nor \"localhost\"")
    }

    var family: Int32 { isIPv6 ? AF_INET6 : AF_INET }

    var isIPv6: Bool { if case .v6 = self { true } else { false } }

    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        switch self {
        case .v4(var address):
            let length = socklen_t(MemoryLayout<sockaddr_in>.size)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
            }
        case .v6(var address):
            let length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
            }
        }
    }
}
