/// The relying party: the console as WebAuthn sees it.
public struct RelyingParty: Sendable, Equatable {
    /// The RP ID (WebAuthn §5.4.2): a registrable domain suffix of the origin's host, e.g. "localhost".
    public let id: String
    /// A human-palatable name shown by some authenticators.
    public let name: String
    /// The exact origin the browser reports in clientData, e.g. "http://localhost:8080".
    public let origin: String

    public init(id: String, name: String, origin: String) {
        self.id = id
        self.name = name
        self.origin = origin
    }
}

/// The COSE signature algorithms this verifier implements (IANA COSE Algorithms registry).
public enum COSEAlgorithm: Int, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// ECDSA with SHA-256 on P-256.
    case es256 = -7
    /// EdDSA; WebAuthn uses it with Ed25519 only.
    case edDSA = -8
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = -257

    public var description: String {
        switch self {
        case .es256: "ES256"
        case .edDSA: "EdDSA"
        case .rs256: "RS256"
        }
    }
}

/// The user account a credential is created for (WebAuthn §5.4.3).
public struct UserEntity: Sendable, Equatable {
    /// The user handle: an opaque identifier of at most 64 bytes that must not reveal personal
    /// information (§14.6.1), since authenticators may show or store it.
    public let id: [UInt8]
    public let name: String
    public let displayName: String

    public init(id: [UInt8], name: String, displayName: String) {
        self.id = id
        self.name = name
        self.displayName = displayName
    }
}

/// A credential named in excludeCredentials or allowCredentials (WebAuthn §5.8.3).
public struct CredentialDescriptor: Sendable, Equatable {
    public let id: [UInt8]
    /// Transport hints as the browser reported them at registration ("usb", "nfc", "ble", "internal", "hybrid").
    public let transports: [String]

    public init(id: [UInt8], transports: [String] = []) {
        self.id = id
        self.transports = transports
    }
}

/// What a successful registration yields; the caller stores the credential from it.
public struct VerifiedRegistration: Sendable, Equatable {
    /// The credential ID; the caller must check it is not already registered (§7.1 step 22).
    public let credentialID: [UInt8]
    /// The credential public key as its COSE_Key bytes, to store and pass back to `verifyAuthentication`.
    public let publicKey: [UInt8]
    public let algorithm: COSEAlgorithm
    public let signCount: UInt32
    public let userVerified: Bool
    public let backupEligible: Bool
    public let backedUp: Bool
    /// The authenticator model's AAGUID, 16 bytes (all zero with "none" attestation from many platforms).
    public let aaguid: [UInt8]
    /// "none" or "packed".
    public let attestationFormat: String
    /// The transports the browser reported, to put in later allowCredentials.
    public let transports: [String]
}

/// What a successful authentication yields.
public struct VerifiedAuthentication: Sendable, Equatable {
    public let credentialID: [UInt8]
    /// The new counter, to store in place of the old one.
    public let signCount: UInt32
    public let userVerified: Bool
    public let backupEligible: Bool
    public let backedUp: Bool
    /// The user handle the authenticator returned, if any; when present the caller must check it
    /// belongs to the credential's owner (§7.2 step 6).
    public let userHandle: [UInt8]?
}
