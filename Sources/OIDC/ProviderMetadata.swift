/// What the console knows of one client's identity provider: set by the administrator, the secret
/// already unsealed by the caller.
public struct ClientRegistration: Sendable {
    /// The issuer URL exactly as the provider names itself (its discovery document's `issuer`), or for
    /// Microsoft Entra multi-tenant metadata the authority (`…/organizations/v2.0`) with `tenantID` set.
    public var issuer: String
    public var clientID: String
    public var clientSecret: String
    /// `ORIGIN/login/sso/callback`, as registered at the provider.
    public var redirectURI: String
    /// Microsoft Entra's directory (tenant) ID, the GUID as Entra writes it (lowercase): every token
    /// must carry it as `tid`.
    public var tenantID: String?

    public init(issuer: String, clientID: String, clientSecret: String, redirectURI: String, tenantID: String? = nil) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.tenantID = tenantID
    }
}

/// A provider's discovery document (OpenID Connect Discovery 1.0 §3), checked.
public struct ProviderMetadata: Sendable, Equatable {
    /// As the document says (may be an Entra template with "{tenantid}").
    public let issuer: String
    public let authorizationEndpoint: String
    public let tokenEndpoint: String
    public let jwksURI: String
    public let userinfoEndpoint: String?
    public let endSessionEndpoint: String?
    /// `token_endpoint_auth_methods_supported`; `["client_secret_basic"]` when absent (RFC 8414 §2).
    public let tokenEndpointAuthMethods: [String]
    /// `code_challenge_methods_supported`; empty when absent (PKCE S256 is sent anyway).
    public let codeChallengeMethods: [String]

    /// The placeholder Microsoft Entra's multi-tenant metadata puts in its issuer.
    static let tenantPlaceholder = "{tenantid}"

    /// Parses and checks a discovery document fetched from `configuredIssuer + "/.well-known/openid-configuration"`:
    /// `issuer` must equal configuredIssuer exactly — except the Entra multi-tenant case: the document's issuer
    /// contains "{tenantid}" and a tenant is configured; endpoints must be https (http only for loopback hosts).
    public init(json: [UInt8], configuredIssuer: String, tenantID: String?) throws(OIDCError) {
        guard let document = JSONValue.parse(json)?.objectValue else {
            throw OIDCError(.metadataInvalid, "the discovery document is not a JSON object")
        }
        func text(_ name: String, required: Bool) throws(OIDCError) -> String? {
            guard let value = document[name], value != .null else {
                if required { throw OIDCError(.metadataInvalid, "the discovery document has no \(name)") }
                return nil
            }
            guard let string = value.stringValue, !string.isEmpty else {
                throw OIDCError(.metadataInvalid, "the discovery document's \(name) is not a non-empty string")
            }
            return string
        }
        func list(_ name: String) throws(OIDCError) -> [String]? {
            guard let value = document[name], value != .null else { return nil }
            guard case .array(let elements) = value else {
                throw OIDCError(.metadataInvalid, "the discovery document's \(name) is not an array")
            }
            var strings: [String] = []
            for element in elements {
                guard let string = element.stringValue else {
                    throw OIDCError(.metadataInvalid, "the discovery document's \(name) holds a value that is not a string")
                }
                strings.append(string)
            }
            return strings
        }

        guard let issuer = try text("issuer", required: true) else { throw OIDCError(.metadataInvalid, "no issuer") }
        if let tenantID, !ProviderMetadata.isTenantID(tenantID) {
            throw OIDCError(.issuerMismatch, "the configured tenant ID is not a directory (tenant) ID: use letters, digits, '-' and '.' only")
        }
        if issuer != configuredIssuer {
            // Entra's `common`/`organizations` metadata names a template; it is accepted only with a
            // configured tenant to fill it, and only on the configured issuer's own origin.
            guard issuer.contains(ProviderMetadata.tenantPlaceholder) else {
                throw OIDCError(.issuerMismatch, "the discovery document names the issuer \(quoted(issuer)), not the configured \(quoted(configuredIssuer))")
            }
            guard tenantID != nil else {
                throw OIDCError(.issuerMismatch, "the provider's issuer is a template with {tenantid} (Microsoft Entra multi-tenant): configure the tenant ID")
            }
            guard URLText.origin(of: issuer) == URLText.origin(of: configuredIssuer) else {
                throw OIDCError(.issuerMismatch, "the provider's issuer template is on another host than the configured issuer")
            }
        }
        if let problem = URLText.endpointProblem(issuer, allowQuery: false) {
            throw OIDCError(.metadataInvalid, "the issuer cannot be used: \(problem)")
        }

        func endpoint(_ name: String, required: Bool) throws(OIDCError) -> String? {
            guard let url = try text(name, required: required) else { return nil }
            if let problem = URLText.endpointProblem(url) {
                throw OIDCError(.metadataInvalid, "the discovery document's \(name) cannot be used: \(problem)")
            }
            return url
        }
        guard let authorization = try endpoint("authorization_endpoint", required: true),
              let token = try endpoint("token_endpoint", required: true),
              let jwks = try endpoint("jwks_uri", required: true) else {
            throw OIDCError(.metadataInvalid, "a required endpoint is missing")
        }
        let responseTypes = try list("response_types_supported")
        if let responseTypes, !responseTypes.contains("code") {
            throw OIDCError(.metadataInvalid, "the provider does not offer the authorization-code flow (response_types_supported lacks \"code\")")
        }
        let challengeMethods = try list("code_challenge_methods_supported") ?? []
        if !challengeMethods.isEmpty, !challengeMethods.contains("S256") {
            throw OIDCError(.metadataInvalid, "the provider lists PKCE methods without S256")
        }
        let authMethods = try list("token_endpoint_auth_methods_supported") ?? ["client_secret_basic"]
        guard authMethods.contains("client_secret_basic") || authMethods.contains("client_secret_post") else {
            throw OIDCError(.metadataInvalid, "the provider accepts neither client_secret_basic nor client_secret_post at its token endpoint")
        }

        self.issuer = issuer
        self.authorizationEndpoint = authorization
        self.tokenEndpoint = token
        self.jwksURI = jwks
        self.userinfoEndpoint = try endpoint("userinfo_endpoint", required: false)
        self.endSessionEndpoint = try endpoint("end_session_endpoint", required: false)
        self.tokenEndpointAuthMethods = authMethods
        self.codeChallengeMethods = challengeMethods
    }

    /// The `iss` a token must carry: `issuer`, with "{tenantid}" replaced by the configured tenant.
    public func expectedIssuer(tenantID: String?) -> String {
        guard let tenantID, isTenantTemplate else { return issuer }
        return issuer.replacingAll(ProviderMetadata.tenantPlaceholder, with: tenantID)
    }

    /// Whether the issuer is Entra's multi-tenant template.
    var isTenantTemplate: Bool { issuer.contains(ProviderMetadata.tenantPlaceholder) }

    /// A tenant ID fit to be put into an issuer URL: a GUID or a domain-like word.
    static func isTenantID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 128 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
    }
}

extension String {
    /// Every occurrence of `target` replaced (Foundation's `replacingOccurrences` without Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
