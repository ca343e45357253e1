import Crypto
import HTTP
import Store
import Templates
import Threads

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
    /// On the connection's thread: pages and forms that never check a password.
    case connection
    /// On the server's slow lane: the route may check or set a password (about 0.3 s of CPU by design).
    case hashing
    /// On the slow lane when the form carries this field (the sign-in form's password step; its first
    /// step, the email address alone, stays on the connection's thread).
    case hashingWithField(String)
}

/// A route's handler, who may call it, and where it runs.
struct Route: Sendable {
    let access: Access
    var lane: Lane = .connection
    let handle: @Sendable (inout RequestContext) throws -> Response
}

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

    /// Whether the request goes to the server's slow lane (its route may hash a password).
    func isSlow(_ request: Request) -> Bool {
        guard request.method == "POST", case .found(let route, _) = router.match(method: request.method, path: request.path)
        else { return false }
        switch route.lane {
        case .connection: return false
        case .hashing: return true
        case .hashingWithField(let name): return (try? request.form().contains(name)) ?? true
        }
    }

    /// The answer when every password check's turn is taken (a flood of sign-in attempts): say so
    /// rather than queue without end.
    func busy(_ request: Request) -> Response {
        var response = PortalError(status: 503, title: "Busy for a moment",
                                   message: "The console is busy checking passwords. Nothing was changed. Try again in a moment.").response
        response.headers["Retry-After"] = "1"
        SecurityHeaders.apply(to: &response, https: portal.configuration.secureCookies)
        return response
    }

    /// Answers one request. Never throws: every error becomes a page.
    func respond(_ request: Request) -> Response {
        var response: Response
        do {
            response = try route(request)
        } catch let error as PortalError {
            response = error.response
        } catch is PortalBusy {
            return busy(request)
        } catch let error as HTTPError {
            response = error.portalError.response
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
        if request.method != "GET" && request.method != "HEAD", !consoleOrigin.withLock { $0 }.sentThis(request) {
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
        switch router.match(method: request.method, path: request.path) {
        case .notFound:
            throw PortalError.notFound
        case .methodNotAllowed(let allowed):
            var response = PortalError(status: 405, title: "Not allowed", message: "This page cannot be used that way.").response
            response.headers["Allow"] = allowed.joined(separator: ", ")
            return response
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
        var context = try loadContext(request)
        // Signing out a session that has already ended (the page's idle timer racing the server's) has
        // nothing to protect: it lands on sign-in like any other sign-out, with the reason.
        if route.access == .session, context.session == nil {
            let idle = context.expiredIdle || (try? request.form()["reason"]) == "idle"
            var response = signInRedirect(context, to: idle ? "/login?signed_out=idle" : "/login")
            response.headers["Clear-Site-Data"] = LoginHandlers.clearSiteData
            return response
        }
        if request.method == "POST" {
            guard CSRF.matches(CSRF.submitted(request), expected: context.csrfToken) else { throw PortalError.csrfRefused }
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
        var response = try route.handle(&context)
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
    private func loadContext(_ request: Request) throws -> RequestContext {
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
        // An administrator's view of an account ends with the staff session that opened it.
        var impersonator: StaffMember?
        if let viewing = session, let staffID = viewing.impersonatorStaffID {
            if let member = try portal.staffMember(id: staffID), member.active, let staffSessionID = viewing.staffSessionID,
               try portal.sessionIsLive(id: staffSessionID) {
                impersonator = member
            } else {
                try portal.endImpersonation(viewing, ip: request.remoteAddress)
                session = nil
                account = nil
                setCookies.append(Cookies.clear(Cookies.session, secure: secure))
            }
        }
        let binding: String
        if request.path.hasPrefix("/admin"), let staffSession {
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
                              staff: staff, impersonator: impersonator, expiredIdle: expiredIdle,
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

/// The console's origin and the authority (`host:port`) in it, which is what every request's Host
/// header must say. Worked out once, not per request.
struct ConsoleOrigin: Sendable {
    let url: String
    /// Lowercased ASCII bytes of the authority, and the same with the scheme's default port written
    /// out or left out (a browser sends `Host: portal.example.com` for `https://portal.example.com:443`).
    private let authority: [UInt8]
    private let alternativeAuthority: [UInt8]

    /// The origin as a browser serializes it in an `Origin` header: lowercase, without a default port.
    let serialized: String

    init(_ url: String) {
        self.url = url
        let authority = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: true).dropFirst().first ?? ""
        self.authority = authority.utf8.map(Self.lowercase)
        let scheme = String(decoding: (url.split(separator: ":", maxSplits: 1).first ?? "").utf8.map(Self.lowercase), as: UTF8.self)
        var host = String(decoding: self.authority, as: UTF8.self)
        if scheme == "https", host.hasSuffix(":443") { host.removeLast(4) }
        if scheme == "http", host.hasSuffix(":80") { host.removeLast(3) }
        serialized = scheme + "://" + host
        let defaultPort = scheme == "https" ? ":443" : ":80"
        alternativeAuthority = host.utf8.count == self.authority.count ? self.authority + Array(defaultPort.utf8) : Array(host.utf8)
    }

    /// Whether the browser says this request comes from the console's own pages: every `Origin` header
    /// names the console (`null`, another port or scheme do not); without one, `Sec-Fetch-Site` must not
    /// say `cross-site`. A request with neither (curl, an old browser) passes here and is judged by its
    /// CSRF token alone.
    func sentThis(_ request: Request) -> Bool {
        let origins = request.headers.values("Origin")
        if !origins.isEmpty {
            return origins.allSatisfy { value in
                var value = value
                return value.withUTF8 { bytes in
                    bytes.count == serialized.utf8.count && zip(bytes, serialized.utf8).allSatisfy { Self.lowercase($0) == $1 }
                }
            }
        }
        return !request.headers.values("Sec-Fetch-Site").contains { $0.lowercased().contains("cross-site") }
    }

    /// Whether a Host header names this origin (ASCII case-insensitively, as host names compare).
    func isAuthority(_ host: String) -> Bool {
        var host = host
        return host.withUTF8 { bytes in
            Self.equalsIgnoringCase(bytes, authority) || Self.equalsIgnoringCase(bytes, alternativeAuthority)
        }
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercased: [UInt8]) -> Bool {
        bytes.count == lowercased.count && zip(bytes, lowercased).allSatisfy { lowercase($0) == $1 }
    }

    private static func lowercase(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
}

/// Headers on every response (SPEC, issue 2 item 3).
enum SecurityHeaders {
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
        "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
    ].joined(separator: "; ")

    static func apply(to response: inout Response, https: Bool) {
        response.headers["Content-Security-Policy"] = contentSecurityPolicy
        response.headers["X-Content-Type-Options"] = "nosniff"
        // Not "no-referrer": under it browsers send `Origin: null` with every form POST (Fetch,
        // "serializing a request origin"), and the cross-site check could not tell the console's own
        // forms from a sandboxed attacker. "same-origin" keeps every URL (reset tokens included) from
        // other sites and lets same-origin POSTs carry the real Origin; cross-site ones still say null.
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if https { response.headers["Strict-Transport-Security"] = "max-age=31536000" }
    }
}

extension Portal {
    /// Whether a session exists and has not run out (an administrator's view of an account depends on it).
    func sessionIsLive(id: Int64) throws -> Bool {
        let time = now
        let idle = configuration.effectiveIdleTimeout
        return try pool.withConnection { db in
            guard let row = try db.queryOne("SELECT last_seen_at, expires_at FROM sessions WHERE id = ?", id) else { return false }
            return time - (row.int64("last_seen_at") ?? 0) < idle && time < (row.int64("expires_at") ?? 0)
        }
    }

    /// The customer and client of a session, when the account may still use the portal.
    func usableAccount(customerID: Int64) throws -> CustomerAccount? {
        // One snapshot for the user and the client (one read lock instead of two, and never a user
        // paired with a client row from after a change).
        try pool.read { db in
            guard let account = try AccountQueries.account(customerID: customerID, db),
                  account.user.status == .active, account.client.portalEnabled else { return nil }
            return account
        }
    }

    /// Whether a customer session still satisfies its client's policy, judged on every request so a
    /// change made by an administrator reaches sessions already open: a disabled or unlinked account or
    /// a portal turned off ends the session; so does a password or passkey sign-in once the client is
    /// SSO-only; a client that now requires a second factor sends an account without one to its set-up.
    /// An administrator's view is judged by the rules of impersonation instead.
    func accountPolicy(session: Session, customerID: Int64) throws -> AccountPolicy {
        let policy: AccountPolicy = try pool.read { db in
            guard let account = try AccountQueries.account(customerID: customerID, db),
                  account.user.status == .active, account.client.portalEnabled else { return .ended }
            if session.impersonatorStaffID != nil { return .allowed(account) }
            if account.client.ssoOnly, session.method == .password || session.method == .passkey { return .ended }
            if account.client.requireMFA, session.stage == .active, try !hasSecondFactor(db, customerID: customerID) {
                return .enrolmentDue(account)
            }
            return .allowed(account)
        }
        if case .enrolmentDue = policy {
            // Kept in the session, so the set-up's completion promotes it as after a sign-in.
            try pool.write { db in
                _ = try db.run("UPDATE sessions SET stage = ? WHERE id = ? AND stage = ?", SessionStage.enrolment.rawValue, session.id,
                               SessionStage.active.rawValue)
            }
        }
        return policy
    }
}

/// What a client's policy makes of a customer session on this request.
enum AccountPolicy {
    case allowed(CustomerAccount)
    /// The session stays, but only the second factor's set-up is open until it is done.
    case enrolmentDue(CustomerAccount)
    case ended
}
