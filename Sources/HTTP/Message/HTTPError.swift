/// A failure that maps directly onto an HTTP answer: `status` is what the client gets, `message` says why.
///
/// Decoders throw it (typed throws) so a handler can turn any parsing failure into a response without
/// inspecting error types.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "HTTP \(status): \(message)" }

    /// The plain-text response a client sees for this error.
    public var response: Response { .text(message, status: status) }

    static let malformedFormData = HTTPError(status: 400, message: "Malformed form data")
    static let tooManyFields = HTTPError(status: 400, message: "Too many form fields")
    static let badRequest = HTTPError(status: 400, message: "Bad Request")
    static let invalidJSON = HTTPError(status: 400, message: "Invalid JSON")
    static let unsupportedMediaType = HTTPError(status: 415, message: "Unsupported Media Type")
    static let payloadTooLarge = HTTPError(status: 413, message: "Payload Too Large")
}
