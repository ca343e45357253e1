import Store

/// A refusal of a command-line operation: one line saying why. Nothing was changed.
public struct CommandError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Settings of a client, each either left as it is (nil) or set.
public struct ClientSettings: Sendable, Equatable {
    public var portalEnabled: Bool?
    public var ssoOnly: Bool?
    public var requireMFA: Bool?
    public var billingEnabled: Bool?
    /// Staff must verify a caller (a code mailed to the account) before Unlock, Reset two-factor
    /// authentication and Send the invitation again. A new client gets it on unless told otherwise.
    public var verifyCallers: Bool?
    /// "Customers approve administrator views" (`--view-consent`).
    public var viewConsent: Bool?

    public init(portalEnabled: Bool? = nil, ssoOnly: Bool? = nil, requireMFA: Bool? = nil, billingEnabled: Bool? = nil,
                verifyCallers: Bool? = nil, viewConsent: Bool? = nil) {
        self.portalEnabled = portalEnabled
        self.ssoOnly = ssoOnly
        self.requireMFA = requireMFA
        self.billingEnabled = billingEnabled
        self.verifyCallers = verifyCallers
        self.viewConsent = viewConsent
    }
}

/// A new customer user's details, as `clientone user add` takes them.
public struct NewCustomer: Sendable {
    public var client: String
    public var email: String
    public var name: String
    public var phone: String?
    public var title: String?
    public var mobile: String?
    public var password: String?

    public init(client: String, email: String, name: String, phone: String? = nil, title: String? = nil,
                mobile: String? = nil, password: String? = nil) {
        self.client = client
        self.email = email
        self.name = name
        self.phone = phone
        self.title = title
        self.mobile = mobile
        self.password = password
    }
}

/// The MSP's directory of clients, customer users and staff, as the command line manages it.
extension Portal {
    public func addClient(name rawName: String, settings: ClientSettings) throws -> Client {
        let name = Validation.clean(rawName)
        guard !name.isEmpty, Validation.fits(name, limit: 200), !Validation.hasControlCharacters(name) else {
            throw CommandError("client name must be 1 to 200 printable characters")
        }
        guard Int64(name) == nil else { throw CommandError("client name cannot be only digits (it would read as an id)") }
        let time = now
        return try pool.write { db in
            if try AccountQueries.client(nameOrID: name, db) != nil {
                throw CommandError("a client named \"\(name)\" already exists")
            }
            try db.run("""
                INSERT INTO clients (name, portal_enabled, sso_only, require_mfa, billing_enabled, verify_callers, view_consent, created_at)
                VALUES (\(name), \(settings.portalEnabled ?? true), \(settings.ssoOnly ?? false), \(settings.requireMFA ?? false),
                        \(settings.billingEnabled ?? false), \(settings.verifyCallers ?? true), \(settings.viewConsent ?? false), \(time))
                """)
            let id = db.lastInsertRowID
            try Audit.record(db, .clientCreated, actor: Actor(customerUserID: nil, staffID: nil, clientID: id, ip: ""), at: time, detail: name)
            return try AccountQueries.client(id: id, db)!
        }
    }

    /// `clientone client set`: the same change, rules and audit record as the administrator's client
    /// page (`changeClientSettings`), made from the command line.
    public func updateClient(_ nameOrID: String, settings: ClientSettings) throws -> Client {
        try pool.write { db in
            guard let client = try AccountQueries.client(nameOrID: nameOrID, db) else {
                throw CommandError("unknown client \"\(nameOrID)\"")
            }
            _ = try changeClientSettings(db, client: client, settings, actor: Actor(customerUserID: nil, staffID: nil, clientID: nil, ip: ""))
            return try AccountQueries.client(id: client.id, db)!
        }
    }

    /// The one way a client's portal settings change (the administrator's page and the command line):
    /// each setting that differs is stored, and one audit event lists what changed in words
    /// ("portal off, MFA required on"), with who changed it. Returns those words, empty when nothing did.
    func changeClientSettings(_ db: Database, client: Client, _ settings: ClientSettings, actor: Actor) throws -> [String] {
        var changes: [String] = []
        func apply(_ column: String, _ label: String, _ value: Bool?, _ current: Bool) throws {
            guard let value, value != current else { return }
            try db.run("UPDATE clients SET \(identifier: column) = \(value) WHERE id = \(client.id)")
            changes.append("\(label) \(value ? "on" : "off")")
        }
        try apply("portal_enabled", "portal", settings.portalEnabled, client.portalEnabled)
        try apply("sso_only", "SSO-only", settings.ssoOnly, client.ssoOnly)
        try apply("require_mfa", "MFA required", settings.requireMFA, client.requireMFA)
        try apply("billing_enabled", "billing", settings.billingEnabled, client.billingEnabled)
        try apply("verify_callers", "verify callers", settings.verifyCallers, try AccountQueries.verifiesCallers(clientID: client.id, db))
        try apply("view_consent", "customers approve administrator views", settings.viewConsent, client.viewConsent)
        if !changes.isEmpty {
            var who = actor
            who.clientID = client.id
            try Audit.record(db, .clientUpdated, actor: who, at: now, detail: changes.joined(separator: ", "))
        }
        return changes
    }

    public func addCustomer(_ new: NewCustomer) throws -> CustomerUser {
        let email = try Self.checked(Validation.email(new.email), "email")
        let name = try Self.checked(Validation.name(new.name), "name")
        let phone = try Self.checked(Validation.phone(new.phone ?? ""), "phone")
        let title = try Self.optionalText(new.title, "title")
        let mobile = try new.mobile.map { try Self.checked(Validation.phone($0), "mobile") }.flatMap { $0.isEmpty ? nil : $0 }
        if let password = new.password { _ = try Self.checked(Validation.newPassword(password, email: email), "password") }
        let hash = try new.password.map { try hasher.hash($0) }
        let time = now
        return try pool.write { db in
            guard let client = try AccountQueries.client(nameOrID: new.client, db) else {
                throw CommandError("unknown client \"\(new.client)\"")
            }
            if try AccountQueries.customer(email: email, db) != nil {
                throw CommandError("a customer user with email \(email) already exists")
            }
            try db.run("""
                INSERT INTO customer_users (client_id, email, name, phone, title, mobile, password_hash, password_changed_at, status,
                                            created_at, updated_at)
                VALUES (\(client.id), \(email), \(name), \(phone), \(title), \(mobile), \(hash), \(hash == nil ? nil : time),
                        \(hash == nil ? CustomerUser.Status.invited : .active), \(time), \(time))
                """)
            let id = db.lastInsertRowID
            try Audit.record(db, .customerCreated, actor: Actor(customerUserID: id, staffID: nil, clientID: client.id, ip: ""),
                             at: time, detail: email)
            return try AccountQueries.customer(id: id, db)!
        }
    }

    public func addStaff(email rawEmail: String, name rawName: String, password: String) throws -> StaffMember {
        let email = try Self.checked(Validation.email(rawEmail), "email")
        let name = try Self.checked(Validation.name(rawName), "name")
        _ = try Self.checked(Validation.newPassword(password, email: email), "password")
        let hash = try hasher.hash(password)
        let time = now
        return try pool.write { db in
            if try AccountQueries.staff(email: email, db) != nil {
                throw CommandError("a staff account with email \(email) already exists")
            }
            try db.run("INSERT INTO staff (email, name, password_hash, created_at) VALUES (\(email), \(name), \(hash), \(time))")
            let id = db.lastInsertRowID
            try Audit.record(db, .staffCreated, actor: Actor(customerUserID: nil, staffID: id, clientID: nil, ip: ""), at: time, detail: email)
            return try AccountQueries.staff(id: id, db)!
        }
    }

    static func checked(_ result: Result<String, FieldError>, _ field: String) throws -> String {
        switch result {
        case .success(let value): return value
        case .failure(let error): throw CommandError("invalid \(field): \(error.message)")
        }
    }

    static func optionalText(_ raw: String?, _ field: String) throws -> String? {
        guard let raw else { return nil }
        let value = Validation.clean(raw)
        if value.isEmpty { return nil }
        guard Validation.fits(value, limit: 100), !Validation.hasControlCharacters(value) else {
            throw CommandError("invalid \(field): use at most 100 printable characters")
        }
        return value
    }
}
