import Store

/// The two things every way of signing in does the same way, written once: completing a sign-in step,
/// and recording a failed guess. Password, second factor (code, recovery code, key), passkey, staff
/// sign-in and the end of a required set-up call them; a new method (single sign-on) is one call each.
extension Portal {
    /// Starts the session a sign-in step earns, inside the caller's write transaction, and returns its
    /// token. The waiting session it replaces (the MFA step's, the set-up's) is deleted, so a token is
    /// never promoted in place (no fixation). When the session is fully signed in (`.active`) the
    /// account's `last_sign_in_at` is set and the sign-in audited with `detail` ("password", "password
    /// and passkey", …); when the step leaves no factor due (`.active`, or a required set-up) the failure
    /// count of the account's email is reset: a sign-in is complete only then, so a right password with
    /// a second factor still due resets nothing.
    func completeSignIn(_ db: Database, principal: KeyOwner, email: String, replacing waiting: Session?,
                        method: SignInMethod, stage: SessionStage = .active, detail: String, ip: String,
                        userAgent: String) throws -> (token: String, id: Int64) {
        let kind: Session.Kind
        switch principal {
        case .customer: kind = .customer
        case .staff: kind = .staff
        }
        let token = try createSession(db, kind: kind, userID: principal.id, ip: ip, userAgent: userAgent, stage: stage, method: method)
        let id = db.lastInsertRowID
        if let waiting {
            // A session begun at an identity provider keeps its provider (and its way out there).
            try db.run("UPDATE sso_sessions SET session_id = \(id) WHERE session_id = \(waiting.id)")
            try db.run("DELETE FROM sessions WHERE id = \(waiting.id)")
        }
        if stage != .secondFactor {
            try throttle.reset(throttle.accountKey(email), db)
        }
        if stage == .active {
            let time = now
            try db.run("UPDATE \(identifier: principal.table) SET last_sign_in_at = \(time) WHERE id = \(principal.id)")
            let actor: Actor
            switch principal {
            case .customer(let id):
                actor = Actor(customerUserID: id, staffID: nil, clientID: try AccountQueries.customer(id: id, db)?.clientID, ip: ip,
                              userAgent: userAgent)
                try Audit.record(db, .signIn, actor: actor, at: time, detail: detail)
            case .staff(let id):
                actor = Actor(customerUserID: nil, staffID: id, clientID: nil, ip: ip, userAgent: userAgent)
                try Audit.record(db, .staffSignIn, actor: actor, at: time, detail: detail)
            }
        }
        return (token, id)
    }

    /// How a waiting session's first factor was proven, for the audit line of the sign-in it completes:
    /// "password", or the identity provider's name ("Microsoft Entra ID and authenticator app").
    func firstFactor(_ db: Database, of session: Session) throws -> String {
        switch session.method {
        case .singleSignOn, .singleSignOnWithMFA:
            return try db.queryOne("SELECT display_name FROM sso_sessions WHERE session_id = \(session.id)")?.decode("display_name")
                ?? "single sign-on"
        case .passkey: return "passkey"
        case .password, .administrator: return "password"
        }
    }

    /// Judges a guess that was checked outside the transaction (hashing is slow on purpose) against the
    /// lockout as it stands now, inside the caller's `BEGIN IMMEDIATE` write, and records it when wrong.
    /// Guesses are serialised by that write, so a burst of parallel guesses gets no more answers than the
    /// limit, and a right guess that finishes after the lockout started signs nobody in.
    func judgeGuess(_ db: Database, _ limiter: LoginThrottle, keys: [String], correct: Bool, failure: FailedAttempt,
                    at time: Int64) throws -> LoginThrottle.Verdict {
        if let wait = try limiter.lockedFor(keys, now: time, db) { return .locked(seconds: wait) }
        if correct { return .passed }
        return .failed(lockout: try recordFailedAttempt(db, limiter, keys: keys, failure, at: time))
    }

    /// Records one wrong guess inside the caller's write transaction: its audit event, one failure against each of `keys`, and the lockout's own audit event when this guess
    /// started one. Returns the seconds of that lockout, if any.
    @discardableResult
    func recordFailedAttempt(_ db: Database, _ limiter: LoginThrottle, keys: [String], _ failure: FailedAttempt,
                             at time: Int64) throws -> Int64? {
        try Audit.record(db, failure.kind, actor: failure.actor, at: time, detail: failure.detail)
        guard let lockout = try limiter.recordFailure(keys, now: time, db) else { return nil }
        try Audit.record(db, .lockout, actor: failure.actor, at: time, detail: failure.lockoutDetail)
        return lockout
    }
}

/// How a wrong guess is audited: its event, and the words of the lockout it may start.
struct FailedAttempt {
    var kind: AuditKind
    var detail: String = ""
    var lockoutDetail: String = "after repeated failures"
    var actor: Actor
}

/// How a wrong second factor is recorded in the audit (`detail`): what was typed (never its value) and
/// after which first factor: "authenticator code after password", "recovery code after Okta",
/// "unknown credential after password".
enum SecondFactorFailure {
    static let authenticatorCode = "authenticator code"
    static let recoveryCode = "recovery code"
    static let after = " after "

    static func detail(_ what: String, after firstFactor: String) -> String { what + after + firstFactor }
}
