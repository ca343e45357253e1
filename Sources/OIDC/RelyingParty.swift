import Crypto
import Threads

/// The tokens the token endpoint returned, checked for shape only; the ID token is verified by
/// `RelyingParty.verifiedIDToken`.
public struct TokenResponse: Sendable {
    public let idToken: String
    public let accessToken: String?

    public init(idToken: String, accessToken: String?) {
        self.idToken = idToken
        self.accessToken = accessToken
    }
}

/// Discovery (24 h cache per issuer), JWKS (cached; fetched again once when a kid is unknown, at most once a
/// minute per provider; failing closed), the token request, the end-session URL. Thread-safe; every
/// call that talks to the provider blocks (the portal runs them on its lane for slow work), and no lock
/// is held while the transport works.
///
/// Caching rules:
/// - A discovery document is kept 24 hours per (issuer, tenant). A failed fetch is remembered for 30
///   seconds, during which the same issuer fails at once without a request: a provider that is down
///   or hangs costs one transport timeout per 30 s rather than one per sign-in, and a fixed provider
///   works again within half a minute.
/// - A key set is kept per `jwks_uri` for 24 hours. A token naming an unknown `kid` fetches it again,
///   at most once per 60 s per `jwks_uri` (successful or not); inside that minute the token is refused
///   (unknownKey) without a request, unless another sign-in fetched a newer set meanwhile. When no set
///   is cached and a fetch failed less than a minute ago, tokens are refused (jwksFailed) without a
///   request. A failed fetch never leaves the old set in use past its 24 hours and never lets a token
///   through unchecked.
public final class RelyingParty: Sendable {
    public static let discoveryLifetime: Int64 = 24 * 3600
    public static let discoveryFailureLifetime: Int64 = 30
    public static let keySetLifetime: Int64 = 24 * 3600
    public static let keySetRefetchInterval: Int64 = 60

    private let transport: any OIDCTransport
    private let now: @Sendable () -> Int64
    private let state = Locked(CacheState())

    private struct CacheState {
        var discovery: [String: (metadata: ProviderMetadata, fetchedAt: Int64)] = [:]
        var discoveryFailures: [String: (error: OIDCError, at: Int64)] = [:]
        var keySets: [String: (keys: JSONWebKeySet, fetchedAt: Int64)] = [:]
        /// When each jwks_uri was last fetched (or a fetch was started), successful or not.
        var keySetAttempts: [String: Int64] = [:]
        /// When a fetch of each jwks_uri last failed, cleared by a success.
        var keySetFailures: [String: Int64] = [:]
    }

    public init(transport: any OIDCTransport, now: @escaping @Sendable () -> Int64) {
        self.transport = transport
        self.now = now
    }

    // MARK: Discovery

    /// The provider's checked metadata, from the cache when younger than 24 hours.
    public func metadata(for registration: ClientRegistration) throws(OIDCError) -> ProviderMetadata {
        let cacheKey = registration.issuer + "\u{0}" + (registration.tenantID ?? "")
        let time = now()
        let cached: Result<ProviderMetadata, OIDCError>? = state.withLock { cache in
            if let entry = cache.discovery[cacheKey], time - entry.fetchedAt < RelyingParty.discoveryLifetime, time >= entry.fetchedAt {
                return .success(entry.metadata)
            }
            if let failure = cache.discoveryFailures[cacheKey], time - failure.at < RelyingParty.discoveryFailureLifetime, time >= failure.at {
                return .failure(failure.error)
            }
            return nil
        }
        if let cached { return try cached.get() }
        do {
            let metadata = try checkDiscovery(issuer: registration.issuer, tenantID: registration.tenantID)
            state.withLock { cache in
                cache.discovery[cacheKey] = (metadata, time)
                cache.discoveryFailures[cacheKey] = nil
            }
            return metadata
        } catch {
            state.withLock { $0.discoveryFailures[cacheKey] = (error, time) }
            throw error
        }
    }

    /// Fetches and checks the discovery document now, bypassing the cache (for "saving checks the
    /// discovery document"): the errors say plainly what is wrong.
    public func checkDiscovery(issuer: String, tenantID: String?) throws(OIDCError) -> ProviderMetadata {
        if let problem = URLText.endpointProblem(issuer, allowQuery: false) {
            throw OIDCError(.discoveryFailed, "the issuer URL cannot be used: \(problem)")
        }
        // Discovery §4: the issuer with any trailing slash removed, then the well-known path.
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let url = base + "/.well-known/openid-configuration"
        let response: OutboundResponse
        do {
            response = try transport.send(OutboundRequest(method: "GET", url: url, headers: [("Accept", "application/json")]))
        } catch {
            throw OIDCError(.discoveryFailed, "the discovery document could not be fetched: \(error)")
        }
        guard response.status == 200 else {
            throw OIDCError(.discoveryFailed, "the discovery document answered HTTP \(response.status), not 200")
        }
        guard response.isJSON else {
            throw OIDCError(.discoveryFailed, "the discovery document is not served as application/json")
        }
        return try ProviderMetadata(json: response.body, configuredIssuer: issuer, tenantID: tenantID)
    }

    // MARK: Token request

    /// Redeems the authorization code at the token endpoint (Core §3.1.3.1, RFC 7636 §4.5): POST
    /// grant_type=authorization_code, code, redirect_uri, code_verifier; the client authenticates with
    /// client_secret_basic (RFC 6749 §2.3.1: ID and secret form-urlencoded, then joined by ':' and
    /// base64-encoded) when the provider lists it, else client_secret_post. The answer must be JSON,
    /// status 200, token_type Bearer (any case) and carry an id_token.
    public func redeem(code: String, request: AuthorizationRequest, registration: ClientRegistration) throws(OIDCError) -> TokenResponse {
        let metadata = try metadata(for: registration)
        var form: [(String, String)] = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", registration.redirectURI),
            ("code_verifier", request.codeVerifier),
        ]
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
        ]
        if metadata.tokenEndpointAuthMethods.contains("client_secret_basic") {
            let credentials = URLText.percentEncoded(registration.clientID) + ":" + URLText.percentEncoded(registration.clientSecret)
            headers.append(("Authorization", "Basic " + Base64.encode(Array(credentials.utf8))))
        } else {
            form += [("client_id", registration.clientID), ("client_secret", registration.clientSecret)]
        }
        let response: OutboundResponse
        do {
            response = try transport.send(OutboundRequest(method: "POST", url: metadata.tokenEndpoint, headers: headers,
                                                          body: Array(URLText.query(form).utf8)))
        } catch {
            throw OIDCError(.tokenEndpointFailed, "the token endpoint could not be reached: \(error)")
        }
        let answer = response.isJSON ? JSONValue.parse(response.body)?.objectValue : nil
        guard response.status == 200 else {
            // RFC 6749 §5.2's error code is a short ASCII word; quoted() keeps anything else out.
            let code = answer?["error"]?.stringValue.map { " (\(quoted($0)))" } ?? ""
            throw OIDCError(.tokenEndpointFailed, "the token endpoint answered HTTP \(response.status)\(code)")
        }
        guard let answer else {
            throw OIDCError(.tokenResponseInvalid, "the token endpoint's answer is not a JSON object served as application/json")
        }
        guard let type = answer["token_type"]?.stringValue, type.lowercased() == "bearer" else {
            throw OIDCError(.tokenResponseInvalid, "the token endpoint's answer has no token_type Bearer")
        }
        guard let idToken = answer["id_token"]?.stringValue, !idToken.isEmpty else {
            throw OIDCError(.tokenResponseInvalid, "the token endpoint's answer has no id_token")
        }
        let accessToken: String?
        switch answer["access_token"] {
        case nil, .null?: accessToken = nil
        case .string(let token)?: accessToken = token
        default: throw OIDCError(.tokenResponseInvalid, "the token endpoint's access_token is not a string")
        }
        return TokenResponse(idToken: idToken, accessToken: accessToken)
    }

    // MARK: ID token

    /// Verifies the ID token of `tokens` against the provider's keys and this request's nonce. When the
    /// token names a key the cached set lacks, the set is fetched again (at most once a minute) and the
    /// token checked once more.
    public func verifiedIDToken(_ tokens: TokenResponse, request: AuthorizationRequest, registration: ClientRegistration) throws(OIDCError) -> IDToken {
        let metadata = try metadata(for: registration)
        let (keys, fetchedAt) = try keySet(metadata.jwksURI)
        do {
            return try IDTokenVerifier.verify(tokens.idToken, keys: keys, metadata: metadata, registration: registration,
                                              nonce: request.nonce, now: now())
        } catch where error.reason == .unknownKey {
            // Key rotation: the provider may have published a new key since the set was cached.
            guard let fresh = try refreshedKeySet(metadata.jwksURI, newerThan: fetchedAt) else { throw error }
            return try IDTokenVerifier.verify(tokens.idToken, keys: fresh, metadata: metadata, registration: registration,
                                              nonce: request.nonce, now: now())
        }
    }

    /// The cached key set of `uri` and when it was fetched, fetched now when absent or older than 24
    /// hours, unless a fetch of it failed less than a minute ago.
    private func keySet(_ uri: String) throws(OIDCError) -> (JSONWebKeySet, Int64) {
        let time = now()
        let cached = state.withLock { cache -> (JSONWebKeySet, Int64)? in
            guard let entry = cache.keySets[uri], time - entry.fetchedAt < RelyingParty.keySetLifetime, time >= entry.fetchedAt else { return nil }
            return (entry.keys, entry.fetchedAt)
        }
        if let cached { return cached }
        let failedRecently = state.withLock { cache in
            cache.keySetFailures[uri].map { time - $0 < RelyingParty.keySetRefetchInterval && time >= $0 } ?? false
        }
        guard !failedRecently else {
            throw OIDCError(.jwksFailed, "the provider's key set could not be fetched less than a minute ago")
        }
        // Several first sign-ins at once may each fetch: harmless, and none waits on another's request.
        state.withLock { $0.keySetAttempts[uri] = time }
        return (try fetchKeySet(uri, at: time), time)
    }

    /// A key set newer than the one fetched at `fetchedAt`: one another sign-in fetched meanwhile, or a
    /// new fetch; nil when neither (the last fetch of `uri` was less than a minute ago).
    private func refreshedKeySet(_ uri: String, newerThan fetchedAt: Int64) throws(OIDCError) -> JSONWebKeySet? {
        let time = now()
        enum Decision { case useNewer(JSONWebKeySet), tooSoon, fetch }
        let decision = state.withLock { cache -> Decision in
            if let entry = cache.keySets[uri], entry.fetchedAt > fetchedAt { return .useNewer(entry.keys) }
            // Reserve the fetch under the lock, so two sign-ins naming an unknown key cause one request.
            if let last = cache.keySetAttempts[uri], time - last < RelyingParty.keySetRefetchInterval, time >= last { return .tooSoon }
            cache.keySetAttempts[uri] = time
            return .fetch
        }
        switch decision {
        case .useNewer(let keys): return keys
        case .tooSoon: return nil
        case .fetch: return try fetchKeySet(uri, at: time)
        }
    }

    private func fetchKeySet(_ uri: String, at time: Int64) throws(OIDCError) -> JSONWebKeySet {
        do {
            let keys = try downloadKeySet(uri)
            state.withLock { cache in
                cache.keySets[uri] = (keys, time)
                cache.keySetFailures[uri] = nil
            }
            return keys
        } catch {
            state.withLock { $0.keySetFailures[uri] = time }
            throw error
        }
    }

    private func downloadKeySet(_ uri: String) throws(OIDCError) -> JSONWebKeySet {
        let response: OutboundResponse
        do {
            response = try transport.send(OutboundRequest(method: "GET", url: uri, headers: [("Accept", "application/json")]))
        } catch {
            throw OIDCError(.jwksFailed, "the provider's key set could not be fetched: \(error)")
        }
        guard response.status == 200 else {
            throw OIDCError(.jwksFailed, "the provider's key set answered HTTP \(response.status), not 200")
        }
        // RFC 7517 §8.5.1 registers application/jwk-set+json; providers serve either.
        let type = response.header("Content-Type")?.split(separator: ";").first.map { String($0).trimmingSpaces().lowercased() }
        guard type == "application/json" || type == "application/jwk-set+json" else {
            throw OIDCError(.jwksFailed, "the provider's key set is not served as JSON")
        }
        return try JSONWebKeySet(json: response.body)
    }

    // MARK: Sign-out

    /// The provider's end-session URL (RP-Initiated Logout 1.0 §2) with id_token_hint,
    /// post_logout_redirect_uri and client_id, or nil when the provider has no end_session_endpoint.
    public func endSessionURL(metadata: ProviderMetadata, idTokenHint: String, postLogoutRedirectURI: String, clientID: String) -> String? {
        guard let endpoint = metadata.endSessionEndpoint else { return nil }
        return URLText.appending([
            ("id_token_hint", idTokenHint),
            ("post_logout_redirect_uri", postLogoutRedirectURI),
            ("client_id", clientID),
        ], to: endpoint)
    }
}
