/// An error that answers for itself: the status the client gets, headers the answer needs besides the
/// usual ones (`Retry-After`, `Allow`), a title and a sentence for the person. The application's one
/// catch renders any of them as its error page; anything else thrown is a 500 with a logged reference.
public protocol HTTPResponseError: Error {
    var status: Int { get }
    var headers: HTTPHeaders { get }
    /// A short heading; by default the status's reason phrase.
    var title: String { get }
    /// What happened and what to do, in a sentence or two.
    var message: String { get }
}

extension HTTPResponseError {
    public var headers: HTTPHeaders { HTTPHeaders() }

    public var title: String {
        switch status {
        case 400: "Bad request"
        case 403: "Not allowed"
        case 404: "Page not found"
        case 405: "Not allowed"
        case 409: "Conflict"
        case 413: "Request too large"
        case 415: "Unsupported request"
        case 429: "Too many attempts"
        case 503: "Busy for a moment"
        default: "Something went wrong"
        }
    }

    /// A `Retry-After` header for `seconds`.
    public static func retryAfter(_ seconds: Int64) -> HTTPHeaders { HTTPHeaders([("Retry-After", String(seconds))]) }
}

extension HTTPError: HTTPResponseError {}
