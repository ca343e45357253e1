import Crypto
import OIDC
import Store

/// Single sign-on through OpenID Connect (SPEC §3a): the authorization-code flow with PKCE, a nonce and
/// a state, kept server-side and bound to the browser that started it; the ID token checked by the `OIDC`
/// library; the identity `(issuer, sub)` linked to an account once, by a verified email of the client's
/// domains, and found by `(issuer, sub)` alone from then on.
///
/// The calls to the provider (discovery, the token endpoint, its keys) block: the routes that make them
/// run on the lane for slow work.
extension Portal {
    /// How long the person has at the provider before the attempt is refused.
    static let singleSignOnAttemptLifetime: Int64 = 600
    /// Attempts open at once for one client address, and for everyone: beyond them the oldest give way
    /// (a person who clicked "Continue" many times keeps the latest), so a flood of starts cannot grow
    /// the table without bound.
    static let singleSignOnAttemptsPerAddress = 20
    static let singleSignOnAttemptsInAll = 10_000

    /// Where providers send people back (`GET`), below the console's origin.
    public static let singleSignOnCallbackPath = "/login/sso/callback"

    /// The redirect URI every provider is registered with.
    var singleSignOnRedirectURI: String { origin + Self.singleSignOnCallbackPath }

    // MARK: Which provider

    /// The provider the email step sends this address to: the one its domain belongs to, else the one of
    /// the client its account belongs to; nil when neither has one. The staff provider is never chosen here.
    func signInProvider(forEmail email: String) throws -> SignInProvider? {
        guard case .success(let email) = Validation.email(email), let at = email.lastIndex(of: "@") else { return nil }
        let domain = email[email.index(after: at)...].lowercased()
        return try pool.withConnection { db in
            if let row = try db.queryOne("""
                SELECT p.* FROM identity_provider_domains d JOIN identity_providers p ON p.id = d.provider_id
                WHERE d.domain = \(domain) AND p.for_staff = 0
                """) {
                return try SignInProvider(row: row, db)
            }
            guard let row = try db.queryOne("""
                SELECT p.* FROM customer_users u JOIN identity_providers p ON p.client_id = u.client_id
                WHERE u.email = \(email) AND p.for_staff = 0
                """) else { return nil }
            return try SignInProvider(row: row, db)
        }
    }

    func signInProvider(id: Int64) throws -> SignInProvider? {
        try pool.withConnection { db in
            try db.queryOne("SELECT * FROM identity_providers WHERE id = \(id)").map { try SignInProvider(row: $0, db) }
        }
    }

    /// The MSP's own provider, for staff sign-in at `/admin/login`.
    func staffSignInProvider() throws -> SignInProvider? {
        try pool.withConnection { db in
            try db.queryOne("SELECT * FROM identity_providers WHERE for_staff = 1").map { try SignInProvider(row: $0, db) }
        }
    }

    /// What the `OIDC` library needs of a provider: its issuer, the console's client ID and secret there
    /// (opened from its sealed form), the redirect URI, and for Entra the tenant.
    func registration(for provider: SignInProvider) throws -> ClientRegistration {
        let secret = try pool.withConnection { db in try identityProviderSecret(db, providerID: provider.id) }
        return ClientRegistration(issuer: provider.issuer, clientID: provider.oauthClientID, clientSecret: secret,
                                  redirectURI: singleSignOnRedirectURI, tenantID: provider.tenantID)
    }

    // MARK: The way out to the provider

    /// Prepares the authorization request: fresh state, nonce and PKCE verifier (256 bits each), kept
    /// server-side for ten minutes (the state as a hash, nonce and verifier sealed) and bound to a new
    /// browser token, which the caller sets as a `SameSite=Lax` cookie (it must survive the provider's
    /// redirect back, which a Strict cookie does not). Fetches the provider's metadata (cached a day).
    func beginSingleSignOn(provider: SignInProvider, loginHint: String?, ip: String) throws -> Result<SingleSignOnStart, SingleSignOnFailure> {
        let time = now
        let registration: ClientRegistration
        let metadata: ProviderMetadata
        do {
            registration = try self.registration(for: provider)
            metadata = try relyingParty.metadata(for: registration)
        } catch let error as OIDCError {
            return .failure(try recordSingleSignOnFailure(provider: provider, reason: error.reason.rawValue, detail: error.detail, ip: ip))
        }
        let request = try AuthorizationRequest.generate()
        let browserToken = Base64URL.encode(SecureRandom.bytes(count: 32))
        let stateHash = Digest.sha256(Array(request.state.utf8))
        let secrets = try AESGCM.seal(Array("\(request.nonce)\n\(request.codeVerifier)".utf8), key: secretKey.singleSignOnKey,
                                      associatedData: Self.attemptAssociatedData(stateHash: stateHash, providerID: provider.id))
        let hint = loginHint.map { String($0.prefix(Validation.maxEmailLength)) }
        try pool.write { db in
            try db.run("DELETE FROM sso_attempts WHERE expires_at <= \(time)")
            try db.run("""
                INSERT INTO sso_attempts (state_hash, browser_hash, ip, provider_id, secrets_sealed, created_at, expires_at)
                VALUES (\(stateHash), \(Digest.sha256(Array(browserToken.utf8))), \(ip), \(provider.id), \(secrets), \(time),
                        \(time + Self.singleSignOnAttemptLifetime))
                """)
            try db.run("""
                DELETE FROM sso_attempts WHERE ip = \(ip) AND id <=
                    (SELECT id FROM sso_attempts WHERE ip = \(ip) ORDER BY id DESC LIMIT 1 OFFSET \(Self.singleSignOnAttemptsPerAddress))
                """)
            try db.run("""
                DELETE FROM sso_attempts WHERE id <= (SELECT id FROM sso_attempts ORDER BY id DESC LIMIT 1 OFFSET \(Self.singleSignOnAttemptsInAll))
                """)
        }
        let url = request.url(metadata: metadata, registration: registration,
                              extra: authorizationParameters(provider: provider, loginHint: hint))
        return .success(SingleSignOnStart(url: url, browserToken: browserToken))
    }

    /// What the authorization request adds for this provider: the address typed (`login_hint`), the
    /// domain for Entra (`domain_hint`) and Google (`hd`), a fresh sign-in in kiosk mode (so the previous
    /// person's session at the provider cannot sign the next one in), and multi-factor authentication
    /// when the client requires it and trusts the provider's.
    func authorizationParameters(provider: SignInProvider, loginHint: String?) -> [(String, String)] {
        var extra: [(String, String)] = []
        if let loginHint, !loginHint.isEmpty {
            extra.append(("login_hint", loginHint))
            if let at = loginHint.lastIndex(of: "@") {
                let domain = loginHint[loginHint.index(after: at)...].lowercased()
                switch provider.kind {
                case .entra: extra.append(("domain_hint", domain))
                case .google where provider.domains.contains(domain): extra.append(("hd", domain))
                default: break
                }
            }
        }
        if configuration.kiosk { extra.append(("prompt", "login")) }
        if provider.trustProviderMFA, provider.clientRequiresMFA {
            extra.append(("acr_values", SignInProvider.multiFactorPolicy))
        }
        return extra
    }

    // MARK: The way back

    /// Handles the provider's redirect back: the attempt (single use, this browser's, not expired), the
    /// provider's answer, the token request and every check of the ID token, then who it is and what the
    /// client allows. Every refusal is audited with its reason and a reference the page shows.
    func finishSingleSignOn(_ callback: SingleSignOnCallback, ip: String, userAgent: String) throws -> SingleSignOnOutcome {
        let time = now
        guard let state = callback.state, !state.isEmpty, state.utf8.count <= 512 else {
            return .failed(try recordSingleSignOnFailure(provider: nil, reason: "state_missing", detail: "the answer carries no state", ip: ip))
        }
        let stateHash = Digest.sha256(Array(state.utf8))
        let attempt: SingleSignOnAttempt
        switch try takeAttempt(stateHash: stateHash, browserToken: callback.browserToken, at: time) {
        case .success(let found): attempt = found
        case .failure(let refusal):
            return .failed(try recordSingleSignOnFailure(provider: refusal.provider, reason: refusal.reason, detail: refusal.detail, ip: ip))
        }
        let provider = attempt.provider
        if let error = callback.error {
            // The provider's own words are not shown or stored as they are: only a short token-like code.
            let code = String(error.unicodeScalars.filter { ("a"..."z").contains($0) || $0 == "_" }.prefix(40).map(Character.init))
            if code == "access_denied" {
                try pool.write { db in
                    try Audit.record(db, .singleSignOnCancelled, actor: Actor(customerUserID: nil, staffID: nil, clientID: provider.clientID, ip: ip),
                                     at: time, detail: provider.displayName)
                }
                return .cancelled(side: provider.clientID == nil ? .staff : .customer)
            }
            return .failed(try recordSingleSignOnFailure(provider: provider, reason: "provider_error",
                                                         detail: "the provider answered with the error \(code.isEmpty ? "(unreadable)" : code)", ip: ip))
        }
        guard let code = callback.code, !code.isEmpty, code.utf8.count <= 4096 else {
            return .failed(try recordSingleSignOnFailure(provider: provider, reason: "code_missing", detail: "the answer carries no code", ip: ip))
        }
        let token: IDToken
        do {
            let registration = try self.registration(for: provider)
            let request = AuthorizationRequest(state: state, nonce: attempt.nonce, codeVerifier: attempt.codeVerifier)
            let tokens = try relyingParty.redeem(code: code, request: request, registration: registration)
            token = try relyingParty.verifiedIDToken(tokens, request: request, registration: registration)
        } catch let error as OIDCError {
            return .failed(try recordSingleSignOnFailure(provider: provider, reason: error.reason.rawValue, detail: error.detail, ip: ip))
        }
        return try signIn(with: token, provider: provider, ip: ip, userAgent: userAgent)
    }

    /// Deletes the attempt the state names and returns it when it belongs to this browser and is still
    /// valid. Deleted whatever the verdict: a state works once, even when the check fails.
    private func takeAttempt(stateHash: [UInt8], browserToken: String?, at time: Int64) throws
        -> Result<SingleSignOnAttempt, AttemptRefusal> {
        try pool.write { db in
            guard let row = try db.queryOne("SELECT * FROM sso_attempts WHERE state_hash = \(stateHash)") else {
                return .failure(AttemptRefusal(provider: nil, reason: "state_unknown",
                                               detail: "the state is unknown or was used already (a second use of the same answer)"))
            }
            let id: Int64 = try row.decode("id")
            try db.run("DELETE FROM sso_attempts WHERE id = \(id)")
            let providerID: Int64 = try row.decode("provider_id")
            guard let providerRow = try db.queryOne("SELECT * FROM identity_providers WHERE id = \(providerID)") else {
                return .failure(AttemptRefusal(provider: nil, reason: "provider_removed", detail: "the provider was removed during sign-in"))
            }
            let provider = try SignInProvider(row: providerRow, db)
            let expected: [UInt8] = try row.decode("browser_hash")
            guard let browserToken, constantTimeEquals(Digest.sha256(Array(browserToken.utf8)), expected) else {
                return .failure(AttemptRefusal(provider: provider, reason: "browser_mismatch",
                                               detail: "the answer came back to another browser than the one that started sign-in"))
            }
            guard try row.decode("expires_at", as: Int64.self) > time else {
                return .failure(AttemptRefusal(provider: provider, reason: "state_expired", detail: "sign-in took longer than ten minutes"))
            }
            guard let opened = try? AESGCM.open(try row.decode("secrets_sealed"), key: secretKey.singleSignOnKey,
                                                associatedData: Self.attemptAssociatedData(stateHash: stateHash, providerID: providerID)),
                  let text = String(validating: opened, as: UTF8.self), let newline = text.firstIndex(of: "\n") else {
                return .failure(AttemptRefusal(provider: provider, reason: "attempt_unreadable", detail: "the stored attempt does not open"))
            }
            return .success(SingleSignOnAttempt(provider: provider, nonce: String(text[..<newline]),
                                                codeVerifier: String(text[text.index(after: newline)...])))
        }
    }

    /// Bound to the provider rather than the session: the row follows the session when a second factor
    /// replaces it.
    static func signOutAssociatedData(providerID: Int64) -> [UInt8] { Array("sso-sign-out:\(providerID)".utf8) }

    static func attemptAssociatedData(stateHash: [UInt8], providerID: Int64) -> [UInt8] {
        Array("sso-attempt:\(providerID):".utf8) + stateHash
    }

    // MARK: Who it is

    /// A verified token becomes a session when the identity is linked (or may be linked now) to an account
    /// the client allows; everything in one write, so two callbacks cannot link one account twice.
    private func signIn(with token: IDToken, provider: SignInProvider, ip: String, userAgent: String) throws -> SingleSignOnOutcome {
        let time = now
        // Where sign-out continues at the provider, when it has an end-session endpoint (metadata cached).
        let signOutURL = try? providerSignOutURL(provider: provider, idToken: token.compact)
        return try pool.write { db in
            let actor = Actor(customerUserID: nil, staffID: nil, clientID: provider.clientID, ip: ip)
            func refuse(_ reason: String, _ detail: String, customerID: Int64? = nil) throws -> SingleSignOnOutcome {
                var actor = actor
                actor.customerUserID = customerID
                let reference = SingleSignOnFailure.newReference()
                try Audit.record(db, .singleSignOnRefused, actor: actor, at: time,
                                 detail: "ref \(reference): \(reason): \(detail) (\(provider.displayName))")
                return .accessRequired(signOutURL: signOutURL)
            }
            if provider.clientID == nil {
                return try staffSignIn(db, token: token, provider: provider, time: time, ip: ip, userAgent: userAgent, signOutURL: signOutURL)
            }
            guard let clientID = provider.clientID, let client = try AccountQueries.client(id: clientID, db) else {
                return try refuse("client_missing", "the provider's client no longer exists")
            }
            var customer: CustomerUser?
            if let linked = try db.queryOne("""
                SELECT customer_user_id, staff_id FROM sso_identities WHERE issuer = \(token.issuer) AND subject = \(token.subject)
                """) {
                guard let id: Int64 = try linked.decode("customer_user_id") else {
                    return try refuse("identity_of_staff", "this identity is linked to a staff account")
                }
                customer = try AccountQueries.customer(id: id, db)
                try db.run("UPDATE sso_identities SET last_sign_in_at = \(time) WHERE issuer = \(token.issuer) AND subject = \(token.subject)")
            } else {
                switch try firstLink(db, token: token, provider: provider, client: client, time: time, ip: ip) {
                case .linked(let found): customer = found
                case .refused(let reason, let detail, let customerID): return try refuse(reason, detail, customerID: customerID)
                }
            }
            guard let customer else { return try refuse("account_missing", "the linked account no longer exists") }
            // The account must still be this client's, active, and the portal on: as for every sign-in.
            guard customer.clientID == clientID else {
                return try refuse("other_client", "the linked account belongs to another client now", customerID: customer.id)
            }
            guard customer.status == .active else {
                return try refuse("account_\(customer.status.rawValue)", "the account is \(customer.status.rawValue)", customerID: customer.id)
            }
            guard client.portalEnabled else { return .portalNotAvailable }
            let providerMFA = provider.trustProviderMFA && token.showsMultiFactor
            let stage: SessionStage
            if providerMFA {
                stage = .active
            } else if try hasSecondFactor(db, customerID: customer.id) {
                stage = .secondFactor
            } else {
                stage = client.requireMFA ? .enrolment : .active
            }
            let method: SignInMethod = providerMFA ? .singleSignOnWithMFA : .singleSignOn
            let session = try completeSignIn(db, principal: .customer(customer.id), email: customer.email, replacing: nil,
                                             method: method, stage: stage, detail: provider.displayName, ip: ip, userAgent: userAgent)
            try recordSingleSignOnSession(db, sessionID: session.id, provider: provider, token: token, signOutURL: signOutURL)
            return .signedIn(token: session.token, stage: stage, side: .customer)
        }
    }

    private enum LinkResult {
        case linked(CustomerUser?)
        case refused(reason: String, detail: String, customerID: Int64?)
    }

    /// The first sign-in of an identity: linked by email only when the domain is one of the client's and
    /// the provider vouches for the address (or the MSP trusts this provider's emails), and never to an
    /// account another identity holds. Creates the account when the client allows it.
    private func firstLink(_ db: Database, token: IDToken, provider: SignInProvider, client: Client, time: Int64,
                           ip: String) throws -> LinkResult {
        guard let rawEmail = token.email, case .success(let email) = Validation.email(rawEmail),
              let at = email.lastIndex(of: "@") else {
            return .refused(reason: "email_missing", detail: "the token carries no usable email", customerID: nil)
        }
        let address = email.lowercased()
        let domain = String(address[address.index(after: at)...])
        guard provider.domains.contains(domain) else {
            return .refused(reason: "domain_not_allowed", detail: "\(domain) is not one of the provider's domains", customerID: nil)
        }
        guard provider.vouchesFor(token, domain: domain) else {
            return .refused(reason: "email_unverified", detail: "the provider does not say the address \(address) is verified", customerID: nil)
        }
        var actor = Actor(customerUserID: nil, staffID: nil, clientID: client.id, ip: ip)
        if let existing = try AccountQueries.customer(email: address, db) {
            guard existing.clientID == client.id else {
                return .refused(reason: "other_client", detail: "the address belongs to an account of another client", customerID: existing.id)
            }
            if try db.queryOne("SELECT 1 AS taken FROM sso_identities WHERE customer_user_id = \(existing.id)") != nil {
                return .refused(reason: "account_linked_elsewhere", detail: "the account is linked to another identity already",
                                customerID: existing.id)
            }
            guard existing.status != .disabled else {
                return .refused(reason: "account_disabled", detail: "the account is disabled", customerID: existing.id)
            }
            try link(db, token: token, provider: provider, customerID: existing.id, email: address, time: time)
            actor.customerUserID = existing.id
            if existing.status == .invited {
                // Signing in through the company's provider accepts the invitation.
                try db.run("UPDATE customer_users SET status = 'active' WHERE id = \(existing.id)")
            }
            try Audit.record(db, .singleSignOnLinked, actor: actor, at: time, detail: "\(provider.displayName), \(address)")
            return .linked(try AccountQueries.customer(id: existing.id, db))
        }
        guard provider.createUsers else {
            return .refused(reason: "no_account", detail: "no account has the address \(address) and the client creates none on sign-in",
                            customerID: nil)
        }
        let name = String(Validation.clean(token.name ?? [token.givenName, token.familyName].compactMap { $0 }.joined(separator: " "))
            .prefix(Validation.maxNameLength))
        try db.run("""
            INSERT INTO customer_users (client_id, email, name, phone, status, created_at, updated_at)
            VALUES (\(client.id), \(address), \(name.isEmpty ? String(address[..<at]) : name), '', 'active', \(time), \(time))
            """)
        let id = db.lastInsertRowID
        actor.customerUserID = id
        try link(db, token: token, provider: provider, customerID: id, email: address, time: time)
        try Audit.record(db, .singleSignOnAccountCreated, actor: actor, at: time, detail: "\(provider.displayName), \(address)")
        return .linked(try AccountQueries.customer(id: id, db))
    }

    private func link(_ db: Database, token: IDToken, provider: SignInProvider, customerID: Int64?, staffID: Int64? = nil,
                      email: String, time: Int64) throws {
        try db.run("""
            INSERT INTO sso_identities (issuer, subject, tenant_id, object_id, provider_id, customer_user_id, staff_id, linked_email,
                                        linked_at, last_sign_in_at)
            VALUES (\(token.issuer), \(token.subject), \(token.tenantID), \(token.objectID), \(provider.id), \(customerID), \(staffID),
                    \(email), \(time), \(time))
            """)
    }

    /// Staff through the MSP's provider: linked to an existing, active staff account by the same rules,
    /// never created; the staff second factor follows when they have one.
    private func staffSignIn(_ db: Database, token: IDToken, provider: SignInProvider, time: Int64, ip: String, userAgent: String,
                             signOutURL: String?) throws -> SingleSignOnOutcome {
        func refuse(_ reason: String, _ detail: String, staffID: Int64? = nil) throws -> SingleSignOnOutcome {
            let reference = SingleSignOnFailure.newReference()
            try Audit.record(db, .singleSignOnRefused, actor: Actor(customerUserID: nil, staffID: staffID, clientID: nil, ip: ip), at: time,
                             detail: "ref \(reference): \(reason): \(detail) (\(provider.displayName), staff)")
            return .accessRequired(signOutURL: signOutURL)
        }
        var staff: StaffMember?
        if let linked = try db.queryOne("SELECT staff_id FROM sso_identities WHERE issuer = \(token.issuer) AND subject = \(token.subject)") {
            guard let id: Int64 = try linked.decode("staff_id") else {
                return try refuse("identity_of_customer", "this identity is linked to a customer account")
            }
            staff = try AccountQueries.staff(id: id, db)
        } else {
            guard let rawEmail = token.email, case .success(let email) = Validation.email(rawEmail), let at = email.lastIndex(of: "@") else {
                return try refuse("email_missing", "the token carries no usable email")
            }
            let address = email.lowercased()
            let domain = String(address[address.index(after: at)...])
            guard provider.domains.contains(domain) else { return try refuse("domain_not_allowed", "\(domain) is not one of the provider's domains") }
            guard provider.vouchesFor(token, domain: domain) else { return try refuse("email_unverified", "the provider does not say \(address) is verified") }
            guard let member = try AccountQueries.staff(email: address, db) else { return try refuse("no_account", "no staff account has \(address)") }
            if try db.queryOne("SELECT 1 AS taken FROM sso_identities WHERE staff_id = \(member.id)") != nil {
                return try refuse("account_linked_elsewhere", "the staff account is linked to another identity", staffID: member.id)
            }
            try link(db, token: token, provider: provider, customerID: nil, staffID: member.id, email: address, time: time)
            try Audit.record(db, .singleSignOnLinked, actor: Actor(customerUserID: nil, staffID: member.id, clientID: nil, ip: ip), at: time,
                             detail: "\(provider.displayName), \(address)")
            staff = member
        }
        guard let staff, staff.active else { return try refuse("account_disabled", "the staff account is missing or disabled", staffID: staff?.id) }
        let secondFactor = try authenticatorEnabled(db, owner: .staff(staff.id))
            || (try db.queryOne("SELECT 1 AS one FROM webauthn_credentials WHERE staff_id = \(staff.id)")) != nil
        let stage: SessionStage = secondFactor ? .secondFactor : .active
        let session = try completeSignIn(db, principal: .staff(staff.id), email: staff.email, replacing: nil, method: .singleSignOn,
                                         stage: stage, detail: provider.displayName, ip: ip, userAgent: userAgent)
        try recordSingleSignOnSession(db, sessionID: session.id, provider: provider, token: token, signOutURL: signOutURL)
        return .signedIn(token: session.token, stage: stage, side: .staff)
    }

    /// What sign-out needs of a session started through a provider: its name, and where to continue to
    /// sign out there (the URL carries the ID token as `id_token_hint`, so it is sealed at rest).
    private func recordSingleSignOnSession(_ db: Database, sessionID: Int64, provider: SignInProvider, token: IDToken,
                                           signOutURL: String?) throws {
        let sealed = try signOutURL.map { url in
            try AESGCM.seal(Array(url.utf8), key: secretKey.singleSignOnKey, associatedData: Self.signOutAssociatedData(providerID: provider.id))
        }
        try db.run("""
            INSERT INTO sso_sessions (session_id, provider_id, display_name, sign_out_sealed)
            VALUES (\(sessionID), \(provider.id), \(provider.displayName), \(sealed))
            """)
    }

    /// The provider's end-session URL for a session, when it has one: `id_token_hint` and a way back to
    /// `/login`. Read before the session is deleted.
    func providerSignOut(sessionID: Int64) throws -> ProviderSignOut? {
        try pool.withConnection { db in
            guard let row = try db.queryOne("SELECT provider_id, display_name, sign_out_sealed FROM sso_sessions WHERE session_id = \(sessionID)"),
                  let providerID: Int64 = try row.decode("provider_id"), let sealed: [UInt8] = try row.decode("sign_out_sealed") else { return nil }
            guard let opened = try? AESGCM.open(sealed, key: secretKey.singleSignOnKey, associatedData: Self.signOutAssociatedData(providerID: providerID)),
                  let url = String(validating: opened, as: UTF8.self) else { return nil }
            return ProviderSignOut(displayName: try row.decode("display_name"), url: url)
        }
    }

    /// The provider an account is linked to, by name: the Security tab says who signs the person in.
    func linkedProviderName(customerID: Int64) throws -> String? {
        try pool.withConnection { db in
            try db.queryOne(Self.linkedProviderQuery(customerID))?.decode("display_name")
        }
    }

    private static let linkedProviderQuery = SQLTemplate { (customerID: SQLParameter<Int64>) in
        """
        SELECT p.display_name FROM sso_identities i JOIN identity_providers p ON p.id = i.provider_id
        WHERE i.customer_user_id = \(customerID)
        """
    }

    private func providerSignOutURL(provider: SignInProvider, idToken: String) throws -> String? {
        let registration = try self.registration(for: provider)
        let metadata = try relyingParty.metadata(for: registration)
        return relyingParty.endSessionURL(metadata: metadata, idTokenHint: idToken,
                                          postLogoutRedirectURI: origin + (provider.clientID == nil ? "/admin/login?signed_out=1" : "/login?signed_out=1"),
                                          clientID: registration.clientID)
    }

    // MARK: Failures

    /// Audits a failure with its precise reason and returns the reference the page shows.
    func recordSingleSignOnFailure(provider: SignInProvider?, reason: String, detail: String, ip: String) throws -> SingleSignOnFailure {
        let reference = SingleSignOnFailure.newReference()
        try pool.write { db in
            try Audit.record(db, .singleSignOnFailed, actor: Actor(customerUserID: nil, staffID: nil, clientID: provider?.clientID, ip: ip),
                             at: now, detail: "ref \(reference): \(reason): \(detail)\(provider.map { " (\($0.displayName))" } ?? "")")
        }
        log("single sign-on failed, ref \(reference): \(reason)")
        return SingleSignOnFailure(reference: reference, side: provider?.clientID == nil && provider != nil ? .staff : .customer)
    }
}

/// An identity provider as sign-in reads it: the MSP's settings and the client's policy at that moment.
@dynamicMemberLookup
struct SignInProvider: Sendable, Equatable {
    enum Kind: Sendable { case entra, google, okta, other }

    let settings: IdentityProvider
    /// The client's policy when the provider was read (nil client: the staff provider, neither).
    let clientRequiresMFA: Bool
    let clientSingleSignOnOnly: Bool

    /// PAPE's multi-factor policy (OpenID Provider Authentication Policy Extension 1.0), asked for as
    /// `acr_values` when the client trusts the provider's MFA.
    static let multiFactorPolicy = "http://schemas.openid.net/pape/policies/2007/06/multi-factor"

    init(row: Row, _ db: Database) throws {
        settings = try IdentityProvider(row: row, db)
        let client = try settings.clientID.flatMap { try db.queryOne("SELECT require_mfa, sso_only FROM clients WHERE id = \($0)") }
        clientRequiresMFA = try client?.decode("require_mfa") ?? false
        clientSingleSignOnOnly = try client?.decode("sso_only") ?? false
    }

    subscript<Value>(dynamicMember keyPath: KeyPath<IdentityProvider, Value>) -> Value { settings[keyPath: keyPath] }

    var kind: Kind {
        guard let host = URLHost.of(settings.issuer) else { return .other }
        if host == "login.microsoftonline.com" || host.hasSuffix(".microsoftonline.com") { return .entra }
        if host == "accounts.google.com" { return .google }
        if host.hasSuffix(".okta.com") || host.hasSuffix(".oktapreview.com") { return .okta }
        return .other
    }

    /// Whether the provider says the address is its user's, by the claim that provider uses for it:
    /// Entra's `xms_edov` (its `email` is a mutable display value otherwise), Google's `hd` equal to the
    /// domain with `email_verified`, elsewhere `email_verified`; or the MSP set "trust email".
    func vouchesFor(_ token: IDToken, domain: String) -> Bool {
        if settings.trustEmail { return true }
        // Entra (its issuer, or any token naming a tenant): `email` is a value the user or an admin can
        // change; only `xms_edov` says the domain's owner verified it.
        if kind == .entra || token.tenantID != nil { return token.emailDomainOwnerVerified == true }
        // Google (its issuer, or any token naming a hosted domain): a consumer account can carry a verified
        // address of any domain; only the Workspace account of that domain (`hd`) counts.
        if kind == .google || token.hostedDomain != nil {
            return token.emailVerified == true && token.hostedDomain?.lowercased() == domain
        }
        return token.emailVerified == true
    }
}

extension IDToken {
    /// Whether the provider says the person used more than one factor: RFC 8176's `mfa` in `amr`, or an
    /// Entra authentication context (`acrs`) naming it.
    var showsMultiFactor: Bool {
        authenticationMethods.contains("mfa") || authenticationContexts.contains { $0.lowercased().contains("mfa") }
    }
}

/// The host of an absolute URL, lower-cased.
enum URLHost {
    static func of(_ url: String) -> String? {
        let bytes = Array(url.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes.count > colon + 2,
              bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/") else { return nil }
        let rest = Substring(String(decoding: bytes[(colon + 3)...], as: UTF8.self))
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? ""
        if hostPort.hasPrefix("[") { return hostPort.split(separator: "]").first.map { String($0.dropFirst()).lowercased() } }
        return hostPort.split(separator: ":").first.map { $0.lowercased() }
    }
}

/// Where signing out continues for a session begun at a provider.
struct ProviderSignOut: Sendable, Equatable {
    let displayName: String
    let url: String
}

struct SingleSignOnStart: Sendable {
    let url: String
    let browserToken: String
}

/// A failure the person can only report: the reference finds the precise reason in the audit log.
struct SingleSignOnFailure: Error, Sendable, Equatable {
    let reference: String
    /// Whose sign-in it was (customer when the attempt could not be found): "Try again" leads there.
    var side: SingleSignOnOutcome.Side = .customer

    /// Eight characters from an alphabet without look-alikes, grouped for reading aloud (40 bits).
    static func newReference() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        let letters = SecureRandom.bytes(count: 8).map { alphabet[Int($0) % alphabet.count] }
        return String(letters[0..<4]) + "-" + String(letters[4...])
    }
}

struct SingleSignOnCallback: Sendable {
    var state: String?
    var code: String?
    var error: String?
    var browserToken: String?
}

enum SingleSignOnOutcome: Sendable, Equatable {
    enum Side: Sendable { case customer, staff }
    case signedIn(token: String, stage: SessionStage, side: Side)
    /// The person said no at the provider (`access_denied`).
    case cancelled(side: Side)
    case failed(SingleSignOnFailure)
    /// Signed in at the provider, but no account of the console may be used with that identity.
    case accessRequired(signOutURL: String?)
    case portalNotAvailable
}

private struct SingleSignOnAttempt {
    let provider: SignInProvider
    let nonce: String
    let codeVerifier: String
}

private struct AttemptRefusal: Error {
    let provider: SignInProvider?
    let reason: String
    let detail: String
}
