import Store

/// What a reset-link request leads to. The page is the same whether or not the email has an account;
/// only a flood from one client address is told to wait (that reveals nothing about accounts).
enum ResetRequestOutcome: Sendable, Equatable {
    case accepted
    case tooManyRequests(seconds: Int64)
}

/// Why a new password was not set from a reset link.
enum ResetError: Error, Equatable {
    /// The link is unknown, used, replaced by a newer one, or older than 30 minutes.
    case invalidLink
    case fields(new: String?, confirm: String?)
}

extension Portal {
    static let resetLinkLifetime: Int64 = 30 * 60

    /// Sends a reset link when the email belongs to an account that signs in with a password. Every request
    /// is counted (per address and per email) in the same write, whether or not the account exists, so
    /// both paths take about as long. `viewingStaffID` names the administrator when the request comes
    /// from a browser that is viewing a customer's account, so the audit log says who asked.
    func requestPasswordReset(email rawEmail: String, ip: String, origin: String, viewingStaffID: Int64? = nil) throws -> ResetRequestOutcome {
        let email = Validation.clean(rawEmail).lowercased()
        let throttle = resetThrottle
        let keys = throttle.keys(email: email, ip: ip)
        let token = SessionToken.generate()
        guard let tokenHash = SessionToken.hash(token) else { preconditionFailure("a generated token always hashes") }
        let time = now
        let outcome: ResetRequestOutcome = try pool.write { db in
            if let wait = try throttle.lockedFor([keys[1]], now: time, db) { return .tooManyRequests(seconds: wait) }
            let accountLimited = try throttle.lockedFor([keys[0]], now: time, db) != nil
            _ = try throttle.recordFailure(keys, now: time, db)
            guard !accountLimited, case .success = Validation.email(email),
                  let user = try AccountQueries.customer(email: email, db), user.status != .disabled,
                  let clientID = user.clientID, let client = try AccountQueries.client(id: clientID, db),
                  client.portalEnabled, !client.ssoOnly
            else { return .accepted }
            // A newer link replaces every earlier one.
            try db.run("DELETE FROM password_resets WHERE customer_user_id = \(user.id)")
            let messageID = try enqueueMail(db, kind: .passwordReset, to: user.email, subject: "Reset your ClientOne password", body: """
                Hello \(user.name),

                Someone (hopefully you) asked to reset the password of your ClientOne portal account.
                Open this link within 30 minutes to choose a new password:

                \(origin)/login/reset?token=\(token)

                The link works once. If you did not ask for it, ignore this message: your password stays as it is.
                """, at: time)
            try db.run("""
                INSERT INTO password_resets (customer_user_id, token_hash, created_at, expires_at, outbox_id) VALUES
                (\(user.id), \(tokenHash), \(time), \(time + Self.resetLinkLifetime), \(messageID))
                """)
            try Audit.record(db, .passwordResetRequested, actor: Actor(customerUserID: user.id, staffID: viewingStaffID, clientID: clientID, ip: ip),
                             at: time)
            return .accepted
        }
        wakeMailDelivery()
        return outcome
    }

    /// The account a reset link belongs to, when the link is still good and its account not disabled
    /// (a disabled account's links are deleted; the check stands in case one ever survives).
    func resetLinkAccount(token: String) throws -> CustomerUser? {
        guard let hash = SessionToken.hash(token) else { return nil }
        let time = now
        return try pool.withConnection { db in
            guard let row = try db.queryOne("""
                SELECT customer_user_id FROM password_resets WHERE token_hash = \(hash) AND used_at IS NULL AND
                expires_at > \(time)
                """), let id = row.int64("customer_user_id"),
                  let user = try AccountQueries.customer(id: id, db), user.status != .disabled,
                  let clientID = user.clientID, let client = try AccountQueries.client(id: clientID, db),
                  client.portalEnabled, !client.ssoOnly else { return nil }
            // The rules of a new request hold at use too: a link mailed before the client's portal was
            // turned off or the client went SSO-only sets no password.
            return user
        }
    }

    /// Sets a new password from a reset link: same rules as a change; the link is spent, every session of
    /// the account ends, and a notice is mailed.
    func resetPassword(token: String, new: String, confirm: String, ip: String) throws -> Result<ResetDone, ResetError> {
        guard let user = try resetLinkAccount(token: token), let hash = SessionToken.hash(token) else { return .failure(.invalidLink) }
        var newError: String?
        if case .failure(let problem) = Validation.newPassword(new, email: user.email) { newError = problem.message }
        let confirmError = confirm == new ? nil : "The new passwords don't match."
        if newError != nil || confirmError != nil { return .failure(.fields(new: newError, confirm: confirmError)) }
        let newHash = try hasher.hash(new)
        let time = now
        let result: Result<ResetDone, ResetError> = try pool.write { db in
            // The account's status is read again inside the write: it may have been disabled since.
            let spent = try db.run("""
                UPDATE password_resets SET used_at = \(time) WHERE token_hash = \(hash) AND used_at IS NULL AND
                expires_at > \(time)
                AND EXISTS (SELECT 1 FROM customer_users u JOIN clients c ON c.id = u.client_id
                            WHERE u.id = customer_user_id AND u.status <> 'disabled' AND c.portal_enabled AND NOT c.sso_only)
                """)
            guard spent == 1 else { return .failure(.invalidLink) }
            // A link a staff member opened in the outbox ("Show link") may be in their hands: the reset
            // is recorded with their name, and the customer's Recent activity says so.
            let link = try db.queryOne("""
                SELECT r.shown_to_staff_id, o.kind FROM password_resets r LEFT JOIN outbox o ON o.id = r.outbox_id WHERE
                r.token_hash = \(hash)
                """)
            let openedBy = link?.int64("shown_to_staff_id")
            let detail = openedBy == nil ? ""
                : link?.string("kind") == MailKind.invitation.rawValue ? Self.invitationLinkOpenedDetail : Self.resetLinkOpenedDetail
            try applyNewPassword(db, user: user, hash: newHash, keepSession: nil, at: time)
            // Someone who reset the password by mail has proved the address: an invited account becomes active.
            try db.run("UPDATE customer_users SET status = 'active' WHERE id = \(user.id) AND status = 'invited'")
            try Audit.record(db, .passwordReset, actor: Actor(customerUserID: user.id, staffID: openedBy, clientID: user.clientID, ip: ip),
                             at: time, detail: detail)
            return .success(user.status == .invited ? .accountReady : .passwordReset)
        }
        wakeMailDelivery()
        return result
    }

    /// The name of the client whose portal an invitation link opens (nil: an ordinary reset link, of an
    /// account that is active already): the page welcomes the invited person instead of "resetting".
    func invitationClientName(for user: CustomerUser) throws -> String? {
        guard user.status == .invited, let clientID = user.clientID else { return nil }
        return try pool.withConnection { db in try AccountQueries.client(id: clientID, db)?.name }
    }

    /// What every password change does besides storing the hash: other sessions and pending reset links
    /// end, and the account's owner is told by mail.
    func applyNewPassword(_ db: Database, user: CustomerUser, hash: String, keepSession: Int64?, at time: Int64) throws {
        try db.run("UPDATE customer_users SET password_hash = \(hash), password_changed_at = \(time), updated_at = \(time) WHERE id = \(user.id)")
        try db.run("DELETE FROM sessions WHERE customer_user_id = \(user.id) AND id <> \(keepSession ?? -1)")
        try db.run("DELETE FROM password_resets WHERE customer_user_id = \(user.id) AND used_at IS NULL")
        try enqueueMail(db, kind: .passwordChanged, to: user.email, subject: "Your ClientOne password was changed", body: """
            Hello \(user.name),

            The password of your ClientOne portal account was just changed, and every other signed-in session was signed out.

            If this was not you, contact your IT provider at once.
            """, at: time)
    }
}

/// What a used link did: reset a password, or (an invitation) made the account ready.
enum ResetDone: Sendable, Equatable {
    case passwordReset
    case accountReady
}
