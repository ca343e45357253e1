/// One HTTP request the relying party wants sent: to the discovery document, the key set or the token
/// endpoint. The portal's HTTPS client (libcurl) carries it; tests use an in-memory transport.
public struct OutboundRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// The answer to an `OutboundRequest`, with the body already capped in size by the transport.
public struct OutboundResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header called `name` (compared without regard to case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Whether the media type of `Content-Type` is `application/json` (parameters such as charset are
    /// ignored). An absent header does not count.
    var isJSON: Bool {
        guard let type = header("Content-Type") else { return false }
        let media = type.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        return media.trimmingSpaces().lowercased() == "application/json"
    }
}

/// Sends requests and returns responses, blocking. It must refuse plain http to anything but loopback,
/// check certificates, follow no redirects and cap response sizes; any failure to get an answer is
/// thrown (the relying party turns it into its own error without the transport's words in the token
/// path).
public protocol OIDCTransport: Sendable {
    func send(_ request: OutboundRequest) throws -> OutboundResponse
}

extension String {
    func trimmingSpaces() -> String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
