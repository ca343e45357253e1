import Crypto
import Store
import WebAuthn

/// A registered security key or passkey, as the Security tab lists it.
public struct Passkey: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var createdAt: Int64
    public var lastUsedAt: Int64?
    /// The Backup Eligible flag: a passkey that a provider can sync between devices.
    public var backupEligible: Bool
    /// The Backup State flag: it is synced now.
    public var backedUp: Bool

    /// Throws when the row lacks a column or holds a value of another type.
    init(row: Row) throws {
        id = try row.decode("id")
        name = try row.decode("name")
        createdAt = try row.decode("created_at")
        lastUsedAt = try row.decode("last_used_at")
        backupEligible = try row.decode("backup_eligible")
        backedUp = try row.decode("backed_up")
    }
}

/// What a WebAuthn ceremony is for; each has its own challenge per browser.
enum CeremonyPurpose: String, Sendable {
    case register
    case signIn = "sign_in"
    case secondFactor = "second_factor"
    case reauth
}

/// Whose key or authenticator app: a customer's, or a staff member's (their own second factor on the
/// administrator side).
enum KeyOwner: Sendable, Equatable {
    case customer(Int64)
    case staff(Int64)

    var id: Int64 {
        switch self { case .customer(let id), .staff(let id): id }
    }
    /// The owner's column in webauthn_credentials and webauthn_challenges.
    var column: String {
        switch self { case .customer: "customer_user_id"; case .staff: "staff_id" }
    }
    /// The table of the owner's account.
    var table: String {
        switch self { case .customer: "customer_users"; case .staff: "staff" }
    }
    /// The table of the owner's authenticator app.
    var totpTable: String {
        switch self { case .customer: "totp_credentials"; case .staff: "staff_totp_credentials" }
    }
    /// Associated data sealed with the authenticator secret, so a sealed secret cannot move to another row.
    var totpAssociatedData: [UInt8] {
        switch self { case .customer(let id): Array("totp:customer:\(id)".utf8); case .staff(let id): Array("totp:staff:\(id)".utf8) }
    }

    /// The owner a stored row names.
    init?(row: Row) {
        if let id = row.int64("customer_user_id") { self = .customer(id) }
        else if let id = row.int64("staff_id") { self = .staff(id) }
        else { return nil }
    }
}

/// What a key's owner is for the lockouts and the audit log.
struct KeyHolder {
    let owner: KeyOwner
    let email: String
    let clientID: Int64?

    func actor(ip: String, userAgent: String = "") -> Actor {
        switch owner {
        case .customer(let id): Actor(customerUserID: id, staffID: nil, clientID: clientID, ip: ip, userAgent: userAgent)
        case .staff(let id): Actor(customerUserID: nil, staffID: id, clientID: nil, ip: ip, userAgent: userAgent)
        }
    }
}

/// Why a passkey ceremony was refused, in words for the person.
struct PasskeyRefusal: Error, Sendable, Equatable {
    let status: Int
    let message: String
    /// Seconds until a lockout ends, for the answer's `Retry-After`.
    var retryAfter: Int64?

    init(status: Int, message: String, retryAfter: Int64? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    static let expired = PasskeyRefusal(status: 400, message: "The request expired. Try again.")
    static let notRecognised = PasskeyRefusal(status: 401, message: "That passkey isn't registered for an account here. Sign in with your email instead.")
    static let failed = PasskeyRefusal(status: 401, message: "The passkey could not be verified. Try again, or use another way to sign in.")
    static let alreadyRegistered = PasskeyRefusal(status: 409, message: "This key is already registered.")
    static func lockedOut(_ seconds: Int64) -> PasskeyRefusal {
        PasskeyRefusal(status: 429, message: LoginThrottle.waitMessage(seconds), retryAfter: seconds)
    }
}

extension Portal {
    /// How long a WebAuthn challenge may be answered.
    static let challengeLifetime: Int64 = 300
    /// The algorithms offered at registration: ES256, EdDSA and RS256, in that order of preference.
    static let passkeyAlgorithms: [COSEAlgorithm] = [.es256, .edDSA, .rs256]
    /// The longest name a key may have.
    static let passkeyNameLimit = 64

    /// Browsers on a shared workstation are steered to security keys and phones rather than to saving a
    /// passkey on the shared computer (WebAuthn Level 3 hints).
    var passkeyHints: [String] { configuration.kiosk ? ["security-key", "hybrid"] : [] }

    // MARK: Challenges

    /// A fresh single-use challenge for this browser and purpose; it replaces any earlier one.
    func issueChallenge(_ db: Database, purpose: CeremonyPurpose, binding: String, owner: KeyOwner?) throws -> [UInt8] {
        let challenge = SecureRandom.bytes(count: 32)
        let time = now
        try db.run("DELETE FROM webauthn_challenges WHERE expires_at <= \(time)")
        try db.run("""
            INSERT OR REPLACE INTO webauthn_challenges (purpose, binding, challenge, customer_user_id, staff_id, expires_at)
            VALUES (\(purpose.rawValue), \(binding), \(challenge),
            \(owner.flatMap { if case .customer(let id) = $0 { id } else { nil } }),
            \(owner.flatMap { if case .staff(let id) = $0 { id } else { nil } }), \(time + Self.challengeLifetime))
            """)
        return challenge
    }

    /// Takes the browser's challenge for a purpose: deleted whatever the outcome, nil when there is
    /// none or it expired.
    func takeChallenge(_ db: Database, purpose: CeremonyPurpose, binding: String) throws -> (challenge: [UInt8], owner: KeyOwner?)? {
        guard let row = try db.queryOne("""
            SELECT id, challenge, customer_user_id, staff_id, expires_at FROM webauthn_challenges
            WHERE purpose = \(purpose.rawValue) AND binding = \(binding)
            """) else { return nil }
        try db.run("DELETE FROM webauthn_challenges WHERE id = \(row.int64("id"))")
        let expiresAt: Int64 = try row.decode("expires_at")
        guard expiresAt > now else { return nil }
        return (try row.decode("challenge"), KeyOwner(row: row))
    }

    // MARK: Registration

    /// Creation options for a new key of this account, excluding the keys it already has.
    func passkeyRegistrationOptions(owner: KeyOwner, email: String, displayName: String, binding: String,
                                    rp: RelyingParty) throws -> [UInt8] {
        try pool.write { db in
            let handle = try userHandle(db, owner: owner)
            let exclude = try db.query("""
                SELECT credential_id, transports FROM webauthn_credentials WHERE \(identifier: owner.column) = \(owner.id)
                """).map(Self.descriptor)
            let challenge = try issueChallenge(db, purpose: .register, binding: binding, owner: owner)
            return Options.creation(rp: rp, user: UserEntity(id: handle, name: email, displayName: displayName),
                                    challenge: challenge, exclude: exclude, algorithms: Self.passkeyAlgorithms,
                                    residentKey: "preferred", userVerification: "preferred", attestation: "none",
                                    hints: passkeyHints)
        }
    }

    /// Verifies a registration answer and stores the key under `name` (or a name from its kind).
    /// `enrolling`: the customer's session in required enrolment, which the new key completes: it is
    /// replaced by a fully signed-in one in the same transaction (the new token is returned).
    /// A key just added, and the session that replaced a required enrolment's, when it did.
    struct RegisteredPasskey {
        let passkey: Passkey
        let newSessionToken: String?
    }

    func finishPasskeyRegistration(owner: KeyOwner, credential: RegistrationCredential, name rawName: String,
                                   binding: String, rp: RelyingParty, actor: Actor,
                                   enrolling: (session: Session, ip: String, userAgent: String)? = nil)
        throws -> Result<RegisteredPasskey, PasskeyRefusal> {
        try actor.mustBeTheCustomer("Adding a passkey")
        let name = Validation.clean(rawName)
        if !Validation.fits(name, limit: Self.passkeyNameLimit) {
            return .failure(PasskeyRefusal(status: 422, message: "Use a name of at most \(Self.passkeyNameLimit) characters."))
        }
        return try pool.write { db in
            guard let issued = try takeChallenge(db, purpose: .register, binding: binding),
                  issued.owner == owner else { return .failure(.expired) }
            let verified: VerifiedRegistration
            do {
                verified = try WebAuthnVerifier.verifyRegistration(credential, expectedChallenge: issued.challenge, rp: rp,
                                                                   requireUserVerification: false,
                                                                   allowedAlgorithms: Self.passkeyAlgorithms)
            } catch {
                log("passkey registration refused for \(owner): \(error)")
                // A key that is not a sound key of its algorithm (a small-order Ed25519 point, a point off
                // its curve, a weak RSA modulus) fails every time: trying again would not help.
                if case WebAuthnError.invalidPublicKey = error {
                    return .failure(PasskeyRefusal(status: 400, message: "This key offered a public key that is not safe to use, so it was not added. Use another key."))
                }
                return .failure(PasskeyRefusal(status: 400, message: "The key's answer could not be verified, so it was not added. Try again."))
            }
            if try db.queryOne("SELECT id FROM webauthn_credentials WHERE credential_id = \(verified.credentialID)") != nil {
                return .failure(.alreadyRegistered)
            }
            let time = now
            let finalName = name.isEmpty ? Self.defaultPasskeyName(verified) : name
            try db.run("""
                INSERT INTO webauthn_credentials (\(identifier: owner.column), credential_id, public_key, algorithm, sign_count, name,
                    transports, aaguid, backup_eligible, backed_up, created_at)
                VALUES (\(owner.id), \(verified.credentialID), \(verified.publicKey), \(verified.algorithm.rawValue),
                \(Int64(verified.signCount)), \(finalName), \(verified.transports.joined(separator: ",")),
                \(verified.aaguid), \(verified.backupEligible), \(verified.backedUp), \(time))
                """)
            let id = db.lastInsertRowID
            try Audit.record(db, .passkeyAdded, actor: actor, at: time, detail: finalName)
            var newSessionToken: String?
            if let enrolling, enrolling.session.stage == .enrolment {
                let promoted = try promoteEnrolledSession(db, enrolling.session, after: "adding a security key or passkey",
                                                          ip: enrolling.ip, userAgent: enrolling.userAgent)
                newSessionToken = promoted.token
                try setFlash(db, sessionID: promoted.id, .passkeyAdded)
            } else {
                try confirm(db, .passkeyAdded, to: actor)
            }
            guard let row = try db.queryOne("SELECT * FROM webauthn_credentials WHERE id = \(id)") else {
                preconditionFailure("the row just inserted is there")
            }
            return .success(RegisteredPasskey(passkey: try Passkey(row: row), newSessionToken: newSessionToken))
        }
    }

    /// "Synced passkey", "Passkey on this device" or "Security key", from the flags and transports.
    static func defaultPasskeyName(_ verified: VerifiedRegistration) -> String {
        if verified.backupEligible { return "Synced passkey" }
        if verified.transports.contains("internal") { return "Passkey on this device" }
        return "Security key"
    }

    // MARK: List, rename, remove

    /// The Security tab lists them on every view: one text per owner's column.
    private static let customerPasskeys = passkeysQuery(for: .customer(0))
    private static let staffPasskeys = passkeysQuery(for: .staff(0))

    private static func passkeysQuery(for owner: KeyOwner) -> SQLTemplate<Int64> {
        SQLTemplate { id in "SELECT * FROM webauthn_credentials WHERE \(identifier: owner.column) = \(id) ORDER BY created_at, id" }
    }

    func passkeys(owner: KeyOwner) throws -> [Passkey] {
        try pool.withConnection { db in
            let query = switch owner { case .customer: Self.customerPasskeys; case .staff: Self.staffPasskeys }
            return try db.query(query(owner.id)).map(Passkey.init)
        }
    }

    func passkey(id: Int64, owner: KeyOwner) throws -> Passkey? {
        try pool.withConnection { db in
            try db.queryOne("SELECT * FROM webauthn_credentials WHERE id = \(id) AND \(identifier: owner.column) = \(owner.id)")
                .map(Passkey.init)
        }
    }

    /// Renames one of the account's keys; nil when the key is not the account's.
    func renamePasskey(id: Int64, owner: KeyOwner, name rawName: String, actor: Actor) throws -> Result<Void, PasskeyRefusal>? {
        try actor.mustBeTheCustomer("Renaming a security key", because: "changes how the customer recognises their own keys")
        let name = Validation.clean(rawName)
        guard !name.isEmpty else { return .failure(PasskeyRefusal(status: 422, message: "Enter a name for the key.")) }
        guard Validation.fits(name, limit: Self.passkeyNameLimit) else {
            return .failure(PasskeyRefusal(status: 422, message: "Use a name of at most \(Self.passkeyNameLimit) characters."))
        }
        return try pool.write { db in
            guard try db.run("""
                UPDATE webauthn_credentials SET name = \(name) WHERE id = \(id) AND \(identifier: owner.column) =
                \(owner.id)
                """) == 1 else { return nil }
            try Audit.record(db, .passkeyRenamed, actor: actor, at: now, detail: name)
            try confirm(db, .passkeyRenamed, to: actor)
            return .success(())
        }
    }

    /// Removes one of the account's keys; false when the key is not the account's.
    func removePasskey(id: Int64, owner: KeyOwner, actor: Actor) throws -> Bool {
        try actor.mustBeTheCustomer("Removing a passkey")
        return try pool.write { db in
            guard try removePasskey(db, id: id, owner: owner, actor: actor) else { return false }
            try confirm(db, .passkeyRemoved, to: actor)
            return true
        }
    }

    /// The same, inside the caller's write transaction.
    func removePasskey(_ db: Database, id: Int64, owner: KeyOwner, actor: Actor) throws -> Bool {
        guard let row = try db.queryOne("""
            SELECT name FROM webauthn_credentials WHERE id = \(id) AND \(identifier: owner.column) = \(owner.id)
            """) else { return false }
        try db.run("DELETE FROM webauthn_credentials WHERE id = \(id)")
        if case .customer(let customerID) = owner { try deleteRecoveryCodesWithoutSecondFactor(db, customerID: customerID) }
        try Audit.record(db, .passkeyRemoved, actor: actor, at: now, detail: row.string("name") ?? "")
        return true
    }

    // MARK: Sign-in, second factor, re-authentication

    /// Request options for passwordless sign-in: a discoverable credential, user verification required.
    func passkeySignInOptions(binding: String, rp: RelyingParty) throws -> [UInt8] {
        try pool.write { db in
            let challenge = try issueChallenge(db, purpose: .signIn, binding: binding, owner: nil)
            return Options.request(rp: rp, challenge: challenge, allow: [], userVerification: "required", hints: passkeyHints)
        }
    }

    /// Request options for a ceremony of a known account (second factor, re-authentication): its keys only.
    func passkeyOptions(for owner: KeyOwner, purpose: CeremonyPurpose, binding: String, rp: RelyingParty) throws -> [UInt8] {
        try pool.write { db in
            let allow = try db.query("""
                SELECT credential_id, transports FROM webauthn_credentials WHERE \(identifier: owner.column) =
                \(owner.id)
                """).map(Self.descriptor)
            let challenge = try issueChallenge(db, purpose: purpose, binding: binding, owner: owner)
            return Options.request(rp: rp, challenge: challenge, allow: allow, userVerification: "preferred", hints: passkeyHints)
        }
    }

    /// Passwordless sign-in. A verified passkey with user verification is both factors, so the session
    /// is fully signed in; the account rules of password sign-in still apply. Failures count toward the
    /// same lockouts as wrong passwords: the address always, the account when the key is known.
    func signInWithPasskey(credential: AuthenticationCredential, binding: String, rp: RelyingParty, ip: String,
                           userAgent: String) throws -> Result<SignInResult, PasskeyRefusal> {
        let addressKey = throttle.addressKey(ip)
        let time = now
        if let wait = try pool.withConnection({ db in try throttle.lockedFor([addressKey], now: time, db) }) {
            return .failure(.lockedOut(wait))
        }
        return try pool.write { db in
            guard let issued = try takeChallenge(db, purpose: .signIn, binding: binding) else { return .failure(.expired) }
            let outcome = try verifyAssertion(db, credential: credential, challenge: issued.challenge, expected: nil, rp: rp,
                                              requireUserVerification: true, ip: ip, userAgent: userAgent)
            switch outcome {
            case .failure(let refusal):
                return .failure(refusal)
            case .success(let owner):
                guard let customer = try AccountQueries.customer(id: owner.id, db) else { return .failure(.notRecognised) }
                guard customer.status == .active, let clientID = customer.clientID,
                      let client = try AccountQueries.client(id: clientID, db) else { return .success(.accessRequired) }
                // For an SSO-only client the company's identity provider is the only first factor.
                if client.ssoOnly { return .success(.singleSignOnRequired) }
                if !client.portalEnabled { return .success(.portalNotAvailable) }
                let session = try completeSignIn(db, principal: .customer(customer.id), email: customer.email, replacing: nil,
                                                 method: .passkey, detail: "passkey", ip: ip, userAgent: userAgent)
                return .success(.signedIn(token: session.token, stage: .active))
            }
        }
    }

    /// The MFA step answered with one of the account's passkeys.
    func completeSecondFactorWithPasskey(session: Session, credential: AuthenticationCredential, binding: String, rp: RelyingParty,
                                         ip: String, userAgent: String) throws -> Result<String, PasskeyRefusal> {
        guard session.stage == .secondFactor, let customerID = session.customerUserID,
              let user = try pool.withConnection({ db in try AccountQueries.customer(id: customerID, db) }) else {
            return .failure(.failed)
        }
        let keys = throttle.keys(email: user.email, ip: ip)
        let time = now
        return try pool.write { db in
            if let wait = try throttle.lockedFor(keys, now: time, db) { return .failure(.lockedOut(wait)) }
            guard let issued = try takeChallenge(db, purpose: .secondFactor, binding: binding),
                  issued.owner == .customer(customerID) else { return .failure(.expired) }
            if case .failure(let refusal) = try verifyAssertion(db, credential: credential, challenge: issued.challenge,
                                                                expected: .customer(customerID), rp: rp, requireUserVerification: false,
                                                                ip: ip, userAgent: userAgent, afterFirstFactor: try firstFactor(db, of: session)) {
                return .failure(refusal)
            }
            return .success(try completeSignIn(db, principal: .customer(customerID), email: user.email, replacing: session,
                                               method: session.method, detail: "\(try firstFactor(db, of: session)) and passkey", ip: ip, userAgent: userAgent).token)
        }
    }

    /// "Confirm it's you" with a passkey: the session counts as freshly authenticated.
    func reauthenticateWithPasskey(session: Session, user: CustomerUser, credential: AuthenticationCredential, binding: String,
                                   rp: RelyingParty, ip: String) throws -> Result<Void, PasskeyRefusal> {
        let keys = throttle.keys(email: user.email, ip: ip)
        let time = now
        return try pool.write { db in
            if let wait = try throttle.lockedFor(keys, now: time, db) { return .failure(.lockedOut(wait)) }
            guard let issued = try takeChallenge(db, purpose: .reauth, binding: binding),
                  issued.owner == .customer(user.id) else { return .failure(.expired) }
            if case .failure(let refusal) = try verifyAssertion(db, credential: credential, challenge: issued.challenge,
                                                                expected: .customer(user.id), rp: rp, requireUserVerification: false,
                                                                ip: ip) {
                return .failure(refusal)
            }
            try db.run("UPDATE sessions SET authenticated_at = \(time) WHERE id = \(session.id)")
            return .success(())
        }
    }

    /// Checks an assertion against the stored key it names, inside the caller's write transaction, and
    /// stores its counter and last use. `expected` (when known) must own the key; without one (customer
    /// sign-in with a discoverable credential) the key must be a customer's. A failure is audited and
    /// counted toward the owner's lockouts; a counter that went backwards is refused and recorded as a
    /// possible clone. `afterFirstFactor` is set at the MFA step (how the first factor was proven): a
    /// failure there is recorded as following it, which Recent activity warns about.
    func verifyAssertion(_ db: Database, credential: AuthenticationCredential, challenge: [UInt8], expected: KeyOwner?,
                         rp: RelyingParty, requireUserVerification: Bool, ip: String, userAgent: String = "",
                         afterFirstFactor: String? = nil) throws -> Result<KeyOwner, PasskeyRefusal> {
        let time = now
        let expectedHolder = try expected.flatMap { try keyHolder(db, $0) }
        func refuse(_ refusal: PasskeyRefusal, _ holder: KeyHolder?, detail: String) throws -> Result<KeyOwner, PasskeyRefusal> {
            let actor = holder?.actor(ip: ip, userAgent: userAgent)
                ?? Actor(customerUserID: nil, staffID: nil, clientID: nil, ip: ip, userAgent: userAgent)
            let limiter = lockouts(for: holder?.owner ?? expected)
            let keys = holder.map { limiter.keys(email: $0.email, ip: ip) } ?? [limiter.addressKey(ip)]
            let detail = afterFirstFactor.map { SecondFactorFailure.detail(detail, after: $0) } ?? detail
            let lockout = try recordFailedAttempt(db, limiter, keys: keys, FailedAttempt(kind: .passkeyFailed, detail: detail, actor: actor),
                                                  at: time)
            return .failure(lockout.map { .lockedOut($0) } ?? refusal)
        }
        guard let row = try db.queryOne("SELECT * FROM webauthn_credentials WHERE credential_id = \(credential.rawId)"),
              let keyOwner = KeyOwner(row: row), let holder = try keyHolder(db, keyOwner) else {
            return try refuse(expected == nil ? .notRecognised : .failed, expectedHolder, detail: "unknown credential")
        }
        if let expected, expected != keyOwner {
            return try refuse(.failed, expectedHolder, detail: "a key of another account")
        }
        if expected == nil, case .staff = keyOwner {
            return try refuse(.notRecognised, nil, detail: "a staff key at the customer sign-in")
        }
        // A locked account stays locked, whatever the key.
        let limiter = lockouts(for: keyOwner)
        if let wait = try limiter.lockedFor(limiter.keys(email: holder.email, ip: ip), now: time, db) {
            return .failure(.lockedOut(wait))
        }
        // §7.2 step 6: when the account was not identified before the ceremony (passwordless sign-in,
        // empty allowCredentials), the user handle is what says whose key this is, so it must be present
        // and be the owner's; a discoverable credential always has one. When the account was identified
        // (second factor, re-authentication) a handle is optional, but one that is given must match.
        let handle = credential.response.userHandle.flatMap { $0.isEmpty ? nil : $0 }
        if expected == nil, handle == nil {
            return try refuse(.failed, holder, detail: "no user handle in a passwordless sign-in")
        }
        if let handle {
            let stored = try db.queryOne("""
                SELECT webauthn_user_handle FROM \(identifier: keyOwner.table) WHERE id = \(keyOwner.id)
                """)?.decode("webauthn_user_handle", as: [UInt8]?.self) ?? []
            guard constantTimeEquals(handle, stored) else {
                return try refuse(.failed, holder, detail: "user handle does not match the key's account")
            }
        }
        let publicKey: [UInt8] = try row.decode("public_key")
        let storedSignCount: Int64 = try row.decode("sign_count")
        let verified: VerifiedAuthentication
        do {
            verified = try WebAuthnVerifier.verifyAuthentication(
                credential, expectedChallenge: challenge, rp: rp, publicKey: publicKey,
                storedSignCount: UInt32(clamping: storedSignCount), requireUserVerification: requireUserVerification)
        } catch let error {
            if case .signCountRegressed(let stored, let received) = error {
                try Audit.record(db, .passkeyCounterRegressed, actor: holder.actor(ip: ip, userAgent: userAgent), at: time,
                                 detail: "\(row.string("name") ?? ""): stored \(stored), received \(received)")
            }
            return try refuse(.failed, holder, detail: "\(error)")
        }
        // The backup state may change over a key's life (BS); eligibility may not (BE).
        guard verified.backupEligible == (try row.decode("backup_eligible", as: Bool.self)) else {
            return try refuse(.failed, holder, detail: "backup eligibility changed")
        }
        try db.run("""
            UPDATE webauthn_credentials SET sign_count = \(Int64(verified.signCount)), backed_up = \(verified.backedUp),
                last_used_at = \(time)
            WHERE id = \(row.int64("id"))
            """)
        return .success(keyOwner)
    }

    /// The lockouts a key's failures count toward: the customers' or the staff's.
    private func lockouts(for owner: KeyOwner?) -> LoginThrottle {
        if case .staff = owner { return staffThrottle }
        return throttle
    }

    private func keyHolder(_ db: Database, _ owner: KeyOwner) throws -> KeyHolder? {
        switch owner {
        case .customer(let id):
            return try AccountQueries.customer(id: id, db).map { KeyHolder(owner: owner, email: $0.email, clientID: $0.clientID) }
        case .staff(let id):
            return try AccountQueries.staff(id: id, db).map { KeyHolder(owner: owner, email: $0.email, clientID: nil) }
        }
    }

    // MARK: Recent authentication ("sudo mode")

    /// How long a password or passkey entry lets sensitive changes through without asking again.
    static let reauthenticationWindow: Int64 = 300

    /// Whether the session entered its password or a passkey within the last five minutes.
    func recentlyAuthenticated(_ session: Session) -> Bool {
        now - session.authenticatedAt < Self.reauthenticationWindow
    }

    /// "Confirm it's you" with the password: counts toward the lockout when wrong.
    func reauthenticate(session: Session, customerID: Int64, password: String, actor: Actor) throws -> Result<Void, PasswordCheckError> {
        try actor.mustBeTheCustomer("Confirming the customer's identity", because: "needs the customer's own password or key")
        return try withPasswordCheck(customerID: customerID, password: password, actor: actor) { db, time in
            try db.run("UPDATE sessions SET authenticated_at = \(time) WHERE id = \(session.id)")
        }
    }

    /// Whether the account has any key (the MFA and re-authentication pages offer "Use a passkey").
    func hasPasskeys(owner: KeyOwner) throws -> Bool {
        try pool.withConnection { db in
            try db.queryOne("""
                SELECT count(*) AS n FROM webauthn_credentials WHERE \(identifier: owner.column) = \(owner.id)
                """)?.decode("n", as: Int.self) ?? 0 > 0
        }
    }

    // MARK: Helpers

    /// The account's WebAuthn user handle: 32 random bytes, made the first time it is needed.
    private func userHandle(_ db: Database, owner: KeyOwner) throws -> [UInt8] {
        if let handle = try db.queryOne("SELECT webauthn_user_handle FROM \(identifier: owner.table) WHERE id = \(owner.id)")?
            .blob("webauthn_user_handle"), !handle.isEmpty {
            return handle
        }
        let handle = SecureRandom.bytes(count: 32)
        try db.run("UPDATE \(identifier: owner.table) SET webauthn_user_handle = \(handle) WHERE id = \(owner.id)")
        return handle
    }

    private static func descriptor(_ row: Row) throws -> CredentialDescriptor {
        CredentialDescriptor(id: try row.decode("credential_id"),
                             transports: try row.decode("transports", as: String.self).split(separator: ",").map(String.init))
    }
}
