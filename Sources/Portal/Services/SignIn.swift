import Store

/// Where a sign-in attempt leads.
enum SignInResult: Sendable, Equatable {
    /// A new session; the token goes into the cookie. Its stage says whether the second factor (or its
    /// set-up, when the client requires one) is still due.
    case signedIn(token: String, stage: SessionStage)
    /// Wrong email or password: one message for both.
    case invalid
    /// Too many failures for this email or this address.
    case lockedOut(seconds: Int64)
    /// The password was right but the client's portal is turned off.
    case portalNotAvailable
    /// The password was right but no active customer account links this identity to a client
    /// (including MSP staff signing in to the customer portal).
    case accessRequired
    /// The client signs in through single sign-on only; passwords are not accepted.
    case singleSignOnRequired
}

extension Portal {
    /// The identifier-first step: whether this email gets a password field or the single sign-on notice.
    /// The answer depends on the address's domain alone, never on whether the address has an account:
    /// the notice when every customer user at that domain belongs to an SSO-only client, the password
    /// step otherwise (a domain shared by SSO-only and password clients gets the password step for
    /// everyone, known or not). So the step reveals an organisation's policy, never an account.
    func signInStep(email: String) throws -> SignInStep {
        guard case .success(let email) = Validation.email(email) else { return .password }
        let domain = String(email[email.index(after: email.firstIndex(of: "@")!)...])
        return try pool.withConnection { db in
            let row = try db.queryOne("""
                SELECT count(*) AS users, coalesce(sum(c.sso_only), 0) AS sso
                FROM customer_users u JOIN clients c ON c.id = u.client_id
                WHERE substr(u.email, instr(u.email, '@') + 1) = \(domain)
                """)
            let users = try row?.decode("users", as: Int.self) ?? 0
            let sso = try row?.decode("sso", as: Int.self) ?? 0
            return users > 0 && users == sso ? .singleSignOn : .password
        }
    }

    /// Checks an email and password and, when every rule allows it, starts a customer session.
    ///
    /// The lockout is checked before hashing (so a locked account costs no CPU) and judged again in the
    /// write that records the result, so parallel guesses cannot overtake it. The failure count is reset
    /// only when sign-in is complete: a right password with a second factor still due resets nothing,
    /// so wrong codes after it keep counting toward the same lockout.
    func signIn(email rawEmail: String, password: String, ip: String, userAgent: String) throws -> SignInResult {
        let email = Validation.clean(rawEmail).lowercased()
        let keys = throttle.keys(email: email, ip: ip)
        let time = now

        if let wait = try pool.withConnection({ db in try throttle.lockedFor(keys, now: time, db) }) {
            return .lockedOut(seconds: wait)
        }

        let (customer, staff) = try pool.withConnection { db in
            (try AccountQueries.customer(email: email, db), try AccountQueries.staff(email: email, db))
        }
        // Hash outside any transaction: it is slow on purpose. An unknown email costs the same time.
        let customerMatches: Bool
        let staffMatches: Bool
        if let hash = customer?.passwordHash {
            customerMatches = try hasher.verify(password, against: hash)
            staffMatches = false
        } else if customer == nil, let staff {
            customerMatches = false
            staffMatches = try hasher.verify(password, against: staff.passwordHash) && staff.active
        } else {
            try hasher.dummyVerify(password)
            customerMatches = false
            staffMatches = false
        }

        // A stored hash with an older work factor is replaced, computed here for the same reason.
        let upgradedHash = customerMatches && customer?.passwordHash.map(hasher.needsRehash) == true
            ? try hasher.hash(password) : nil

        let actor = Actor(customerUserID: customer?.id, staffID: nil, clientID: customer?.clientID, ip: ip, userAgent: userAgent)
        return try pool.write { db in
            let failure = FailedAttempt(kind: .signInFailed, detail: customer == nil ? "unknown email" : "wrong password", actor: actor)
            switch try judgeGuess(db, throttle, keys: keys, correct: customerMatches || staffMatches, failure: failure, at: time) {
            case .locked(let wait): return .lockedOut(seconds: wait)
            case .failed(let lockout): return lockout.map { .lockedOut(seconds: $0) } ?? .invalid
            case .passed: break
            }
            // Staff credentials open nothing here, and reset nothing: the staff member has not signed in.
            guard let customer, customerMatches else { return .accessRequired }
            guard customer.status == .active, let clientID = customer.clientID,
                  let client = try AccountQueries.client(id: clientID, db) else { return .accessRequired }
            if client.ssoOnly { return .singleSignOnRequired }
            if !client.portalEnabled { return .portalNotAvailable }
            if let upgradedHash {
                try db.run("UPDATE customer_users SET password_hash = \(upgradedHash) WHERE id = \(customer.id)")
            }
            let stage: SessionStage = try hasSecondFactor(db, customerID: customer.id) ? .secondFactor
                : (client.requireMFA ? .enrolment : .active)
            let session = try completeSignIn(db, principal: .customer(customer.id), email: customer.email, replacing: nil,
                                             method: .password, stage: stage, detail: "password", ip: ip, userAgent: userAgent)
            return .signedIn(token: session.token, stage: stage)
        }
    }

    /// Whether the account has a second factor: an authenticator app that is switched on, or any
    /// security key or passkey. Either makes the MFA step due after a password.
    func hasSecondFactor(_ db: Database, customerID: Int64) throws -> Bool {
        try db.queryOne("""
            SELECT EXISTS(SELECT 1 FROM totp_credentials WHERE customer_user_id = \(customerID) AND enabled_at IS NOT NULL)
                OR EXISTS(SELECT 1 FROM webauthn_credentials WHERE customer_user_id = \(customerID)) AS yes
            """)?.decode("yes", as: Bool.self) ?? false
    }
}

/// The sign-in page's second step for an email.
enum SignInStep: Sendable, Equatable {
    case password
    case singleSignOn
}

/// Where the second step of sign-in leads.
enum SecondFactorResult: Sendable, Equatable {
    /// Signed in: a new session token replaces the one that was waiting.
    case signedIn(token: String)
    case invalid
    case lockedOut(seconds: Int64)
}

extension Portal {
    /// The MFA step: an authenticator code (six digits) or a recovery code. Failures count toward the
    /// same lockout as wrong passwords. Success replaces the waiting session with a new one.
    func completeSecondFactor(session: Session, code: String, ip: String, userAgent: String) throws -> SecondFactorResult {
        guard session.stage == .secondFactor, let customerID = session.customerUserID,
              let user = try pool.withConnection({ db in try AccountQueries.customer(id: customerID, db) }) else { return .invalid }
        let keys = throttle.keys(email: user.email, ip: ip)
        let time = now
        let actor = Actor(customerUserID: customerID, staffID: nil, clientID: user.clientID, ip: ip, userAgent: userAgent)
        return try pool.write { db in
            if let wait = try throttle.lockedFor(keys, now: time, db) { return .lockedOut(seconds: wait) }
            let typed = Self.digits(code)
            var method: String?
            if typed.count == 6, typed.allSatisfy(\.isNumber) {
                if try acceptAuthenticatorCode(db, owner: .customer(customerID), code: typed, at: time) { method = "authenticator app" }
            } else if try consumeRecoveryCode(db, customerID: customerID, code: code, at: time) {
                method = "recovery code"
                try Audit.record(db, .recoveryCodeUsed, actor: actor, at: time,
                                 detail: "\(try remainingRecoveryCodes(db, customerID: customerID)) left")
            }
            guard let method else {
                // What was typed (never its value) and after which first factor: a wrong code after the
                // right password is what Recent activity warns about.
                let typedKind = typed.count == 6 && typed.allSatisfy(\.isNumber) ? SecondFactorFailure.authenticatorCode
                    : SecondFactorFailure.recoveryCode
                let failure = FailedAttempt(kind: .secondFactorFailed,
                                            detail: SecondFactorFailure.detail(typedKind, after: try firstFactor(db, of: session)),
                                            lockoutDetail: "after repeated second-factor failures", actor: actor)
                return try recordFailedAttempt(db, throttle, keys: keys, failure, at: time).map { .lockedOut(seconds: $0) } ?? .invalid
            }
            let signedIn = try completeSignIn(db, principal: .customer(customerID), email: user.email, replacing: session,
                                              method: session.method, detail: "\(try firstFactor(db, of: session)) and \(method)", ip: ip, userAgent: userAgent)
            return .signedIn(token: signedIn.token)
        }
    }

    /// After a required set-up is done, the enrolment session becomes a full one under a new token (in
    /// the set-up's own transaction, so what the set-up leaves pending can move to the new session).
    func promoteEnrolledSession(_ db: Database, _ session: Session, after step: String = "setting up the authenticator app",
                                ip: String, userAgent: String) throws -> (token: String, id: Int64) {
        guard let customerID = session.customerUserID, let user = try AccountQueries.customer(id: customerID, db) else {
            preconditionFailure("enrolment is for customer sessions")
        }
        return try completeSignIn(db, principal: .customer(customerID), email: user.email, replacing: session, method: session.method,
                                  detail: "\(try firstFactor(db, of: session)), after \(step)", ip: ip, userAgent: userAgent)
    }
}
