import HTTP
import QRCode
import Templates

/// Authenticator set-up, recovery codes, and the MFA step of sign-in.
enum TwoFactorHandlers {
    // MARK: Sign-in

    @Sendable static func showSecondFactor(_ context: inout RequestContext) throws -> Response {
        try page(context)
    }

    @Sendable static func submitSecondFactor(_ context: inout RequestContext) throws -> Response {
        let session = try context.requireSession()
        let code = try context.form()["code"] ?? ""
        switch try context.portal.completeSecondFactor(session: session, code: code, ip: context.ip, userAgent: context.userAgent) {
        case .signedIn(let token):
            context.setCookies.append(Cookies.set(Cookies.session, token, secure: context.portal.configuration.secureCookies))
            return .redirect(to: "/portal/profile")
        case .invalid:
            return try page(context, error: "That code didn't work. Check that your device's time is set automatically, or use a recovery code.", status: 401)
        case .lockedOut(let seconds):
            var response = try page(context, error: LoginThrottle.waitMessage(seconds), status: 429)
            response.headers["Retry-After"] = String(seconds)
            return response
        }
    }

    static func page(_ context: RequestContext, error: String? = nil, status: Int = 200) throws -> Response {
        // Each factor the account has is offered, and only those.
        let factors = try context.session?.customerUserID.map { try context.portal.twoFactorStatus(customerID: $0) }
        return .html(TwoFactorView.secondFactor(SecondFactorPage(csrfToken: context.csrfToken, error: error,
                                                                 kiosk: context.portal.configuration.kiosk,
                                                                 passkeyAvailable: (factors?.keys ?? 0) > 0,
                                                                 authenticatorAvailable: factors?.authenticatorEnabled ?? false,
                                                                 recoveryCodesAvailable: (factors?.recoveryCodesRemaining ?? 0) > 0)),
                     status: status)
    }

    // MARK: Set-up

    @Sendable static func enable(_ context: inout RequestContext) throws -> Response {
        try context.refuseWhileImpersonating("Turning on two-factor authentication")
        let account = try context.requireAccount()
        switch try context.portal.beginAuthenticatorSetup(account: account) {
        case .success(let setup):
            return try setupPage(context, setup)
        case .failure:
            return .redirect(to: "/portal/profile/security")
        }
    }

    @Sendable static func verify(_ context: inout RequestContext) throws -> Response {
        try context.refuseWhileImpersonating("Turning on two-factor authentication")
        let account = try context.requireAccount()
        let session = try context.requireSession()
        let code = try context.form()["code"] ?? ""
        switch try context.portal.confirmAuthenticatorSetup(account: account, code: code, actor: context.actor) {
        case .success(let codes):
            if session.stage == .enrolment {
                let token = try context.portal.promoteEnrolledSession(session, ip: context.ip, userAgent: context.userAgent)
                context.setCookies.append(Cookies.set(Cookies.session, token, secure: context.portal.configuration.secureCookies))
                context.rebind(sessionToken: token)
            }
            return codesPage(context, codes, justEnabled: true)
        case .failure(.wrongCode):
            guard let setup = try context.portal.pendingAuthenticatorSetup(account: account) else { return try expired(context) }
            return try setupPage(context, setup, error: "That code didn't match. Enter the code your app shows now.", status: 422)
        case .failure(.expired):
            return try expired(context)
        case .failure(.alreadyEnabled):
            return .redirect(to: "/portal/profile/security")
        }
    }

    @Sendable static func disable(_ context: inout RequestContext) throws -> Response {
        try context.refuseWhileImpersonating("Turning off two-factor authentication")
        let account = try context.requireAccount()
        let session = try context.requireSession()
        let password = try context.form()["password"] ?? ""
        switch try context.portal.disableAuthenticator(customerID: account.user.id, password: password, actor: context.actor) {
        case .success:
            try context.portal.pool.write { db in try context.portal.setFlash(db, sessionID: session.id, .authenticatorDisabled) }
            return .redirect(to: "/portal/profile/security")
        case .failure(let error):
            var view = try SecurityView.Model(context)
            view.authenticator.disableOpen = true
            view.authenticator.disableError = error.message
            return view.response(status: 422)
        }
    }

    @Sendable static func regenerate(_ context: inout RequestContext) throws -> Response {
        try context.refuseWhileImpersonating("Regenerating recovery codes")
        let account = try context.requireAccount()
        let password = try context.form()["password"] ?? ""
        switch try context.portal.regenerateRecoveryCodes(customerID: account.user.id, password: password, actor: context.actor) {
        case .success(let codes):
            return codesPage(context, codes, justEnabled: false)
        case .failure(let error):
            var view = try SecurityView.Model(context)
            view.recoveryCodes?.regenerateOpen = true
            view.recoveryCodes?.regenerateError = error.message
            if view.recoveryCodes == nil { view.message = Message(.error, error.message) }
            return view.response(status: 422)
        }
    }

    /// "I've Saved These": the codes page is left, and nothing brings it back.
    @Sendable static func saved(_ context: inout RequestContext) throws -> Response {
        .redirect(to: "/portal/profile/security")
    }

    static func setupPage(_ context: RequestContext, _ setup: TOTPSetup, error: String? = nil, status: Int = 200) throws -> Response {
        let code = try QRCode.encode(text: setup.uri, ecc: .medium)
        let svg = SVGWriter.svg(for: code, label: "QR code for your authenticator app")
        let page = AuthenticatorSetupPage(chrome: context.chrome(title: "Set up authenticator", tab: .security),
                                          qrSVG: .unsafeRaw(svg), groupedSecret: setup.groupedSecret, error: error)
        return .html(TwoFactorView.setup(page), status: status)
    }

    static func codesPage(_ context: RequestContext, _ codes: [String], justEnabled: Bool) -> Response {
        let page = RecoveryCodesPage(chrome: context.chrome(title: "Recovery codes", tab: .security), codes: codes, justEnabled: justEnabled)
        return .html(TwoFactorView.recoveryCodes(page))
    }

    static func expired(_ context: RequestContext) throws -> Response {
        var view = try SecurityView.Model(context)
        view.authenticator.message = Message(.error, "The set-up expired before it was confirmed. Select Enable to start again.")
        return view.response(status: 422)
    }
}
