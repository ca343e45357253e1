import Foundation

/// One HTTP request, fully received and decoded: the server builds it only once the whole body is in,
/// and only when the target decodes (otherwise it answers 400 without calling the responder).
public struct Request: Sendable {
    /// As received, e.g. "GET" or "POST".
    public let method: String
    /// The raw request target, e.g. "/a%20b?x=1".
    public let target: String
    /// The percent-decoded path, without the query.
    public let path: String
    public let query: Parameters
    public let headers: HTTPHeaders
    /// From the Cookie headers; malformed pieces are ignored and the first of a repeated name wins.
    public let cookies: [String: String]
    public let body: [UInt8]
    /// The client's IP address, e.g. "127.0.0.1" or "::1": the connection's, or the one a trusted proxy
    /// named (``ServerConfiguration/trustedProxies``). Always a valid IP address, or "-" when the socket
    /// cannot tell.
    public let remoteAddress: String
    /// Filled in by the application from a router match (`{id}` in the pattern → `pathParameters["id"]`).
    public var pathParameters: [String: String] = [:]
    /// Work done on this request once and wanted again later: the decoded form (read when the server
    /// asks which lane the request goes to, for the CSRF check and by the handler) and whatever the
    /// application noted (the route it matched). Held by reference, so every copy shares it.
    public let memo = RequestMemo()

    /// Builds a request the way the server does, so handlers can be tested without a socket.
    /// - Throws: 400 when the target does not decode (see ``path`` and ``query``).
    public init(method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                remoteAddress: String = "127.0.0.1") throws(HTTPError) {
        self.init(method: method, target: target, decoded: try RequestTarget(parsing: target),
                  headers: headers, body: body, remoteAddress: remoteAddress)
    }

    /// The server decodes the target before reading the body (to refuse early); this reuses that work.
    init(method: String, target: String, decoded: RequestTarget, headers: HTTPHeaders, body: [UInt8],
         remoteAddress: String) {
        self.method = method
        self.target = target
        path = decoded.path
        query = decoded.query
        self.headers = headers
        cookies = Cookies.parse(headers.values("Cookie"))
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The body as an `application/x-www-form-urlencoded` form.
    /// - Throws: 415 when the Content-Type is something else (parameters such as `charset` are allowed),
    ///   400 when the body is malformed.
    public func form() throws(HTTPError) -> Parameters {
        if let decoded = memo.form { return try decoded.get() }
        let decoded: Result<Parameters, HTTPError>
        if ASCII.mediaType(headers["Content-Type"]) == "application/x-www-form-urlencoded" {
            do throws(HTTPError) { decoded = .success(try Parameters.parseURLEncoded(body)) } catch { decoded = .failure(error) }
        } else {
            decoded = .failure(.unsupportedMediaType)
        }
        memo.form = decoded
        return try decoded.get()
    }

    /// The body decoded as JSON.
    /// - Throws: 415 when the Content-Type is not `application/json`, 400 when the JSON is invalid or does
    ///   not fit `type`.
    public func json<T: Decodable>(_ type: T.Type) throws(HTTPError) -> T {
        guard ASCII.mediaType(headers["Content-Type"]) == "application/json" else {
            throw .unsupportedMediaType
        }
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw .invalidJSON
        }
    }
}
