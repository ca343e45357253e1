import HTTP

/// The console's origin and the authority (`host:port`) in it, which is what every request's Host
/// header must say. Worked out once, not per request.
struct ConsoleOrigin: Sendable {
    let url: String
    /// Lowercased ASCII bytes of the authority, and the same with the scheme's default port written
    /// out or left out (a browser sends `Host: portal.example.com` for `https://portal.example.com:443`).
    private let authority: [UInt8]
    private let alternativeAuthority: [UInt8]

    /// The origin as a browser serializes it in an `Origin` header: lowercase, without a default port.
    let serialized: String

    init(_ url: String) {
        self.url = url
        let authority = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: true).dropFirst().first ?? ""
        self.authority = authority.utf8.map(Self.lowercase)
        let scheme = String(decoding: (url.split(separator: ":", maxSplits: 1).first ?? "").utf8.map(Self.lowercase), as: UTF8.self)
        var host = String(decoding: self.authority, as: UTF8.self)
        if scheme == "https", host.hasSuffix(":443") { host.removeLast(4) }
        if scheme == "http", host.hasSuffix(":80") { host.removeLast(3) }
        serialized = scheme + "://" + host
        let defaultPort = scheme == "https" ? ":443" : ":80"
        alternativeAuthority = host.utf8.count == self.authority.count ? self.authority + Array(defaultPort.utf8) : Array(host.utf8)
    }

    /// Whether the browser says this request comes from the console's own pages: every `Origin` header
    /// names the console (`null`, another port or scheme do not); without one, `Sec-Fetch-Site` must not
    /// say `cross-site`. A request with neither (curl, an old browser) passes here and is judged by its
    /// CSRF token alone.
    func sentThis(_ request: Request) -> Bool {
        let origins = request.headers.values("Origin")
        if !origins.isEmpty {
            return origins.allSatisfy { value in
                var value = value
                return value.withUTF8 { bytes in
                    bytes.count == serialized.utf8.count && zip(bytes, serialized.utf8).allSatisfy { Self.lowercase($0) == $1 }
                }
            }
        }
        return !request.headers.values("Sec-Fetch-Site").contains { $0.lowercased().contains("cross-site") }
    }

    /// Whether a Host header names this origin (ASCII case-insensitively, as host names compare).
    func isAuthority(_ host: String) -> Bool {
        var host = host
        return host.withUTF8 { bytes in
            Self.equalsIgnoringCase(bytes, authority) || Self.equalsIgnoringCase(bytes, alternativeAuthority)
        }
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercased: [UInt8]) -> Bool {
        bytes.count == lowercased.count && zip(bytes, lowercased).allSatisfy { lowercase($0) == $1 }
    }

    private static func lowercase(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
}
