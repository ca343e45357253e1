import HTTP
import QRCode
import Store
import Templates
import WebAuthn

/// The MSP administrator's side: staff sign-in, clients and their settings, users, "View as customer",
/// the audit log and the outbox. Staff sessions live in their own cookie; a customer session never
/// opens these pages.
enum AdminHandlers {
    // MARK: Sign-in

    @Sendable static func showLogin(_ context: inout RequestContext) throws -> Response {
        if context.staffSession?.stage == .active { return .redirect(to: "/admin") }
        let status = context.request.query["signed_out"] == "1" ? "You have signed out." : nil
        return .html(AdminView.login(csrfToken: context.csrfToken, status: status, codeStep: try secondFactors(context),
                                     singleSignOn: try SingleSignOnHandlers.staffChoice(context)))
    }

    @Sendable static func submitLogin(_ context: inout RequestContext) throws -> Response {
        let form = try context.form()
        let secure = context.portal.configuration.secureCookies
        if let waiting = context.staffSession, waiting.stage == .secondFactor, let code = form["code"] {
            switch try context.portal.completeStaffSecondFactor(session: waiting, code: code, ip: context.ip, userAgent: context.userAgent) {
            case .signedIn(let token):
                context.setCookies.append(Cookies.set(Cookies.staff, token, secure: secure))
                return .redirect(to: "/admin")
            case .invalid:
                return .html(AdminView.login(csrfToken: context.csrfToken, error: "That code didn't work. Enter the code your app shows now.",
                                             codeStep: try secondFactors(context)), status: 401)
            case .lockedOut(let seconds):
                var response = Response.html(AdminView.login(csrfToken: context.csrfToken, error: LoginThrottle.waitMessage(seconds),
                                                             codeStep: try secondFactors(context)), status: 429)
                response.headers["Retry-After"] = String(seconds)
                return response
            }
        }
        let email = Validation.clean(form["email"] ?? "")
        switch try context.portal.signInStaff(email: email, password: form["password"] ?? "", ip: context.ip, userAgent: context.userAgent) {
        case .signedIn(let token, let stage):
            context.setCookies.append(Cookies.set(Cookies.staff, token, secure: secure))
            return .redirect(to: stage == .active ? "/admin" : "/admin/login")
        case .lockedOut(let seconds):
            var response = Response.html(AdminView.login(csrfToken: context.csrfToken, email: email,
                                                         error: LoginThrottle.waitMessage(seconds)), status: 429)
            response.headers["Retry-After"] = String(seconds)
            return response
        default:
            return .html(AdminView.login(csrfToken: context.csrfToken, email: email, error: LoginHandlers.invalidCredentials),
                         status: 401)
        }
    }

    // MARK: The staff member's own authenticator

    @Sendable static func security(_ context: inout StaffContext) throws -> Response {
        let message: Message?
        switch context.request.query["done"] {
        case "on": message = Message(.success, "The authenticator app is on. Signing in now asks for a code.")
        case "off": message = Message(.success, "The authenticator app is off.")
        case "key-added": message = Message(.success, "Your key was added. Signing in now asks for it (or your code).")
        case "key-removed": message = Message(.success, "The key was removed.")
        case "key-renamed": message = Message(.success, "The key was renamed.")
        default: message = nil
        }
        return try securityPage(context, message: message)
    }

    static func securityPage(_ context: StaffContext, message: Message? = nil,
                             renameOpen: Int64? = nil, renameError: String? = nil, renameValue: String? = nil,
                             status: Int = 200) throws -> Response {
        let member = context.staff
        var keys = PasskeysSection(keys: try context.portal.passkeys(owner: .staff(member.id)).map(PasskeyHandlers.item),
                                   renameOpen: renameOpen, renameError: renameError)
        keys.base = "/admin/security/passkeys"
        keys.back = "/admin/security"
        keys.renameValue = renameValue
        return .html(AdminView.security(enabled: try context.portal.staffAuthenticatorEnabled(staffID: member.id), staff: try staff(context),
                                        passkeys: keys, message: message), status: status)
    }

    /// Which second factors the waiting staff session may answer with; nil when none is due.
    static func secondFactors(_ context: RequestContext) throws -> AdminView.SecondFactors? {
        guard let waiting = context.staffSession, waiting.stage == .secondFactor, let id = waiting.staffID else { return nil }
        return AdminView.SecondFactors(authenticator: try context.portal.staffAuthenticatorEnabled(staffID: id),
                                       passkey: try context.portal.hasPasskeys(owner: .staff(id)))
    }

    // MARK: The staff member's own keys

    @Sendable static func beginKeyRegistration(_ context: inout StaffContext) throws -> Response {
        let member = context.staff
        return PasskeyHandlers.json(try context.portal.passkeyRegistrationOptions(owner: .staff(member.id), email: member.email,
                                                                                  displayName: member.name, binding: context.binding,
                                                                                  rp: context.relyingParty))
    }

    @Sendable static func finishKeyRegistration(_ context: inout StaffContext) throws -> Response {
        let member = context.staff
        let body: PasskeyHandlers.FinishBody<AttestationResponse>
        switch PasskeyHandlers.finishBody(context, AttestationResponse.self) {
        case .success(let decoded): body = decoded
        case .failure(let answer): return answer
        }
        switch try context.portal.finishPasskeyRegistration(owner: .staff(member.id), credential: body.credential, name: body.name ?? "",
                                                            binding: context.binding, rp: context.relyingParty, actor: context.staffActor) {
        case .success:
            return .json(PasskeyHandlers.Outcome(ok: true, redirect: "/admin/security?done=key-added"))
        case .failure(let refusal):
            return .json(PasskeyHandlers.Outcome(ok: false, error: refusal.message), status: refusal.status)
        }
    }

    @Sendable static func renameKey(_ context: inout StaffContext) throws -> Response {
        let member = context.staff
        let id = try pathID(context)
        let name = try context.form()["name"] ?? ""
        switch try context.portal.renamePasskey(id: id, owner: .staff(member.id), name: name, actor: context.staffActor) {
        case nil: throw PortalError.notFound
        case .success?: return .redirect(to: "/admin/security?done=key-renamed")
        case .failure(let refusal)?:
            return try securityPage(context, renameOpen: id, renameError: refusal.message, renameValue: name, status: refusal.status)
        }
    }

    @Sendable static func confirmKeyRemoval(_ context: inout StaffContext) throws -> Response {
        try keyRemovalPage(context)
    }

    static func keyRemovalPage(_ context: StaffContext, error: String? = nil, status: Int = 200) throws -> Response {
        let member = context.staff
        guard let key = try context.portal.passkey(id: try pathID(context), owner: .staff(member.id)) else { throw PortalError.notFound }
        var page = PasskeyRemovePage(chrome: AdminView.chrome("Remove key", staff: try staff(context)), key: PasskeyHandlers.item(key))
        page.base = "/admin/security/passkeys"
        page.back = "/admin/security"
        page.passwordRequired = true
        page.error = error
        return .html(PasskeyView.remove(page), status: status)
    }

    @Sendable static func removeKey(_ context: inout StaffContext) throws -> Response {
        let member = context.staff
        let password = try context.form()["password"] ?? ""
        switch try context.portal.removeStaffKey(staff: member, id: try pathID(context), password: password, actor: context.staffActor) {
        case .success(true): return .redirect(to: "/admin/security?done=key-removed")
        case .success(false): throw PortalError.notFound
        case .failure(let error): return try keyRemovalPage(context, error: error.message, status: 422)
        }
    }

    @Sendable static func beginKeySignIn(_ context: inout RequestContext) throws -> Response {
        guard let waiting = context.staffSession, waiting.stage == .secondFactor, let id = waiting.staffID else {
            return .json(PasskeyHandlers.Outcome(ok: false, redirect: "/admin/login", error: "Sign in with your password first."), status: 401)
        }
        return PasskeyHandlers.json(try context.portal.passkeyOptions(for: .staff(id), purpose: .secondFactor, binding: context.binding,
                                                                      rp: context.relyingParty))
    }

    @Sendable static func finishKeySignIn(_ context: inout RequestContext) throws -> Response {
        guard let waiting = context.staffSession, waiting.stage == .secondFactor else {
            return .json(PasskeyHandlers.Outcome(ok: false, redirect: "/admin/login", error: "Sign in with your password first."), status: 401)
        }
        let body: PasskeyHandlers.FinishBody<AssertionResponse>
        switch PasskeyHandlers.finishBody(context, AssertionResponse.self) {
        case .success(let decoded): body = decoded
        case .failure(let answer): return answer
        }
        switch try context.portal.completeStaffSecondFactorWithPasskey(session: waiting, credential: body.credential, binding: context.binding,
                                                                       rp: context.relyingParty, ip: context.ip, userAgent: context.userAgent) {
        case .success(let token):
            context.setCookies.append(Cookies.set(Cookies.staff, token, secure: context.portal.configuration.secureCookies))
            return .json(PasskeyHandlers.Outcome(ok: true, redirect: "/admin"))
        case .failure(let refusal):
            return PasskeyHandlers.refused(refusal)
        }
    }

    @Sendable static func enableAuthenticator(_ context: inout StaffContext) throws -> Response {
        let member = context.staff
        guard case .success = try context.portal.beginStaffAuthenticator(staff: member, session: context.staffSession) else {
            return .redirect(to: "/admin/security")
        }
        return .redirect(to: "/admin/security/totp/setup")
    }

    /// The set-up waiting in this staff session (the same secret on every reload), else the security page.
    @Sendable static func showAuthenticatorSetup(_ context: inout StaffContext) throws -> Response {
        let member = context.staff
        guard let setup = try context.portal.pendingStaffAuthenticator(staff: member, session: context.staffSession) else {
            return .redirect(to: "/admin/security")
        }
        return try staffSetupPage(context, setup)
    }

    @Sendable static func verifyAuthenticator(_ context: inout StaffContext) throws -> Response {
        let member = context.staff
        let session = context.staffSession
        let form = try context.form()
        switch try context.portal.confirmStaffAuthenticator(staff: member, session: session, setupID: form["setup"].flatMap { Int64($0) },
                                                            code: form["code"] ?? "", actor: context.staffActor) {
        case .success, .failure(.alreadyEnabled):
            return .redirect(to: "/admin/security?done=on")
        case .failure(.wrongCode):
            guard let setup = try context.portal.pendingStaffAuthenticator(staff: member, session: session) else {
                return .redirect(to: "/admin/security")
            }
            return try staffSetupPage(context, setup, error: "That code didn't match. Enter the code your app shows now.", status: 422)
        case .failure(.expired):
            return try securityPage(context, message: Message(.error, "The set-up expired or was cancelled before it was confirmed. Select Enable to start again."),
                                    status: 422)
        case .failure(.restartedElsewhere):
            return try securityPage(context, message: Message(.error, TwoFactorHandlers.restartedMessage), status: 409)
        }
    }

    /// Cancel on the staff set-up page: the pending secret ends.
    @Sendable static func cancelAuthenticatorSetup(_ context: inout StaffContext) throws -> Response {
        let member = context.staff
        try context.portal.cancelAuthenticatorSetup(owner: .staff(member.id), sessionID: context.staffSession.id)
        return .redirect(to: "/admin/security")
    }

    @Sendable static func confirmDisableAuthenticator(_ context: inout StaffContext) throws -> Response {
        guard try context.portal.staffAuthenticatorEnabled(staffID: context.staff.id) else { return .redirect(to: "/admin/security") }
        return .html(AdminView.confirmAuthenticatorOff(staff: try staff(context), passwordError: nil))
    }

    @Sendable static func disableAuthenticator(_ context: inout StaffContext) throws -> Response {
        let member = context.staff
        let password = try context.form()["password"] ?? ""
        switch try context.portal.disableStaffAuthenticator(staff: member, password: password, actor: context.staffActor) {
        case .success:
            return .redirect(to: "/admin/security?done=off")
        case .failure(let error):
            return .html(AdminView.confirmAuthenticatorOff(staff: try staff(context), passwordError: error.message), status: 422)
        }
    }

    static func staffSetupPage(_ context: StaffContext, _ setup: TOTPSetup, error: String? = nil, status: Int = 200) throws -> Response {
        let code = try QRCode.encode(text: setup.uri, ecc: .medium)
        var chrome = Chrome(title: "Set up authenticator", csrfToken: context.csrfToken)
        chrome.home = "/admin"
        chrome.audience = .staff
        var page = AuthenticatorSetupPage(chrome: chrome, qrSVG: .unsafeRaw(SVGWriter.svg(for: code, label: "QR code for your authenticator app")),
                                          groupedSecret: setup.groupedSecret, setupID: setup.id,
                                          issuer: setup.issuer, account: setup.accountName, keyURI: setup.uri, error: error)
        page.verifyAction = "/admin/security/totp/verify"
        page.cancelAction = "/admin/security/totp/cancel"
        return .html(TwoFactorView.setup(page), status: status)
    }



    /// Ends the staff session, and with it any customer account it was viewing.
    @Sendable static func logout(_ context: inout StaffContext) throws -> Response {
        let providerSignOut = try context.portal.providerSignOut(sessionID: context.staffSession.id)
        try context.portal.endStaffSession(context.staffSession, actor: context.staffActor)
        context.setCookies.append(Cookies.clear(Cookies.staff, secure: context.portal.configuration.secureCookies))
        return providerSignOut.map { .html(SingleSignOnSignedOutView.render(providerName: $0.displayName, continueTo: $0.url, kiosk: false)) }
            ?? .redirect(to: "/admin/login?signed_out=1")
    }

    // MARK: Clients

    @Sendable static func clients(_ context: inout StaffContext) throws -> Response {
        let search = Validation.clean(context.request.query["q"] ?? "")
        let rows = try context.portal.clientSummaries(search: String(String.UnicodeScalarView(search.unicodeScalars.prefix(100)))).map { summary in
            row(summary.client, users: summary.users)
        }
        return .html(AdminView.clients(rows, search: search, staff: try staff(context)))
    }

    @Sendable static func client(_ context: inout StaffContext) throws -> Response {
        try clientPage(context, id: try pathID(context), message: nil)
    }

    @Sendable static func saveClientSettings(_ context: inout StaffContext) throws -> Response {
        let id = try pathID(context)
        guard try context.portal.client(id: id) != nil else { throw PortalError.notFound }
        let form = try context.form()
        let settings = ClientSettings(portalEnabled: form["portal_enabled"] == "on", ssoOnly: form["sso_only"] == "on",
                                      requireMFA: form["require_mfa"] == "on", billingEnabled: form["billing_enabled"] == "on",
                                      verifyCallers: form["verify_callers"] == "on", viewConsent: form["view_consent"] == "on")
        let changes = try context.portal.updateClientSettings(clientID: id, settings: settings, actor: context.staffActor)
        let message = changes.isEmpty ? Message(.info, "Nothing changed.") : Message(.success, "Settings saved: \(changes.joined(separator: ", ")).")
        return try clientPage(context, id: id, message: message)
    }

    static func clientPage(_ context: StaffContext, id: Int64, message: Message?, form: AdminView.AddUserForm = AdminView.AddUserForm(),
                           singleSignOn: AdminView.SingleSignOnSection? = nil, status: Int = 200) throws -> Response {
        guard let client = try context.portal.client(id: id) else { throw PortalError.notFound }
        let users = try context.portal.customerSummaries(clientID: id).map(userRow)
        let sso = try singleSignOn ?? singleSignOnSection(context, clientID: id)
        var shown = row(client, users: users.count)
        shown.verifyCallers = try context.portal.verifiesCallers(clientID: id)
        return .html(AdminView.client(shown, users: users, staff: try staff(context), message: message,
                                      form: form, singleSignOn: sso), status: status)
    }

    static func singleSignOnSection(_ context: StaffContext, clientID: Int64) throws -> AdminView.SingleSignOnSection {
        let configured = try context.portal.identityProvider(clientID: clientID).map { provider in
            AdminView.SingleSignOnSection.Configured(
                issuer: provider.issuer, clientID: provider.oauthClientID, displayName: provider.displayName, domains: provider.domains,
                tenantID: provider.tenantID, trustEmail: provider.trustEmail, trustProviderMFA: provider.trustProviderMFA,
                createUsers: provider.createUsers)
        }
        return AdminView.SingleSignOnSection(configured: configured, redirectURI: context.portal.singleSignOnRedirectURI)
    }

    /// `POST /admin/clients/{id}/sso`: sets or changes the client's provider. A refusal shows the page again
    /// with what was typed (never the secret) and the field at fault.
    @Sendable static func saveSingleSignOn(_ context: inout StaffContext) throws -> Response {
        let id = try pathID(context)
        guard let client = try context.portal.client(id: id) else { throw PortalError.notFound }
        let form = try context.form()
        let domains = (form["domains"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
            .map(String.init)
        let settings = IdentityProviderSettings(
            issuer: form["issuer"] ?? "", clientID: form["client_id"] ?? "", clientSecret: form["client_secret"], domains: domains,
            tenantID: form["tenant_id"], displayName: form["display_name"], trustEmail: form["trust_email"] == "on",
            trustProviderMFA: form["trust_idp_mfa"] == "on", createUsers: form["create_users"] == "on")
        switch try context.portal.saveIdentityProvider(owner: .client(client), settings, actor: context.staffActor) {
        case .success(let provider):
            return try clientPage(context, id: id, message: Message(.success, "Single sign-on saved: \(provider.displayName)."))
        case .failure(let refusal):
            var section = try singleSignOnSection(context, clientID: id)
            section.issuer = settings.issuer
            section.clientID = settings.clientID
            section.domains = form["domains"] ?? ""
            section.tenantID = settings.tenantID ?? ""
            section.displayName = settings.displayName ?? ""
            section.trustEmail = settings.trustEmail ?? false
            section.trustProviderMFA = settings.trustProviderMFA ?? false
            section.createUsers = settings.createUsers ?? false
            section.errorField = refusal.field?.rawValue
            section.error = refusal.message
            return try clientPage(context, id: id, message: Message(.error, "Single sign-on was not saved. \(refusal.message)"),
                                  singleSignOn: section, status: 422)
        }
    }

    /// `GET /admin/clients/{id}/sso/remove`: "Turn off single sign-on for CLIENT?", the step before the POST.
    @Sendable static func confirmSingleSignOnRemoval(_ context: inout StaffContext) throws -> Response {
        let id = try pathID(context)
        guard let client = try context.portal.client(id: id) else { throw PortalError.notFound }
        guard let provider = try context.portal.identityProvider(clientID: id) else {
            return try clientPage(context, id: id, message: Message(.info, "Single sign-on was not set up."))
        }
        var consequences = ["\(provider.displayName) is removed: the users of \(client.name) can no longer sign in through it."]
        if client.ssoOnly {
            consequences.append("""
                \(client.name) is SSO-only: until a provider is set up again or SSO-only is turned off, its users have no way to sign in.
                """)
        }
        consequences.append("The identities already linked are kept: setting up the same issuer again finds them.")
        let confirmation = AdminView.Confirmation(
            title: "Turn off single sign-on for \(client.name)?",
            facts: [.init("Client", client.name), .init("Provider", provider.displayName), .init("Issuer", provider.issuer)],
            consequences: consequences, action: "/admin/clients/\(id)/sso/remove", button: "Turn off single sign-on",
            cancel: "/admin/clients/\(id)")
        return .html(AdminView.confirm(confirmation, staff: try staff(context)))
    }

    /// `POST /admin/clients/{id}/sso/remove`: turns single sign-on off for the client.
    @Sendable static func removeSingleSignOn(_ context: inout StaffContext) throws -> Response {
        let id = try pathID(context)
        guard let client = try context.portal.client(id: id) else { throw PortalError.notFound }
        let message = try context.portal.removeIdentityProvider(owner: .client(client), actor: context.staffActor).map {
            Message(.success, "Single sign-on is off: \($0) was removed.")
        } ?? Message(.info, "Single sign-on was not set up.")
        return try clientPage(context, id: id, message: message)
    }

    @Sendable static func addUser(_ context: inout StaffContext) throws -> Response {
        let id = try pathID(context)
        let fields = try context.form()
        switch try context.portal.inviteCustomer(clientID: id, name: fields["name"] ?? "", email: fields["email"] ?? "",
                                                 phone: fields["phone"] ?? "", origin: context.app.origin, actor: context.staffActor) {
        case .success(let done):
            return try clientPage(context, id: id, message: Message(.success, done))
        case .failure(let errors):
            var form = AdminView.AddUserForm()
            form.name = fields["name"] ?? ""
            form.email = fields["email"] ?? ""
            form.phone = fields["phone"] ?? ""
            form.nameError = errors.name
            form.emailError = errors.email
            form.phoneError = errors.phone
            return try clientPage(context, id: id, message: Message(.error, "The user was not added. Check the fields marked below."),
                                  form: form, status: 422)
        }
    }

    @Sendable static func linkIdentity(_ context: inout StaffContext) throws -> Response {
        let id = try pathID(context)
        let email = try context.form()["email"] ?? ""
        switch try context.portal.linkIdentity(clientID: id, email: email, actor: context.staffActor) {
        case .done(let text):
            return try clientPage(context, id: id, message: Message(.success, text))
        case .refused(let why):
            var form = AdminView.AddUserForm()
            form.linkEmail = email
            form.linkError = why
            return try clientPage(context, id: id, message: Message(.error, "Nothing was linked."), form: form, status: 422)
        }
    }

    /// The actions on a user's page: each one change, confirmed on the page that follows.
    static func userAction(_ change: @escaping @Sendable (Portal, Int64, StaffContext) throws -> UserChange)
        -> @Sendable (inout StaffContext) throws -> Response {
        { context in
            let id = try pathID(context)
            guard try context.portal.customerSummary(id: id) != nil else { throw PortalError.notFound }
            switch try change(context.portal, id, context) {
            case .done(let text): return try userPage(context, id: id, message: Message(.success, text))
            case .refused(let why): return try userPage(context, id: id, message: Message(.error, why), status: 409)
            }
        }
    }

    /// What a destructive action's confirmation page says, or why the action cannot be taken now.
    enum ConfirmationStep {
        case ask(AdminView.Confirmation)
        case refuse(String)
    }

    /// `GET` of a destructive action on a user: the confirmation page (naming the user and the
    /// consequence), or the user's page with why it does not apply. Changes nothing.
    static func userConfirmation(_ step: @escaping @Sendable (CustomerSummary, Client?) -> ConfirmationStep)
        -> @Sendable (inout StaffContext) throws -> Response {
        { context in
            let id = try pathID(context)
            guard let summary = try context.portal.customerSummary(id: id) else { throw PortalError.notFound }
            let client = try summary.user.clientID.flatMap { try context.portal.client(id: $0) }
            switch step(summary, client) {
            case .ask(let confirmation): return .html(AdminView.confirm(confirmation, staff: try staff(context)))
            case .refuse(let why): return try userPage(context, id: id, message: Message(.error, why), status: 409)
            }
        }
    }

    /// The user and their client, as each confirmation names them.
    static func facts(_ summary: CustomerSummary, _ client: Client?) -> [AdminView.Confirmation.Fact] {
        [.init("User", "\(summary.user.name) (\(summary.user.email))"), .init("Client", client?.name ?? "Not linked to a client")]
    }

    static let confirmDisable = userConfirmation { summary, client in
        let user = summary.user
        guard summary.state != .disabled else { return .refuse("\(user.name) is already disabled.") }
        return .ask(AdminView.Confirmation(
            title: "Disable \(user.name)?", facts: facts(summary, client),
            consequences: ["\(user.name) is signed out of every browser at once and can no longer sign in.",
                           "Every password-reset or invitation link sent to \(user.email) stops working.",
                           "Nothing is deleted: Enable on the user's page lets them back in with the same password and sign-in methods."],
            action: "/admin/users/\(user.id)/disable", button: "Disable \(user.name)", cancel: "/admin/users/\(user.id)"))
    }

    static let confirmSignOut = userConfirmation { summary, client in
        let user = summary.user
        guard summary.state != .disabled else { return .refuse("\(user.name) is disabled and signed in nowhere.") }
        return .ask(AdminView.Confirmation(
            title: "Sign \(user.name) out everywhere?", facts: facts(summary, client),
            consequences: ["Every browser where \(user.name) is signed in is signed out at once, an administrator's view of the account included.",
                           "The password and second factors stay as they are: \(user.name) can sign in again straight away. To keep them out, disable the user instead."],
            action: "/admin/users/\(user.id)/sign-out", button: "Sign out everywhere", cancel: "/admin/users/\(user.id)"))
    }

    static let confirmSecondFactorReset = resetConfirmation(.secondFactor, secondFactorStep)
    static let confirmUnlock = resetConfirmation(.unlock, unlockStep)
    static let confirmResendInvitation = resetConfirmation(.invitation, invitationStep)

    static let secondFactorStep: @Sendable (CustomerSummary, Client?) -> ConfirmationStep = { summary, client in
        let user = summary.user
        guard summary.twoFactor else { return .refuse("\(user.name) has no authenticator app to reset.") }
        var consequences = ["The authenticator app of \(user.name) is turned off and every recovery code is deleted: the next sign-in asks only for the password.",
                            "Do this only for a user who lost both the authenticator and the recovery codes, once you are sure it is really them.",
                            "\(user.email) is told by mail."]
        if client?.requireMFA == true {
            consequences.append("\(client?.name ?? "The client") requires MFA: \(user.name) must set up a second factor again at the next sign-in.")
        }
        return .ask(AdminView.Confirmation(
            title: "Reset two-factor authentication for \(user.name)?", facts: facts(summary, client), consequences: consequences,
            action: "/admin/users/\(user.id)/reset-2fa", button: "Reset two-factor authentication", cancel: "/admin/users/\(user.id)"))
    }

    static let unlockStep: @Sendable (CustomerSummary, Client?) -> ConfirmationStep = { summary, client in
        let user = summary.user
        return .ask(AdminView.Confirmation(
            title: "Unlock \(user.name)?", facts: facts(summary, client),
            consequences: ["The sign-in lockout of \(user.email) is lifted at once: whoever knows the password can try again straight away."],
            action: "/admin/users/\(user.id)/unlock", button: "Unlock", cancel: "/admin/users/\(user.id)"))
    }

    static let invitationStep: @Sendable (CustomerSummary, Client?) -> ConfirmationStep = { summary, client in
        let user = summary.user
        guard summary.state == .invited else { return .refuse("Only an invited user can be sent a new invitation.") }
        return .ask(AdminView.Confirmation(
            title: "Send the invitation again to \(user.name)?", facts: facts(summary, client),
            consequences: ["A new invitation link goes to \(user.email); earlier links stop working.",
                           "Whoever reads that mailbox can choose the password of this account."],
            action: "/admin/users/\(user.id)/resend-invitation", button: "Send the invitation again", cancel: "/admin/users/\(user.id)"))
    }

    /// `GET` of a reset a client may hold behind a verified caller: the confirmation page, which with no
    /// live verification (when the client requires one) offers only break-glass, a reason required.
    static func resetConfirmation(_ reset: AccountReset, _ step: @escaping @Sendable (CustomerSummary, Client?) -> ConfirmationStep)
        -> @Sendable (inout StaffContext) throws -> Response {
        { context in try resetConfirmationPage(context, reset, step) }
    }

    static func resetConfirmationPage(_ context: StaffContext, _ reset: AccountReset,
                                      _ step: (CustomerSummary, Client?) -> ConfirmationStep,
                                      reason: String = "", reasonError: String? = nil, status: Int = 200) throws -> Response {
        let id = try pathID(context)
        guard let summary = try context.portal.customerSummary(id: id) else { throw PortalError.notFound }
        let client = try summary.user.clientID.flatMap { try context.portal.client(id: $0) }
        switch step(summary, client) {
        case .refuse(let why):
            return try userPage(context, id: id, message: Message(.error, why), status: 409)
        case .ask(var confirmation):
            let state = try context.portal.callerVerification(customerID: id, staffID: context.staff.id)
            var until: String?
            if case .verified(_, let end) = state.stage { until = DateText.dayAndTime(end) }
            var gate = AdminView.ResetGate(blocked: state.gated, verifiedUntil: until, skipButton: "\(reset.label) without verification",
                                           userName: summary.user.name, userPage: "/admin/users/\(id)")
            gate.reason = reason
            gate.reasonError = reasonError
            confirmation.gate = gate
            return .html(AdminView.confirm(confirmation, staff: try staff(context)), status: status)
        }
    }

    /// `POST` of a reset: done when cleared (a live verification, the client not requiring one, or a
    /// reason: break-glass); refused with 403 when the client requires a verified caller and there is
    /// none; back to the confirmation page when the break-glass reason is missing.
    static func resetAction(_ reset: AccountReset, confirmation: @escaping @Sendable (CustomerSummary, Client?) -> ConfirmationStep,
                            _ change: @escaping @Sendable (Portal, Int64, StaffContext, String?) throws -> AccountResetOutcome)
        -> @Sendable (inout StaffContext) throws -> Response {
        { context in
            let id = try pathID(context)
            guard try context.portal.customerSummary(id: id) != nil else { throw PortalError.notFound }
            let reason = try context.form()["reason"]
            switch try change(context.portal, id, context, reason) {
            case .done(let text): return try userPage(context, id: id, message: Message(.success, text))
            case .refused(let why): return try userPage(context, id: id, message: Message(.error, why), status: 409)
            case .verifyFirst(let why): return try userPage(context, id: id, message: Message(.error, why), status: 403)
            case .reasonRequired(let why):
                return try resetConfirmationPage(context, reset, confirmation, reason: reason ?? "", reasonError: why, status: 422)
            }
        }
    }

    static let disableUser = userAction { portal, id, context in
        try portal.setCustomerDisabled(customerID: id, disabled: true, actor: context.staffActor)
    }
    static let enableUser = userAction { portal, id, context in
        try portal.setCustomerDisabled(customerID: id, disabled: false, actor: context.staffActor)
    }
    static let endSessions = userAction { portal, id, context in try portal.endCustomerSessions(customerID: id, actor: context.staffActor) }
    static let unlockUser = resetAction(.unlock, confirmation: unlockStep) { portal, id, context, reason in
        try portal.unlockCustomer(customerID: id, actor: context.staffActor, skipReason: reason)
    }
    static let resetSecondFactor = resetAction(.secondFactor, confirmation: secondFactorStep) { portal, id, context, reason in
        try portal.resetSecondFactor(customerID: id, actor: context.staffActor, skipReason: reason)
    }
    static let resendInvitation = resetAction(.invitation, confirmation: invitationStep) { portal, id, context, reason in
        try portal.resendInvitation(customerID: id, origin: context.app.origin, actor: context.staffActor, skipReason: reason)
    }

    // MARK: Verify the caller

    /// "Verify the caller" (and "Send a new code"): a one-time code mailed to the user's email.
    @Sendable static func sendCallerCode(_ context: inout StaffContext) throws -> Response {
        let id = try pathID(context)
        guard try context.portal.customerSummary(id: id) != nil else { throw PortalError.notFound }
        switch try context.portal.sendCallerCode(customerID: id, actor: context.staffActor) {
        case .done(let text): return try userPage(context, id: id, message: Message(.success, text))
        case .refused(let why, let status):
            var response = try userPage(context, id: id, message: Message(.error, why), status: status)
            if status == 429 { response.headers["Retry-After"] = String(15 * 60) }
            return response
        }
    }

    /// "Check code": what the caller read back.
    @Sendable static func checkCallerCode(_ context: inout StaffContext) throws -> Response {
        let id = try pathID(context)
        guard try context.portal.customerSummary(id: id) != nil else { throw PortalError.notFound }
        let code = try context.form()["code"] ?? ""
        switch try context.portal.checkCallerCode(customerID: id, code: code, actor: context.staffActor) {
        case .done(let text): return try userPage(context, id: id, message: Message(.success, text))
        case .refused(let why, let status): return try userPage(context, id: id, message: Message(.error, why), codeError: why, status: status)
        }
    }

    // MARK: Users and "View as customer"

    @Sendable static func user(_ context: inout StaffContext) throws -> Response {
        try userPage(context, id: try pathID(context))
    }

    @Sendable static func impersonate(_ context: inout StaffContext) throws -> Response {
        let id = try pathID(context)
        let staffSession = context.staffSession
        let reason = try context.form()["reason"] ?? ""
        switch try context.portal.startImpersonation(staffSession: staffSession, customerID: id, reason: reason, origin: context.app.origin,
                                                     ip: context.ip, userAgent: context.userAgent) {
        case .success(.opened(let token)):
            context.setCookies.append(Cookies.set(Cookies.session, token, secure: context.portal.configuration.secureCookies))
            return .redirect(to: "/portal/profile")
        case .success(.requested):
            return .redirect(to: "/admin/users/\(id)?view=requested")
        case .failure(.reasonRequired):
            return try userPage(context, id: id, reasonError: "Give the reason for viewing this account.", status: 422)
        case .failure(.notAllowed(let why)):
            return try userPage(context, id: id, message: Message(.error, why), status: 403)
        }
    }

    /// "Open the view" on the user's page, once the customer allowed this staff member's request (field `request`).
    @Sendable static func openAllowedView(_ context: inout StaffContext) throws -> Response {
        let id = try pathID(context)
        guard let request = try context.form()["request"].flatMap({ Int64($0) }) else {
            return try userPage(context, id: id, message: Message(.error, "There is no such request."), status: 422)
        }
        switch try context.portal.openAllowedView(staffSession: context.staffSession, customerID: id, requestID: request, ip: context.ip,
                                                  userAgent: context.userAgent) {
        case .success(let token):
            context.setCookies.append(Cookies.set(Cookies.session, token, secure: context.portal.configuration.secureCookies))
            return .redirect(to: "/portal/profile")
        case .failure(.reasonRequired):
            return try userPage(context, id: id, status: 422)
        case .failure(.notAllowed(let why)):
            return try userPage(context, id: id, message: Message(.error, why), status: 403)
        }
    }

    /// "End session": back to the administrator's page of the user.
    @Sendable static func endImpersonation(_ context: inout CustomerContext) throws -> Response {
        let session = context.session
        guard session.impersonatorStaffID != nil else { throw PortalError.notFound }
        try context.portal.endImpersonation(session, ip: context.ip)
        context.setCookies.append(Cookies.clear(Cookies.session, secure: context.portal.configuration.secureCookies))
        return .redirect(to: "/admin/users/\(session.customerUserID ?? 0)")
    }

    static func userPage(_ context: StaffContext, id: Int64, reasonError: String? = nil, message: Message? = nil,
                         codeError: String? = nil, status: Int = 200) throws -> Response {
        guard let summary = try context.portal.customerSummary(id: id),
              let access = try context.portal.viewAccess(customerID: id, staffID: context.staff.id) else { throw PortalError.notFound }
        let client = try summary.user.clientID.flatMap { try context.portal.client(id: $0) }
        var shown = message
        if shown == nil {
            switch context.request.query["view"] {
            case "requested":
                shown = Message(.success, "Your request was sent to \(summary.user.name), on their Security tab and by mail. This page shows when they answer.")
            case "ended":
                shown = Message(.info, "\(summary.user.name) revoked your access, or it ran out: the view ended.")
            default: break
            }
        }
        var row = userRow(summary)
        row.caller = try callerCheck(context, customerID: id)
        row.caller.codeError = codeError
        return .html(AdminView.user(row, clientID: client?.id, clientName: client?.name, staff: try staff(context),
                                    view: viewCard(access, user: summary.user), reasonError: reasonError, message: shown), status: status)
    }

    /// The "View as customer" card as `viewAccess` has it for this staff member.
    static func viewCard(_ access: ViewAccess, user: CustomerUser) -> AdminView.ViewCard {
        switch access {
        case .refused(let why): return .refused(why)
        case .open(let grant):
            return .form(consentRequired: grant != nil, grantedUntil: grant.map { DateText.dayAndTime($0.expiresAt) }, lastAnswer: nil)
        case .ask(let last):
            let answer = last.map { request -> String in
                let when = DateText.dayAndTime(request.decidedAt ?? request.expiresAt)
                switch request.state {
                case .declined: return "\(user.name) declined your last request (\(when))."
                case .revoked: return "\(user.name) revoked your last request (\(when))."
                default: return "Your last request was not answered or used in time (it expired \(DateText.dayAndTime(request.expiresAt)))."
                }
            }
            return .askFirst(lastAnswer: answer)
        case .waiting(let request):
            return .waiting(askedAt: DateText.dayAndTime(request.createdAt), reason: request.reason,
                            expires: DateText.dayAndTime(request.expiresAt))
        case .allowed(let request):
            return .allowed(requestID: request.id, allowedAt: DateText.dayAndTime(request.decidedAt ?? request.createdAt),
                            openBy: DateText.dayAndTime(request.expiresAt), reason: request.reason)
        }
    }

    // MARK: Audit log and outbox

    /// The audit log: a client picked from the list, a customer user by name or email (an ID, as older
    /// links carry, still works and shows as the user's email), an event picked by its readable name.
    @Sendable static func audit(_ context: inout StaffContext) throws -> Response {
        let query = context.request.query
        let clients = try context.portal.clientSummaries()
        let client = query["client"].flatMap { Int64($0) }
        let typed = String(String.UnicodeScalarView(Validation.clean(query["user"] ?? "").unicodeScalars.prefix(254)))
        var customerID: Int64?
        var shownUser = typed
        if !typed.isEmpty, typed.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let id = Int64(typed) {
            customerID = id
            shownUser = try context.portal.customerSummary(id: id)?.user.email ?? typed
        }
        let kinds = try context.portal.auditKinds()
        let kind = query["kind"].flatMap { kinds.contains($0) ? $0 : nil }
        let page = min(max(1, query["page"].flatMap { Int($0) } ?? 1), 100_000)
        var filter = AuditFilter(clientID: client, customerID: customerID, kind: kind, page: page)
        if customerID == nil { filter.customer = typed }
        let (entries, more) = try context.portal.auditEntries(filter)
        let rows = entries.map { entry in
            AdminView.AuditRow(when: DateText.dayAndTime(entry.at), kind: entry.kind, kindName: AuditEventNames.displayName(ofKind: entry.kind),
                               client: entry.clientName ?? "", user: entry.customerName ?? "", userEmail: entry.customerEmail ?? "",
                               staff: entry.staffName ?? "", ip: entry.ip, detail: entry.detail)
        }
        let kindOptions = kinds.map { AdminView.Option(value: $0, label: AuditEventNames.displayName(ofKind: $0)) }
            .sorted { $0.label.lowercased() < $1.label.lowercased() }
        let shown = AdminView.AuditQuery(
            client: client.map(String.init) ?? "", clients: clients.map { AdminView.Option(value: String($0.client.id), label: $0.client.name) },
            user: shownUser, kind: kind ?? "", kinds: kindOptions, page: page, more: more)
        return .html(AdminView.audit(rows, query: shown, staff: try staff(context)))
    }

    @Sendable static func outbox(_ context: inout StaffContext) throws -> Response {
        try outboxPage(context)
    }

    static func outboxPage(_ context: StaffContext, message: Message? = nil, status: Int = 200) throws -> Response {
        let rows = try context.portal.staffOutbox(limit: 100).map { entry in
            var row = outboxRow(entry.message)
            row.canShowLink = entry.link == .showable
            return row
        }
        return .html(AdminView.outbox(rows, staff: try staff(context), message: message, smtp: context.portal.configuration.smtp != nil),
                     status: status)
    }

    /// "Show link": the held message with its link, on the answer to this POST only (every page is
    /// `no-store`), audited and told to the customer by the service.
    @Sendable static func showOutboxLink(_ context: inout StaffContext) throws -> Response {
        switch try context.portal.showOutboxLink(messageID: try pathID(context), actor: context.staffActor) {
        case .success(let message):
            return .html(AdminView.outboxLink(outboxRow(message), staff: try staff(context)))
        case .failure(.noSuchMessage):
            throw PortalError.notFound
        case .failure(.refused(let why)):
            return try outboxPage(context, message: Message(.error, why), status: 409)
        }
    }

    static func outboxRow(_ message: OutboxMessage) -> AdminView.OutboxRow {
        AdminView.OutboxRow(id: message.id, when: DateText.dayAndTime(message.createdAt), status: message.status.rawValue,
                            recipient: message.recipient, subject: message.subject, body: message.body, error: message.lastError)
    }

    // MARK: Helpers

    /// "Verify the caller" as the signed-in staff member stands with the user, for the page.
    static func callerCheck(_ context: StaffContext, customerID: Int64) throws -> AdminView.CallerCheck {
        let state = try context.portal.callerVerification(customerID: customerID, staffID: context.staff.id)
        let stage: AdminView.CallerCheck.Stage
        switch state.stage {
        case .none: stage = .none
        case .codeSent(let at, let expiresAt, let attemptsLeft):
            stage = .codeSent(sentAt: DateText.dayAndTime(at), until: DateText.dayAndTime(expiresAt), triesLeft: attemptsLeft)
        case .verified(_, let until): stage = .verified(until: DateText.dayAndTime(until))
        }
        var check = AdminView.CallerCheck(stage: stage, required: state.required, canMail: state.canMail)
        check.noMailReason = Portal.noMailForCallerCodes
        return check
    }

    static func staff(_ context: StaffContext) throws -> AdminView.Staff {
        let staff = context.staff
        return AdminView.Staff(name: staff.name, email: staff.email, csrfToken: context.csrfToken)
    }


    static func pathID(_ context: some PortalContext) throws -> Int64 {
        guard let id = context.request.pathParameters["id"].flatMap(Int64.init), id > 0 else { throw PortalError.notFound }
        return id
    }

    static func row(_ client: Client, users: Int) -> AdminView.ClientRow {
        var row = AdminView.ClientRow(id: client.id, name: client.name, users: users, portal: client.portalEnabled, ssoOnly: client.ssoOnly,
                                      requireMFA: client.requireMFA, billing: client.billingEnabled)
        row.viewConsent = client.viewConsent
        return row
    }

    static func userRow(_ summary: CustomerSummary) -> AdminView.UserRow {
        let state: String
        let tone: AdminView.Tone
        switch summary.state {
        case .invited: (state, tone) = ("Invited", .neutral)
        case .active: (state, tone) = ("Active", .on)
        case .disabled: (state, tone) = ("Disabled", .off)
        case .locked: (state, tone) = ("Locked (too many failed sign-ins)", .warning)
        }
        var row = AdminView.UserRow(id: summary.user.id, name: summary.user.name, email: summary.user.email, state: state,
                                    twoFactor: summary.twoFactor, passkeys: summary.passkeys,
                                    lastSignIn: summary.user.lastSignInAt.map { DateText.dayAndTime($0) })
        row.stateTone = tone
        row.viewRefusal = summary.viewRefusal
        return row
    }
}
