/// Why the relying party refused or could not finish a step. `reason` is a stable snake_case word for
/// the audit log; `detail` says in plain words what was wrong, and never contains a token, a secret, an
/// authorization code or anything long the provider sent (values it quotes are short and checked).
public struct OIDCError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Reason: String, Sendable, CaseIterable {
        case discoveryFailed = "discovery_failed"
        case issuerMismatch = "issuer_mismatch"
        case metadataInvalid = "metadata_invalid"
        case jwksFailed = "jwks_failed"
        case tokenEndpointFailed = "token_endpoint_failed"
        case tokenResponseInvalid = "token_response_invalid"
        case malformedToken = "malformed_token"
        case algorithmNotAllowed = "algorithm_not_allowed"
        case unknownKey = "unknown_key"
        case keyTypeMismatch = "key_type_mismatch"
        case badSignature = "bad_signature"
        case issuerInvalid = "issuer_invalid"
        case tenantMismatch = "tenant_mismatch"
        case audienceInvalid = "audience_invalid"
        case authorizedPartyInvalid = "authorized_party_invalid"
        case expired = "expired"
        case issuedInFuture = "issued_in_future"
        case nonceMismatch = "nonce_mismatch"
        case subjectMissing = "subject_missing"
        case claimsInvalid = "claims_invalid"
    }

    public let reason: Reason
    public let detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}

/// A short, safe rendering of a value the provider chose (an algorithm name, a key ID, an error code)
/// for an error's detail: at most 64 characters from a plain set, anything else replaced, so a detail
/// can never carry a token or markup.
func quoted(_ value: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:+/=@ ")
    let cleaned = String(value.prefix(64).map { allowed.contains($0) ? $0 : "?" })
    return "\"\(cleaned)\"" + (value.count > 64 ? "…" : "")
}
