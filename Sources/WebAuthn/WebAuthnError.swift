/// Why a WebAuthn response was refused. Each relying-party check of WebAuthn Level 2 §7.1
/// (registration) and §7.2 (authentication) that can fail has its own case, so the caller can log it
/// and, for `signCountRegressed`, act on it (flag the credential as possibly cloned).
public enum WebAuthnError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input does not have the expected structure: bad JSON, bad base64url, bad CBOR, wrong
    /// lengths or types. The text says where.
    case malformed(String)
    /// `credential.type` is not "public-key".
    case wrongCredentialType(String)
    /// `credential.id` is not the base64url form of `rawId`, or `rawId` differs from the credential ID
    /// in the authenticator data.
    case credentialIDMismatch
    /// The credential ID is longer than the 1023 bytes WebAuthn allows (§5.1 `rawId`, §6.5.1).
    case credentialIDTooLong(Int)
    /// clientData.type is not "webauthn.create" (registration) or "webauthn.get" (authentication).
    case clientDataTypeMismatch(expected: String, received: String)
    /// clientData.challenge is not the challenge this ceremony issued.
    case challengeMismatch
    /// clientData.origin is not the console's origin.
    case originMismatch(expected: String, received: String)
    /// The ceremony ran in a cross-origin iframe (clientData.crossOrigin true), which the console never embeds.
    case crossOriginRefused
    /// clientData.tokenBinding says Token Binding was used, which this server does not support.
    case tokenBindingRefused
    /// authenticatorData.rpIdHash is not SHA-256 of the relying party ID.
    case rpIDHashMismatch
    /// The User Present flag is not set.
    case userNotPresent
    /// User verification was required but the User Verified flag is not set.
    case userNotVerified
    /// The Backup State flag is set without the Backup Eligibility flag (§6.1, "BS ... MUST be 0 if BE is 0").
    case backupStateWithoutEligibility
    /// A registration whose authenticator data has no attested credential data.
    case missingAttestedCredentialData
    /// The credential public key uses a COSE algorithm this verifier does not implement.
    case unsupportedAlgorithm(Int)
    /// The credential uses an algorithm the relying party did not offer in pubKeyCredParams.
    case algorithmNotAllowed(COSEAlgorithm)
    /// The COSE public key is not a valid key of its algorithm (wrong curve, point off the curve,
    /// RSA modulus below 2048 bits...).
    case invalidPublicKey(String)
    /// The attestation statement format is neither "none" nor "packed".
    case unsupportedAttestationFormat(String)
    /// The attestation statement does not meet its format's verification procedure (§8.2, §8.7).
    case attestationInvalid(String)
    /// A signature (assertion, or packed attestation) does not verify.
    case badSignature
    /// Both counters are not zero and the received one is not larger than the stored one
    /// (§7.2 step 21): the authenticator may have been cloned.
    case signCountRegressed(stored: UInt32, received: UInt32)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed response: \(reason)"
        case .wrongCredentialType(let type): "credential type is \"\(type)\", not \"public-key\""
        case .credentialIDMismatch: "credential id, rawId and the authenticator data's credential ID disagree"
        case .credentialIDTooLong(let count): "credential ID is \(count) bytes, more than 1023"
        case .clientDataTypeMismatch(let expected, let received): "client data type is \"\(received)\", expected \"\(expected)\""
        case .challengeMismatch: "challenge does not match the one issued"
        case .originMismatch(let expected, let received): "origin is \"\(received)\", expected \"\(expected)\""
        case .crossOriginRefused: "cross-origin ceremony refused"
        case .tokenBindingRefused: "token binding is not supported"
        case .rpIDHashMismatch: "rpIdHash does not match the relying party ID"
        case .userNotPresent: "user presence flag not set"
        case .userNotVerified: "user verification required but not performed"
        case .backupStateWithoutEligibility: "backup state flag set without backup eligibility"
        case .missingAttestedCredentialData: "no attested credential data in a registration"
        case .unsupportedAlgorithm(let value): "unsupported COSE algorithm \(value)"
        case .algorithmNotAllowed(let algorithm): "algorithm \(algorithm) was not offered"
        case .invalidPublicKey(let reason): "invalid credential public key: \(reason)"
        case .unsupportedAttestationFormat(let format): "unsupported attestation format \"\(format)\""
        case .attestationInvalid(let reason): "attestation statement invalid: \(reason)"
        case .badSignature: "signature does not verify"
        case .signCountRegressed(let stored, let received): "sign count did not grow (stored \(stored), received \(received)): possible cloned authenticator"
        }
    }
}
