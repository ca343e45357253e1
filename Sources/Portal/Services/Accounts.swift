import Store

/// An MSP's customer company and its portal settings.
public struct Client: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var portalEnabled: Bool
    public var ssoOnly: Bool
    public var requireMFA: Bool
    public var billingEnabled: Bool

    init(row: Row, prefix: String = "") {
        id = row.int64(prefix + "id") ?? 0
        name = row.string(prefix + "name") ?? ""
        portalEnabled = row.bool(prefix + "portal_enabled") ?? false
        ssoOnly = row.bool(prefix + "sso_only") ?? false
        requireMFA = row.bool(prefix + "require_mfa") ?? false
        billingEnabled = row.bool(prefix + "billing_enabled") ?? false
    }
}

/// A customer's sign-in identity and portal account.
public struct CustomerUser: Sendable, Equatable {
    public enum Status: String, Sendable { case invited, active, disabled }

    public var id: Int64
    public var clientID: Int64?
    public var email: String
    public var name: String
    public var phone: String
    public var title: String?
    public var mobile: String?
    public var passwordHash: String?
    public var status: Status
    public var lastSignInAt: Int64?

    init(row: Row) {
        id = row.int64("id") ?? 0
        clientID = row.int64("client_id")
        email = row.string("email") ?? ""
        name = row.string("name") ?? ""
        phone = row.string("phone") ?? ""
        title = row.string("title")
        mobile = row.string("mobile")
        passwordHash = row.string("password_hash")
        status = Status(rawValue: row.string("status") ?? "") ?? .disabled
        lastSignInAt = row.int64("last_sign_in_at")
    }
}

/// An MSP staff member (administrator side). Separate from customer accounts on purpose.
public struct StaffMember: Sendable, Equatable {
    public var id: Int64
    public var email: String
    public var name: String
    public var passwordHash: String
    public var active: Bool

    init(row: Row) {
        id = row.int64("id") ?? 0
        email = row.string("email") ?? ""
        name = row.string("name") ?? ""
        passwordHash = row.string("password_hash") ?? ""
        active = row.string("status") == "active"
    }
}

/// A customer with the client their account belongs to: what every portal page needs.
public struct CustomerAccount: Sendable, Equatable {
    public var user: CustomerUser
    public var client: Client
}

/// Store queries for accounts, shared by the services.
enum AccountQueries {
    static func client(id: Int64, _ db: Database) throws -> Client? {
        try db.queryOne("SELECT * FROM clients WHERE id = ?", id).map { Client(row: $0) }
    }

    /// A client by id (all digits) or by name, case-insensitively.
    static func client(nameOrID: String, _ db: Database) throws -> Client? {
        if let id = Int64(nameOrID), let found = try client(id: id, db) { return found }
        return try db.queryOne("SELECT * FROM clients WHERE name = ?", nameOrID).map { Client(row: $0) }
    }

    static func customer(id: Int64, _ db: Database) throws -> CustomerUser? {
        try db.queryOne("SELECT * FROM customer_users WHERE id = ?", id).map { CustomerUser(row: $0) }
    }

    static func customer(email: String, _ db: Database) throws -> CustomerUser? {
        try db.queryOne("SELECT * FROM customer_users WHERE email = ?", email).map { CustomerUser(row: $0) }
    }

    static func staff(email: String, _ db: Database) throws -> StaffMember? {
        try db.queryOne("SELECT * FROM staff WHERE email = ?", email).map { StaffMember(row: $0) }
    }

    static func staff(id: Int64, _ db: Database) throws -> StaffMember? {
        try db.queryOne("SELECT * FROM staff WHERE id = ?", id).map { StaffMember(row: $0) }
    }

    /// The customer and their client, or nil when the account is not linked to a client.
    static func account(customerID: Int64, _ db: Database) throws -> CustomerAccount? {
        guard let user = try customer(id: customerID, db), let clientID = user.clientID,
              let client = try client(id: clientID, db) else { return nil }
        return CustomerAccount(user: user, client: client)
    }
}
