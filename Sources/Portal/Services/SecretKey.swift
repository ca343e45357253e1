import Crypto
import Foundation
import Store

/// The key file's key and the keys derived from it, one per purpose. The key file lives beside the
/// database (mode 0600, made on first run), not in it: a copy of the database alone reveals no secret.
/// The database keeps a sealed check value, so a lost or swapped key file is reported at start instead
/// of surfacing later as codes that never match.
///
/// The key file's key itself encrypts and keys nothing: each purpose gets its own key from HKDF-SHA-256
/// (RFC 5869) with the salt `saltLabel` and the info `clientone/PURPOSE`, so an AES-GCM key is never
/// also an HMAC key, and a weakness in one use cannot reach another. Databases written before this
/// (which used the key directly for AES-GCM and as the HMAC key of the sub-key derivation) are
/// upgraded by `KeySeparation` the first time the key is opened.
struct SecretKey: Sendable {
    /// What a derived key is for; the raw value is the HKDF label, so never rename one.
    enum Purpose: String, CaseIterable, Sendable {
        /// AES-256-GCM over the check value in `settings`.
        case keyCheck = "key-check"
        /// AES-256-GCM over authenticator-app secrets, customers' and staff's.
        case totpSecrets = "totp-secrets"
        /// AES-256-GCM over outbox bodies.
        case outbox = "outbox"
        /// HMAC-SHA-256 over recovery codes (key version 2, see `RecoveryCodes`).
        case recoveryCodes = "recovery-codes"
        /// AES-256-GCM over secrets shown once while they wait in their session (`pending_secrets`).
        case pendingSecrets = "pending-secrets"
        /// AES-256-GCM over single sign-on's server-side state: an attempt's nonce and PKCE verifier, and
        /// a session's way out at its provider (which carries the ID token).
        case singleSignOn = "single-sign-on"
        /// AES-256-GCM over the client secrets the console holds at identity providers.
        case identityProviderSecrets = "identity-provider-secrets"
        /// HMAC-SHA-256 over the one-time codes of "Verify the caller" (`caller_verifications`).
        case callerVerification = "caller-verification"

        var label: [UInt8] { Array("clientone/\(rawValue)".utf8) }
    }

    static let saltLabel = Array("clientone key separation v1".utf8)

    /// The key file's bytes: only ever an input to derivation.
    private let master: [UInt8]
    let checkKey: [UInt8]
    let totpKey: [UInt8]
    let outboxKey: [UInt8]
    let recoveryCodeKey: [UInt8]
    let pendingSecretsKey: [UInt8]
    let singleSignOnKey: [UInt8]
    let identityProviderKey: [UInt8]
    let callerVerificationKey: [UInt8]
    /// The recovery-code key of databases from before key separation, HMAC(key file's key,
    /// "clientone:recovery-codes"): codes issued then can only be checked under it (their hashes cannot
    /// be recomputed without the codes), until the account regenerates its codes.
    let legacyRecoveryCodeKey: [UInt8]

    init(master: [UInt8]) {
        self.master = master
        checkKey = Self.derive(master, .keyCheck)
        totpKey = Self.derive(master, .totpSecrets)
        outboxKey = Self.derive(master, .outbox)
        recoveryCodeKey = Self.derive(master, .recoveryCodes)
        pendingSecretsKey = Self.derive(master, .pendingSecrets)
        singleSignOnKey = Self.derive(master, .singleSignOn)
        identityProviderKey = Self.derive(master, .identityProviderSecrets)
        callerVerificationKey = Self.derive(master, .callerVerification)
        legacyRecoveryCodeKey = Self.legacyDerived(master, "recovery-codes")
    }

    static func derive(_ master: [UInt8], _ purpose: Purpose) -> [UInt8] {
        HKDF.derive(.sha256, key: master, salt: saltLabel, info: purpose.label, count: AESGCM.keyByteCount)
    }

    /// The sub-key derivation before key separation (the key file's key as an HMAC key), kept only to
    /// read what was written then.
    static func legacyDerived(_ master: [UInt8], _ purpose: String) -> [UInt8] {
        HMAC.code(.sha256, key: master, message: Array(("clientone:" + purpose).utf8))
    }

    static let checkPlaintext = Array("clientone key check v1".utf8)
    static let checkAssociatedData = Array("key_check".utf8)

    /// The default place: `<database>.key`.
    static func defaultPath(forDatabase path: String) -> String { path + ".key" }

    /// Loads the key (creating it for a database that has never had one), checks it against the
    /// database, and finishes the key-separation upgrade when migration 0007 left it pending.
    static func open(path: String, _ db: Database) throws -> SecretKey {
        let existing: [UInt8]? = try db.queryOne("SELECT value FROM settings WHERE key = 'key_check'").map { try $0.decode("value") }
        let bytes: [UInt8]
        do {
            bytes = try KeyFile.loadOrCreate(at: path, create: existing == nil)
        } catch {
            if existing != nil, !FileManager.default.fileExists(atPath: path) {
                throw SecretKeyError.missing(path)
            }
            throw SecretKeyError.unusable(path, "\(error)")
        }
        let key = SecretKey(master: bytes)
        // Read again under the write lock: another process may have created the check or finished the
        // upgrade since.
        try db.write { db in
            let pending = try db.queryOne("SELECT 1 AS one FROM settings WHERE key = \(KeySeparation.pendingSetting)") != nil
            if let check: [UInt8] = try db.queryOne("SELECT value FROM settings WHERE key = 'key_check'").map({ try $0.decode("value") }) {
                // Before the upgrade the check value is sealed under the key file's key itself.
                let checkKey = pending ? bytes : key.checkKey
                guard (try? AESGCM.open(check, key: checkKey, associatedData: checkAssociatedData)) == checkPlaintext else {
                    throw SecretKeyError.mismatch(path)
                }
                if pending { try KeySeparation.upgrade(db, master: bytes, to: key) }
            } else {
                let check = try AESGCM.seal(checkPlaintext, key: key.checkKey, associatedData: checkAssociatedData)
                try db.run("INSERT INTO settings (key, value) VALUES ('key_check', \(check))")
                try db.run("DELETE FROM settings WHERE key = \(KeySeparation.pendingSetting)")
            }
        }
        return key
    }
}

/// Why the key file cannot be used; each says what to do.
public enum SecretKeyError: Error, CustomStringConvertible {
    case missing(String)
    case mismatch(String)
    case unusable(String, String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "the key file \(path) is missing, but this database has secrets encrypted with it: restore the file from your backup (authenticator-app secrets cannot be read without it), or pass --key-file with its location"
        case .mismatch(let path):
            return "the key file \(path) does not belong to this database: restore the right file from your backup, or pass --key-file with its location"
        case .unusable(let path, let reason):
            return "cannot use the key file \(path): \(reason)"
        }
    }
}
