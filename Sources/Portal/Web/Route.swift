import HTTP

/// Who may open a route.
enum Access: Sendable {
    /// Anyone: the sign-in pages. A browser without a session gets a pre-session cookie for CSRF.
    case anyone
    /// A fully signed-in customer whose account is usable.
    case customer
    /// A customer who must set up a second factor before anything else, or a fully signed-in one.
    case enrolment
    /// A customer whose password was right and whose second factor is still due.
    case secondFactor
    /// Any signed-in session, at any stage (sign-out).
    case session
    /// A signed-in MSP staff member (the administrator pages).
    case staff
}

/// Where a route's requests are answered.
enum Lane: Sendable {
    /// On the connection's thread: pages and forms that do nothing slow.
    case connection
    /// On the server's lane for slow work, while the connection waits suspended: the route may check or
    /// set a password (about 0.3 s of CPU by design), or (single sign-on, next) wait on a call to another
    /// server. No connection thread, and so no other page, ever waits for it.
    case slowWork
    /// On the lane for slow work when the form carries this field (the sign-in form's password step; its
    /// first step, the email address alone, stays on the connection's thread).
    case slowWorkWithField(String)
}

/// A route's handler, who may call it, and where it runs.
struct Route: Sendable {
    /// Which side of the console a route belongs to: its forms' CSRF tokens are bound to that side's
    /// session (the staff session on the administrators' side, including its sign-in pages).
    enum Side: Sendable { case customer, staff }

    let access: Access
    var lane: Lane = .connection
    var side: Side = .customer
    let handle: @Sendable (inout RequestContext) throws -> Response

    /// Sign-in pages and anything else open to everyone.
    static func anyone(lane: Lane = .connection, side: Side = .customer,
                       _ handler: @escaping @Sendable (inout RequestContext) throws -> Response) -> Route {
        Route(access: .anyone, lane: lane, side: side, handle: handler)
    }

    /// A fully signed-in customer whose account is usable.
    static func customer(lane: Lane = .connection, _ handler: @escaping @Sendable (inout CustomerContext) throws -> Response) -> Route {
        Route(access: .customer, lane: lane, handle: typed(CustomerContext.init, handler))
    }

    /// A customer who must set up a second factor first, or a fully signed-in one.
    static func enrolment(lane: Lane = .connection, _ handler: @escaping @Sendable (inout CustomerContext) throws -> Response) -> Route {
        Route(access: .enrolment, lane: lane, handle: typed(CustomerContext.init, handler))
    }

    /// A customer whose second factor is still due.
    static func secondFactor(_ handler: @escaping @Sendable (inout SessionContext) throws -> Response) -> Route {
        Route(access: .secondFactor, handle: typed(SessionContext.init, handler))
    }

    /// Any session at any stage.
    static func session(_ handler: @escaping @Sendable (inout SessionContext) throws -> Response) -> Route {
        Route(access: .session, handle: typed(SessionContext.init, handler))
    }

    /// A signed-in staff member.
    static func staff(lane: Lane = .connection, _ handler: @escaping @Sendable (inout StaffContext) throws -> Response) -> Route {
        Route(access: .staff, lane: lane, side: .staff, handle: typed(StaffContext.init, handler))
    }

    struct AccessNotGiven: Error {}

    /// Builds the context the route's access promises (the pipeline has checked it) and hands back what
    /// the handler changed in it (cookies to set).
    private static func typed<Context: PortalContext & SendableMetatype>(_ make: @escaping @Sendable (RequestContext) -> Context?,
                                                      _ handler: @escaping @Sendable (inout Context) throws -> Response)
        -> @Sendable (inout RequestContext) throws -> Response {
        { context in
            // The pipeline checked the access before the handler runs; if that ever failed to hold, the
            // request is a 500 with a logged reference, not a handler running without what it needs.
            guard var typed = make(context) else { throw AccessNotGiven() }
            defer { context = typed.base }
            return try handler(&typed)
        }
    }
}
