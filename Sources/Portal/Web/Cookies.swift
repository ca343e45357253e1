/// The console's cookies. All are `HttpOnly; SameSite=Strict; Path=/`, `Secure` behind https, and
/// session cookies (no `Max-Age`): closing the browser forgets them.
enum Cookies {
    /// The signed-in session's token.
    static let session = "clientone_session"
    /// The MSP staff member's session (separate from any customer session in the same browser).
    static let staff = "clientone_staff"
    /// A random token for a browser that has not signed in yet; the sign-in forms' CSRF token is bound to it.
    static let preSession = "clientone_pre"

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
