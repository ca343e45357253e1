import Store

/// Why a password was not changed, field by field, or that the account is locked.
struct PasswordChangeErrors: Error, Equatable {
    var current: String?
    var new: String?
    var confirm: String?
}

extension Portal {
    /// Changes a customer's password after checking the current one. A wrong current password counts
    /// toward the same lockout as sign-in failures. Every other session of the account is signed out.
    func changePassword(customerID: Int64, sessionID: Int64, current: String, new: String, confirm: String,
                        actor: Actor) throws -> Result<Void, PasswordChangeErrors> {
        try actor.mustBeTheCustomer("Changing the password")
        guard let account = try pool.read({ db in try AccountQueries.account(customerID: customerID, db) }) else {
            return .failure(PasswordChangeErrors(current: "Your account could not be found."))
        }
        if account.client.ssoOnly { throw PolicyRefusal.singleSignOnOnly }
        let user = account.user
        let keys = throttle.keys(email: user.email, ip: actor.ip)
        let time = now
        if let wait = try pool.withConnection({ db in try throttle.lockedFor(keys, now: time, db) }) {
            return .failure(PasswordChangeErrors(current: LoginThrottle.waitMessage(wait)))
        }

        var errors = PasswordChangeErrors()
        if current.isEmpty { errors.current = "Enter your current password." }
        if case .failure(let problem) = Validation.newPassword(new, email: user.email) { errors.new = problem.message }
        if confirm != new { errors.confirm = "The new passwords don't match." }
        if errors.current == nil {
            if try !(user.passwordHash.map { try hasher.verify(current, against: $0) } ?? false) {
                // Counted even when the new password is refused too: it is a guess all the same.
                let verdict = try pool.write { db in
                    try judgeGuess(db, throttle, keys: keys, correct: false,
                                   failure: FailedAttempt(kind: .passwordChangeFailed, detail: "wrong current password", actor: actor), at: time)
                }
                switch verdict {
                case .locked(let wait), .failed(lockout: let wait?): errors.current = LoginThrottle.waitMessage(wait)
                default: errors.current = "That isn't your current password."
                }
            }
        }
        guard errors == PasswordChangeErrors() else { return .failure(errors) }

        let newHash = try hasher.hash(new)
        let lockedMeanwhile: Int64? = try pool.write { db in
            // A lockout started by a parallel guess while this one was hashed wins over a right password.
            if let wait = try throttle.lockedFor(keys, now: time, db) { return wait }
            try applyNewPassword(db, user: user, hash: newHash, keepSession: sessionID, at: time)
            try Audit.record(db, .passwordChanged, actor: actor, at: time, detail: "other sessions signed out")
            try setFlash(db, sessionID: sessionID, .passwordChanged)
            return nil
        }
        if let lockedMeanwhile { return .failure(PasswordChangeErrors(current: LoginThrottle.waitMessage(lockedMeanwhile))) }
        wakeMailDelivery()
        return .success(())
    }

    /// When the customer's password was last set (changed, reset, or chosen from an invitation).
    func passwordChangedAt(customerID: Int64) throws -> Int64? {
        try pool.withConnection { db in
            try db.queryOne("SELECT password_changed_at FROM customer_users WHERE id = \(customerID)")?
                .decode("password_changed_at", as: Int64?.self) ?? nil
        }
    }
}
