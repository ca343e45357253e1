import Store

/// A customer's say in an administrator's view of their account (issue 20), for clients whose customers
/// approve views: a request an administrator made with a reason, which the customer allows for 30 minutes
/// or declines, or access the customer granted ahead of time to any of the MSP's staff.
public struct ViewConsent: Sendable, Equatable {
    public enum Kind: String, Sendable { case request, grant }
    public enum State: String, Sendable { case requested, allowed, declined, expired, revoked }

    public var id: Int64
    public var customerID: Int64
    public var kind: Kind
    /// Who asked (a request); nil for a grant, which any staff member may use.
    public var staffID: Int64?
    public var staffName: String?
    public var reason: String
    public var state: State
    public var createdAt: Int64
    public var decidedAt: Int64?
    /// A request waiting: when it expires unanswered. An allowed request: the end of the window in which
    /// its administrator may open the view. A grant: its end.
    public var expiresAt: Int64
    /// When the allowed request opened its view (it opens one, once).
    public var openedAt: Int64?

    init(row: Row) throws {
        id = try row.decode("id")
        customerID = try row.decode("customer_user_id")
        kind = try row.decode("kind")
        staffID = try row.decode("staff_id")
        staffName = try row.decode("staff_name")
        reason = try row.decode("reason")
        state = try row.decode("state")
        createdAt = try row.decode("created_at")
        decidedAt = try row.decode("decided_at")
        expiresAt = try row.decode("expires_at")
        openedAt = try row.decode("opened_at")
    }

    /// Until when it is in play: a request waiting, until it expires; an allowed request, until its
    /// window closes or, once opened, until its view's 30 minutes are up; a grant, until its end.
    public var liveUntil: Int64 {
        if kind == .request, state == .allowed, let openedAt { return openedAt + Portal.impersonationLifetime }
        return expiresAt
    }

    public func isLive(at time: Int64) -> Bool { (state == .requested || state == .allowed) && time < liveUntil }
}

extension ViewConsent.Kind: SQLBindable, SQLDecodable {}
extension ViewConsent.State: SQLBindable, SQLDecodable {}

/// What "View as customer" does for this staff member and this user now: the one rule behind the
/// user's page and `startImpersonation`.
enum ViewAccess: Equatable {
    /// The account cannot be viewed at all (`impersonationRefusal`).
    case refused(String)
    /// The view opens at once: the client does not ask its customers, or the customer granted access
    /// ahead (`grant`).
    case open(grant: ViewConsent?)
    /// The customer must allow it: "View as customer" sends a request. `lastAnswer`: this staff member's
    /// latest request, when it was declined, expired or revoked.
    case ask(lastAnswer: ViewConsent?)
    /// This staff member's request waits for the customer.
    case waiting(ViewConsent)
    /// The customer allowed this staff member's request: "Open the view" opens it, once.
    case allowed(ViewConsent)
}

/// What a customer's answer, grant or revocation led to.
enum ViewConsentChange: Equatable {
    case done
    /// Nothing changed, with why (the request is no longer waiting, an unknown duration…).
    case refused(String)
}

/// What "View as customer" did.
enum ImpersonationStart: Equatable {
    /// The view is open: the customer session's token for the staff member's browser.
    case opened(token: String)
    /// The customer must allow it first: a request was sent (Security tab and mail).
    case requested
}

extension Portal {
    /// How long a request waits for the customer's answer.
    static let viewRequestLifetime: Int64 = 24 * 60 * 60
    /// How long after "Allow for 30 minutes" the administrator may open the view.
    static let allowedViewWindow: Int64 = 30 * 60
    /// What "Let my IT provider view my account" offers: the form's `duration`, seconds, and words.
    static let viewGrantDurations: [(value: String, seconds: Int64, words: String)] = [("1h", 3600, "1 hour"), ("1d", 86_400, "1 day")]

    private static let consentColumns: SQL = """
        v.id, v.customer_user_id, v.kind, v.staff_id, s.name AS staff_name, v.reason, v.state, v.created_at, v.decided_at,
        v.expires_at, v.opened_at
        """

    /// The customer's requests and grants still in play, oldest first. What ran out since it was last
    /// looked at is settled first (in a write only when there is something to settle): a request left
    /// unanswered, or allowed and not opened in time, is recorded as expired, at the time it expired.
    func liveViewConsents(_ db: Database, customerID: Int64, at time: Int64) throws -> [ViewConsent] {
        let open = try db.query("""
            SELECT \(Self.consentColumns) FROM view_consents v LEFT JOIN staff s ON s.id = v.staff_id
            WHERE v.customer_user_id = \(customerID) AND v.state IN ('requested', 'allowed') ORDER BY v.created_at, v.id
            """).map(ViewConsent.init)
        let stale = open.filter { !$0.isLive(at: time) }
        if !stale.isEmpty {
            let clientID = try AccountQueries.customer(id: customerID, db)?.clientID
            try db.write { db in
                for consent in stale {
                    try db.run("UPDATE view_consents SET state = 'expired' WHERE id = \(consent.id) AND state = \(consent.state)")
                    guard consent.kind == .request, consent.openedAt == nil else { continue }
                    let detail = consent.state == .requested ? consent.reason
                        : "\(consent.reason) (allowed, but the view was not opened within 30 minutes)"
                    try Audit.record(db, .viewRequestExpired, actor: Actor(customerUserID: customerID, staffID: consent.staffID,
                                                                           clientID: clientID, ip: ""),
                                     at: consent.expiresAt, detail: detail)
                }
            }
        }
        return open.filter { $0.isLive(at: time) }
    }

    /// The customer's requests waiting and access given, for their Security tab.
    func viewConsents(customerID: Int64) throws -> [ViewConsent] {
        let time = now
        return try pool.withConnection { db in try liveViewConsents(db, customerID: customerID, at: time) }
    }

    /// What "View as customer" would do for this staff member: the account's own rule
    /// (`impersonationRefusal`) first, then the client's consent rule.
    func viewAccess(_ user: CustomerUser, staffID: Int64, _ db: Database, at time: Int64) throws -> ViewAccess {
        if let why = try impersonationRefusal(user, db) { return .refused(why) }
        guard let clientID = user.clientID, let client = try AccountQueries.client(id: clientID, db) else {
            return .refused("This user is not linked to a client.")
        }
        guard client.viewConsent else { return .open(grant: nil) }
        let live = try liveViewConsents(db, customerID: user.id, at: time)
        if let grant = live.last(where: { $0.kind == .grant }) { return .open(grant: grant) }
        let mine = live.filter { $0.kind == .request && $0.staffID == staffID }
        if let allowed = mine.last(where: { $0.state == .allowed && $0.openedAt == nil }) { return .allowed(allowed) }
        if let waiting = mine.last(where: { $0.state == .requested }) { return .waiting(waiting) }
        let last = try db.queryOne("""
            SELECT \(Self.consentColumns) FROM view_consents v LEFT JOIN staff s ON s.id = v.staff_id
            WHERE v.customer_user_id = \(user.id) AND v.kind = 'request' AND v.staff_id = \(staffID)
            ORDER BY v.created_at DESC, v.id DESC LIMIT 1
            """).map(ViewConsent.init)
        return .ask(lastAnswer: last.flatMap { [.declined, .expired, .revoked].contains($0.state) && $0.openedAt == nil ? $0 : nil })
    }

    /// `viewAccess` for the user's page.
    func viewAccess(customerID: Int64, staffID: Int64) throws -> ViewAccess? {
        let time = now
        return try pool.withConnection { db in
            try AccountQueries.customer(id: customerID, db).map { try viewAccess($0, staffID: staffID, db, at: time) }
        }
    }

    /// Sends the customer a request to view their account: recorded, on their Security tab, and mailed
    /// ("NAME of MSP asks to view your account: REASON") with a link to the Security tab, where only they
    /// can answer it. In the caller's transaction.
    func requestView(_ db: Database, user: CustomerUser, clientID: Int64, staffID: Int64, reason: String, origin: String,
                     ip: String, at time: Int64) throws {
        guard let staff = try AccountQueries.staff(id: staffID, db) else { return }
        try db.run("""
            INSERT INTO view_consents (customer_user_id, kind, staff_id, reason, state, created_at, expires_at)
            VALUES (\(user.id), \(ViewConsent.Kind.request), \(staffID), \(reason), \(ViewConsent.State.requested), \(time),
                    \(time + Self.viewRequestLifetime))
            """)
        try Audit.record(db, .viewRequested, actor: Actor(customerUserID: user.id, staffID: staffID, clientID: clientID, ip: ip),
                         at: time, detail: reason)
        let msp = configuration.issuer
        try enqueueMail(db, kind: .viewRequest, to: user.email, subject: "\(staff.name) of \(msp) asks to view your account", body: """
            Hello \(user.name),

            \(staff.name) of \(msp) asks to view your account: \(reason)

            While viewing it they see your Client Portal as you do, and every change they make is recorded with
            their name. Nothing happens unless you allow it. To allow the view for 30 minutes, or to decline it,
            sign in and open your Security tab:

            \(origin)/portal/profile/security#administrator-access

            The request expires in 24 hours if you do not answer it. If you did not expect it, decline it and
            contact your IT provider.
            """, at: time)
    }

    /// "Open the view" on the user's page: opens the view this staff member's allowed request permits,
    /// once, within its 30 minutes.
    func openAllowedView(staffSession: Session, customerID: Int64, requestID: Int64, ip: String,
                         userAgent: String) throws -> Result<String, ImpersonationRefusal> {
        guard let staffID = staffSession.staffID else { return .failure(.notAllowed("Only staff can view an account.")) }
        let time = now
        return try pool.write { db in
            guard let user = try AccountQueries.customer(id: customerID, db) else { return .failure(.notAllowed("There is no such user.")) }
            if let why = try impersonationRefusal(user, db) { return .failure(.notAllowed(why)) }
            guard let clientID = user.clientID else { return .failure(.notAllowed("This user is not linked to a client.")) }
            let live = try liveViewConsents(db, customerID: customerID, at: time)
            guard let request = live.first(where: { $0.id == requestID && $0.kind == .request && $0.staffID == staffID }),
                  request.state == .allowed, request.openedAt == nil else {
                return .failure(.notAllowed("""
                    This request cannot open a view: it is not yours, \(user.name) has not allowed it, or it was used, declined, \
                    revoked or expired. Ask again with “View as customer”.
                    """))
            }
            // Single use: of two "Open the view" at once, one opens.
            guard try db.run("""
                UPDATE view_consents SET opened_at = \(time) WHERE id = \(request.id) AND state = 'allowed' AND opened_at IS NULL
                """) == 1 else { return .failure(.notAllowed("This request has already opened a view.")) }
            return .success(try openView(db, staffSession: staffSession, staffID: staffID, user: user, clientID: clientID,
                                         reason: request.reason, consent: request, ip: ip, userAgent: userAgent, at: time))
        }
    }

    /// The customer session of an administrator's view: 30 minutes at most (no longer than the grant it
    /// is opened under), ended with the staff session, and tied to the consent it was opened under.
    func openView(_ db: Database, staffSession: Session, staffID: Int64, user: CustomerUser, clientID: Int64, reason: String,
                  consent: ViewConsent?, ip: String, userAgent: String, at time: Int64) throws -> String {
        let token = try createSession(db, kind: .customer, userID: user.id, ip: ip, userAgent: userAgent, method: .administrator)
        var expires = time + Self.impersonationLifetime
        if let consent, consent.kind == .grant { expires = min(expires, consent.expiresAt) }
        try db.run("""
            UPDATE sessions SET impersonator_staff_id = \(staffID), staff_session_id = \(staffSession.id),
            impersonation_reason = \(reason), expires_at = \(expires), view_consent_id = \(consent?.id)
            WHERE token_hash = \(SessionToken.hash(token))
            """)
        try Audit.record(db, consent == nil ? .impersonationStarted : .viewOpenedWithConsent,
                         actor: Actor(customerUserID: user.id, staffID: staffID, clientID: clientID, ip: ip), at: time, detail: reason)
        return token
    }

    // MARK: The customer's side

    /// "Allow for 30 minutes" or "Decline" on the Security tab: only the account's owner answers, and
    /// only a request still waiting. Nil: no such request of this customer.
    func answerViewRequest(id: Int64, allow: Bool, actor: Actor) throws -> ViewConsentChange? {
        try actor.mustBeTheCustomer(allow ? "Allowing an administrator's view" : "Declining an administrator's view",
                                    because: Self.customersOwnDecision)
        guard let customerID = actor.customerUserID else { return nil }
        let time = now
        return try pool.write { db in
            guard let request = try consent(id: id, customerID: customerID, db), request.kind == .request else { return nil }
            _ = try liveViewConsents(db, customerID: customerID, at: time)
            guard try consent(id: id, customerID: customerID, db)?.state == .requested else {
                return .refused("This request is no longer waiting for an answer: it was already answered, or it expired.")
            }
            if allow {
                try db.run("""
                    UPDATE view_consents SET state = 'allowed', decided_at = \(time), expires_at = \(time + Self.allowedViewWindow)
                    WHERE id = \(id) AND state = 'requested'
                    """)
            } else {
                try db.run("UPDATE view_consents SET state = 'declined', decided_at = \(time) WHERE id = \(id) AND state = 'requested'")
            }
            var who = actor
            who.staffID = request.staffID
            try Audit.record(db, allow ? .viewRequestAllowed : .viewRequestDeclined, actor: who, at: time, detail: request.reason)
            try confirm(db, allow ? .viewAllowed : .viewDeclined, to: actor)
            return .done
        }
    }

    /// "Let my IT provider view my account for 1 hour / 1 day": any staff member's "View as customer"
    /// then opens at once, until the end chosen. A new grant while one lasts sets its end anew.
    func grantViewAccess(duration: String, actor: Actor) throws -> ViewConsentChange {
        try actor.mustBeTheCustomer("Letting the IT provider view the account", because: Self.customersOwnDecision)
        guard let customerID = actor.customerUserID else { return .refused("There is no account here.") }
        guard let choice = Self.viewGrantDurations.first(where: { $0.value == duration }) else {
            return .refused("Choose for how long: 1 hour or 1 day.")
        }
        let time = now
        return try pool.write { db in
            let live = try liveViewConsents(db, customerID: customerID, at: time)
            if let grant = live.last(where: { $0.kind == .grant }) {
                try db.run("UPDATE view_consents SET expires_at = \(time + choice.seconds), decided_at = \(time) WHERE id = \(grant.id)")
            } else {
                try db.run("""
                    INSERT INTO view_consents (customer_user_id, kind, staff_id, reason, state, created_at, decided_at, expires_at)
                    VALUES (\(customerID), \(ViewConsent.Kind.grant), NULL, '', \(ViewConsent.State.allowed), \(time), \(time),
                            \(time + choice.seconds))
                    """)
            }
            try Audit.record(db, .viewAccessGranted, actor: actor, at: time, detail: choice.words)
            try confirm(db, .viewGranted, to: actor)
            return .done
        }
    }

    /// "Revoke now": ends a grant, or a request the customer allowed, at once; a view open under it ends
    /// on its next request (see `administratorView`). Nil: no such consent of this customer.
    func revokeViewAccess(id: Int64, actor: Actor) throws -> ViewConsentChange? {
        try actor.mustBeTheCustomer("Revoking the IT provider's access", because: Self.customersOwnDecision)
        guard let customerID = actor.customerUserID else { return nil }
        let time = now
        return try pool.write { db in
            guard let found = try consent(id: id, customerID: customerID, db) else { return nil }
            let live = try liveViewConsents(db, customerID: customerID, at: time)
            guard live.contains(where: { $0.id == id && $0.state == .allowed }) else {
                return .refused("This access has already ended.")
            }
            try db.run("UPDATE view_consents SET state = 'revoked', decided_at = \(time) WHERE id = \(id) AND state = 'allowed'")
            var who = actor
            who.staffID = found.staffID
            try Audit.record(db, .viewAccessRevoked, actor: who, at: time,
                             detail: found.kind == .grant ? "access granted ahead" : found.reason)
            try confirm(db, .viewRevoked, to: actor)
            return .done
        }
    }

    static let customersOwnDecision = "is the customer's own decision"

    private func consent(id: Int64, customerID: Int64, _ db: Database) throws -> ViewConsent? {
        try db.queryOne("""
            SELECT \(Self.consentColumns) FROM view_consents v LEFT JOIN staff s ON s.id = v.staff_id
            WHERE v.id = \(id) AND v.customer_user_id = \(customerID)
            """).map(ViewConsent.init)
    }

    // MARK: Each request of a view

    /// What the pipeline checks on each request of an administrator's view, in one query: the reason,
    /// and whether the consent it was opened under still holds (allowed, not revoked, a grant not past
    /// its end). Only views run it.
    func administratorView(sessionID: Int64) throws -> (reason: String?, consentLive: Bool) {
        let time = now
        return try pool.withConnection { db in
            guard let row = try db.queryOne(Self.administratorViewQuery(sessionID)) else { return (nil, false) }
            let state: ViewConsent.State? = try row.decode("state")
            let kind: ViewConsent.Kind? = try row.decode("kind")
            let expiresAt: Int64? = try row.decode("expires_at")
            let live = state == .allowed && (kind == .request || expiresAt.map { time < $0 } == true)
            return (try row.decode("impersonation_reason"), live)
        }
    }

    private static let administratorViewQuery = SQLTemplate { (sessionID: SQLParameter<Int64>) in
        """
        SELECT s.impersonation_reason, v.kind, v.state, v.expires_at FROM sessions s
        LEFT JOIN view_consents v ON v.id = s.view_consent_id WHERE s.id = \(sessionID)
        """
    }
}
