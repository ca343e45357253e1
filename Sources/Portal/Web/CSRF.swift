import Crypto
import HTTP

/// CSRF tokens: an HMAC of the browser's session (or pre-session) token under a per-database key.
/// Nothing to store, one token per session, and a token from one session is worthless in another.
enum CSRF {
    static func token(key: HMACKey, boundTo binding: String) -> String {
        Base64URL.encode(key.code(Array(binding.utf8)))
    }

    /// What a token is bound to: the session's stored hash, or the pre-session cookie's hash.
    static func binding(sessionTokenHash: [UInt8]) -> String { "session:" + Hex.encode(sessionTokenHash) }
    static func binding(preSession token: String) -> String { "pre:" + Hex.encode(Digest.sha256(Array(token.utf8))) }

    /// The token a POST carried: the `csrf_token` form field, or the `X-CSRF-Token` header for JSON.
    static func submitted(_ request: Request) -> String? {
        if let header = request.headers["X-CSRF-Token"] { return header }
        guard let form = try? request.form() else { return nil }
        return form["csrf_token"]
    }

    static func matches(_ submitted: String?, expected: String?) -> Bool {
        guard let submitted, let expected else { return false }
        return constantTimeEquals(Array(submitted.utf8), Array(expected.utf8))
    }
}
