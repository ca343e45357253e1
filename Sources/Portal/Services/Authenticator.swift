import Crypto
import OTP
import Store

/// An authenticator-app set-up in progress: the secret to show once, and its key URI for the QR code.
struct TOTPSetup: Sendable, Equatable {
    let secret: [UInt8]
    let uri: String
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
}

/// The two-factor state the Security tab shows.
struct TwoFactorStatus: Sendable, Equatable {
    var authenticatorEnabled: Bool
    var recoveryCodesRemaining: Int
}

extension Portal {
    /// How long a set-up waits for its first code.
    static let pendingSetupLifetime: Int64 = 15 * 60

    func twoFactorStatus(customerID: Int64) throws -> TwoFactorStatus {
        try pool.withConnection { db in
            TwoFactorStatus(authenticatorEnabled: try authenticatorEnabled(db, owner: .customer(customerID)),
                            recoveryCodesRemaining: try remainingRecoveryCodes(db, customerID: customerID))
        }
    }

    func beginAuthenticatorSetup(account: CustomerAccount) throws -> Result<TOTPSetup, TOTPSetupError> {
        try beginAuthenticator(owner: .customer(account.user.id), accountName: account.user.email, issuer: configuration.issuer)
    }

    func pendingAuthenticatorSetup(account: CustomerAccount) throws -> TOTPSetup? {
        try pendingAuthenticator(owner: .customer(account.user.id), accountName: account.user.email, issuer: configuration.issuer)
    }

    /// Confirms a set-up with a code from the app; turns the authenticator on and returns the first
    /// recovery codes (to show once).
    func confirmAuthenticatorSetup(account: CustomerAccount, code: String, actor: Actor) throws -> Result<[String], TOTPSetupError> {
        try confirmAuthenticator(owner: .customer(account.user.id), accountName: account.user.email, issuer: configuration.issuer,
                                 code: code) { db, time in
            let codes = try replaceRecoveryCodes(db, customerID: account.user.id, at: time)
            try Audit.record(db, .authenticatorEnabled, actor: actor, at: time)
            return codes
        }
    }

    // MARK: The same for customers and staff

    func authenticatorEnabled(_ db: Database, owner: KeyOwner) throws -> Bool {
        try db.queryOne("SELECT count(*) AS n FROM \(owner.totpTable) WHERE \(owner.column) = ? AND enabled_at IS NOT NULL",
                        owner.id)?.int("n") == 1
    }

    /// Starts (or restarts) a set-up with a fresh 160-bit secret, sealed at rest.
    func beginAuthenticator(owner: KeyOwner, accountName: String, issuer: String) throws -> Result<TOTPSetup, TOTPSetupError> {
        let secret = SecureRandom.bytes(count: 20)
        let sealed = try AESGCM.seal(secret, key: secretKey.totpKey, associatedData: owner.totpAssociatedData)
        let time = now
        return try pool.write { db in
            if try db.queryOne("SELECT enabled_at FROM \(owner.totpTable) WHERE \(owner.column) = ?", owner.id)?
                .int64("enabled_at") != nil {
                return .failure(.alreadyEnabled)
            }
            try db.run("""
                INSERT INTO \(owner.totpTable) (\(owner.column), secret_sealed, enabled_at, pending_expires_at) VALUES (?, ?, NULL, ?)
                ON CONFLICT(\(owner.column)) DO UPDATE SET secret_sealed = excluded.secret_sealed,
                    pending_expires_at = excluded.pending_expires_at, last_used_step = -1
                """, owner.id, sealed, time + Self.pendingSetupLifetime)
            return .success(TOTPSetup(secret: secret, uri: KeyURI.totp(secret: secret, issuer: issuer, account: accountName)))
        }
    }

    /// The set-up waiting for its first code, if it has not run out.
    func pendingAuthenticator(owner: KeyOwner, accountName: String, issuer: String) throws -> TOTPSetup? {
        let time = now
        let row = try pool.withConnection { db in
            try db.queryOne("""
                SELECT secret_sealed FROM \(owner.totpTable) WHERE \(owner.column) = ? AND enabled_at IS NULL AND pending_expires_at > ?
                """, owner.id, time)
        }
        guard let sealed = row?.blob("secret_sealed") else { return nil }
        let secret = try AESGCM.open(sealed, key: secretKey.totpKey, associatedData: owner.totpAssociatedData)
        return TOTPSetup(secret: secret, uri: KeyURI.totp(secret: secret, issuer: issuer, account: accountName))
    }

    /// Turns a waiting set-up on when the code matches; `enabled` runs in the same transaction.
    func confirmAuthenticator<T>(owner: KeyOwner, accountName: String, issuer: String, code: String,
                                 enabled: (Database, Int64) throws -> T) throws -> Result<T, TOTPSetupError> {
        guard let pending = try pendingAuthenticator(owner: owner, accountName: accountName, issuer: issuer) else {
            return .failure(try pool.withConnection { db in try authenticatorEnabled(db, owner: owner) } ? .alreadyEnabled : .expired)
        }
        let time = now
        guard let step = OneTimePassword(secret: pending.secret).matchingStep(Self.digits(code), at: time) else {
            return .failure(.wrongCode)
        }
        return try pool.write { db in
            guard try db.run("""
                UPDATE \(owner.totpTable) SET enabled_at = ?, pending_expires_at = NULL, last_used_step = ?
                WHERE \(owner.column) = ? AND enabled_at IS NULL
                """, time, step, owner.id) == 1 else { return .failure(.alreadyEnabled) }
            return .success(try enabled(db, time))
        }
    }

    /// Checks an authenticator code for sign-in: within one step either side, and only a step later than
    /// the last one accepted (a code is never accepted twice).
    func acceptAuthenticatorCode(_ db: Database, owner: KeyOwner, code: String, at time: Int64) throws -> Bool {
        guard let row = try db.queryOne("""
            SELECT secret_sealed, last_used_step FROM \(owner.totpTable) WHERE \(owner.column) = ? AND enabled_at IS NOT NULL
            """, owner.id), let sealed = row.blob("secret_sealed") else { return false }
        let secret = try AESGCM.open(sealed, key: secretKey.totpKey, associatedData: owner.totpAssociatedData)
        guard let step = OneTimePassword(secret: secret).matchingStep(Self.digits(code), at: time),
              step > (row.int64("last_used_step") ?? -1) else { return false }
        return try db.run("UPDATE \(owner.totpTable) SET last_used_step = ? WHERE \(owner.column) = ? AND last_used_step < ?",
                          step, owner.id, step) == 1
    }

    // MARK: Customers

    /// Turns the authenticator off after the password: removes the secret and every recovery code.
    func disableAuthenticator(customerID: Int64, password: String, actor: Actor) throws -> Result<Void, PasswordCheckError> {
        try withPasswordCheck(customerID: customerID, password: password, actor: actor) { db, time in
            try db.run("DELETE FROM totp_credentials WHERE customer_user_id = ?", customerID)
            try db.run("DELETE FROM recovery_codes WHERE customer_user_id = ?", customerID)
            try Audit.record(db, .authenticatorDisabled, actor: actor, at: time)
        }
    }

    /// A new set of recovery codes after the password; every earlier code stops working.
    func regenerateRecoveryCodes(customerID: Int64, password: String, actor: Actor) throws -> Result<[String], PasswordCheckError> {
        guard try twoFactorStatus(customerID: customerID).authenticatorEnabled else { return .failure(.notAvailable) }
        return try withPasswordCheck(customerID: customerID, password: password, actor: actor) { db, time in
            let codes = try replaceRecoveryCodes(db, customerID: customerID, at: time)
            try Audit.record(db, .recoveryCodesRegenerated, actor: actor, at: time)
            return codes
        }
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
        guard matches else {
            let locked = try pool.write { db in
                try Audit.record(db, .passwordCheckFailed, actor: actor, at: time)
                return try throttle.recordFailure(keys, now: time, db)
            }
            return .failure(locked.map { .lockedOut(seconds: $0) } ?? .wrongPassword)
        }
        return .success(try pool.write { db in try change(db, time) })
    }
}
