import Crypto
import OTP
import Store

/// An authenticator-app set-up in progress: the secret to show once, its key URI for the QR code, and
/// which set-up it is (the page carries it, so its code confirms this secret and no later one).
struct TOTPSetup: Sendable, Equatable {
    let id: Int64
    let secret: [UInt8]
    /// The names the authenticator app will list the account under.
    let issuer: String
    let accountName: String
    var uri: String { KeyURI.totp(secret: secret, issuer: issuer, account: accountName) }
    /// The secret as people type it: base32 in groups of four.
    var groupedSecret: String {
        let text = Array(Base32.encode(secret))
        return stride(from: 0, to: text.count, by: 4).map { String(text[$0..<min($0 + 4, text.count)]) }.joined(separator: " ")
    }
}

/// Why a set-up was not confirmed.
enum TOTPSetupError: Error, Equatable {
    /// No set-up is waiting, or it ran out: start again.
    case expired
    /// The code did not match: the same secret stays, try the next code.
    case wrongCode
    case alreadyEnabled
    /// A newer set-up was started (another tab, another browser) after the page that sent the code was
    /// made: that page's secret is no longer the one waiting, so it cannot be turned on.
    case restartedElsewhere
}

/// A customer's authenticator turned on: the session to continue in (a new token when the set-up
/// completed a required enrolment) and the first recovery codes, pending in that session for display.
struct ConfirmedSetup: Sendable, Equatable {
    let newSessionToken: String?
    let recoveryCodes: [String]
}

/// The two-factor state the Security tab shows.
struct TwoFactorStatus: Sendable, Equatable {
    var authenticatorEnabled: Bool
    var recoveryCodesRemaining: Int
    /// Security keys and passkeys the account has.
    var keys: Int = 0
    /// Any second factor: the MFA step is due after a password, and recovery codes are offered.
    var hasSecondFactor: Bool { authenticatorEnabled || keys > 0 }
}

extension Portal {
    private static let customerKeyCount = SQLTemplate { (customerID: SQLParameter<Int64>) in
        "SELECT count(*) AS n FROM webauthn_credentials WHERE customer_user_id = \(customerID)"
    }

    /// Every view of the Security tab reads it.
    func twoFactorStatus(customerID: Int64) throws -> TwoFactorStatus {
        try pool.withConnection { db in
            TwoFactorStatus(authenticatorEnabled: try authenticatorEnabled(db, owner: .customer(customerID)),
                            recoveryCodesRemaining: try remainingRecoveryCodes(db, customerID: customerID),
                            keys: try db.queryOne(Self.customerKeyCount(customerID)).map { try $0.decode("n") } ?? 0)
        }
    }

    func beginAuthenticatorSetup(account: CustomerAccount, session: Session) throws -> Result<TOTPSetup, TOTPSetupError> {
        try beginAuthenticator(owner: .customer(account.user.id), sessionID: session.id, accountName: account.user.email,
                               issuer: configuration.issuer)
    }

    func pendingAuthenticatorSetup(account: CustomerAccount, session: Session) throws -> TOTPSetup? {
        try pendingAuthenticator(owner: .customer(account.user.id), sessionID: session.id, accountName: account.user.email,
                                 issuer: configuration.issuer)
    }

    /// Confirms the set-up `setupID` with a code from the app; turns the authenticator on and makes the
    /// first recovery codes, pending in the session for display. A session in required enrolment is
    /// replaced by a fully signed-in one in the same transaction, and the codes wait in the new one.
    func confirmAuthenticatorSetup(account: CustomerAccount, session: Session, setupID: Int64?, code: String, actor: Actor,
                                   ip: String, userAgent: String) throws -> Result<ConfirmedSetup, TOTPSetupError> {
        try actor.mustBeTheCustomer("Turning on two-factor authentication")
        return try confirmAuthenticator(owner: .customer(account.user.id), sessionID: session.id, setupID: setupID, code: code) { db, time in
            let codes = try replaceRecoveryCodes(db, customerID: account.user.id, at: time)
            try Audit.record(db, .authenticatorEnabled, actor: actor, at: time)
            var token: String?
            var sessionID = session.id
            if session.stage == .enrolment {
                let promoted = try promoteEnrolledSession(db, session, ip: ip, userAgent: userAgent)
                token = promoted.token
                sessionID = promoted.id
            }
            try storePendingRecoveryCodes(db, codes, customerID: account.user.id, sessionID: sessionID, afterEnable: true, at: time)
            return ConfirmedSetup(newSessionToken: token, recoveryCodes: codes)
        }
    }

    /// Ends the set-up waiting in this session (Cancel): its secret is never shown or accepted again.
    func cancelAuthenticatorSetup(owner: KeyOwner, sessionID: Int64) throws {
        try dismissPendingSecret(.authenticator, owner: owner, sessionID: sessionID)
    }

    // MARK: The same for customers and staff

    func authenticatorEnabled(_ db: Database, owner: KeyOwner) throws -> Bool {
        let query = switch owner { case .customer: Self.customerAuthenticatorEnabled; case .staff: Self.staffAuthenticatorEnabled }
        return try db.queryOne(query(owner.id)).map { try $0.decode("n", as: Int.self) } == 1
    }

    /// Read by every view of the Security tab (and by staff sign-in): one text per owner's table.
    private static let customerAuthenticatorEnabled = authenticatorEnabledQuery(for: .customer(0))
    private static let staffAuthenticatorEnabled = authenticatorEnabledQuery(for: .staff(0))

    private static func authenticatorEnabledQuery(for owner: KeyOwner) -> SQLTemplate<Int64> {
        SQLTemplate { id in
            "SELECT count(*) AS n FROM \(identifier: owner.totpTable) WHERE \(identifier: owner.column) = \(id) AND enabled_at IS NOT NULL"
        }
    }

    /// Starts (or restarts) a set-up with a fresh 160-bit secret, pending in this session (sealed at rest).
    /// It replaces any set-up the owner had waiting, in this session or another.
    func beginAuthenticator(owner: KeyOwner, sessionID: Int64, accountName: String, issuer: String) throws
        -> Result<TOTPSetup, TOTPSetupError> {
        let secret = SecureRandom.bytes(count: 20)
        let time = now
        return try pool.write { db in
            if try authenticatorEnabled(db, owner: owner) { return .failure(.alreadyEnabled) }
            let id = try storePendingSecret(db, .authenticator, owner: owner, sessionID: sessionID, secret, at: time)
            return .success(TOTPSetup(id: id, secret: secret, issuer: issuer, accountName: accountName))
        }
    }

    /// The set-up waiting in this session for its first code, if it has not ended.
    func pendingAuthenticator(owner: KeyOwner, sessionID: Int64, accountName: String, issuer: String) throws -> TOTPSetup? {
        let time = now
        guard let pending = try pool.withConnection({ db in
            try pendingSecret(db, .authenticator, owner: owner, sessionID: sessionID, at: time)
        }) else { return nil }
        return TOTPSetup(id: pending.id, secret: pending.plaintext, issuer: issuer, accountName: accountName)
    }

    /// Turns the set-up `setupID` on when the code matches its secret; `enabled` runs in the same
    /// transaction. The pending secret is read, checked and moved into the owner's credential in one
    /// write transaction, and only when it is still the one the page showed: a set-up restarted in
    /// another tab cannot be switched on by a code typed for the earlier secret (or the reverse).
    func confirmAuthenticator<T>(owner: KeyOwner, sessionID: Int64, setupID: Int64?, code: String,
                                 enabled: (Database, Int64) throws -> T) throws -> Result<T, TOTPSetupError> {
        let time = now
        return try pool.write { db in
            if try authenticatorEnabled(db, owner: owner) { return .failure(.alreadyEnabled) }
            guard let pending = try pendingSecret(db, .authenticator, owner: owner, sessionID: sessionID, at: time) else {
                return .failure(try pendingSecretExists(db, .authenticator, owner: owner, at: time) ? .restartedElsewhere : .expired)
            }
            guard pending.id == setupID else { return .failure(.restartedElsewhere) }
            guard let step = OneTimePassword(secret: pending.plaintext).matchingStep(Self.digits(code), at: time) else {
                return .failure(.wrongCode)
            }
            let sealed = try AESGCM.seal(pending.plaintext, key: secretKey.totpKey, associatedData: owner.totpAssociatedData)
            try db.run("""
                INSERT INTO \(identifier: owner.totpTable) (\(identifier: owner.column), secret_sealed, enabled_at, last_used_step)
                VALUES (\(owner.id), \(sealed), \(time), \(step))
                """)
            try db.run("DELETE FROM pending_secrets WHERE id = \(pending.id)")
            return .success(try enabled(db, time))
        }
    }

    /// Checks an authenticator code for sign-in: within one step either side, and only a step later than
    /// the last one accepted (a code is never accepted twice).
    func acceptAuthenticatorCode(_ db: Database, owner: KeyOwner, code: String, at time: Int64) throws -> Bool {
        guard let row = try db.queryOne("""
            SELECT secret_sealed, last_used_step FROM \(identifier: owner.totpTable)
            WHERE \(identifier: owner.column) = \(owner.id) AND enabled_at IS NOT NULL
            """) else { return false }
        let secret = try AESGCM.open(try row.decode("secret_sealed"), key: secretKey.totpKey, associatedData: owner.totpAssociatedData)
        let lastUsedStep: Int64 = try row.decode("last_used_step")
        guard let step = OneTimePassword(secret: secret).matchingStep(Self.digits(code), at: time), step > lastUsedStep else { return false }
        return try db.run("""
            UPDATE \(identifier: owner.totpTable) SET last_used_step = \(step) WHERE \(identifier: owner.column) = \(owner.id) AND last_used_step < \(step)
            """) == 1
    }

    // MARK: Customers

    /// Turns the authenticator off after the password: removes the secret and every recovery code.
    func disableAuthenticator(customerID: Int64, password: String, actor: Actor) throws -> Result<Void, PasswordCheckError> {
        try actor.mustBeTheCustomer("Turning off two-factor authentication")
        return try withPasswordCheck(customerID: customerID, password: password, actor: actor) { db, time in
            try db.run("DELETE FROM totp_credentials WHERE customer_user_id = \(customerID)")
            try deleteRecoveryCodesWithoutSecondFactor(db, customerID: customerID)
            try dropPendingSecrets(db, owner: .customer(customerID))
            try Audit.record(db, .authenticatorDisabled, actor: actor, at: time)
            try confirm(db, .authenticatorDisabled, to: actor)
        }
    }

    /// A new set of recovery codes after the password; every earlier code stops working. The set waits
    /// in this session for display until "I've Saved These" (or sign-out, or 10 minutes).
    func regenerateRecoveryCodes(customerID: Int64, sessionID: Int64, password: String, actor: Actor) throws
        -> Result<[String], PasswordCheckError> {
        try actor.mustBeTheCustomer("Regenerating recovery codes")
        guard try twoFactorStatus(customerID: customerID).hasSecondFactor else { return .failure(.notAvailable) }
        let made = try withPasswordCheck(customerID: customerID, password: password, actor: actor) { db, time -> [String]? in
            // Checked again in the write: the last factor may have gone while the password was hashed.
            guard try hasSecondFactor(db, customerID: customerID) else { return nil }
            let codes = try replaceRecoveryCodes(db, customerID: customerID, at: time)
            try storePendingRecoveryCodes(db, codes, customerID: customerID, sessionID: sessionID, afterEnable: false, at: time)
            try Audit.record(db, .recoveryCodesRegenerated, actor: actor, at: time)
            return codes
        }
        return made.flatMap { $0.map { .success($0) } ?? .failure(.notAvailable) }
    }

    /// Recovery codes stand in for a second factor; once the account has none left (the authenticator
    /// turned off and no key), they go too, so a set the person may have thrown away cannot come back
    /// to life when a factor is added later.
    func deleteRecoveryCodesWithoutSecondFactor(_ db: Database, customerID: Int64) throws {
        guard try !hasSecondFactor(db, customerID: customerID) else { return }
        try db.run("DELETE FROM recovery_codes WHERE customer_user_id = \(customerID)")
    }

    /// A typed code without the spaces people put in the middle.
    static func digits(_ typed: String) -> String {
        String(typed.filter { !$0.isWhitespace && $0 != "-" })
    }
}

/// Why an action that needs the password was refused.
enum PasswordCheckError: Error, Equatable {
    case wrongPassword
    case lockedOut(seconds: Int64)
    /// The action does not apply (e.g. regenerating codes without an authenticator).
    case notAvailable

    var message: String {
        switch self {
        case .wrongPassword: return "That isn't your password."
        case .lockedOut(let seconds): return LoginThrottle.waitMessage(seconds)
        case .notAvailable: return "Turn on the authenticator app first."
        }
    }
}

extension Portal {
    /// Runs `change` in a write transaction once the account's password checks out. Wrong passwords count
    /// toward the sign-in lockout, like every other guess.
    func withPasswordCheck<T>(customerID: Int64, password: String, actor: Actor,
                              _ change: (Database, Int64) throws -> T) throws -> Result<T, PasswordCheckError> {
        guard let user = try pool.withConnection({ db in try AccountQueries.customer(id: customerID, db) }) else {
            return .failure(.wrongPassword)
        }
        let keys = throttle.keys(email: user.email, ip: actor.ip)
        let time = now
        if let wait = try pool.withConnection({ db in try throttle.lockedFor(keys, now: time, db) }) {
            return .failure(.lockedOut(seconds: wait))
        }
        let matches = try user.passwordHash.map { try hasher.verify(password, against: $0) } ?? false
        // Judged in the write that acts on it: a lockout started by a parallel guess wins.
        return try pool.write { db in
            switch try judgeGuess(db, throttle, keys: keys, correct: matches, failure: FailedAttempt(kind: .passwordCheckFailed, actor: actor),
                                  at: time) {
            case .locked(let wait): return .failure(.lockedOut(seconds: wait))
            case .failed(let lockout): return .failure(lockout.map { .lockedOut(seconds: $0) } ?? .wrongPassword)
            case .passed: return .success(try change(db, time))
            }
        }
    }
}
