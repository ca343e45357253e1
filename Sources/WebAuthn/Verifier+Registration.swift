import Crypto

/// The relying-party side of the two WebAuthn ceremonies: WebAuthn Level 2 §7.1 (registering a new
/// credential) and §7.2 (verifying an authentication assertion). What needs server state stays with
/// the caller: issuing a fresh single-use challenge and expiring it, binding the ceremony to the
/// session, refusing an already registered credential ID, and finding the stored credential of an
/// assertion by its ID.
public enum WebAuthnVerifier {
    /// Verifies a registration response (§7.1) and returns the credential to store.
    ///
    /// - Parameters:
    ///   - expectedChallenge: the challenge issued in the creation options of this ceremony.
    ///   - requireUserVerification: whether the options asked for userVerification "required"
    ///     (§7.1 step 15); with "preferred" the flag is only reported.
    ///   - allowedAlgorithms: the algorithms offered in pubKeyCredParams (§7.1 step 16).
    public static func verifyRegistration(
        _ credential: RegistrationCredential, expectedChallenge: [UInt8], rp: RelyingParty,
        requireUserVerification: Bool, allowedAlgorithms: [COSEAlgorithm] = COSEAlgorithm.allCases
    ) throws(WebAuthnError) -> VerifiedRegistration {
        try checkCredentialIdentity(id: credential.id, rawId: credential.rawId, type: credential.type)
        // Steps 5–11: clientDataJSON, then its hash.
        let clientDataHash = try CollectedClientData.verify(credential.response.clientDataJSON, ceremony: .create,
                                                            challenge: expectedChallenge, rp: rp)
        // Step 12: the attestation object, CBOR with nothing after it.
        let attestation = try AttestationObject(bytes: credential.response.attestationObject)
        let authenticatorData = attestation.authenticatorData
        // Steps 13–15: rpIdHash, UP, UV.
        try checkAuthenticatorData(authenticatorData, rp: rp, requireUserVerification: requireUserVerification)
        guard let attested = authenticatorData.attestedCredential else { throw .missingAttestedCredentialData }
        // The credential the browser names must be the one the authenticator attests.
        guard attested.credentialID == credential.rawId else { throw .credentialIDMismatch }
        // Step 16: an algorithm that was offered.
        guard allowedAlgorithms.contains(attested.publicKey.algorithm) else {
            throw .algorithmNotAllowed(attested.publicKey.algorithm)
        }
        // Step 17 asks that extension outputs be "as expected". None are requested here, and Level 3
        // §7.1 notes that clients "MAY enact local policy" adding unsolicited ones (credProtect,
        // credProps) that relying parties must be prepared to ignore, so they are ignored.
        // Steps 18–19: the statement format and its verification procedure. Steps 20–21 (trust
        // anchors) do not apply: no attestation is required, so self and "none" attestation are accepted.
        try AttestationStatement.verify(attestation, clientDataHash: clientDataHash)
        return VerifiedRegistration(
            credentialID: attested.credentialID,
            publicKey: attested.publicKeyBytes,
            algorithm: attested.publicKey.algorithm,
            signCount: authenticatorData.signCount,
            userVerified: authenticatorData.flags.contains(.userVerified),
            backupEligible: authenticatorData.flags.contains(.backupEligible),
            backedUp: authenticatorData.flags.contains(.backedUp),
            aaguid: attested.aaguid,
            attestationFormat: attestation.format,
            transports: credential.response.transports ?? [])
    }

    /// The checks on the credential object itself: its type, and that `id` is `rawId` in base64url
    /// (§5.1: "the value of id is the base64url encoding of rawId"), within the 1023-byte limit.
    static func checkCredentialIdentity(id: String, rawId: [UInt8], type: String) throws(WebAuthnError) {
        guard type == "public-key" else { throw .wrongCredentialType(type) }
        guard rawId.count <= AuthenticatorData.maxCredentialIDLength else { throw .credentialIDTooLong(rawId.count) }
        guard id == Base64URL.encode(rawId) else { throw .credentialIDMismatch }
    }

    /// The authenticator data checks common to both ceremonies (§7.1 steps 13–15, §7.2 steps 15–17).
    /// The BE/BS consistency rule is already enforced when the structure is parsed.
    static func checkAuthenticatorData(_ data: AuthenticatorData, rp: RelyingParty, requireUserVerification: Bool) throws(WebAuthnError) {
        guard data.rpIDHash == Digest.sha256(Array(rp.id.utf8)) else { throw .rpIDHashMismatch }
        guard data.flags.contains(.userPresent) else { throw .userNotPresent }
        guard !requireUserVerification || data.flags.contains(.userVerified) else { throw .userNotVerified }
    }
}
