import Crypto
import OTP
import Store
import WebAuthn

/// A staff member's own authenticator app: the same set-up and code rules as a customer's (160-bit
/// secret sealed at rest, ±1 step, a step never accepted twice), asked for at `/admin/login`.
extension Portal {
    private func staffAssociatedData(_ staffID: Int64) -> [UInt8] { Array("totp:staff:\(staffID)".utf8) }

    func staffAuthenticatorEnabled(staffID: Int64) throws -> Bool {
        try pool.withConnection { db in
            try db.queryOne("SELECT count(*) AS n FROM staff_totp_credentials WHERE staff_id = ? AND enabled_at IS NOT NULL",
                            staffID)?.int("n") == 1
        }
    }

    func beginStaffAuthenticator(staff: StaffMember) throws -> Result<TOTPSetup, TOTPSetupError> {
        let secret = SecureRandom.bytes(count: 20)
        let sealed = try AESGCM.seal(secret, key: secretKey.bytes, associatedData: staffAssociatedData(staff.id))
        let time = now
        return try pool.write { db in
            if try db.queryOne("SELECT enabled_at FROM staff_totp_credentials WHERE staff_id = ?", staff.id)?.int64("enabled_at") != nil {
                return .failure(.alreadyEnabled)
            }
            try db.run("""
                INSERT INTO staff_totp_credentials (staff_id, secret_sealed, enabled_at, pending_expires_at) VALUES (?, ?, NULL, ?)
                ON CONFLICT(staff_id) DO UPDATE SET secret_sealed = excluded.secret_sealed,
                    pending_expires_at = excluded.pending_expires_at, last_used_step = -1
                """, staff.id, sealed, time + Self.pendingSetupLifetime)
            return .success(staffSetup(secret: secret, staff: staff))
        }
    }

    func pendingStaffAuthenticator(staff: StaffMember) throws -> TOTPSetup? {
        let time = now
        let row = try pool.withConnection { db in
            try db.queryOne("""
                SELECT secret_sealed FROM staff_totp_credentials WHERE staff_id = ? AND enabled_at IS NULL AND pending_expires_at > ?
                """, staff.id, time)
        }
        guard let sealed = row?.blob("secret_sealed") else { return nil }
        return staffSetup(secret: try AESGCM.open(sealed, key: secretKey.bytes, associatedData: staffAssociatedData(staff.id)), staff: staff)
    }

    func confirmStaffAuthenticator(staff: StaffMember, code: String, actor: Actor) throws -> Result<Void, TOTPSetupError> {
        guard let pending = try pendingStaffAuthenticator(staff: staff) else {
            return .failure(try staffAuthenticatorEnabled(staffID: staff.id) ? .alreadyEnabled : .expired)
        }
        let time = now
        guard let step = OneTimePassword(secret: pending.secret).matchingStep(Self.digits(code), at: time) else { return .failure(.wrongCode) }
        return try pool.write { db in
            guard try db.run("""
                UPDATE staff_totp_credentials SET enabled_at = ?, pending_expires_at = NULL, last_used_step = ?
                WHERE staff_id = ? AND enabled_at IS NULL
                """, time, step, staff.id) == 1 else { return .failure(.alreadyEnabled) }
            try Audit.record(db, .staffAuthenticatorEnabled, actor: actor, at: time)
            return .success(())
        }
    }

    /// Turns a staff member's authenticator off after their password (wrong ones count toward the lockout).
    func disableStaffAuthenticator(staff: StaffMember, password: String, actor: Actor) throws -> Result<Void, PasswordCheckError> {
        let keys = staffThrottle.keys(email: staff.email, ip: actor.ip)
        let time = now
        if let wait = try pool.withConnection({ db in try staffThrottle.lockedFor(keys, now: time, db) }) {
            return .failure(.lockedOut(seconds: wait))
        }
        guard try hasher.verify(password, against: staff.passwordHash) else {
            let locked = try pool.write { db in
                try Audit.record(db, .passwordCheckFailed, actor: actor, at: time)
                return try staffThrottle.recordFailure(keys, now: time, db)
            }
            return .failure(locked.map { .lockedOut(seconds: $0) } ?? .wrongPassword)
        }
        return .success(try pool.write { db in
            try db.run("DELETE FROM staff_totp_credentials WHERE staff_id = ?", staff.id)
            try Audit.record(db, .staffAuthenticatorDisabled, actor: actor, at: time)
        })
    }

    /// The code step of staff sign-in: replaces the waiting session with a full one.
    func completeStaffSecondFactor(session: Session, code: String, ip: String, userAgent: String) throws -> SecondFactorResult {
        guard session.stage == .secondFactor, let staffID = session.staffID,
              let staff = try pool.withConnection({ db in try AccountQueries.staff(id: staffID, db) }) else { return .invalid }
        let keys = staffThrottle.keys(email: staff.email, ip: ip)
        let time = now
        let actor = Actor(customerUserID: nil, staffID: staffID, clientID: nil, ip: ip)
        return try pool.write { db in
            if let wait = try staffThrottle.lockedFor(keys, now: time, db) { return .lockedOut(seconds: wait) }
            guard let row = try db.queryOne("""
                SELECT secret_sealed, last_used_step FROM staff_totp_credentials WHERE staff_id = ? AND enabled_at IS NOT NULL
                """, staffID), let sealed = row.blob("secret_sealed") else { return .invalid }
            let secret = try AESGCM.open(sealed, key: secretKey.bytes, associatedData: staffAssociatedData(staffID))
            guard let step = OneTimePassword(secret: secret).matchingStep(Self.digits(code), at: time),
                  step > (row.int64("last_used_step") ?? -1),
                  try db.run("UPDATE staff_totp_credentials SET last_used_step = ? WHERE staff_id = ? AND last_used_step < ?",
                             step, staffID, step) == 1 else {
                try Audit.record(db, .secondFactorFailed, actor: actor, at: time, detail: "staff sign-in")
                if let lock = try staffThrottle.recordFailure(keys, now: time, db) {
                    try Audit.record(db, .lockout, actor: actor, at: time, detail: "staff sign-in, after repeated failures")
                    return .lockedOut(seconds: lock)
                }
                return .invalid
            }
            try staffThrottle.reset(keys[0], db)
            try db.run("DELETE FROM sessions WHERE id = ?", session.id)
            let token = try createSession(db, kind: .staff, userID: staffID, ip: ip, userAgent: userAgent)
            try db.run("UPDATE staff SET last_sign_in_at = ? WHERE id = ?", time, staffID)
            try Audit.record(db, .staffSignIn, actor: actor, at: time, detail: "password and authenticator app")
            return .signedIn(token: token)
        }
    }

    /// The code step of staff sign-in answered with one of the staff member's keys.
    func completeStaffSecondFactorWithPasskey(session: Session, credential: AuthenticationCredential, binding: String,
                                              rp: RelyingParty, ip: String, userAgent: String) throws -> Result<String, PasskeyRefusal> {
        guard session.stage == .secondFactor, let staffID = session.staffID else { return .failure(.failed) }
        let time = now
        return try pool.write { db in
            guard let issued = try takeChallenge(db, purpose: .secondFactor, binding: binding),
                  issued.owner == .staff(staffID) else { return .failure(.expired) }
            if case .failure(let refusal) = try verifyAssertion(db, credential: credential, challenge: issued.challenge,
                                                                expected: .staff(staffID), rp: rp, requireUserVerification: false, ip: ip) {
                return .failure(refusal)
            }
            try db.run("DELETE FROM sessions WHERE id = ?", session.id)
            let token = try createSession(db, kind: .staff, userID: staffID, ip: ip, userAgent: userAgent)
            try db.run("UPDATE staff SET last_sign_in_at = ? WHERE id = ?", time, staffID)
            try Audit.record(db, .staffSignIn, actor: Actor(customerUserID: nil, staffID: staffID, clientID: nil, ip: ip), at: time,
                             detail: "password and passkey")
            return .success(token)
        }
    }

    private func staffSetup(secret: [UInt8], staff: StaffMember) -> TOTPSetup {
        TOTPSetup(secret: secret, uri: KeyURI.totp(secret: secret, issuer: configuration.issuer + " Admin", account: staff.email))
    }
}
