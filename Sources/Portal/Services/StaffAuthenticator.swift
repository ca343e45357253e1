import Store
import WebAuthn

/// A staff member's own authenticator app: the same set-up and code rules as a customer's (160-bit
/// secret sealed at rest, ±1 step, a step never accepted twice), asked for at `/admin/login`.
extension Portal {
    /// Staff accounts appear in authenticator apps under the console's name with " Admin".
    private var staffIssuer: String { configuration.issuer + " Admin" }

    func staffAuthenticatorEnabled(staffID: Int64) throws -> Bool {
        try pool.withConnection { db in try authenticatorEnabled(db, owner: .staff(staffID)) }
    }

    func beginStaffAuthenticator(staff: StaffMember, session: Session) throws -> Result<TOTPSetup, TOTPSetupError> {
        try beginAuthenticator(owner: .staff(staff.id), sessionID: session.id, accountName: staff.email, issuer: staffIssuer)
    }

    func pendingStaffAuthenticator(staff: StaffMember, session: Session) throws -> TOTPSetup? {
        try pendingAuthenticator(owner: .staff(staff.id), sessionID: session.id, accountName: staff.email, issuer: staffIssuer)
    }

    func confirmStaffAuthenticator(staff: StaffMember, session: Session, setupID: Int64?, code: String, actor: Actor) throws
        -> Result<Void, TOTPSetupError> {
        try confirmAuthenticator(owner: .staff(staff.id), sessionID: session.id, setupID: setupID, code: code) { db, time in
            try Audit.record(db, .staffAuthenticatorEnabled, actor: actor, at: time)
        }
    }

    /// Turns a staff member's authenticator off after their password (wrong ones count toward the lockout).
    func disableStaffAuthenticator(staff: StaffMember, password: String, actor: Actor) throws -> Result<Void, PasswordCheckError> {
        try withStaffPasswordCheck(staff: staff, password: password, actor: actor) { db, time in
            try db.run("DELETE FROM staff_totp_credentials WHERE staff_id = \(staff.id)")
            try Audit.record(db, .staffAuthenticatorDisabled, actor: actor, at: time)
        }
    }

    /// Removes one of a staff member's keys after their password, as turning off their authenticator
    /// asks for it: a borrowed staff session cannot take away the staff member's second factor.
    /// `.success(false)` when the key is not theirs.
    func removeStaffKey(staff: StaffMember, id: Int64, password: String, actor: Actor) throws -> Result<Bool, PasswordCheckError> {
        try withStaffPasswordCheck(staff: staff, password: password, actor: actor) { db, _ in
            try removePasskey(db, id: id, owner: .staff(staff.id), actor: actor)
        }
    }

    /// Runs `change` in a write transaction once the staff member's password checks out; wrong ones
    /// count toward their lockout, judged in the same write.
    func withStaffPasswordCheck<T>(staff: StaffMember, password: String, actor: Actor,
                                   _ change: (Database, Int64) throws -> T) throws -> Result<T, PasswordCheckError> {
        let keys = staffThrottle.keys(email: staff.email, ip: actor.ip)
        let time = now
        if let wait = try pool.withConnection({ db in try staffThrottle.lockedFor(keys, now: time, db) }) {
            return .failure(.lockedOut(seconds: wait))
        }
        let matches = try hasher.verify(password, against: staff.passwordHash)
        return try pool.write { db in
            switch try judgeGuess(db, staffThrottle, keys: keys, correct: matches,
                                  failure: FailedAttempt(kind: .passwordCheckFailed, actor: actor), at: time) {
            case .locked(let wait): return .failure(.lockedOut(seconds: wait))
            case .failed(let lockout): return .failure(lockout.map { .lockedOut(seconds: $0) } ?? .wrongPassword)
            case .passed: return .success(try change(db, time))
            }
        }
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
            guard try acceptAuthenticatorCode(db, owner: .staff(staffID), code: code, at: time) else {
                let failure = FailedAttempt(kind: .secondFactorFailed, detail: "staff sign-in",
                                            lockoutDetail: "staff sign-in, after repeated failures", actor: actor)
                return try recordFailedAttempt(db, staffThrottle, keys: keys, failure, at: time).map { .lockedOut(seconds: $0) } ?? .invalid
            }
            let signedIn = try completeSignIn(db, principal: .staff(staffID), email: staff.email, replacing: session, method: session.method,
                                              detail: "\(try firstFactor(db, of: session)) and authenticator app", ip: ip, userAgent: userAgent)
            return .signedIn(token: signedIn.token)
        }
    }

    /// The code step of staff sign-in answered with one of the staff member's keys.
    func completeStaffSecondFactorWithPasskey(session: Session, credential: AuthenticationCredential, binding: String,
                                              rp: RelyingParty, ip: String, userAgent: String) throws -> Result<String, PasskeyRefusal> {
        guard session.stage == .secondFactor, let staffID = session.staffID,
              let staff = try pool.withConnection({ db in try AccountQueries.staff(id: staffID, db) }) else { return .failure(.failed) }
        return try pool.write { db in
            guard let issued = try takeChallenge(db, purpose: .secondFactor, binding: binding),
                  issued.owner == .staff(staffID) else { return .failure(.expired) }
            if case .failure(let refusal) = try verifyAssertion(db, credential: credential, challenge: issued.challenge,
                                                                expected: .staff(staffID), rp: rp, requireUserVerification: false, ip: ip) {
                return .failure(refusal)
            }
            return .success(try completeSignIn(db, principal: .staff(staffID), email: staff.email, replacing: session,
                                               method: session.method, detail: "\(try firstFactor(db, of: session)) and passkey", ip: ip, userAgent: userAgent).token)
        }
    }
}
