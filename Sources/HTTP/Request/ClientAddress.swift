#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The client's IP address as the application sees it: the connection's, or, when the connection
/// comes from a trusted reverse proxy, the one the proxies name in `X-Forwarded-For`.
public enum ClientAddress {
    /// The canonical text of an IPv4 or IPv6 literal ("2001:DB8::0001" → "2001:db8::1"), or nil for
    /// anything else: host names, ports, zone indices, brackets, spaces. Only hex digits, dots and
    /// colons get as far as `inet_pton`, so no NUL or other byte can cut a literal short.
    public static func canonical(_ text: some StringProtocol) -> String? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count < Int(INET6_ADDRSTRLEN),
              bytes.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") }) else { return nil }
        let literal = String(decoding: bytes, as: UTF8.self)
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1, inet_ntop(AF_INET, &v4, &buffer, socklen_t(buffer.count)) != nil {
            return Self.text(buffer)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1, inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count)) != nil {
            return Self.text(buffer)
        }
        return nil
    }

    /// The client behind the proxies. Only a connection from a trusted proxy may name it; the entries of
    /// every `X-Forwarded-For` header, in order, are read from the right (each proxy appends the address
    /// it was reached from), skipping trusted proxies: the first other address is the client. An entry
    /// that is not an IP address where the client should be (junk, a port, "unknown", an empty item)
    /// means the chain cannot be read, and the connection's address stands. When every entry is a trusted
    /// proxy, the left-most is the farthest known hop.
    /// - Parameters:
    ///   - connection: the peer's address, canonical (as the socket gives it).
    ///   - trusted: the trusted proxies, canonical (see ``canonical(_:)``).
    static func resolve(connection: String, forwardedFor: [String], trusted: Set<String>) -> String {
        guard trusted.contains(connection), !forwardedFor.isEmpty else { return connection }
        var client = connection
        for header in forwardedFor.reversed() {
            for entry in header.split(separator: ",", omittingEmptySubsequences: false).reversed() {
                guard let address = canonical(entry.trimmingSpacesAndTabs()) else { return connection }
                if !trusted.contains(address) { return address }
                client = address
            }
        }
        return client
    }

    /// A NUL-terminated C string as Swift text.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }
}

private extension Substring {
    /// Without the optional whitespace around a list item (RFC 9110 §5.6.1: spaces and tabs).
    func trimmingSpacesAndTabs() -> Substring {
        let blank = { (character: Character) in character == " " || character == "\t" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return self[first...last]
    }
}
