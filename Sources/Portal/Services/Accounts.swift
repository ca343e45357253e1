import Store

/// An MSP's customer company and its portal settings.
public struct Client: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var portalEnabled: Bool
    public var ssoOnly: Bool
    public var requireMFA: Bool
    public var billingEnabled: Bool
    /// "Customers approve administrator views": "View as customer" asks the customer first.
    public var viewConsent: Bool

    /// Where a row keeps a client's fields: `clients` itself, or ``AccountQueries/account(customerID:_:)``,
    /// which names them `c_…` beside the user's.
    struct Columns: Sendable {
        let id, name, portalEnabled, ssoOnly, requireMFA, billingEnabled, viewConsent: String
        static let table = Columns(id: "id", name: "name", portalEnabled: "portal_enabled", ssoOnly: "sso_only",
                                   requireMFA: "require_mfa", billingEnabled: "billing_enabled", viewConsent: "view_consent")
        static let account = Columns(id: "c_id", name: "c_name", portalEnabled: "c_portal_enabled", ssoOnly: "c_sso_only",
                                     requireMFA: "c_require_mfa", billingEnabled: "c_billing_enabled", viewConsent: "c_view_consent")
    }

    /// Throws when the row lacks one of the columns or holds something else there.
    init(row: Row, columns: Columns) throws {
        id = try row.decode(columns.id)
        name = try row.decode(columns.name)
        portalEnabled = try row.decode(columns.portalEnabled)
        ssoOnly = try row.decode(columns.ssoOnly)
        requireMFA = try row.decode(columns.requireMFA)
        billingEnabled = try row.decode(columns.billingEnabled)
        viewConsent = try row.decode(columns.viewConsent)
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

    /// Throws when the row lacks a column, holds something else there, or a status this version does not know.
    init(row: Row) throws {
        id = try row.decode("id")
        clientID = try row.decode("client_id")
        email = try row.decode("email")
        name = try row.decode("name")
        phone = try row.decode("phone")
        title = try row.decode("title")
        mobile = try row.decode("mobile")
        passwordHash = try row.decode("password_hash")
        status = try row.decode("status")
        lastSignInAt = try row.decode("last_sign_in_at")
    }
}

/// An MSP staff member (administrator side). Separate from customer accounts on purpose.
public struct StaffMember: Sendable, Equatable {
    public var id: Int64
    public var email: String
    public var name: String
    public var passwordHash: String
    public var active: Bool

    /// The two statuses are `active` and `disabled` (the table's CHECK); anything but `active` reads as inactive.
    init(row: Row) throws {
        id = try row.decode("id")
        email = try row.decode("email")
        name = try row.decode("name")
        passwordHash = try row.decode("password_hash")
        active = try row.decode("status", as: String.self) == "active"
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
        try db.queryOne("SELECT * FROM clients WHERE id = \(id)").map { try Client(row: $0, columns: .table) }
    }

    /// A client by id (all digits) or by name, case-insensitively.
    static func client(nameOrID: String, _ db: Database) throws -> Client? {
        if let id = Int64(nameOrID), let found = try client(id: id, db) { return found }
        return try db.queryOne("SELECT * FROM clients WHERE name = \(nameOrID)").map { try Client(row: $0, columns: .table) }
    }

    /// Whether the client wants callers verified before account resets (`verify_callers`, migration
    /// 0016). Read on its own, only where resets are judged, so the account query every page runs stays as it is.
    static func verifiesCallers(clientID: Int64, _ db: Database) throws -> Bool {
        try db.queryOne("SELECT verify_callers FROM clients WHERE id = \(clientID)")?.decode("verify_callers") ?? false
    }

    static func customer(id: Int64, _ db: Database) throws -> CustomerUser? {
        try db.queryOne("SELECT * FROM customer_users WHERE id = \(id)").map { try CustomerUser(row: $0) }
    }

    static func customer(email: String, _ db: Database) throws -> CustomerUser? {
        try db.queryOne("SELECT * FROM customer_users WHERE email = \(email)").map { try CustomerUser(row: $0) }
    }

    static func staff(email: String, _ db: Database) throws -> StaffMember? {
        try db.queryOne("SELECT * FROM staff WHERE email = \(email)").map { try StaffMember(row: $0) }
    }

    static func staff(id: Int64, _ db: Database) throws -> StaffMember? {
        try db.queryOne("SELECT * FROM staff WHERE id = \(id)").map { try StaffMember(row: $0) }
    }

    /// The customer and their client, or nil when the account is not linked to a client. One query:
    /// every page of a signed-in customer runs it.
    static func account(customerID: Int64, _ db: Database) throws -> CustomerAccount? {
        try db.queryOne(accountByID(customerID)).map { row in
            CustomerAccount(user: try CustomerUser(row: row), client: try Client(row: row, columns: .account))
        }
    }

    private static let accountByID = SQLTemplate { (customerID: SQLParameter<Int64>) in
        """
        SELECT u.id, u.client_id, u.email, u.name, u.phone, u.title, u.mobile, u.password_hash, u.status, u.last_sign_in_at,
               c.id AS c_id, c.name AS c_name, c.portal_enabled AS c_portal_enabled, c.sso_only AS c_sso_only,
               c.require_mfa AS c_require_mfa, c.billing_enabled AS c_billing_enabled,
               c.view_consent AS c_view_consent
        FROM customer_users u JOIN clients c ON c.id = u.client_id WHERE u.id = \(customerID)
        """
    }
}

extension CustomerUser.Status: SQLBindable, SQLDecodable {}
