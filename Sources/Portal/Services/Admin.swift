import Foundation
import Store

/// A client as the administrator's list shows it.
public struct ClientSummary: Sendable, Equatable {
    public var client: Client
    public var users: Int
}

/// A customer user as the client's page lists them.
public struct CustomerSummary: Sendable, Equatable {
    public enum State: String, Sendable { case invited, active, disabled, locked }
    public var user: CustomerUser
    public var state: State
    public var twoFactor: Bool
    public var passkeys: Int
    /// Why "View as customer" is refused for this user, nil when it is allowed: the same rule
    /// `startImpersonation` applies, so the page offers the button exactly when it would work.
    public var viewRefusal: String?
}

/// One audit event with the names of who it concerns.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Int64
    public var kind: String
    public var clientName: String?
    public var customerEmail: String?
    public var customerName: String?
    public var staffName: String?
    public var ip: String
    public var detail: String
}

/// What the audit log page filters by.
public struct AuditFilter: Sendable, Equatable {
    public var clientID: Int64?
    public var customerID: Int64?
    /// A customer user's name or email, typed: an exact email finds that user alone, anything else the
    /// users whose name or email contains it.
    public var customer: String?
    public var kind: String?
    public var page = 1
    public static let pageSize = 50
}

/// Why "View as customer" was refused.
enum ImpersonationRefusal: Error, Equatable {
    case reasonRequired
    case notAllowed(String)
}

extension Portal {
    /// Staff sign-in: the same limits as customers; the account key is the same one (a staff password
    /// guessed at the customer sign-in counts toward the staff member's lockout), addresses are counted apart.
    var staffThrottle: LoginThrottle {
        LoginThrottle(accountScope: "", addressScope: "staff:", window: configuration.lockoutSeconds,
                      accountLimit: configuration.accountFailureLimit, addressLimit: configuration.addressFailureLimit)
    }

    /// Checks a staff member's email and password and starts a staff session. As for customers, the
    /// lockout is judged again in the write that records the result, the failure count is reset only
    /// when sign-in is complete, and a hash of an older work factor is replaced.
    func signInStaff(email rawEmail: String, password: String, ip: String, userAgent: String) throws -> SignInResult {
        let email = Validation.clean(rawEmail).lowercased()
        let keys = staffThrottle.keys(email: email, ip: ip)
        let time = now
        if let wait = try pool.withConnection({ db in try staffThrottle.lockedFor(keys, now: time, db) }) {
            return .lockedOut(seconds: wait)
        }
        let staff = try pool.withConnection { db in try AccountQueries.staff(email: email, db) }
        let matches: Bool
        if let staff {
            matches = try hasher.verify(password, against: staff.passwordHash) && staff.active
        } else {
            try hasher.dummyVerify(password)
            matches = false
        }
        let upgradedHash = matches && staff.map({ hasher.needsRehash($0.passwordHash) }) == true ? try hasher.hash(password) : nil
        let actor = Actor(customerUserID: nil, staffID: staff?.id, clientID: nil, ip: ip)
        return try pool.write { db in
            let failure = FailedAttempt(kind: .staffSignInFailed, detail: staff == nil ? "unknown email" : "wrong password",
                                        lockoutDetail: "staff sign-in, after repeated failures", actor: actor)
            switch try judgeGuess(db, staffThrottle, keys: keys, correct: matches, failure: failure, at: time) {
            case .locked(let wait): return .lockedOut(seconds: wait)
            case .failed(let lockout): return lockout.map { .lockedOut(seconds: $0) } ?? .invalid
            case .passed: break
            }
            guard let staff else { return .invalid }
            if let upgradedHash {
                try db.run("UPDATE staff SET password_hash = \(upgradedHash) WHERE id = \(staff.id)")
            }
            // A second factor is due when the staff member has an authenticator app or a key.
            let secondFactors = try db.queryOne("""
                SELECT (SELECT count(*) FROM staff_totp_credentials WHERE staff_id = \(staff.id) AND enabled_at IS NOT NULL)
                     + (SELECT count(*) FROM webauthn_credentials WHERE staff_id = \(staff.id)) AS n
                """)?.decode("n", as: Int.self) ?? 0
            let stage: SessionStage = secondFactors > 0 ? .secondFactor : .active
            let session = try completeSignIn(db, principal: .staff(staff.id), email: staff.email, replacing: nil, method: .password,
                                             stage: stage, detail: "password", ip: ip, userAgent: userAgent)
            return .signedIn(token: session.token, stage: stage)
        }
    }

    func staffMember(id: Int64) throws -> StaffMember? {
        try pool.withConnection { db in try AccountQueries.staff(id: id, db) }
    }

    // MARK: Clients and their users

    /// Clients whose name contains `search` (all when empty), by name.
    public func clientSummaries(search: String = "") throws -> [ClientSummary] {
        let pattern = Self.likePattern(search)
        return try pool.withConnection { db in
            try db.query("""
                SELECT c.*, (SELECT count(*) FROM customer_users u WHERE u.client_id = c.id) AS users
                FROM clients c WHERE c.name LIKE \(pattern) ESCAPE '\\' ORDER BY c.name LIMIT 500
                """).map { ClientSummary(client: try Client(row: $0, columns: .table), users: try $0.decode("users")) }
        }
    }

    /// A LIKE pattern that finds `text` anywhere, its own `%`, `_` and backslash taken literally (with `ESCAPE`).
    static func likePattern(_ text: String) -> String {
        "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    func client(id: Int64) throws -> Client? {
        try pool.withConnection { db in try AccountQueries.client(id: id, db) }
    }

    func customerSummaries(clientID: Int64) throws -> [CustomerSummary] {
        let time = now
        return try pool.withConnection { db in
            try db.query("SELECT * FROM customer_users WHERE client_id = \(clientID) ORDER BY name, email").map { row in
                try summary(CustomerUser(row: row), time: time, db)
            }
        }
    }

    func customerSummary(id: Int64) throws -> CustomerSummary? {
        let time = now
        return try pool.withConnection { db in
            try AccountQueries.customer(id: id, db).map { try summary($0, time: time, db) }
        }
    }

    private func summary(_ user: CustomerUser, time: Int64, _ db: Database) throws -> CustomerSummary {
        let locked = try throttle.lockedFor([throttle.accountKey(user.email)], now: time, db) != nil
        let state: CustomerSummary.State = user.status == .disabled ? .disabled : user.status == .invited ? .invited
            : locked ? .locked : .active
        let twoFactor = try db.queryOne("""
            SELECT count(*) AS n FROM totp_credentials WHERE customer_user_id = \(user.id) AND enabled_at IS NOT NULL
            """)?.decode("n", as: Int.self) == 1
        let passkeys = try db.queryOne("""
            SELECT count(*) AS n FROM webauthn_credentials WHERE customer_user_id = \(user.id)
            """)?.decode("n", as: Int.self) ?? 0
        return CustomerSummary(user: user, state: state, twoFactor: twoFactor, passkeys: passkeys,
                               viewRefusal: try impersonationRefusal(user, db))
    }

    /// Changes a client's portal settings from the administrator's page, audited with the staff member.
    func updateClientSettings(clientID: Int64, settings: ClientSettings, actor: Actor) throws -> [String] {
        try pool.write { db in
            guard let client = try AccountQueries.client(id: clientID, db) else { return [] }
            return try changeClientSettings(db, client: client, settings, actor: actor)
        }
    }

    // MARK: Impersonation

    /// How long an administrator may view a customer's account before the session ends by itself.
    static let impersonationLifetime: Int64 = 30 * 60

    /// "View as customer": opens the portal as this customer for the staff member's browser (a customer
    /// session that names the administrator, lives 30 minutes at most and ends with the staff session), or,
    /// where the client's customers approve views and no grant of theirs lasts, sends the customer a
    /// request instead (`viewAccess` decides which).
    func startImpersonation(staffSession: Session, customerID: Int64, reason rawReason: String, origin: String, ip: String,
                            userAgent: String) throws -> Result<ImpersonationStart, ImpersonationRefusal> {
        let reason = Validation.clean(rawReason)
        guard !reason.isEmpty else { return .failure(.reasonRequired) }
        guard Validation.fits(reason, limit: 500) else { return .failure(.notAllowed("Keep the reason under 500 characters.")) }
        guard let staffID = staffSession.staffID else { return .failure(.notAllowed("Only staff can view an account.")) }
        let time = now
        let started: Result<ImpersonationStart, ImpersonationRefusal> = try pool.write { db in
            guard let user = try AccountQueries.customer(id: customerID, db) else { return .failure(.notAllowed("There is no such user.")) }
            guard let clientID = user.clientID else { return .failure(.notAllowed("This user is not linked to a client.")) }
            switch try viewAccess(user, staffID: staffID, db, at: time) {
            case .refused(let why):
                return .failure(.notAllowed(why))
            case .waiting:
                return .failure(.notAllowed("Your request is already waiting for \(user.name) to allow it."))
            case .allowed:
                return .failure(.notAllowed("\(user.name) already allowed your request: open the view with “Open the view”."))
            case .open(let grant):
                return .success(.opened(token: try openView(db, staffSession: staffSession, staffID: staffID, user: user, clientID: clientID,
                                                            reason: reason, consent: grant, ip: ip, userAgent: userAgent, at: time)))
            case .ask:
                try requestView(db, user: user, clientID: clientID, staffID: staffID, reason: reason, origin: origin, ip: ip, at: time)
                return .success(.requested)
            }
        }
        if case .success(.requested) = started { wakeMailDelivery() }
        return started
    }

    /// Why this user's account cannot be viewed as the customer, nil when it can: the one rule behind both
    /// the refusal of `startImpersonation` and whether the user's page offers "View as customer".
    /// `viewAccess` builds on it with the client's consent rule (ask the customer first, or a grant of theirs).
    func impersonationRefusal(_ user: CustomerUser, _ db: Database) throws -> String? {
        if user.status == .disabled { return "This user is disabled. A disabled account cannot be viewed." }
        if user.status == .invited { return "This user has not accepted the invitation yet." }
        if try AccountQueries.staff(email: user.email, db) != nil {
            return "This is a staff sign-in. Staff accounts cannot be viewed as a customer."
        }
        guard let clientID = user.clientID, let client = try AccountQueries.client(id: clientID, db) else {
            return "This user is not linked to a client."
        }
        if !client.portalEnabled { return "The client's portal is turned off." }
        return nil
    }

    /// Ends an administrator's view of an account (`detail`: why, when it was not the administrator's choice).
    func endImpersonation(_ session: Session, ip: String, detail: String = "") throws {
        try pool.write { db in
            try db.run("DELETE FROM sessions WHERE id = \(session.id)")
            let user = try session.customerUserID.flatMap { try AccountQueries.customer(id: $0, db) }
            try Audit.record(db, .impersonationEnded, actor: Actor(customerUserID: session.customerUserID, staffID: session.impersonatorStaffID,
                                                                   clientID: user?.clientID, ip: ip), at: now, detail: detail)
        }
    }

    // MARK: Audit log

    /// A page of audit events, newest first, with whether there is a next page.
    func auditEntries(_ filter: AuditFilter) throws -> (entries: [AuditEntry], more: Bool) {
        var conditions: [SQL] = []
        if let client = filter.clientID { conditions.append("e.client_id = \(client)") }
        if let customer = filter.customerID { conditions.append("e.customer_user_id = \(customer)") }
        if let typed = filter.customer.map(Validation.clean), !typed.isEmpty {
            let email = typed.lowercased()
            let exact = try pool.withConnection { db in
                try db.queryOne("SELECT count(*) AS n FROM customer_users WHERE email = \(email)")?.decode("n", as: Int.self) ?? 0
            }
            if exact > 0 {
                conditions.append("e.customer_user_id IN (SELECT id FROM customer_users WHERE email = \(email))")
            } else {
                let pattern = Self.likePattern(typed)
                conditions.append("""
                    e.customer_user_id IN (SELECT id FROM customer_users WHERE name LIKE \(pattern) ESCAPE '\\' OR email LIKE \(pattern) ESCAPE '\\')
                    """)
            }
        }
        if let kind = filter.kind, !kind.isEmpty { conditions.append("e.kind = \(kind)") }
        let page = max(1, filter.page)
        let filtered: SQL = conditions.isEmpty ? "" : "WHERE \(SQL.join(conditions, separator: " AND "))"
        let rows = try pool.withConnection { db in
            try db.query("""
                SELECT e.*, c.name AS client_name, u.email AS customer_email, u.name AS customer_name, s.name AS staff_name
                FROM audit_events e
                LEFT JOIN clients c ON c.id = e.client_id
                LEFT JOIN customer_users u ON u.id = e.customer_user_id
                LEFT JOIN staff s ON s.id = e.staff_id
                \(filtered)
                ORDER BY e.id DESC LIMIT \(AuditFilter.pageSize + 1) OFFSET \((page - 1) * AuditFilter.pageSize)
                """)
        }
        let entries = try rows.prefix(AuditFilter.pageSize).map { row in
            AuditEntry(id: try row.decode("id"), at: try row.decode("at"), kind: try row.decode("kind"),
                       clientName: try row.decode("client_name"), customerEmail: try row.decode("customer_email"),
                       customerName: try row.decode("customer_name"), staffName: try row.decode("staff_name"), ip: try row.decode("ip"),
                       detail: try row.decode("detail"))
        }
        return (Array(entries), rows.count > AuditFilter.pageSize)
    }

    /// Every kind the log holds, for the filter.
    func auditKinds() throws -> [String] {
        try pool.withConnection { db in
            try db.query("SELECT DISTINCT kind FROM audit_events ORDER BY kind").compactMap { $0.string("kind") }
        }
    }
}
