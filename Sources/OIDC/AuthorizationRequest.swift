import Crypto

/// The secrets of one authorization request (OpenID Connect Core §3.1.2.1 with PKCE, RFC 7636): the
/// caller stores them server-side (the state hashed) until the provider sends the person back.
public struct AuthorizationRequest: Sendable {
    /// Binds the callback to this request (CSRF); base64url of 32 random bytes.
    public let state: String
    /// Binds the ID token to this request (replay); base64url of 32 random bytes.
    public let nonce: String
    /// PKCE's code verifier: 43 characters of base64url, 256 random bits (RFC 7636 §4.1).
    public let codeVerifier: String

    public init(state: String, nonce: String, codeVerifier: String) {
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
    }

    /// A new request with fresh state, nonce and verifier from OpenSSL's CSPRNG (256 bits each, above
    /// the 128 the issue asks for). It does not throw today; the signature leaves room for a source of
    /// randomness that can fail without stopping the process.
    public static func generate() throws -> AuthorizationRequest {
        AuthorizationRequest(state: Base64URL.encode(SecureRandom.bytes(count: 32)),
                             nonce: Base64URL.encode(SecureRandom.bytes(count: 32)),
                             codeVerifier: Base64URL.encode(SecureRandom.bytes(count: 32)))
    }

    /// S256: base64url(SHA-256(ASCII(code_verifier))), RFC 7636 §4.2.
    public var codeChallenge: String { Base64URL.encode(Digest.sha256(Array(codeVerifier.utf8))) }

    /// The URL that sends the person to the provider: the authorization endpoint with response_type=code,
    /// scope, client_id, redirect_uri, state, nonce, code_challenge and code_challenge_method=S256, then
    /// `extra` (login_hint, prompt, domain_hint, hd…) in the order given, every name and value
    /// percent-encoded. A parameter of `extra` that would repeat one of the fixed ones is left out, so a
    /// caller cannot weaken the request by mistake (a second state, another redirect_uri).
    public func url(metadata: ProviderMetadata, registration: ClientRegistration, scopes: [String] = ["openid", "email", "profile"],
                    extra: [(String, String)] = []) -> String {
        var scope = scopes
        if !scope.contains("openid") { scope.insert("openid", at: 0) }
        let fixed: [(String, String)] = [
            ("response_type", "code"),
            ("scope", scope.joined(separator: " ")),
            ("client_id", registration.clientID),
            ("redirect_uri", registration.redirectURI),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", codeChallenge),
            ("code_challenge_method", "S256"),
        ]
        let fixedNames = Set(fixed.map(\.0))
        return URLText.appending(fixed + extra.filter { !fixedNames.contains($0.0) }, to: metadata.authorizationEndpoint)
    }
}
