import Crypto
import OIDC
import Store

/// What the MSP sets for a client's identity provider (or its own, for staff), as the command line and
/// the administrator's client page take it. A nil secret keeps the stored one (required the first time);
/// a nil flag keeps its value (off the first time); a nil display name is taken from the issuer's host.
public struct IdentityProviderSettings: Sendable, Equatable {
    public var issuer: String
    public var clientID: String
    public var clientSecret: String?
    public var domains: [String]
    public var tenantID: String?
    public var displayName: String?
    public var trustEmail: Bool?
    public var trustProviderMFA: Bool?
    public var createUsers: Bool?

    public init(issuer: String, clientID: String, clientSecret: String?, domains: [String], tenantID: String? = nil,
                displayName: String? = nil, trustEmail: Bool? = nil, trustProviderMFA: Bool? = nil, createUsers: Bool? = nil) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.domains = domains
        self.tenantID = tenantID
        self.displayName = displayName
        self.trustEmail = trustEmail
        self.trustProviderMFA = trustProviderMFA
        self.createUsers = createUsers
    }
}

/// A configured identity provider as the MSP sees it: everything but the secret, of which only that it
/// is set can be said.
public struct IdentityProvider: Sendable, Equatable {
    public let id: Int64
    /// Nil for the MSP's own provider (staff sign-in).
    public let clientID: Int64?
    public let issuer: String
    public let oauthClientID: String
    public let displayName: String
    public let domains: [String]
    public let tenantID: String?
    public let trustEmail: Bool
    public let trustProviderMFA: Bool
    public let createUsers: Bool

    init(row: Row, _ db: Database) throws {
        id = try row.decode("id")
        clientID = try row.decode("client_id")
        issuer = try row.decode("issuer")
        oauthClientID = try row.decode("oauth_client_id")
        displayName = try row.decode("display_name")
        tenantID = try row.decode("tenant_id")
        trustEmail = try row.decode("trust_email")
        trustProviderMFA = try row.decode("trust_idp_mfa")
        createUsers = try row.decode("create_users")
        domains = try db.query("SELECT domain FROM identity_provider_domains WHERE provider_id = \(id) ORDER BY domain")
            .map { try $0.decode("domain") }
    }

    /// One line for the command line and the audit log ("Microsoft Entra ID (issuer …, client ID …), domains
    /// a.example, b.example; tenant …; trust email off, …"). Never the secret.
    public var summary: String {
        var parts = ["\(displayName) (issuer \(issuer), client ID \(oauthClientID))", "domains \(domains.joined(separator: ", "))"]
        if let tenantID { parts.append("tenant \(tenantID)") }
        func word(_ on: Bool) -> String { on ? "on" : "off" }
        if clientID != nil {
            parts.append("trust email \(word(trustEmail)), trust provider MFA \(word(trustProviderMFA)), create users \(word(createUsers))")
        }
        return parts.joined(separator: "; ")
    }
}

/// Why settings were not saved: the field at fault (the page marks it) and a sentence that says plainly
/// what is wrong. Nothing was changed.
public struct IdentityProviderRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Field: String, Sendable { case issuer, clientID = "client_id", clientSecret = "client_secret", domains
        case tenantID = "tenant_id", displayName = "display_name" }
    public let field: Field?
    public let message: String
    public var description: String { message }
}

/// Whose provider: a client's, or the MSP's own for staff sign-in.
enum ProviderOwner: Sendable, Equatable {
    case client(Client)
    case staff

    var clientID: Int64? { if case .client(let client) = self { client.id } else { nil } }
}

extension Portal {
    // MARK: Command line

    /// `clientone client sso NAME-OR-ID …` (nil: `clientone staff sso …`). One line of reason on refusal.
    public func configureSingleSignOn(client nameOrID: String?, _ settings: IdentityProviderSettings) throws -> IdentityProvider {
        let owner = try commandOwner(nameOrID)
        switch try saveIdentityProvider(owner: owner, settings, actor: .system()) {
        case .success(let provider): return provider
        case .failure(let refusal): throw CommandError(refusal.message)
        }
    }

    /// `clientone client sso NAME-OR-ID --off` (nil: `clientone staff sso --off`). Returns the provider's
    /// name, or throws when there was none.
    public func removeSingleSignOn(client nameOrID: String?) throws -> String {
        let owner = try commandOwner(nameOrID)
        guard let removed = try removeIdentityProvider(owner: owner, actor: .system()) else {
            throw CommandError(owner == .staff ? "staff sign-in has no identity provider" : "the client has no identity provider")
        }
        return removed
    }

    private func commandOwner(_ nameOrID: String?) throws -> ProviderOwner {
        guard let nameOrID else { return .staff }
        guard let client = try pool.withConnection({ db in try AccountQueries.client(nameOrID: nameOrID, db) }) else {
            throw CommandError("unknown client \"\(nameOrID)\"")
        }
        return .client(client)
    }

    // MARK: Reading

    /// The provider of a client (nil: the staff provider), as the MSP sees it.
    public func identityProvider(clientID: Int64?) throws -> IdentityProvider? {
        try pool.withConnection { db in try ownedProvider(db, clientID: clientID) }
    }

    private func ownedProvider(_ db: Database, clientID: Int64?) throws -> IdentityProvider? {
        let row = try clientID.map { try db.queryOne("SELECT * FROM identity_providers WHERE client_id = \($0)") }
            ?? db.queryOne("SELECT * FROM identity_providers WHERE for_staff = 1")
        return try row.map { try IdentityProvider(row: $0, db) }
    }

    /// The client secret of a provider, opened from its sealed form.
    func identityProviderSecret(_ db: Database, providerID: Int64) throws -> String {
        guard let row = try db.queryOne("SELECT issuer, oauth_client_id, client_secret_sealed FROM identity_providers WHERE id = \(providerID)") else {
            throw OIDCError(.discoveryFailed, "the provider was removed")
        }
        let associated = Self.secretAssociatedData(providerID: providerID, issuer: try row.decode("issuer"), clientID: try row.decode("oauth_client_id"))
        guard let opened = try? AESGCM.open(try row.decode("client_secret_sealed"), key: secretKey.identityProviderKey, associatedData: associated),
              let secret = String(validating: opened, as: UTF8.self) else {
            // A key file that does not match the database, or a row edited by hand: the secret is gone.
            throw OIDCError(.tokenEndpointFailed, "the stored client secret does not open (another key file?); set it again")
        }
        return secret
    }

    /// The sealed secret is bound to the row and to what it is the secret of: moved to another provider,
    /// or left behind when the issuer or client ID changes, it does not open.
    static func secretAssociatedData(providerID: Int64, issuer: String, clientID: String) -> [UInt8] {
        Array("identity-provider:\(providerID)\n\(issuer)\n\(clientID)".utf8)
    }

    // MARK: Saving

    /// The one way a provider is set or changed (command line and client page): every field checked, the
    /// domains free, the issuer's discovery document fetched and its `issuer` equal to the URL, then the
    /// row, its domains and the sealed secret in one write, and one audit event without the secret.
    func saveIdentityProvider(owner: ProviderOwner, _ settings: IdentityProviderSettings, actor: Actor)
        throws -> Result<IdentityProvider, IdentityProviderRefusal> {
        let existing = try identityProvider(clientID: owner.clientID)
        let valid: ValidProviderSettings
        switch ValidProviderSettings.check(settings, existing: existing) {
        case .success(let checked): valid = checked
        case .failure(let refusal): return .failure(refusal)
        }
        if let refusal = try domainsTaken(valid.domains, except: existing?.id) { return .failure(refusal) }
        // Outbound, so before the write: a provider that is slow cannot hold the database.
        do {
            _ = try relyingParty.checkDiscovery(issuer: valid.issuer, tenantID: valid.tenantID)
        } catch {
            return .failure(IdentityProviderRefusal(field: .issuer, message: "Not saved: \(error.detail)."))
        }
        let time = now
        return try pool.write { db -> Result<IdentityProvider, IdentityProviderRefusal> in
            // Checked again inside the write: another save may have taken a domain meanwhile.
            let current = try ownedProvider(db, clientID: owner.clientID)
            if let refusal = try domainsTaken(db, valid.domains, except: current?.id) { return .failure(refusal) }
            let secret: String
            if let given = valid.clientSecret {
                secret = given
            } else if let current {
                secret = try identityProviderSecret(db, providerID: current.id)
            } else {
                return .failure(IdentityProviderRefusal(field: .clientSecret, message: "Enter the client secret the provider issued."))
            }
            let trustEmail = valid.trustEmail ?? current?.trustEmail ?? false
            let trustMFA = valid.trustProviderMFA ?? current?.trustProviderMFA ?? false
            let createUsers = valid.createUsers ?? current?.createUsers ?? false
            let id: Int64
            if let current {
                id = current.id
                try db.run("""
                    UPDATE identity_providers SET issuer = \(valid.issuer), oauth_client_id = \(valid.clientID),
                        display_name = \(valid.displayName), tenant_id = \(valid.tenantID), trust_email = \(trustEmail),
                        trust_idp_mfa = \(trustMFA), create_users = \(createUsers), updated_at = \(time)
                    WHERE id = \(id)
                    """)
                if current.issuer != valid.issuer {
                    // Identities are (issuer, sub): those of the old issuer cannot sign in through the new
                    // one, and would keep their accounts from linking to it.
                    try db.run("DELETE FROM sso_identities WHERE provider_id = \(id) AND issuer <> \(valid.issuer)")
                }
                try db.run("DELETE FROM identity_provider_domains WHERE provider_id = \(id)")
            } else {
                try db.run("""
                    INSERT INTO identity_providers (client_id, for_staff, issuer, oauth_client_id, client_secret_sealed, display_name,
                        tenant_id, trust_email, trust_idp_mfa, create_users, created_at, updated_at)
                    VALUES (\(owner.clientID), \(owner == .staff), \(valid.issuer), \(valid.clientID), \([UInt8]()), \(valid.displayName),
                        \(valid.tenantID), \(trustEmail), \(trustMFA), \(createUsers), \(time), \(time))
                    """)
                id = db.lastInsertRowID
            }
            let sealed = try AESGCM.seal(Array(secret.utf8), key: secretKey.identityProviderKey,
                                         associatedData: Self.secretAssociatedData(providerID: id, issuer: valid.issuer, clientID: valid.clientID))
            try db.run("UPDATE identity_providers SET client_secret_sealed = \(sealed) WHERE id = \(id)")
            for domain in valid.domains {
                try db.run("INSERT INTO identity_provider_domains (domain, provider_id) VALUES (\(domain), \(id))")
            }
            let saved = try ownedProvider(db, clientID: owner.clientID)!
            var who = actor
            who.clientID = owner.clientID
            let secretWords = valid.clientSecret == nil ? "secret kept" : (current == nil ? "secret set" : "secret changed")
            try Audit.record(db, .singleSignOnConfigured, actor: who, at: time,
                             detail: "\(owner == .staff ? "staff sign-in: " : "")\(saved.summary); \(secretWords)")
            return .success(saved)
        }
    }

    /// Turns single sign-on off for the owner: the provider, its domains and its sessions' way out go;
    /// identities stay (unlinked from the row), so setting the same issuer again finds them. Returns the
    /// provider's name, nil when there was none.
    func removeIdentityProvider(owner: ProviderOwner, actor: Actor) throws -> String? {
        try pool.write { db in
            guard let provider = try ownedProvider(db, clientID: owner.clientID) else { return nil }
            try db.run("DELETE FROM identity_providers WHERE id = \(provider.id)")
            var who = actor
            who.clientID = owner.clientID
            try Audit.record(db, .singleSignOnRemoved, actor: who, at: now,
                             detail: "\(owner == .staff ? "staff sign-in: " : "")\(provider.displayName) (issuer \(provider.issuer))")
            return provider.displayName
        }
    }

    private func domainsTaken(_ domains: [String], except providerID: Int64?) throws -> IdentityProviderRefusal? {
        try pool.withConnection { db in try domainsTaken(db, domains, except: providerID) }
    }

    private func domainsTaken(_ db: Database, _ domains: [String], except providerID: Int64?) throws -> IdentityProviderRefusal? {
        for domain in domains {
            guard let row = try db.queryOne("""
                SELECT p.id, p.for_staff, c.name FROM identity_provider_domains d JOIN identity_providers p ON p.id = d.provider_id
                LEFT JOIN clients c ON c.id = p.client_id WHERE d.domain = \(domain)
                """) else { continue }
            let owner: Int64 = try row.decode("id")
            if owner == providerID { continue }
            let name: String? = try row.decode("name")
            let whose = try row.decode("for_staff", as: Bool.self) ? "the MSP's staff sign-in" : (name ?? "another client")
            return IdentityProviderRefusal(field: .domains, message: "\(domain) already belongs to \(whose).")
        }
        return nil
    }
}

/// Settings that passed every check, normalised: domains lower-case without a trailing dot, the tenant a
/// lower-case GUID, the display name given or taken from the issuer's host.
struct ValidProviderSettings: Equatable {
    let issuer: String
    let clientID: String
    let clientSecret: String?
    let domains: [String]
    let tenantID: String?
    let displayName: String
    let trustEmail: Bool?
    let trustProviderMFA: Bool?
    let createUsers: Bool?

    static let maxSecretBytes = 4096
    static let maxDisplayName = 80
    static let maxDomains = 50

    static func check(_ settings: IdentityProviderSettings, existing: IdentityProvider?) -> Result<ValidProviderSettings, IdentityProviderRefusal> {
        func refuse(_ field: IdentityProviderRefusal.Field, _ message: String) -> Result<ValidProviderSettings, IdentityProviderRefusal> {
            .failure(IdentityProviderRefusal(field: field, message: message))
        }
        let issuer = Validation.clean(settings.issuer)
        if let problem = issuerProblem(issuer) { return refuse(.issuer, problem) }
        let clientID = Validation.clean(settings.clientID)
        guard !clientID.isEmpty, clientID.utf8.count <= 255, clientID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return refuse(.clientID, "The client ID is 1 to 255 characters without spaces, as the provider shows it.")
        }
        var secret = settings.clientSecret
        if secret?.isEmpty == true { secret = nil }
        if let given = secret {
            guard given.utf8.count <= maxSecretBytes, !given.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                return refuse(.clientSecret, "The client secret is at most \(maxSecretBytes) bytes on one line.")
            }
        } else if existing == nil {
            return refuse(.clientSecret, "Enter the client secret the provider issued.")
        }
        var domains: [String] = []
        for raw in settings.domains {
            var domain = Validation.clean(raw).lowercased()
            if domain.hasSuffix(".") { domain.removeLast() }
            if domain.isEmpty { continue }
            guard isDomainName(domain) else {
                return refuse(.domains, "\(String(domain.prefix(80))) is not a domain name like example.com.")
            }
            if !domains.contains(domain) { domains.append(domain) }
        }
        guard !domains.isEmpty else { return refuse(.domains, "Enter at least one email domain of the client, like example.com.") }
        guard domains.count <= maxDomains else { return refuse(.domains, "At most \(maxDomains) domains.") }
        var tenant: String?
        if let raw = settings.tenantID.map(Validation.clean), !raw.isEmpty {
            let lowered = raw.lowercased()
            guard isGUID(lowered) else {
                return refuse(.tenantID, "The tenant ID is the directory's GUID (Entra admin center, Overview, Tenant ID), like 72f988bf-86f1-41af-91ab-2d7cd011db47.")
            }
            tenant = lowered
        }
        let displayName: String
        if let given = settings.displayName.map(Validation.clean), !given.isEmpty {
            guard Validation.fits(given, limit: maxDisplayName), !Validation.hasControlCharacters(given) else {
                return refuse(.displayName, "The display name is at most \(maxDisplayName) printable characters.")
            }
            displayName = given
        } else {
            displayName = defaultDisplayName(issuer: issuer)
        }
        return .success(ValidProviderSettings(issuer: issuer, clientID: clientID, clientSecret: secret, domains: domains, tenantID: tenant,
                                              displayName: displayName, trustEmail: settings.trustEmail,
                                              trustProviderMFA: settings.trustProviderMFA, createUsers: settings.createUsers))
    }

    /// An issuer is an absolute `https` URL without user, query or fragment (OpenID Connect Discovery §2);
    /// plain `http` only to this machine, for tests and local trials. Kept exactly as typed otherwise: the
    /// discovery document and every token must name it byte for byte, trailing slash included.
    static func issuerProblem(_ issuer: String) -> String? {
        let lowered = issuer.lowercased()
        let isHTTPS = lowered.hasPrefix("https://"), isHTTP = lowered.hasPrefix("http://")
        guard isHTTPS || isHTTP, issuer.utf8.count <= 500 else {
            return "The issuer is the provider's https:// URL, like https://login.microsoftonline.com/TENANT/v2.0."
        }
        guard !issuer.contains(where: { $0 == "?" || $0 == "#" || $0 == "@" || $0.isWhitespace }),
              issuer.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            return "The issuer URL cannot have a query, a fragment, a user name or spaces."
        }
        guard let host = URLHost.of(issuer), !host.isEmpty else { return "The issuer URL has no host." }
        if isHTTP, !(host == "localhost" || host == "::1" || host.hasPrefix("127.")) {
            return "The issuer must use https:// (plain http only to this machine, for tests)."
        }
        return nil
    }

    static func isDomainName(_ domain: String) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard domain.utf8.count <= 253, labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
            return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") }
        }
    }

    static func isGUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.utf8.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) } }
    }

    /// The name people see on "Continue with …" when the MSP gives none.
    static func defaultDisplayName(issuer: String) -> String {
        guard let host = URLHost.of(issuer) else { return "your company's sign-in" }
        if host == "login.microsoftonline.com" { return "Microsoft Entra ID" }
        if host == "accounts.google.com" { return "Google" }
        if host.hasSuffix(".okta.com") || host.hasSuffix(".oktapreview.com") || host.hasSuffix(".okta-emea.com") { return "Okta" }
        return host
    }
}
