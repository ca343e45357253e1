/// The decoded parts of a request target (`/a%20b?x=1`): path and query.
///
/// Decoding happens once, before any application code runs, so a malformed target is refused with 400
/// instead of reaching a handler half-decoded.
struct RequestTarget: Sendable {
    let path: String
    let query: Parameters

    /// - Throws: 400 when the target is not origin-form (`/...`), contains control characters, has a bad
    ///   escape, decodes to invalid UTF-8 or to a NUL byte in the path, or has a malformed query.
    init(parsing target: String) throws(HTTPError) {
        let bytes = Array(target.utf8)
        guard bytes.first == UInt8(ascii: "/"),
              !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw HTTPError(status: 400, message: "Malformed request target")
        }
        let question = bytes.firstIndex(of: UInt8(ascii: "?"))
        let rawPath = bytes[..<(question ?? bytes.endIndex)]
        guard let decoded = PercentDecoding.decode(rawPath, plusIsSpace: false),
              !decoded.contains(0),
              let path = PercentDecoding.validUTF8(decoded) else {
            throw HTTPError(status: 400, message: "Malformed request path")
        }
        self.path = path
        if let question {
            do {
                query = try Parameters.parseURLEncoded(bytes[(question + 1)...])
            } catch {
                throw HTTPError(status: 400, message: "Malformed query string")
            }
        } else {
            query = Parameters()
        }
    }
}
