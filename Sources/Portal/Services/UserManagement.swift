import Store

/// What an administrator's change to a customer user led to, in words for the page.
enum UserChange: Equatable {
    case done(String)
    case refused(String)
}

/// The fields of "Add user", each with its error.
struct InvitationErrors: Error, Equatable {
    var name: String?
    var email: String?
    var phone: String?
}

extension Portal {
    /// How long an invitation link may be used.
    static let invitationLifetime: Int64 = 7 * 24 * 60 * 60

    /// Adds a customer user to a client. A client that signs in with passwords gets an invited user and an
    /// invitation mail with a single-use link to set the password; an SSO-only client's user is active
    /// at once (their organization signs them in).
    func inviteCustomer(clientID: Int64, name rawName: String, email rawEmail: String, phone rawPhone: String, origin: String,
                        actor: Actor) throws -> Result<String, InvitationErrors> {
        var errors = InvitationErrors()
        let name = Validation.name(rawName, missing: "Enter the user's name.")
        let email = Validation.email(rawEmail, missing: "Enter the user's email address.")
        let phone = Validation.phone(rawPhone)
        if case .failure(let problem) = name { errors.name = problem.message }
        if case .failure(let problem) = email { errors.email = problem.message }
        if case .failure(let problem) = phone { errors.phone = problem.message }
        guard case .success(let name) = name, case .success(let email) = email, case .success(let phone) = phone else {
            return .failure(errors)
        }
        let time = now
        let result: Result<String, InvitationErrors> = try pool.write { db in
            guard let client = try AccountQueries.client(id: clientID, db) else { return .failure(InvitationErrors(email: "There is no such client.")) }
            if let existing = try AccountQueries.customer(email: email, db) {
                let message = existing.clientID == nil
                    ? "This email already has a sign-in without a client: use “Link an existing sign-in” below."
                    : "A user with this email already exists."
                return .failure(InvitationErrors(email: message))
            }
            if try AccountQueries.staff(email: email, db) != nil {
                return .failure(InvitationErrors(email: "This is an MSP staff email. Staff cannot be customer users."))
            }
            try db.run("""
                INSERT INTO customer_users (client_id, email, name, phone, status, created_at, updated_at) VALUES
                (\(client.id), \(email), \(name), \(phone), \(client.ssoOnly ? "active" : "invited"), \(time), \(time))
                """)
            let id = db.lastInsertRowID
            var who = actor
            who.customerUserID = id
            who.clientID = client.id
            try Audit.record(db, .customerInvited, actor: who, at: time, detail: email)
            if client.ssoOnly { return .success("\(name) was added. \(client.name) signs in through single sign-on, so no invitation was mailed.") }
            try sendInvitation(db, userID: id, name: name, email: email, clientName: client.name, origin: origin, at: time)
            return .success("\(name) was added and an invitation was mailed to \(email).")
        }
        wakeMailDelivery()
        return result
    }

    /// A new invitation link for a user who has not set a password yet; earlier links stop working. Held
    /// behind a verified caller when the client requires one (`skipReason`: break-glass).
    func resendInvitation(customerID: Int64, origin: String, actor: Actor, skipReason: String? = nil) throws -> AccountResetOutcome {
        let time = now
        let change: AccountResetOutcome = try pool.write { db in
            guard let user = try AccountQueries.customer(id: customerID, db), user.status == .invited,
                  let clientID = user.clientID, let client = try AccountQueries.client(id: clientID, db) else {
                return .refused("Only an invited user can be sent a new invitation.")
            }
            let clearance: ResetClearance
            switch try resetClearance(db, user: user, staffID: actor.staffID, reason: skipReason, at: time) {
            case .success(let cleared): clearance = cleared
            case .failure(let refusal): return refusal
            }
            try sendInvitation(db, userID: user.id, name: user.name, email: user.email, clientName: client.name, origin: origin, at: time)
            let how = try recordClearance(db, clearance, .invitation, user: user, actor: actor, at: time)
            try Audit.record(db, .customerInvited, actor: with(actor, user), at: time,
                             detail: how.isEmpty ? "invitation sent again" : "invitation sent again, \(how)")
            return .done("A new invitation was mailed to \(user.email).")
        }
        wakeMailDelivery()
        return change
    }

    private func sendInvitation(_ db: Database, userID: Int64, name: String, email: String, clientName: String, origin: String,
                                at time: Int64) throws {
        let token = SessionToken.generate()
        try db.run("DELETE FROM password_resets WHERE customer_user_id = \(userID)")
        let messageID = try enqueueMail(db, kind: .invitation, to: email, subject: "You're invited to the \(clientName) Client Portal", body: """
            Hello \(name),

            Your IT provider invited you to the Client Portal of \(clientName). Open this link within 7 days to choose
            your password:

            \(origin)/login/reset?token=\(token)

            The link works once. Then sign in at \(origin)/login with this email address.
            """, at: time)
        try db.run("""
            INSERT INTO password_resets (customer_user_id, token_hash, created_at, expires_at, outbox_id) VALUES
            (\(userID), \(SessionToken.hash(token)), \(time), \(time + Self.invitationLifetime), \(messageID))
            """)
    }

    /// Disables a user (every session and every reset or invitation link ends at once) or enables them
    /// again (with no link: an invited user is sent a new invitation).
    func setCustomerDisabled(customerID: Int64, disabled: Bool, actor: Actor) throws -> UserChange {
        try pool.write { db in
            guard let user = try AccountQueries.customer(id: customerID, db) else { return .refused("There is no such user.") }
            if disabled {
                guard user.status != .disabled else { return .refused("\(user.name) is already disabled.") }
                try db.run("UPDATE customer_users SET status = 'disabled', updated_at = \(now) WHERE id = \(user.id)")
                try db.run("DELETE FROM sessions WHERE customer_user_id = \(user.id)")
                // Reset and invitation links die with the account's access: kept, one would set the
                // password of whoever holds it the moment the account is enabled again.
                try db.run("DELETE FROM password_resets WHERE customer_user_id = \(user.id)")
                try Audit.record(db, .customerDisabled, actor: with(actor, user), at: now)
                return .done("\(user.name) is disabled and was signed out everywhere.")
            }
            guard user.status == .disabled else { return .refused("\(user.name) is not disabled.") }
            let status = user.passwordHash == nil ? "invited" : "active"
            try db.run("UPDATE customer_users SET status = \(status), updated_at = \(now) WHERE id = \(user.id)")
            try Audit.record(db, .customerEnabled, actor: with(actor, user), at: now)
            return .done("\(user.name) is enabled again.")
        }
    }

    /// Signs the user out of every browser (an administrator's view of the account too); the password and
    /// the second factors stay as they are.
    func endCustomerSessions(customerID: Int64, actor: Actor) throws -> UserChange {
        try pool.write { db in
            guard let user = try AccountQueries.customer(id: customerID, db) else { return .refused("There is no such user.") }
            let ended = try db.run("DELETE FROM sessions WHERE customer_user_id = \(user.id)")
            guard ended > 0 else { return .refused("\(user.name) is not signed in anywhere.") }
            try Audit.record(db, .sessionRevoked, actor: with(actor, user), at: now, detail: "every session (\(ended)), by the MSP")
            return .done("\(user.name) was signed out everywhere (\(ended == 1 ? "1 session" : "\(ended) sessions")).")
        }
    }

    /// Lifts a sign-in lockout of the user's email before it runs out. Held behind a verified caller when
    /// the client requires one (`skipReason`: break-glass).
    func unlockCustomer(customerID: Int64, actor: Actor, skipReason: String? = nil) throws -> AccountResetOutcome {
        let time = now
        let change: AccountResetOutcome = try pool.write { db in
            guard let user = try AccountQueries.customer(id: customerID, db) else { return .refused("There is no such user.") }
            let clearance: ResetClearance
            switch try resetClearance(db, user: user, staffID: actor.staffID, reason: skipReason, at: time) {
            case .success(let cleared): clearance = cleared
            case .failure(let refusal): return refusal
            }
            try throttle.reset(throttle.accountKey(user.email), db)
            let how = try recordClearance(db, clearance, .unlock, user: user, actor: actor, at: time)
            try Audit.record(db, .customerUnlocked, actor: with(actor, user), at: time, detail: how)
            return .done("\(user.name) can sign in again.")
        }
        wakeMailDelivery()
        return change
    }

    /// For a user who lost both the authenticator and the recovery codes: turns the authenticator off and
    /// deletes the codes, so the next sign-in needs only the password (and a new set-up where the client
    /// requires one). Audited, and the user is told by mail. Held behind a verified caller when the client
    /// requires one (`skipReason`: break-glass, and the mail's first line says so).
    func resetSecondFactor(customerID: Int64, actor: Actor, skipReason: String? = nil) throws -> AccountResetOutcome {
        let time = now
        let change: AccountResetOutcome = try pool.write { db in
            guard let user = try AccountQueries.customer(id: customerID, db) else { return .refused("There is no such user.") }
            let enabled = try db.queryOne("""
                SELECT count(*) AS n FROM totp_credentials WHERE customer_user_id = \(user.id)
                """)?.decode("n", as: Int.self) ?? 0
            guard enabled > 0 else { return .refused("\(user.name) has no authenticator app to reset.") }
            let clearance: ResetClearance
            switch try resetClearance(db, user: user, staffID: actor.staffID, reason: skipReason, at: time) {
            case .success(let cleared): clearance = cleared
            case .failure(let refusal): return refusal
            }
            try db.run("DELETE FROM totp_credentials WHERE customer_user_id = \(user.id)")
            try db.run("DELETE FROM recovery_codes WHERE customer_user_id = \(user.id)")
            try dropPendingSecrets(db, owner: .customer(user.id))
            let how = try recordClearance(db, clearance, .secondFactor, user: user, actor: actor, mailsItself: true, at: time)
            try Audit.record(db, .secondFactorReset, actor: with(actor, user), at: time, detail: how)
            if case .withoutVerification(let reason) = clearance {
                let sentence = AccountReset.secondFactor.withoutVerificationSentence(staff: try staffName(db, actor), reason: reason)
                try enqueueMail(db, kind: .secondFactorReset, to: user.email, subject: "Your two-factor authentication was reset without verification",
                                body: """
                    Hello \(user.name),

                    \(sentence)

                    The authenticator app of your Client Portal account was turned off and its recovery codes deleted. If you did
                    not ask your IT provider for this, contact them at once. Otherwise sign in with your password and set up the
                    authenticator app again on the Security tab.
                    """, at: time)
            } else {
                try enqueueMail(db, kind: .secondFactorReset, to: user.email, subject: "Your two-factor authentication was reset", body: """
                    Hello \(user.name),

                    Your IT provider turned off the authenticator app of your Client Portal account and deleted its recovery codes,
                    as you asked when you lost them. Sign in with your password and set up the authenticator app again on the
                    Security tab.

                    If you did not ask for this, contact your IT provider at once.
                    """, at: time)
            }
            return .done("The authenticator app and recovery codes of \(user.name) were removed, and \(user.email) was told by mail.")
        }
        wakeMailDelivery()
        return change
    }

    /// Links a sign-in identity that no client has yet ("Client Portal Access Required") to this client.
    func linkIdentity(clientID: Int64, email rawEmail: String, actor: Actor) throws -> UserChange {
        guard case .success(let email) = Validation.email(rawEmail) else { return .refused("Enter an email address like name@example.com.") }
        return try pool.write { db in
            guard let client = try AccountQueries.client(id: clientID, db) else { return .refused("There is no such client.") }
            guard let user = try AccountQueries.customer(email: email, db) else {
                return .refused("No sign-in uses \(email). Add the user instead.")
            }
            if let current = user.clientID {
                let owner = try AccountQueries.client(id: current, db)?.name ?? "another client"
                return .refused("\(email) already belongs to \(owner).")
            }
            try db.run("UPDATE customer_users SET client_id = \(client.id), updated_at = \(now) WHERE id = \(user.id)")
            var who = with(actor, user)
            who.clientID = client.id
            try Audit.record(db, .customerLinked, actor: who, at: now, detail: client.name)
            return .done("\(email) is now a user of \(client.name).")
        }
    }

    private func with(_ actor: Actor, _ user: CustomerUser) -> Actor {
        Actor(customerUserID: user.id, staffID: actor.staffID, clientID: user.clientID, ip: actor.ip, userAgent: actor.userAgent)
    }
}
