import Store

extension Portal {
    /// Whether a session exists and has not run out (an administrator's view of an account depends on it).
    func sessionIsLive(id: Int64) throws -> Bool {
        let time = now
        let idle = configuration.effectiveIdleTimeout
        return try pool.withConnection { db in
            guard let row = try db.queryOne("""
                SELECT last_seen_at, expires_at FROM sessions WHERE id = \(id)
                """) else { return false }
            let lastSeenAt: Int64 = try row.decode("last_seen_at")
            let expiresAt: Int64 = try row.decode("expires_at")
            return time - lastSeenAt < idle && time < expiresAt
        }
    }

    /// The customer and client of a session, when the account may still use the portal.
    func usableAccount(customerID: Int64) throws -> CustomerAccount? {
        // One snapshot for the user and the client (one read lock instead of two, and never a user
        // paired with a client row from after a change).
        try pool.read { db in
            guard let account = try AccountQueries.account(customerID: customerID, db),
                  account.user.status == .active, account.client.portalEnabled else { return nil }
            return account
        }
    }

    /// Whether a customer session still satisfies its client's policy, judged on every request so a
    /// change made by an administrator reaches sessions already open: a disabled or unlinked account or
    /// a portal turned off ends the session; so does a password or passkey sign-in once the client is
    /// SSO-only; a client that now requires a second factor sends an account without one to its set-up.
    /// An administrator's view is judged by the rules of impersonation instead.
    func accountPolicy(session: Session, customerID: Int64) throws -> AccountPolicy {
        let policy: AccountPolicy = try pool.read { db in
            guard let account = try AccountQueries.account(customerID: customerID, db),
                  account.user.status == .active, account.client.portalEnabled else { return .ended }
            if session.impersonatorStaffID != nil { return .allowed(account) }
            if account.client.ssoOnly, session.method == .password || session.method == .passkey { return .ended }
            // A provider's multi-factor sign-in the client trusts meets the requirement by itself.
            if account.client.requireMFA, session.stage == .active, session.method != .singleSignOnWithMFA,
               try !hasSecondFactor(db, customerID: customerID) {
                return .enrolmentDue(account)
            }
            return .allowed(account)
        }
        if case .enrolmentDue = policy {
            // Kept in the session, so the set-up's completion promotes it as after a sign-in.
            try pool.write { db in
                _ = try db.run("""
                    UPDATE sessions SET stage = \(SessionStage.enrolment.rawValue) WHERE id = \(session.id) AND stage =
                    \(SessionStage.active.rawValue)
                    """)
            }
        }
        return policy
    }
}

/// What a client's policy makes of a customer session on this request.
enum AccountPolicy {
    case allowed(CustomerAccount)
    /// The session stays, but only the second factor's set-up is open until it is done.
    case enrolmentDue(CustomerAccount)
    case ended
}
