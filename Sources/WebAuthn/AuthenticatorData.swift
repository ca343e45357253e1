/// Authenticator data (WebAuthn §6.1): what the authenticator signs, bound to the relying party.
///
///     rpIdHash (32) | flags (1) | signCount (4, big-endian) | attestedCredentialData (if AT) | extensions (if ED)
public struct AuthenticatorData: Sendable {
    /// The flags byte (§6.1, table "flags").
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let userPresent = Flags(rawValue: 0x01)
        public static let userVerified = Flags(rawValue: 0x04)
        public static let backupEligible = Flags(rawValue: 0x08)
        public static let backedUp = Flags(rawValue: 0x10)
        public static let attestedCredentialData = Flags(rawValue: 0x40)
        public static let extensionData = Flags(rawValue: 0x80)
    }

    /// The whole structure as received: signatures cover these exact bytes.
    public let bytes: [UInt8]
    public let rpIDHash: [UInt8]
    public let flags: Flags
    public let signCount: UInt32
    /// Present exactly when the AT flag is set (registrations).
    public let attestedCredential: AttestedCredentialData?
    /// The authenticator extension outputs, a CBOR map, present exactly when the ED flag is set.
    public let extensions: CBOR?

    /// The shortest authenticator data: hash, flags and counter.
    static let headerLength = 37

    /// The longest credential ID WebAuthn allows (§5.1 `rawId`, §6.5.1 credentialIdLength).
    public static let maxCredentialIDLength = 1023

    /// Parses and checks the structure. Every byte must be accounted for by the flags: AT announces
    /// attested credential data, ED an extensions map, and nothing may follow them.
    public init(bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count >= AuthenticatorData.headerLength else {
            throw .malformed("authenticator data is \(bytes.count) bytes, shorter than 37")
        }
        self.bytes = bytes
        rpIDHash = Array(bytes[0..<32])
        flags = Flags(rawValue: bytes[32])
        signCount = bytes[33..<37].reduce(0) { $0 << 8 | UInt32($1) }

        // §6.1: "BS ... MUST be 0 if BE is 0": a credential that cannot be backed up is not backed up.
        guard flags.contains(.backupEligible) || !flags.contains(.backedUp) else { throw .backupStateWithoutEligibility }

        var offset = AuthenticatorData.headerLength
        if flags.contains(.attestedCredentialData) {
            let (credential, length) = try AttestedCredentialData.parse(Array(bytes[offset...]))
            attestedCredential = credential
            offset += length
        } else {
            attestedCredential = nil
        }

        if flags.contains(.extensionData) {
            let rest = Array(bytes[offset...])
            guard !rest.isEmpty else { throw .malformed("ED flag set but no extensions follow") }
            let extensions: CBOR
            do {
                extensions = try CBOR.decode(rest)
            } catch {
                throw .malformed("authenticator extensions: \(error)")
            }
            guard extensions.mapEntries != nil else { throw .malformed("authenticator extensions are not a CBOR map") }
            self.extensions = extensions
        } else {
            guard offset == bytes.count else {
                // Without AT this is credential data (or anything else) without its flag.
                throw .malformed("\(bytes.count - offset) unexpected bytes after the authenticator data")
            }
            extensions = nil
        }
    }
}

/// Attested credential data (WebAuthn §6.5.1): the new credential's ID and public key.
///
///     aaguid (16) | credentialIdLength (2, big-endian) | credentialId | credentialPublicKey (COSE_Key, CBOR)
public struct AttestedCredentialData: Sendable {
    public let aaguid: [UInt8]
    public let credentialID: [UInt8]
    /// The COSE_Key bytes exactly as the authenticator encoded them, which is what the caller stores.
    public let publicKeyBytes: [UInt8]
    public let publicKey: COSEKey

    /// Reads one attested credential data structure from the start of `bytes`, returning it and its
    /// length; the CBOR key's length is known only by decoding it.
    static func parse(_ bytes: [UInt8]) throws(WebAuthnError) -> (AttestedCredentialData, Int) {
        guard bytes.count >= 18 else { throw .malformed("AT flag set but attested credential data is truncated") }
        let aaguid = Array(bytes[0..<16])
        let idLength = Int(bytes[16]) << 8 | Int(bytes[17])
        guard idLength <= AuthenticatorData.maxCredentialIDLength else { throw .credentialIDTooLong(idLength) }
        guard bytes.count >= 18 + idLength else { throw .malformed("credential ID of \(idLength) bytes is truncated") }
        let credentialID = Array(bytes[18..<(18 + idLength)])
        let keyStart = 18 + idLength
        let rest = Array(bytes[keyStart...])
        let keyLength: Int
        let item: CBOR
        do {
            (item, keyLength) = try CBOR.decodePrefix(rest, limits: .canonical)
        } catch {
            throw .malformed("credential public key: \(error)")
        }
        let publicKey = try COSEKey(item: item)
        let credential = AttestedCredentialData(aaguid: aaguid, credentialID: credentialID,
                                                publicKeyBytes: Array(rest[0..<keyLength]), publicKey: publicKey)
        return (credential, keyStart + keyLength)
    }
}
