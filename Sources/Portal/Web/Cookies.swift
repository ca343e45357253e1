/// The console's cookies. All are `HttpOnly; Path=/`, `Secure` behind https, and session cookies (no
/// `Max-Age`): closing the browser forgets them. All are `SameSite=Strict` but single sign-on's.
enum Cookies {
    /// The signed-in session's token.
    static let session = "clientone_session"
    /// The MSP staff member's session (separate from any customer session in the same browser).
    static let staff = "clientone_staff"
    /// A random token for a browser that has not signed in yet; the sign-in forms' CSRF token is bound to it.
    static let preSession = "clientone_pre"
    /// Binds a single sign-on attempt to the browser that started it. `SameSite=Lax`, the one exception:
    /// the provider's redirect back is a navigation from another site, which a Strict cookie misses. It
    /// opens nothing by itself (the state from the provider must match it) and lives for one attempt.
    static let singleSignOn = "clientone_sso"

    static func setLax(_ name: String, _ value: String, secure: Bool) -> String {
        "\(name)=\(value); Path=/login/sso; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    static func clearLax(_ name: String, secure: Bool) -> String {
        "\(name)=; Path=/login/sso; Max-Age=0; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    static func set(_ name: String, _ value: String, secure: Bool) -> String {
        "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// Whether a `Set-Cookie` value hands out a session (customer or staff), i.e. a sign-in step completed.
    static func startsSession(_ setCookie: String) -> Bool {
        for name in [session, staff] where names(setCookie, name) {
            // A clearing cookie has an empty value.
            return !setCookie.dropFirst(name.count + 1).hasPrefix(";")
        }
        return false
    }

    /// Whether a `Set-Cookie` value is for the cookie `name`.
    static func names(_ setCookie: String, _ name: String) -> Bool { setCookie.hasPrefix(name + "=") }

    static func clear(_ name: String, secure: Bool) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}
