import Crypto
import Store

/// A signed-in browser. Only the SHA-256 of its token is stored; the token itself is in the cookie.
public struct Session: Sendable, Equatable {
    public enum Kind: String, Sendable { case customer, staff }

    public var id: Int64
    public var kind: Kind
    public var customerUserID: Int64?
    public var staffID: Int64?
    public var stage: SessionStage
    public var createdAt: Int64
    public var lastSeenAt: Int64
    public var expiresAt: Int64
    public var authenticatedAt: Int64
    public var tokenHash: [UInt8]
    public var flash: String?
    /// Set on a customer session an administrator opened: the staff member viewing the account.
    public var impersonatorStaffID: Int64?
    public var staffSessionID: Int64?
    /// How the session's first factor was proven.
    public var method: SignInMethod

    /// What ``init(row:)`` reads: a lookup that runs on every request fetches these and not the rest
    /// (the address and User-Agent, kept for the sessions list, are the longest values of the row).
    static let columns: SQL = """
        id, kind, customer_user_id, staff_id, stage, created_at, last_seen_at, expires_at, authenticated_at, token_hash, flash, \
        impersonator_staff_id, staff_session_id, method
        """

    /// Every request runs it, so its text is built once.
    static let lookUp = SQLTemplate { (tokenHash: SQLParameter<[UInt8]>) in
        "SELECT \(columns) FROM sessions WHERE token_hash = \(tokenHash)"
    }

    /// Throws when the row lacks a column or holds a kind, stage or method this version does not know.
    init(row: Row) throws {
        id = try row.decode("id")
        kind = try row.decode("kind")
        customerUserID = try row.decode("customer_user_id")
        staffID = try row.decode("staff_id")
        stage = try row.decode("stage")
        createdAt = try row.decode("created_at")
        lastSeenAt = try row.decode("last_seen_at")
        expiresAt = try row.decode("expires_at")
        authenticatedAt = try row.decode("authenticated_at")
        tokenHash = try row.decode("token_hash")
        flash = try row.decode("flash")
        impersonatorStaffID = try row.decode("impersonator_staff_id")
        staffSessionID = try row.decode("staff_session_id")
        method = try row.decode("method")
    }
}

extension Session.Kind: SQLBindable, SQLDecodable {}
extension SessionStage: SQLBindable, SQLDecodable {}
extension SignInMethod: SQLBindable, SQLDecodable {}

/// How a session's first factor was proven. A client's policy can allow some and not others: an
/// SSO-only client's users may not be signed in by a password or a passkey.
public enum SignInMethod: String, Sendable {
    case password
    case passkey
    /// An administrator's "View as customer".
    case administrator
    /// The company's identity provider (OpenID Connect).
    case singleSignOn = "sso"
    /// The identity provider, which showed multi-factor authentication the client trusts (`amr`/`acrs`):
    /// the client's MFA requirement is met without the console's own second factor.
    case singleSignOnWithMFA = "sso_mfa"
}

/// How far a session has come through sign-in.
public enum SessionStage: String, Sendable {
    /// Fully signed in.
    case active
    /// The password was right; the second factor is still due. Opens nothing but the MFA step.
    case secondFactor = "mfa"
    /// The client requires a second factor and the customer has none yet: only its set-up is open.
    case enrolment = "enroll"
}

/// What a session cookie led to.
enum SessionLookup: Sendable, Equatable {
    case active(Session)
    /// The session existed but ran out (idle or absolute); it has been deleted.
    case expired(idle: Bool)
    /// No cookie, or a token that matches no session.
    case none
}

/// Session tokens: 256 bits from OpenSSL's CSPRNG, base64url in the cookie, SHA-256 in the database.
enum SessionToken {
    static func generate() -> String { Base64URL.encode(SecureRandom.bytes(count: 32)) }

    /// The stored form of a token, or nil when the string cannot be a token we issued.
    static func hash(_ token: String) -> [UInt8]? {
        guard token.utf8.count == 43, let raw = Base64URL.decode(token), raw.count == 32 else { return nil }
        return Digest.sha256(raw)
    }
}

extension Portal {
    /// Starts a session after a successful sign-in step: always a new token (no fixation). A session
    /// waiting for its second factor lives 10 minutes at most.
    func createSession(_ db: Database, kind: Session.Kind, userID: Int64, ip: String, userAgent: String,
                       stage: SessionStage = .active, method: SignInMethod) throws -> String {
        let token = SessionToken.generate()
        guard let hash = SessionToken.hash(token) else { preconditionFailure("a generated token always hashes") }
        let time = now
        let customerUserID = kind == .customer ? userID : nil, staffID = kind == .staff ? userID : nil
        let expiresAt = time + (stage == .secondFactor ? 600 : configuration.absoluteTimeout)
        try db.run("""
            INSERT INTO sessions (token_hash, kind, customer_user_id, staff_id, stage, created_at, last_seen_at, expires_at,
                                  authenticated_at, ip, user_agent, method)
            VALUES (\(hash), \(kind), \(customerUserID), \(staffID), \(stage), \(time), \(time), \(expiresAt),
                    \(time), \(ip), \(String(userAgent.prefix(512))), \(method))
            """)
        return token
    }

    /// Finds the session of a cookie; ends it when idle or past its absolute lifetime; notes activity.
    func lookUpSession(token: String) throws -> SessionLookup {
        guard let hash = SessionToken.hash(token) else { return .none }
        let time = now
        let idle = configuration.effectiveIdleTimeout
        return try pool.withConnection { db in
            guard let row = try db.queryOne(Session.lookUp(hash)) else { return .none }
            let session = try Session(row: row)
            let idleExpired = time - session.lastSeenAt >= idle
            if idleExpired || time >= session.expiresAt {
                try db.write { db in _ = try db.run("DELETE FROM sessions WHERE id = \(session.id)") }
                return .expired(idle: idleExpired)
            }
            // Writing on every request would make reads pay for a write; a coarse step keeps idle expiry
            // accurate to a tenth of the time-out (at most a minute).
            let step = min(60, max(1, idle / 10))
            if time - session.lastSeenAt >= step {
                try db.write { db in _ = try db.run("UPDATE sessions SET last_seen_at = \(time) WHERE id = \(session.id)") }
            }
            return .active(session)
        }
    }

    /// Signs a session out on the server: the token stops working at once.
    func endSession(_ session: Session, actor: Actor) throws {
        try pool.write { db in
            try db.run("DELETE FROM sessions WHERE id = \(session.id)")
            try Audit.record(db, .signOut, actor: actor, at: now)
        }
    }

    /// Signs a staff member out: their session ends, and with it (by cascade) any customer account they
    /// were viewing.
    func endStaffSession(_ session: Session, actor: Actor) throws {
        try pool.write { db in
            try db.run("DELETE FROM sessions WHERE id = \(session.id)")
            try Audit.record(db, .staffSignOut, actor: actor, at: now)
        }
    }

    /// A one-time message for the next page the session shows (post/redirect/get).
    func setFlash(_ db: Database, sessionID: Int64, _ flash: Flash) throws {
        try db.run("UPDATE sessions SET flash = \(flash.rawValue) WHERE id = \(sessionID)")
    }

    /// The confirmation the acting session's next page shows, written in the same transaction as the
    /// change it confirms (nothing when the change does not come from a customer session).
    func confirm(_ db: Database, _ flash: Flash, to actor: Actor) throws {
        if let sessionID = actor.sessionID { try setFlash(db, sessionID: sessionID, flash) }
    }

    /// Reads and clears the session's one-time message.
    func takeFlash(_ session: Session) throws -> Flash? {
        guard let raw = session.flash else { return nil }
        try pool.write { db in _ = try db.run("UPDATE sessions SET flash = NULL WHERE id = \(session.id)") }
        return Flash(rawValue: raw)
    }
}

/// The confirmations a page shows once after a successful POST.
enum Flash: String, Sendable {
    case profileSaved = "profile_saved"
    case notificationsSaved = "notifications_saved"
    case passwordChanged = "password_changed"
    case authenticatorDisabled = "authenticator_disabled"
    case passkeyAdded = "passkey_added"
    case passkeyRenamed = "passkey_renamed"
    case passkeyRemoved = "passkey_removed"
    case sessionsRevoked = "sessions_revoked"
    case viewAllowed = "view_allowed"
    case viewDeclined = "view_declined"
    case viewGranted = "view_granted"
    case viewRevoked = "view_revoked"
}
