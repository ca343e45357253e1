/// The little URL handling the relying party needs, without Foundation: percent-encoding for query
/// strings and form bodies, and the checks an endpoint from a discovery document must pass.
enum URLText {
    /// Percent-encodes everything but RFC 3986's unreserved characters (A–Z a–z 0–9 - . _ ~), in
    /// UTF-8, with uppercase hex. Usable for query components and for
    /// `application/x-www-form-urlencoded` values (a space becomes %20, which form decoders read as a
    /// space too), and so for RFC 6749 §2.3.1's encoding of the client ID and secret.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF")
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(Character(Unicode.Scalar(byte)))
            default:
                output.append("%")
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return output
    }

    /// `pairs` as `name=value&…`, both sides percent-encoded.
    static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(percentEncoded($0.0))=\(percentEncoded($0.1))" }.joined(separator: "&")
    }

    /// `url` with `pairs` added to its query (after `?`, or `&` when it has a query already).
    static func appending(_ pairs: [(String, String)], to url: String) -> String {
        guard !pairs.isEmpty else { return url }
        let separator = url.contains("?") ? (url.hasSuffix("?") || url.hasSuffix("&") ? "" : "&") : "?"
        return url + separator + query(pairs)
    }

    /// Why `url` may not be a provider's endpoint, or nil when it may: an absolute `https` URL (plain
    /// `http` only to a loopback host, for tests and local providers), a host, no user information, no
    /// fragment, no spaces or control characters. With `allowQuery` false (the issuer), no query either.
    static func endpointProblem(_ url: String, allowQuery: Bool = true) -> String? {
        guard !url.isEmpty, url.utf8.count <= 2048 else { return "it is empty or too long" }
        guard url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            return "it contains spaces, control or non-ASCII characters"
        }
        let lower = url.lowercased()
        let rest: Substring
        let secure: Bool
        if lower.hasPrefix("https://") {
            rest = url.dropFirst(8)
            secure = true
        } else if lower.hasPrefix("http://") {
            rest = url.dropFirst(7)
            secure = false
        } else {
            return "it is not an https URL"
        }
        guard !url.contains("#") else { return "it has a fragment" }
        if !allowQuery, url.contains("?") { return "it has a query" }
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard !authority.contains("@") else { return "it has user information" }
        guard let host = host(of: authority), !host.isEmpty else { return "it has no host" }
        if !secure, !isLoopback(host) { return "it is plain http to a host that is not loopback" }
        return nil
    }

    /// `scheme://authority` of an absolute URL, lowercased, or nil.
    static func origin(of url: String) -> String? {
        guard let range = url.firstRange(of: "://") else { return nil }
        let authority = url[range.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return (url[..<range.upperBound] + authority).lowercased()
    }

    /// The host of an authority (`host`, `host:port`, `[v6]:port`), lowercased.
    private static func host(of authority: Substring) -> String? {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            return String(authority[authority.index(after: authority.startIndex)..<close]).lowercased()
        }
        return String(authority.prefix { $0 != ":" }).lowercased()
    }

    private static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
