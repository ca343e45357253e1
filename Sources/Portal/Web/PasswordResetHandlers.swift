import HTTP
import Templates

/// "Forgot password?" and the page its emailed link opens.
enum PasswordResetHandlers {
    @Sendable static func showForgot(_ context: inout RequestContext) throws -> Response {
        page(context, ForgotPasswordPage(csrfToken: context.csrfToken, sent: context.request.query["sent"] == "1",
                                         kiosk: context.portal.configuration.kiosk))
    }

    @Sendable static func submitForgot(_ context: inout RequestContext) throws -> Response {
        let email = Validation.clean(try context.form()["email"] ?? "")
        guard case .success = Validation.email(email) else {
            return page(context, ForgotPasswordPage(csrfToken: context.csrfToken, error: "Enter an email address like name@example.com.",
                                                    email: email, kiosk: context.portal.configuration.kiosk), status: 422)
        }
        switch try context.portal.requestPasswordReset(email: email, ip: context.ip, origin: context.app.origin,
                                                       viewingStaffID: context.impersonator?.id) {
        case .accepted:
            return .redirect(to: "/login/forgot?sent=1")
        case .tooManyRequests(let seconds):
            let minutes = max(1, (seconds + 59) / 60)
            var response = page(context, ForgotPasswordPage(
                csrfToken: context.csrfToken, error: "Too many reset requests from this computer. Try again in \(minutes) minute\(minutes == 1 ? "" : "s").",
                email: email, kiosk: context.portal.configuration.kiosk), status: 429)
            response.headers["Retry-After"] = String(seconds)
            return response
        }
    }

    @Sendable static func showReset(_ context: inout RequestContext) throws -> Response {
        let token = context.request.query["token"] ?? ""
        let user = try context.portal.resetLinkAccount(token: token)
        return reset(context, ResetPasswordPage(csrfToken: context.csrfToken, token: user == nil ? nil : token,
                                                email: user?.email ?? "", kiosk: context.portal.configuration.kiosk,
                                                invitationTo: try user.flatMap(context.portal.invitationClientName)),
                     status: user == nil ? 410 : 200)
    }

    @Sendable static func submitReset(_ context: inout RequestContext) throws -> Response {
        let form = try context.form()
        let token = form["token"] ?? ""
        switch try context.portal.resetPassword(token: token, new: form["new_password"] ?? "", confirm: form["confirm_password"] ?? "",
                                                ip: context.ip) {
        case .success(.passwordReset):
            return .redirect(to: "/login?reset=1")
        case .success(.accountReady):
            return .redirect(to: "/login?ready=1")
        case .failure(.invalidLink):
            return reset(context, ResetPasswordPage(csrfToken: context.csrfToken, token: nil, kiosk: context.portal.configuration.kiosk),
                         status: 410)
        case .failure(.fields(let new, let confirm)):
            let user = try context.portal.resetLinkAccount(token: token)
            return reset(context, ResetPasswordPage(csrfToken: context.csrfToken, token: token, email: user?.email ?? "", newError: new,
                                                    confirmError: confirm, kiosk: context.portal.configuration.kiosk,
                                                    invitationTo: try user.flatMap(context.portal.invitationClientName)), status: 422)
        }
    }

    static func page(_ context: RequestContext, _ page: ForgotPasswordPage, status: Int = 200) -> Response {
        .html(PasswordResetView.forgot(page), status: status)
    }

    static func reset(_ context: RequestContext, _ page: ResetPasswordPage, status: Int) -> Response {
        .html(PasswordResetView.reset(page), status: status)
    }
}
