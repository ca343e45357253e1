import HTTP

/// Headers on every response (SPEC, issue 2 item 3).
enum SecurityHeaders {
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
        "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
    ].joined(separator: "; ")

    static func apply(to response: inout Response, https: Bool) {
        // Room for these seven at once, rather than the list doubling twice on the way.
        response.headers.reserveCapacity(response.headers.count + 7)
        response.headers["Content-Security-Policy"] = contentSecurityPolicy
        response.headers["X-Content-Type-Options"] = "nosniff"
        // Not "no-referrer": under it browsers send `Origin: null` with every form POST (Fetch,
        // "serializing a request origin"), and the cross-site check could not tell the console's own
        // forms from a sandboxed attacker. "same-origin" keeps every URL (reset tokens included) from
        // other sites and lets same-origin POSTs carry the real Origin; cross-site ones still say null.
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if https { response.headers["Strict-Transport-Security"] = "max-age=31536000" }
    }
}
