import Crypto
import Store

/// What a secret shown once is, while it waits in the session that made it.
enum PendingPurpose: String, Sendable, SQLBindable {
    /// The secret of an authenticator set-up not yet confirmed with a code.
    case authenticator = "totp"
    /// A new set of recovery codes not yet dismissed with "I've Saved These".
    case recoveryCodes = "recovery_codes"
}

/// A pending secret as its session reads it back: the same bytes on every reload until it ends.
struct PendingSecret: Sendable, Equatable {
    /// The row's id, never reused: a set-up page carries it so its code confirms only what it showed.
    let id: Int64
    let plaintext: [UInt8]
    /// Recovery codes made when two-factor authentication was just turned on (not regenerated).
    let afterEnable: Bool
}

/// Secrets shown once follow post/redirect/get (SPEC §3): the POST makes the secret and keeps it here,
/// sealed and bound to the session, and the GET page that follows shows it from here for as long as it
/// is pending. "I've Saved These", Cancel, sign-out (the row goes with its session) and 10 minutes end
/// it; nothing reads it after that. Recovery-code sign-in checks only the keyed hashes in
/// `recovery_codes`: the copy here is for display.
extension Portal {
    /// How long a secret shown once stays pending: an unconfirmed set-up, or codes not yet dismissed.
    static let pendingSecretLifetime: Int64 = 10 * 60

    /// Keeps a secret pending for `sessionID`, replacing the owner's earlier one of the same purpose (in
    /// any session: only the newest set-up can be confirmed, only the newest codes work). Returns its id.
    @discardableResult
    func storePendingSecret(_ db: Database, _ purpose: PendingPurpose, owner: KeyOwner, sessionID: Int64, _ plaintext: [UInt8],
                            afterEnable: Bool = false, at time: Int64) throws -> Int64 {
        try db.run("DELETE FROM pending_secrets WHERE expires_at <= \(time)")
        try db.run("DELETE FROM pending_secrets WHERE purpose = \(purpose) AND \(identifier: owner.column) = \(owner.id)")
        let sealed = try AESGCM.seal(plaintext, key: secretKey.pendingSecretsKey,
                                     associatedData: Self.pendingAssociatedData(purpose, owner: owner, sessionID: sessionID))
        try db.run("""
            INSERT INTO pending_secrets (purpose, session_id, \(identifier: owner.column), secret_sealed, after_enable, created_at, expires_at)
            VALUES (\(purpose), \(sessionID), \(owner.id), \(sealed), \(afterEnable), \(time), \(time + Self.pendingSecretLifetime))
            """)
        return db.lastInsertRowID
    }

    /// The secret pending in this session, or nil: none was made here, it was dismissed or replaced,
    /// or it ran out. A sealed value that does not open under this session's associated data (moved to
    /// another row) counts as none.
    func pendingSecret(_ db: Database, _ purpose: PendingPurpose, owner: KeyOwner, sessionID: Int64, at time: Int64) throws -> PendingSecret? {
        guard let row = try db.queryOne("""
            SELECT id, secret_sealed, after_enable FROM pending_secrets
            WHERE purpose = \(purpose) AND \(identifier: owner.column) = \(owner.id) AND session_id = \(sessionID) AND expires_at > \(time)
            """) else { return nil }
        guard let plaintext = try? AESGCM.open(try row.decode("secret_sealed"), key: secretKey.pendingSecretsKey,
                                               associatedData: Self.pendingAssociatedData(purpose, owner: owner, sessionID: sessionID))
        else { return nil }
        return PendingSecret(id: try row.decode("id"), plaintext: plaintext, afterEnable: try row.decode("after_enable", as: Int.self) == 1)
    }

    /// Whether the owner has a secret of this purpose pending in some session (a set-up restarted elsewhere).
    func pendingSecretExists(_ db: Database, _ purpose: PendingPurpose, owner: KeyOwner, at time: Int64) throws -> Bool {
        // An aggregate always returns its one row.
        let count: Int = try db.queryOne("""
            SELECT count(*) AS n FROM pending_secrets WHERE purpose = \(purpose) AND \(identifier: owner.column) = \(owner.id) AND expires_at > \(time)
            """).map { try $0.decode("n") } ?? 0
        return count > 0
    }

    /// Ends what is pending in this session ("I've Saved These", Cancel): no page shows it again.
    func dismissPendingSecret(_ purpose: PendingPurpose, owner: KeyOwner, sessionID: Int64) throws {
        let time = now
        try pool.write { db in
            try db.run("DELETE FROM pending_secrets WHERE purpose = \(purpose) AND \(identifier: owner.column) = \(owner.id) AND session_id = \(sessionID)")
            try db.run("DELETE FROM pending_secrets WHERE expires_at <= \(time)")
        }
    }

    /// Ends every pending secret of the owner (the authenticator was turned off or reset).
    func dropPendingSecrets(_ db: Database, owner: KeyOwner) throws {
        try db.run("DELETE FROM pending_secrets WHERE \(identifier: owner.column) = \(owner.id)")
    }

    /// Names the purpose, the session and the owner, so a sealed value opens for nothing else.
    static func pendingAssociatedData(_ purpose: PendingPurpose, owner: KeyOwner, sessionID: Int64) -> [UInt8] {
        let who: String
        switch owner {
        case .customer(let id): who = "customer:\(id)"
        case .staff(let id): who = "staff:\(id)"
        }
        return Array("pending:\(purpose.rawValue):session:\(sessionID):\(who)".utf8)
    }

    // MARK: Recovery codes on display

    /// The recovery codes pending in this session, and whether two-factor authentication was just turned on.
    func pendingRecoveryCodes(customerID: Int64, sessionID: Int64) throws -> (codes: [String], afterEnable: Bool)? {
        let time = now
        guard let pending = try pool.withConnection({ db in
            try pendingSecret(db, .recoveryCodes, owner: .customer(customerID), sessionID: sessionID, at: time)
        }) else { return nil }
        let codes = String(decoding: pending.plaintext, as: UTF8.self).split(separator: "\n").map(String.init)
        return (codes, pending.afterEnable)
    }

    /// Keeps a new set of codes on display for the session that made it.
    func storePendingRecoveryCodes(_ db: Database, _ codes: [String], customerID: Int64, sessionID: Int64, afterEnable: Bool,
                                   at time: Int64) throws {
        try storePendingSecret(db, .recoveryCodes, owner: .customer(customerID), sessionID: sessionID,
                               Array(codes.joined(separator: "\n").utf8), afterEnable: afterEnable, at: time)
    }
}
