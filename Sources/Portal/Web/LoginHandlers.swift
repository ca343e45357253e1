import HTTP
import Templates

/// Sign-in, identifier first, and sign-out.
enum LoginHandlers {
    static let invalidCredentials = "The email or password is incorrect."

    @Sendable static func showLogin(_ context: inout RequestContext) throws -> Response {
        if context.account != nil, let stage = context.session?.stage {
            return .redirect(to: WebApp.redirect(for: stage, access: .anyone) ?? "/portal/profile")
        }
        var notice: Message?
        switch context.request.query["signed_out"] {
        case "idle": notice = Message(.info, "You were signed out because the session was idle.")
        case "1": notice = Message(.success, "You have signed out.")
        default: break
        }
        if context.request.query["ready"] == "1" {
            notice = Message(.success, "Your account is ready. Sign in with your email and new password.")
        } else if context.request.query["reset"] == "1" {
            notice = Message(.success, "Your password was reset. Sign in with your new password.")
        }
        return page(context, LoginPage(step: .email, csrfToken: context.csrfToken, notice: notice,
                                       kiosk: context.portal.configuration.kiosk))
    }

    @Sendable static func submitLogin(_ context: inout RequestContext) throws -> Response {
        let form = try context.form()
        let email = Validation.clean(form["email"] ?? "")
        let kiosk = context.portal.configuration.kiosk
        guard case .success = Validation.email(email) else {
            return page(context, LoginPage(step: .email, csrfToken: context.csrfToken, email: email,
                                           error: "Enter an email address like name@example.com.", kiosk: kiosk), status: 422)
        }
        let provider = try context.portal.signInProvider(forEmail: email)
        let choice = provider.map { SingleSignOnChoice(displayName: $0.displayName, start: "/login/sso/start", providerID: $0.id, loginHint: email) }
        guard let password = form["password"] else {
            let step: LoginPage.Step
            if let provider {
                step = provider.clientSingleSignOnOnly ? .singleSignOn : .password
            } else {
                step = try context.portal.signInStep(email: email) == .singleSignOn ? .singleSignOn : .password
            }
            return page(context, LoginPage(step: step, csrfToken: context.csrfToken, email: email, kiosk: kiosk, singleSignOn: choice))
        }
        let result = try context.portal.signIn(email: email, password: password, ip: context.ip, userAgent: context.userAgent)
        let secure = context.portal.configuration.secureCookies
        switch result {
        case .signedIn(let token, let stage):
            context.setCookies.append(Cookies.set(Cookies.session, token, secure: secure))
            context.setCookies.append(Cookies.clear(Cookies.preSession, secure: secure))
            switch stage {
            case .active: return .redirect(to: "/portal/profile")
            case .secondFactor: return .redirect(to: "/login/mfa")
            case .enrolment: return .redirect(to: "/portal/profile/security")
            }
        case .invalid:
            return page(context, LoginPage(step: .password, csrfToken: context.csrfToken, email: email,
                                           error: invalidCredentials, kiosk: kiosk, singleSignOn: choice), status: 401)
        case .lockedOut(let seconds):
            var response = page(context, LoginPage(step: .password, csrfToken: context.csrfToken, email: email,
                                                   error: LoginThrottle.waitMessage(seconds), kiosk: kiosk), status: 429)
            response.headers["Retry-After"] = String(seconds)
            return response
        case .singleSignOnRequired:
            return page(context, LoginPage(step: .singleSignOn, csrfToken: context.csrfToken, email: email, kiosk: kiosk,
                                           singleSignOn: choice), status: 403)
        case .portalNotAvailable:
            return .html(AccessStateView.render(AccessStatePage(state: .portalNotAvailable, kiosk: kiosk)), status: 403)
        case .accessRequired:
            return .html(AccessStateView.render(AccessStatePage(state: .accessRequired, kiosk: kiosk)), status: 403)
        }
    }

    /// Ends the session on the server and tells the browser to forget everything of this site.
    @Sendable static func logout(_ context: inout SessionContext) throws -> Response {
        let session = context.session
        // An administrator's Sign Out ends their view of the account, not their own session or cookies.
        if session.impersonatorStaffID != nil, var viewing = CustomerContext(context.base) {
            defer { context.base = viewing.base }
            return try AdminHandlers.endImpersonation(&viewing)
        }
        // A session begun at the company's provider signs out there too (read before the session goes).
        let providerSignOut = try context.portal.providerSignOut(sessionID: session.id)
        try context.portal.endSession(session, actor: context.actor)
        let secure = context.portal.configuration.secureCookies
        context.setCookies.append(Cookies.clear(Cookies.session, secure: secure))
        // The page's idle timer signs out with reason=idle, so the sign-in page can say why.
        let idle = (try? context.form()["reason"]) == "idle"
        var response = providerSignOut.map {
            Response.html(SingleSignOnSignedOutView.render(providerName: $0.displayName, continueTo: $0.url, kiosk: context.portal.configuration.kiosk))
        } ?? Response.redirect(to: idle ? "/login?signed_out=idle" : "/login?signed_out=1")
        response.headers["Clear-Site-Data"] = clearSiteData
        return response
    }

    /// What sign-out tells the browser to forget.
    static let clearSiteData = "\"cache\", \"cookies\", \"storage\""

    static func page(_ context: RequestContext, _ page: LoginPage, status: Int = 200) -> Response {
        .html(LoginView.render(page), status: status)
    }
}
