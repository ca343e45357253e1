extension WebAuthnVerifier {
    /// Verifies an authentication assertion (§7.2) against the stored credential the caller found by
    /// `credential.rawId`, and returns the counter to store.
    ///
    /// - Parameters:
    ///   - publicKey: the COSE_Key bytes stored at registration (`VerifiedRegistration.publicKey`).
    ///   - storedSignCount: the counter stored with the credential.
    ///   - requireUserVerification: whether the request options asked for userVerification "required".
    /// - Throws: `.signCountRegressed` only after everything else, the signature included, has
    ///   verified, so the caller may record it as a genuine cloning signal and refuse the sign-in.
    public static func verifyAuthentication(
        _ credential: AuthenticationCredential, expectedChallenge: [UInt8], rp: RelyingParty,
        publicKey: [UInt8], storedSignCount: UInt32, requireUserVerification: Bool
    ) throws(WebAuthnError) -> VerifiedAuthentication {
        try checkCredentialIdentity(id: credential.id, rawId: credential.rawId, type: credential.type)
        let key = try COSEKey(bytes: publicKey)
        // Steps 9–15: clientDataJSON, then its hash.
        let clientDataHash = try CollectedClientData.verify(credential.response.clientDataJSON, ceremony: .get,
                                                            challenge: expectedChallenge, rp: rp)
        let authenticatorData = try AuthenticatorData(bytes: credential.response.authenticatorData)
        // §6.3.3 step 9: assertion authenticator data is built "excluding attestedCredentialData".
        guard authenticatorData.attestedCredential == nil else {
            throw .malformed("assertion authenticator data carries attested credential data")
        }
        // Steps 15–17: rpIdHash, UP, UV.
        try checkAuthenticatorData(authenticatorData, rp: rp, requireUserVerification: requireUserVerification)
        // Steps 19–20: the signature over authenticatorData || SHA-256(clientDataJSON).
        guard key.verify(signature: credential.response.signature, message: authenticatorData.bytes + clientDataHash) else {
            throw .badSignature
        }
        // Step 21: "If either authData.signCount or storedSignCount is nonzero, and authData.signCount is
        // less than or equal to storedSignCount", the authenticator may be cloned. Two zeros mean an
        // authenticator that keeps no counter (common for synced passkeys), which is fine.
        let received = authenticatorData.signCount
        if received != 0 || storedSignCount != 0, received <= storedSignCount {
            throw .signCountRegressed(stored: storedSignCount, received: received)
        }
        return VerifiedAuthentication(
            credentialID: credential.rawId,
            signCount: received,
            userVerified: authenticatorData.flags.contains(.userVerified),
            backupEligible: authenticatorData.flags.contains(.backupEligible),
            backedUp: authenticatorData.flags.contains(.backedUp),
            userHandle: credential.response.userHandle)
    }
}
