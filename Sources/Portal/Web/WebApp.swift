import Crypto
import HTTP
import Store
import Templates
import Threads

/// The web front of the portal: the middleware in a fixed order (security headers, host check, session
/// load and idle expiry, CSRF on POST, access), then the route's handler.
final class WebApp: Sendable {
    let portal: Portal
    let router: Router<Route>
    let statics: StaticFiles
    /// The console's origin, e.g. `http://localhost:8080`, and the authority requests must name; set
    /// again once the port is bound.
    private let consoleOrigin: Locked<ConsoleOrigin>
    var origin: String { consoleOrigin.withLock { $0 }.url }
    let log: @Sendable (String) -> Void

    init(portal: Portal, origin: String, log: @escaping @Sendable (String) -> Void) {
        self.portal = portal
        consoleOrigin = Locked(ConsoleOrigin(origin))
        self.log = log
        statics = StaticFiles(root: portal.configuration.publicDirectory)
        router = Routes.table()
    }

    func setOrigin(_ origin: String) { consoleOrigin.withLock { $0 = ConsoleOrigin(origin) } }

    /// Whether the request goes to the server's slow lane (its route may hash a password, or wait on an
    /// identity provider). The match is kept for the answer.
    func isSlow(_ request: Request) -> Bool {
        guard case .found(let route, _) = match(request) else { return false }
        switch route.lane {
        case .connection: return false
        case .slowWork: return true
        case .slowWorkWithField(let name): return (try? request.form().contains(name)) ?? true
        }
    }

    /// The request's route, matched once: the lane decision and the answer share the match.
    private func match(_ request: Request) -> RouteMatch<Route> {
        if let matched = request.memo.application as? RouteMatch<Route> { return matched }
        let matched = router.match(method: request.method, path: request.path)
        request.memo.application = matched
        return matched
    }

    /// The answer when every password check's turn is taken (a flood of sign-in attempts): say so
    /// rather than queue without end.
    func busy(_ request: Request) -> Response {
        var response = PortalBusy().errorPage
        SecurityHeaders.apply(to: &response, https: portal.configuration.secureCookies)
        return response
    }

    /// Answers one request. Never throws: every error becomes a page.
    func respond(_ request: Request) -> Response {
        var response: Response
        do {
            response = try route(request)
        } catch let error as HTTPResponseError {
            response = error.errorPage
        } catch {
            let reference = Hex.encode(SecureRandom.bytes(count: 6))
            log("error \(reference) \(request.method) \(request.path): \(error)")
            response = .html(ErrorView.render(ErrorPage(
                status: 500, title: "Something went wrong",
                message: "The console could not finish this request. Nothing was changed unless a confirmation said so. Try again in a moment.",
                reference: reference)), status: 500)
        }
        SecurityHeaders.apply(to: &response, https: portal.configuration.secureCookies)
        return response
    }

    private func route(_ request: Request) throws -> Response {
        if let redirect = hostRedirect(request) { return redirect }
        if request.path == "/healthz" { return .text("ok") }
        // Before any route, session or handler: a request another site made the browser send changes
        // nothing, whatever its CSRF token says (a page on another localhost port can plant the
        // pre-session cookie, cookies not being separated by port, and then holds a valid token for it).
        if request.method != "GET" && request.method != "HEAD", !consoleOrigin.withLock({ $0 }).sentThis(request) {
            throw PortalError.crossSite
        }
        if request.path.hasPrefix("/static/") {
            guard request.method == "GET" || request.method == "HEAD" else {
                return Response(status: 405, headers: HTTPHeaders([("Allow", "GET, HEAD")]))
            }
            let relative = String(request.path.dropFirst("/static/".count))
            guard let file = statics.response(for: request, relativePath: relative) else { throw PortalError.notFound }
            return file
        }
        switch match(request) {
        case .notFound:
            throw PortalError.notFound
        case .methodNotAllowed(let allowed):
            throw PortalError(status: 405, title: "Not allowed", message: "This page cannot be used that way.",
                              headers: HTTPHeaders([("Allow", allowed.joined(separator: ", "))]))
        case .found(let route, let parameters):
            var routed = request
            routed.pathParameters = parameters
            // A page reads the session, the account and what it shows in one snapshot: consistent, and
            // one read lock instead of one per query. POSTs go without: they write, and some of them
            // hash a password, which a snapshot should not be held open across.
            guard request.method == "GET" || request.method == "HEAD" else { return try handle(routed, route) }
            return try portal.pool.withReadScope { try handle(routed, route) }
        }
    }

    private func handle(_ request: Request, _ route: Route) throws -> Response {
        var context = try loadContext(request, side: route.side)
        // Signing out a session that has already ended (the page's idle timer racing the server's) has
        // nothing to protect: it lands on sign-in like any other sign-out, with the reason.
        if route.access == .session, context.session == nil {
            let idle = context.expiredIdle || (try? request.form()["reason"]) == "idle"
            var response = signInRedirect(context, to: idle ? "/login?signed_out=idle" : "/login")
            response.headers["Clear-Site-Data"] = LoginHandlers.clearSiteData
            return response
        }
        // A view the customer's consent no longer covers has just ended: its administrator, still signed
        // in as staff, goes back to the user's page, which says so (nothing of the account is shown).
        if let customerID = context.viewEndedByCustomer, route.side != .staff, context.staffSession?.stage == .active {
            return signInRedirect(context, to: "/admin/users/\(customerID)?view=ended")
        }
        if request.method == "POST", !CSRF.matches(CSRF.submitted(request), expected: context.csrfToken) {
            return refusal(PortalError.csrfRefused, context)
        }
        switch route.access {
        case .anyone:
            break
        case .session:
            if context.session == nil { return signInRedirect(context) }
        case .staff:
            if context.staffSession?.stage != .active { return signInRedirect(context, to: "/admin/login") }
        case .customer, .enrolment, .secondFactor:
            guard context.account != nil, let stage = context.session?.stage else { return signInRedirect(context) }
            if let elsewhere = Self.redirect(for: stage, access: route.access) {
                return signInRedirect(context, to: elsewhere)
            }
        }
        var response: Response
        do {
            response = try route.handle(&context)
        } catch let error as HTTPResponseError {
            response = refusal(error, context)
        }
        // A completed sign-in step leaves the browser without the pre-session it came with, which someone
        // else may have planted and know: whatever step hands out a session, the pre-session goes.
        if context.setCookies.contains(where: Cookies.startsSession) {
            context.setCookies.removeAll { Cookies.names($0, Cookies.preSession) }
            context.setCookies.append(Cookies.clear(Cookies.preSession, secure: portal.configuration.secureCookies))
        }
        for cookie in context.setCookies { response.headers.add("Set-Cookie", cookie) }
        // Nothing the pipeline renders may be kept by a browser or a proxy: pages of an account,
        // forms with CSRF tokens, sign-in answers.
        response.headers["Cache-Control"] = "no-store"
        return response
    }

    /// A handler's refusal as the page that asked sees it: a script's request (a passkey's JSON) gets the
    /// reason as JSON in the passkey endpoints' own shape, which the script shows beside its button;
    /// during an administrator's view the page keeps the view's notice and leads back to the account.
    private func refusal(_ error: HTTPResponseError, _ context: RequestContext) -> Response {
        if context.request.sendsJSON { return error.scriptRefusal }
        guard context.impersonator != nil, context.account != nil else { return error.errorPage }
        return error.errorPage(chrome: context.chrome(title: error.title, tab: nil),
                               wayOn: (label: "Back to the account", href: "/portal/profile/security"))
    }

    /// Where a session at this stage belongs when the route is not for it, or nil when it may stay.
    static func redirect(for stage: SessionStage, access: Access) -> String? {
        switch (stage, access) {
        case (.active, .customer), (.active, .enrolment), (.enrolment, .enrolment), (.secondFactor, .secondFactor):
            return nil
        case (_, .staff):
            return nil
        case (.active, _):
            return "/portal/profile"
        case (.secondFactor, _):
            return "/login/mfa"
        case (.enrolment, _):
            return "/portal/profile/security"
        }
    }

    /// To sign-in. A session that just ran out from inactivity says so there, and the browser is told to
    /// forget what it kept of the site, as at sign-out.
    private func signInRedirect(_ context: RequestContext, to location: String = "/login") -> Response {
        var response = Response.redirect(to: context.expiredIdle && location == "/login" ? "/login?signed_out=idle" : location)
        if context.expiredIdle { response.headers["Clear-Site-Data"] = LoginHandlers.clearSiteData }
        for cookie in context.setCookies { response.headers.add("Set-Cookie", cookie) }
        response.headers["Cache-Control"] = "no-store"
        return response
    }

    /// Session load: the cookie's session, its customer account, and the CSRF token forms will carry.
    private func loadContext(_ request: Request, side: Route.Side) throws -> RequestContext {
        let secure = portal.configuration.secureCookies
        var setCookies: [String] = []
        var session: Session?
        var account: CustomerAccount?
        var expiredIdle = false
        if let token = request.cookies[Cookies.session] {
            switch try portal.lookUpSession(token: token) {
            case .active(let found):
                session = found
                if found.kind == .customer, let id = found.customerUserID {
                    switch try portal.accountPolicy(session: found, customerID: id) {
                    case .allowed(let usable):
                        account = usable
                    case .enrolmentDue(let usable):
                        // The client now requires a second factor this account does not have yet.
                        account = usable
                        session?.stage = .enrolment
                    case .ended:
                        // Disabled, unlinked, its portal turned off, or signed in in a way the client no
                        // longer allows (a password or passkey at an SSO-only client): the session ends.
                        try portal.endSession(found, actor: Actor(customerUserID: id, staffID: nil, clientID: nil, ip: request.remoteAddress))
                        session = nil
                        setCookies.append(Cookies.clear(Cookies.session, secure: secure))
                    }
                }
            case .expired(let idle):
                expiredIdle = idle
                setCookies.append(Cookies.clear(Cookies.session, secure: secure))
            case .none:
                setCookies.append(Cookies.clear(Cookies.session, secure: secure))
            }
        }
        // The administrator's pages: the staff session, from its own cookie.
        var staffSession: Session?
        var staff: StaffMember?
        if let token = request.cookies[Cookies.staff] {
            if case .active(let found) = try portal.lookUpSession(token: token), found.kind == .staff, let id = found.staffID,
               let member = try portal.staffMember(id: id), member.active {
                staffSession = found
                staff = member
            } else {
                setCookies.append(Cookies.clear(Cookies.staff, secure: secure))
            }
        }
        // An administrator's view of an account ends with the staff session that opened it, and, where
        // the client's customers approve views, as soon as the customer's consent no longer holds
        // (revoked, or a grant past its end). Only views pay for the check, in the query that reads the reason.
        var impersonator: StaffMember?
        var viewReason: String?
        var viewEndedByCustomer: Int64?
        if let viewing = session, let staffID = viewing.impersonatorStaffID {
            let view = try portal.administratorView(sessionID: viewing.id)
            let consentHolds = account?.client.viewConsent != true || view.consentLive
            if consentHolds, let member = try portal.staffMember(id: staffID), member.active, let staffSessionID = viewing.staffSessionID,
               try portal.sessionIsLive(id: staffSessionID) {
                impersonator = member
                viewReason = view.reason
            } else {
                try portal.endImpersonation(viewing, ip: request.remoteAddress,
                                            detail: consentHolds ? "" : "the customer's consent no longer holds")
                if !consentHolds { viewEndedByCustomer = viewing.customerUserID }
                session = nil
                account = nil
                setCookies.append(Cookies.clear(Cookies.session, secure: secure))
            }
        }
        let binding: String
        if side == .staff, let staffSession {
            binding = CSRF.binding(sessionTokenHash: staffSession.tokenHash)
        } else if let session {
            binding = CSRF.binding(sessionTokenHash: session.tokenHash)
        } else {
            var pre = request.cookies[Cookies.preSession] ?? ""
            if SessionToken.hash(pre) == nil {
                pre = SessionToken.generate()
                setCookies.append(Cookies.set(Cookies.preSession, pre, secure: secure))
            }
            binding = CSRF.binding(preSession: pre)
        }
        return RequestContext(request: request, app: self, session: session, account: account, staffSession: staffSession,
                              staff: staff, impersonator: impersonator, viewReason: viewReason, viewEndedByCustomer: viewEndedByCustomer,
                              expiredIdle: expiredIdle,
                              csrfToken: CSRF.token(key: portal.csrfKey, boundTo: binding), binding: binding, setCookies: setCookies)
    }

    /// A request for another host name (a DNS-rebinding page, `127.0.0.1` instead of `localhost`) goes to
    /// the origin instead: the browser's cookies and the WebAuthn RP ID belong to the origin's host.
    private func hostRedirect(_ request: Request) -> Response? {
        let origin = consoleOrigin.withLock { $0 }
        if let host = request.headers["Host"], origin.isAuthority(host) { return nil }
        let target = request.method == "GET" || request.method == "HEAD" ? request.target : "/"
        return .redirect(to: origin.url + (target.hasPrefix("/") ? target : "/"), status: request.method == "GET" || request.method == "HEAD" ? 308 : 303)
    }
}
