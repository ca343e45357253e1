/// A verified ID token: only `IDTokenVerifier` makes one, so holding one means every check of OpenID
/// Connect Core §3.1.3.7 (and this console's stricter ones) passed.
public struct IDToken: Sendable {
    /// The token itself, for `id_token_hint` at sign-out. Never log it.
    public let compact: String
    public let issuer: String
    public let subject: String
    public let audience: [String]
    public let authorizedParty: String?
    public let expiresAt: Int64
    public let issuedAt: Int64
    public let nonce: String
    public let email: String?
    /// `email_verified`: a JSON boolean, or the exact strings "true"/"false" (some providers, Amazon
    /// Cognito and ADFS among them, send strings); anything else refuses the token.
    public let emailVerified: Bool?
    public let name: String?
    public let givenName: String?
    public let familyName: String?
    /// Google Workspace's `hd`: the domain of the Workspace account.
    public let hostedDomain: String?
    /// Microsoft Entra's `tid` (directory) and `oid` (the user across the tenant's applications).
    public let tenantID: String?
    public let objectID: String?
    /// Entra's optional claim `xms_edov`, documented by Microsoft as a Boolean: only a JSON boolean is
    /// accepted (a string refuses the token rather than being guessed at).
    public let emailDomainOwnerVerified: Bool?
    /// `amr` (RFC 8176 values such as "mfa", "otp", "hwk").
    public let authenticationMethods: [String]
    /// Entra's `acrs`: the authentication contexts satisfied.
    public let authenticationContexts: [String]
}

/// Checks an ID token and returns its claims (OpenID Connect Core §3.1.3.7 with the rules).
public enum IDTokenVerifier {
    /// Allowed difference between the provider's clock and this one.
    public static let clockSkew: Int64 = 60
    /// Tokens larger than this are refused before anything is decoded (real ID tokens are 1–3 KiB).
    public static let maximumTokenBytes = 16 * 1024
    /// The longest `sub` accepted (Core §2: "MUST NOT exceed 255 ASCII characters").
    public static let maximumSubjectLength = 255

    /// OIDC Core §3.1.3.7 with the rules; `now` in Unix seconds; skew 60 s.
    ///
    /// Order: the compact form, the header (algorithm from the allow-list, no `crit`; `jku`, `x5u`,
    /// `jwk` and `x5c` ignored: keys come only from `keys`), the key the set gives for `kid` and `alg`,
    /// the signature, and only then the claims: `tid` (when a tenant is configured), `iss`, `aud`,
    /// `azp`, `exp`, `iat`/`nbf`, `nonce`, `sub`, the types of the other claims used.
    public static func verify(_ compact: String, keys: JSONWebKeySet, metadata: ProviderMetadata, registration: ClientRegistration,
                              nonce: String, now: Int64) throws(OIDCError) -> IDToken {
        let signed = try JWS(compact: compact)
        let key = try keys.key(id: signed.keyID, algorithm: signed.algorithm.rawValue)
        guard signed.isSigned(by: key) else {
            throw OIDCError(.badSignature, "the signature does not verify with the key \(key.id.map(quoted) ?? "without kid")")
        }
        guard let claims = JSONValue.parse(signed.payload)?.objectValue else {
            throw OIDCError(.malformedToken, "the token's claims are not a JSON object")
        }
        let reader = ClaimReader(claims: claims)

        // Tenant first: with Entra's template the expected issuer is built from the configured tenant,
        // so a token of another tenant would otherwise only read as a wrong issuer.
        let tenant = try reader.string("tid")
        if let configured = registration.tenantID {
            guard tenant == configured else {
                throw OIDCError(.tenantMismatch, tenant == nil ? "the token has no tid but a tenant is configured"
                                                               : "the token is from another tenant than the configured one")
            }
        } else if metadata.isTenantTemplate {
            throw OIDCError(.tenantMismatch, "the provider's issuer is a tenant template and no tenant is configured")
        }
        let expectedIssuer = metadata.expectedIssuer(tenantID: registration.tenantID)
        guard case .string(let issuer)? = claims["iss"], issuer == expectedIssuer else {
            throw OIDCError(.issuerInvalid, "the token's iss is not \(quoted(expectedIssuer))")
        }

        let audience: [String]
        switch claims["aud"] {
        case .string(let single)?:
            audience = [single]
        case .array(let values)? where !values.isEmpty && values.allSatisfy({ $0.stringValue != nil }):
            audience = values.compactMap(\.stringValue)
        default:
            throw OIDCError(.audienceInvalid, "the token's aud is not a string or a non-empty array of strings")
        }
        guard audience.contains(registration.clientID) else {
            throw OIDCError(.audienceInvalid, "the token is not meant for this console (aud lacks the client ID)")
        }
        let authorizedParty: String?
        switch claims["azp"] {
        case nil:
            // Core: with several audiences azp SHOULD be present; here it must, so a token obtained by
            // another party that also lists this client cannot be replayed here.
            guard audience.count == 1 else {
                throw OIDCError(.authorizedPartyInvalid, "the token has several audiences and no azp")
            }
            authorizedParty = nil
        case .string(let party)?:
            guard party == registration.clientID else {
                throw OIDCError(.authorizedPartyInvalid, "the token's azp is another client")
            }
            authorizedParty = party
        default:
            throw OIDCError(.authorizedPartyInvalid, "the token's azp is not a string")
        }

        let expiresAt = try reader.requiredTime("exp")
        guard expiresAt > now - clockSkew else {
            throw OIDCError(.expired, "the token expired \(now - expiresAt) seconds ago")
        }
        let issuedAt = try reader.requiredTime("iat")
        guard issuedAt <= now + clockSkew else {
            throw OIDCError(.issuedInFuture, "the token was issued \(issuedAt - now) seconds in the future")
        }
        if let notBefore = try reader.optionalTime("nbf"), notBefore > now + clockSkew {
            throw OIDCError(.issuedInFuture, "the token is not valid before \(notBefore - now) seconds from now")
        }

        guard case .string(let tokenNonce)? = claims["nonce"] else {
            throw OIDCError(.nonceMismatch, "the token has no nonce")
        }
        guard !nonce.isEmpty, constantTimeEqualsText(tokenNonce, nonce) else {
            throw OIDCError(.nonceMismatch, "the token's nonce is not the one this sign-in sent")
        }

        guard case .string(let subject)? = claims["sub"], !subject.isEmpty, subject.utf8.count <= maximumSubjectLength else {
            throw OIDCError(.subjectMissing, "the token's sub is missing, empty, not a string or longer than \(maximumSubjectLength) bytes")
        }

        return IDToken(
            compact: compact, issuer: issuer, subject: subject, audience: audience, authorizedParty: authorizedParty,
            expiresAt: expiresAt, issuedAt: issuedAt, nonce: tokenNonce,
            email: try reader.string("email"), emailVerified: try reader.lenientBool("email_verified"),
            name: try reader.string("name"), givenName: try reader.string("given_name"), familyName: try reader.string("family_name"),
            hostedDomain: try reader.string("hd"), tenantID: tenant, objectID: try reader.string("oid"),
            emailDomainOwnerVerified: try reader.bool("xms_edov"),
            authenticationMethods: try reader.strings("amr"), authenticationContexts: try reader.strings("acrs"))
    }
}

/// Typed access to claims: a claim of the wrong type refuses the token (claimsInvalid) instead of
/// reading as absent, so a provider's odd shape is seen in the audit log rather than silently changing
/// who is linked.
struct ClaimReader {
    let claims: [String: JSONValue]

    func string(_ name: String) throws(OIDCError) -> String? {
        switch claims[name] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw OIDCError(.claimsInvalid, "the claim \(name) is not a string")
        }
    }

    func bool(_ name: String) throws(OIDCError) -> Bool? {
        switch claims[name] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw OIDCError(.claimsInvalid, "the claim \(name) is not a boolean")
        }
    }

    /// A boolean, or exactly the strings "true" and "false" (see `IDToken.emailVerified`).
    func lenientBool(_ name: String) throws(OIDCError) -> Bool? {
        switch claims[name] {
        case .string("true")?: return true
        case .string("false")?: return false
        default: return try bool(name)
        }
    }

    func strings(_ name: String) throws(OIDCError) -> [String] {
        switch claims[name] {
        case nil, .null?: return []
        case .array(let values)? where values.allSatisfy({ $0.stringValue != nil }): return values.compactMap(\.stringValue)
        default: throw OIDCError(.claimsInvalid, "the claim \(name) is not an array of strings")
        }
    }

    /// A NumericDate (RFC 7519 §2) written as an integer. Fractions are allowed by the RFC but sent by
    /// no provider the console supports; refusing them keeps one spelling per instant and no rounding.
    func optionalTime(_ name: String) throws(OIDCError) -> Int64? {
        switch claims[name] {
        case nil: return nil
        case .integer(let value)? where value >= 0: return value
        default: throw OIDCError(.claimsInvalid, "the claim \(name) is not a non-negative integer")
        }
    }

    func requiredTime(_ name: String) throws(OIDCError) -> Int64 {
        guard let value = try optionalTime(name) else { throw OIDCError(.claimsInvalid, "the token has no \(name)") }
        return value
    }
}
