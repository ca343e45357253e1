import HTTP
import Templates

/// Single sign-on's two steps in the browser: out to the company's provider, and back from it. Both run
/// on the lane for slow work: they may wait on the provider (discovery, its keys, the token request).
enum SingleSignOnHandlers {
    /// `GET /login/sso/start?provider=ID&login_hint=EMAIL`: a customer's way out to their client's provider.
    @Sendable static func start(_ context: inout RequestContext) throws -> Response {
        guard let raw = context.request.query["provider"], let id = Int64(raw),
              let provider = try context.portal.signInProvider(id: id), provider.clientID != nil else {
            return LoginHandlers.page(context, LoginPage(step: .email, csrfToken: context.csrfToken,
                                                         error: "That sign-in link is not valid any more. Enter your email to continue.",
                                                         kiosk: context.portal.configuration.kiosk), status: 404)
        }
        return try begin(&context, provider: provider, retryPath: "/login")
    }

    /// `GET /admin/login/sso/start`: staff through the MSP's own provider.
    @Sendable static func startStaff(_ context: inout RequestContext) throws -> Response {
        guard let provider = try context.portal.staffSignInProvider() else {
            return .html(AdminView.login(csrfToken: context.csrfToken, error: "Single sign-on is not set up for staff."), status: 404)
        }
        return try begin(&context, provider: provider, retryPath: "/admin/login")
    }

    /// The staff sign-in page's way to the MSP's provider, when it has one.
    static func staffChoice(_ context: RequestContext) throws -> SingleSignOnChoice? {
        try context.portal.staffSignInProvider().map {
            SingleSignOnChoice(displayName: $0.displayName, start: "/admin/login/sso/start", providerID: nil, loginHint: nil)
        }
    }

    private static func begin(_ context: inout RequestContext, provider: SignInProvider, retryPath: String) throws -> Response {
        let hint = context.request.query["login_hint"].map(Validation.clean)
        switch try context.portal.beginSingleSignOn(provider: provider, loginHint: hint, ip: context.ip) {
        case .success(let start):
            context.setCookies.append(Cookies.setLax(Cookies.singleSignOn, start.browserToken, secure: context.portal.configuration.secureCookies))
            return .redirect(to: start.url)
        case .failure(let failure):
            return problem(context, .failed(reference: failure.reference), retryPath: retryPath, status: 502)
        }
    }

    /// `GET /login/sso/callback`: the provider sends the person back with a code (or an error) and the state.
    @Sendable static func callback(_ context: inout RequestContext) throws -> Response {
        let query = context.request.query
        let callback = SingleSignOnCallback(state: query["state"], code: query["code"], error: query["error"],
                                            browserToken: context.request.cookies[Cookies.singleSignOn])
        let secure = context.portal.configuration.secureCookies
        // The attempt is used up whatever happens next.
        context.setCookies.append(Cookies.clearLax(Cookies.singleSignOn, secure: secure))
        let outcome = try context.portal.finishSingleSignOn(callback, ip: context.ip, userAgent: context.userAgent)
        let kiosk = context.portal.configuration.kiosk
        switch outcome {
        case .signedIn(let token, let stage, .customer):
            context.setCookies.append(Cookies.set(Cookies.session, token, secure: secure))
            context.setCookies.append(Cookies.clear(Cookies.preSession, secure: secure))
            switch stage {
            case .active: return onward("/portal/profile", kiosk: kiosk)
            case .secondFactor: return onward("/login/mfa", kiosk: kiosk)
            case .enrolment: return onward("/portal/profile/security", kiosk: kiosk)
            }
        case .signedIn(let token, let stage, .staff):
            context.setCookies.append(Cookies.set(Cookies.staff, token, secure: secure))
            return onward(stage == .active ? "/admin" : "/admin/login", kiosk: kiosk)
        case .cancelled(let side):
            return problem(context, .cancelled, retryPath: side == .staff ? "/admin/login" : "/login", status: 401)
        case .failed(let failure):
            return problem(context, .failed(reference: failure.reference), retryPath: failure.side == .staff ? "/admin/login" : "/login",
                           status: 502)
        case .accessRequired(let signOut):
            return .html(AccessStateView.render(AccessStatePage(state: .accessRequired, kiosk: kiosk, providerSignOut: signOut)), status: 403)
        case .portalNotAvailable:
            return .html(AccessStateView.render(AccessStatePage(state: .portalNotAvailable, kiosk: kiosk)), status: 403)
        }
    }

    /// The way on after signing in: a page of the console's own that moves on (see SingleSignOnContinueView).
    static func onward(_ path: String, kiosk: Bool) -> Response {
        .html(SingleSignOnContinueView.render(to: path, kiosk: kiosk))
    }

    static func problem(_ context: RequestContext, _ problem: SingleSignOnProblemPage.Problem, retryPath: String, status: Int) -> Response {
        .html(SingleSignOnProblemView.render(SingleSignOnProblemPage(problem: problem, retryPath: retryPath,
                                                                     kiosk: context.portal.configuration.kiosk)), status: status)
    }
}
