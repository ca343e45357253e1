import HTTP
import Templates

/// What every context a handler gets shares: the request's base context (the request, the CSRF token,
/// the cookies to set, the portal), read and written through. A route's access level decides which
/// context its handler gets, so a handler cannot ask for what its route does not give: a customer route's
/// handler has a non-optional account and session, a staff route's a non-optional staff member.
@dynamicMemberLookup
protocol PortalContext {
    var base: RequestContext { get set }
}

extension PortalContext {
    subscript<T>(dynamicMember keyPath: WritableKeyPath<RequestContext, T>) -> T {
        get { base[keyPath: keyPath] }
        set { base[keyPath: keyPath] = newValue }
    }

    subscript<T>(dynamicMember keyPath: KeyPath<RequestContext, T>) -> T { base[keyPath: keyPath] }

    /// The decoded form body, or a 400/415 page.
    func form() throws -> Parameters { try base.form() }
}

extension RequestContext: PortalContext {
    var base: RequestContext {
        get { self }
        set { self = newValue }
    }
}

/// A signed-in customer's request (routes of access `.customer` and `.enrolment`).
struct CustomerContext: PortalContext {
    var base: RequestContext
    let account: CustomerAccount
    let session: Session

    init?(_ base: RequestContext) {
        guard let account = base.account, let session = base.session else { return nil }
        self.base = base
        self.account = account
        self.session = session
    }

    /// The page frame for a signed-in customer page.
    func chrome(title: String, tab: AccountTab?) -> Chrome { base.chrome(title: title, tab: tab) }

    /// Refuses what only the account's owner may do while an administrator views it.
    func refuseWhileImpersonating(_ what: String, because: String = PolicyRefusal.lastingAccess) throws {
        try base.refuseWhileImpersonating(what, because: because)
    }
}

/// A request with a session at any stage (the MFA step, sign-out, "Stay signed in").
struct SessionContext: PortalContext {
    var base: RequestContext
    let session: Session

    init?(_ base: RequestContext) {
        guard let session = base.session else { return nil }
        self.base = base
        self.session = session
    }
}

/// A signed-in MSP staff member's request (routes of access `.staff`).
struct StaffContext: PortalContext {
    var base: RequestContext
    let staff: StaffMember
    let staffSession: Session

    init?(_ base: RequestContext) {
        guard let staff = base.staff, let staffSession = base.staffSession, staffSession.stage == .active else { return nil }
        self.base = base
        self.staff = staff
        self.staffSession = staffSession
    }

    /// The audit identity of the staff member acting.
    var staffActor: Actor { Actor(customerUserID: nil, staffID: staff.id, clientID: nil, ip: base.ip) }
}
