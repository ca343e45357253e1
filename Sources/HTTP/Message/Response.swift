import Foundation

/// What a responder returns: status, headers and the complete body.
///
/// The server adds nothing beyond what libmicrohttpd adds itself (Date, Content-Length); security
/// headers are the application's business.
public struct Response: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// An HTML page, `text/html; charset=utf-8`.
    public static func html(_ html: String, status: Int = 200) -> Response {
        .html(utf8: Array(html.utf8), status: status)
    }

    /// HTML already in UTF-8 bytes, sent as they are.
    public static func html(utf8 body: [UInt8], status: Int = 200) -> Response {
        Response(status: status, headers: HTTPHeaders([("Content-Type", "text/html; charset=utf-8")]), body: body)
    }

    /// Plain text, `text/plain; charset=utf-8`.
    public static func text(_ text: String, status: Int = 200) -> Response {
        Response(status: status, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]),
                 body: Array(text.utf8))
    }

    /// A JSON document with sorted keys (stable output for tests and caches). A value that cannot be
    /// encoded (a NaN, say) is a programming error; it becomes a 500 rather than a crash.
    public static func json(_ value: some Encodable, status: Int = 200) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else {
            return .text("Internal Server Error", status: 500)
        }
        return Response(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]),
                        body: Array(data))
    }

    /// A redirect with an empty body; 303 by default so a POST is followed by a GET.
    public static func redirect(to location: String, status: Int = 303) -> Response {
        Response(status: status, headers: HTTPHeaders([("Location", location)]))
    }
}
