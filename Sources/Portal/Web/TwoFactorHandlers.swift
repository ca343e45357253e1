import HTTP
import QRCode
import Store
import Templates

/// Authenticator set-up, recovery codes, and the MFA step of sign-in.
enum TwoFactorHandlers {
    // MARK: Sign-in

    @Sendable static func showSecondFactor(_ context: inout SessionContext) throws -> Response {
        let asked = context.request.query["with"] ?? ""
        return try page(context, way: SecondFactorWay(rawValue: asked), choosing: asked == "choose")
    }

    @Sendable static func submitSecondFactor(_ context: inout SessionContext) throws -> Response {
        let session = context.session
        let form = try context.form()
        let code = form["code"] ?? ""
        let way = form["with"].flatMap(SecondFactorWay.init(rawValue:))
        switch try context.portal.completeSecondFactor(session: session, code: code, ip: context.ip, userAgent: context.userAgent) {
        case .signedIn(let token):
            context.setCookies.append(Cookies.set(Cookies.session, token, secure: context.portal.configuration.secureCookies))
            return .redirect(to: "/portal/profile")
        case .invalid:
            let message = way == .recovery
                ? "That recovery code didn't work. Check it, or try another way."
                : "That code didn't work. Check that your device's time is set automatically, or try another way."
            return try page(context, error: message, way: way, status: 401)
        case .lockedOut(let seconds):
            var response = try page(context, error: LoginThrottle.waitMessage(seconds), way: way, status: 429)
            response.headers["Retry-After"] = String(seconds)
            return response
        }
    }

    static func page(_ context: SessionContext, error: String? = nil, way: SecondFactorWay? = nil, choosing: Bool = false,
                     status: Int = 200) throws -> Response {
        // Each factor the account has is offered, and only those.
        let factors = try context.session.customerUserID.map { try context.portal.twoFactorStatus(customerID: $0) }
        var page = SecondFactorPage(csrfToken: context.csrfToken, email: context.base.account?.user.email ?? "", error: error,
                                    kiosk: context.portal.configuration.kiosk,
                                    passkeyAvailable: (factors?.keys ?? 0) > 0,
                                    authenticatorAvailable: factors?.authenticatorEnabled ?? false,
                                    recoveryCodesAvailable: (factors?.recoveryCodesRemaining ?? 0) > 0)
        page.requested = way
        page.choosing = choosing
        return .html(TwoFactorView.secondFactor(page), status: status)
    }

    // MARK: Set-up (post/redirect/get: the POSTs make the secret, the GET pages show what is pending)

    static let setupPath = "/portal/profile/security/totp/setup"
    static let newCodesPath = "/portal/profile/security/recovery-codes/new"

    @Sendable static func enable(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Turning on two-factor authentication")
        let account = context.account
        switch try context.portal.beginAuthenticatorSetup(account: account, session: context.session) {
        case .success: return .redirect(to: setupPath)
        case .failure: return .redirect(to: "/portal/profile/security")
        }
    }

    /// The set-up waiting in this session, the same secret on every reload; once it has ended
    /// (verified, cancelled, replaced, signed out, 10 minutes), the Security tab instead.
    @Sendable static func showSetup(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Turning on two-factor authentication")
        let account = context.account
        guard let setup = try context.portal.pendingAuthenticatorSetup(account: account, session: context.session) else {
            return .redirect(to: "/portal/profile/security")
        }
        return try setupPage(context, setup)
    }

    @Sendable static func verify(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Turning on two-factor authentication")
        let account = context.account
        let session = context.session
        let form = try context.form()
        switch try context.portal.confirmAuthenticatorSetup(account: account, session: session, setupID: form["setup"].flatMap { Int64($0) },
                                                            code: form["code"] ?? "", actor: context.actor,
                                                            ip: context.ip, userAgent: context.userAgent) {
        case .success(let confirmed):
            if let token = confirmed.newSessionToken {
                context.setCookies.append(Cookies.set(Cookies.session, token, secure: context.portal.configuration.secureCookies))
            }
            return .redirect(to: newCodesPath)
        case .failure(.wrongCode):
            guard let setup = try context.portal.pendingAuthenticatorSetup(account: account, session: session) else { return try expired(context) }
            return try setupPage(context, setup, error: "That code didn't match. Enter the code your app shows now.", status: 422)
        case .failure(.expired):
            return try expired(context)
        case .failure(.restartedElsewhere):
            var view = try SecurityView.Model(context)
            view.authenticator.message = Message(.error, restartedMessage)
            return view.response(status: 409)
        case .failure(.alreadyEnabled):
            return .redirect(to: "/portal/profile/security")
        }
    }

    static let restartedMessage = "The set-up was restarted in another tab or window, so this code was not used and the authenticator app is not on. Finish the set-up where it was restarted, or select Enable to start again."

    /// Cancel on the set-up page: the pending secret ends, and no page shows or accepts it again.
    @Sendable static func cancel(_ context: inout CustomerContext) throws -> Response {
        let account = context.account
        try context.portal.cancelAuthenticatorSetup(owner: .customer(account.user.id), sessionID: context.session.id)
        return .redirect(to: "/portal/profile/security")
    }

    /// "Turn off the authenticator app?": what goes with it, the password, and the button that does it.
    @Sendable static func confirmDisable(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Turning off two-factor authentication")
        let status = try context.portal.twoFactorStatus(customerID: context.account.user.id)
        guard status.authenticatorEnabled else { return .redirect(to: "/portal/profile/security") }
        return .html(ConfirmationView.render(disablePage(context, status: status, error: nil)))
    }

    @Sendable static func disable(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Turning off two-factor authentication")
        let account = context.account
        let password = try context.form()["password"] ?? ""
        switch try context.portal.disableAuthenticator(customerID: account.user.id, password: password, actor: context.actor) {
        case .success:
            return .redirect(to: "/portal/profile/security#authenticator-title")
        case .failure(let error):
            let status = try context.portal.twoFactorStatus(customerID: account.user.id)
            return .html(ConfirmationView.render(disablePage(context, status: status, error: error.message)), status: 422)
        }
    }

    static func disablePage(_ context: CustomerContext, status: TwoFactorStatus, error: String?) -> ConfirmationPage {
        let consequence: HTML = status.keys > 0
            ? "<p>Signing in will no longer accept a code from your app. Your security keys and passkeys, and your recovery codes, keep working.</p>"
            : "<p>Signing in will no longer ask for a code from your app, and your recovery codes will be deleted. Anyone who learns your password could then sign in as you.</p>"
        var page = ConfirmationPage(
            chrome: context.chrome(title: "Turn off the authenticator app", tab: .security),
            question: "Turn off the authenticator app?",
            details: """
            \(consequence)
            \(HTML.when(context.account.client.requireMFA, "<p>Your IT provider requires two-factor authentication: you will be asked to set it up again at your next sign-in.</p>"))
            """,
            action: "/portal/profile/security/totp/disable", confirmLabel: "Turn off authenticator app",
            cancel: "/portal/profile/security")
        page.passwordRequired = true
        page.passwordError = error
        return page
    }

    @Sendable static func regenerate(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Regenerating recovery codes")
        let account = context.account
        let session = context.session
        let password = try context.form()["password"] ?? ""
        switch try context.portal.regenerateRecoveryCodes(customerID: account.user.id, sessionID: session.id, password: password,
                                                          actor: context.actor) {
        case .success:
            return .redirect(to: newCodesPath)
        case .failure(let error):
            var view = try SecurityView.Model(context)
            view.recoveryCodes?.regenerateOpen = true
            view.recoveryCodes?.regenerateError = error.message
            if view.recoveryCodes == nil { view.message = Message(.error, error.message) }
            return view.response(status: 422)
        }
    }

    /// The recovery codes pending in this session, the same set on every reload (a reload never makes
    /// another); after "I've Saved These", sign-out or 10 minutes, the Security tab instead.
    @Sendable static func showNewCodes(_ context: inout CustomerContext) throws -> Response {
        try context.refuseWhileImpersonating("Viewing recovery codes")
        let account = context.account
        guard let pending = try context.portal.pendingRecoveryCodes(customerID: account.user.id, sessionID: context.session.id)
        else { return .redirect(to: "/portal/profile/security") }
        return codesPage(context, pending.codes, justEnabled: pending.afterEnable)
    }

    /// "I've Saved These": the pending copy is deleted, so no GET, reload or Back shows the codes again.
    @Sendable static func saved(_ context: inout CustomerContext) throws -> Response {
        let account = context.account
        try context.portal.dismissPendingSecret(.recoveryCodes, owner: .customer(account.user.id), sessionID: context.session.id)
        return .redirect(to: "/portal/profile/security")
    }

    static func setupPage(_ context: CustomerContext, _ setup: TOTPSetup, error: String? = nil, status: Int = 200) throws -> Response {
        let code = try QRCode.encode(text: setup.uri, ecc: .medium)
        let svg = SVGWriter.svg(for: code, label: "QR code for your authenticator app")
        let page = AuthenticatorSetupPage(chrome: context.chrome(title: "Set up authenticator", tab: .security),
                                          qrSVG: .unsafeRaw(svg), groupedSecret: setup.groupedSecret, setupID: setup.id,
                                          issuer: setup.issuer, account: setup.accountName, keyURI: setup.uri, error: error)
        return .html(TwoFactorView.setup(page), status: status)
    }

    static func codesPage(_ context: CustomerContext, _ codes: [String], justEnabled: Bool) -> Response {
        let page = RecoveryCodesPage(chrome: context.chrome(title: "Recovery codes", tab: .security), codes: codes, justEnabled: justEnabled)
        return .html(TwoFactorView.recoveryCodes(page))
    }

    static func expired(_ context: CustomerContext) throws -> Response {
        var view = try SecurityView.Model(context)
        view.authenticator.message = Message(.error, "The set-up expired or was cancelled before it was confirmed. Select Enable to start again.")
        return view.response(status: 422)
    }
}
